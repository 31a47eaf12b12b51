// Mobile members in the official shape: the reach of a region from the installation, the old free
// text mapped to a division, and the official unit kinds.

import { describe, expect, it } from "vitest";
import { divisionFromText, MOBILE_UNIT_KIND, mobileReach, regionChoices } from "../../../server/domain/mobile-members.js";

describe("reach from the region of the member's organization", () => {
  it("cross-province, within the province across cities, within the city; null when unknown", () => {
    expect(mobileReach("440305", "371702")).toBe("cross_province");
    expect(mobileReach("110105", "371702")).toBe("cross_province");
    expect(mobileReach("370102", "371702")).toBe("cross_city");
    expect(mobileReach("370100", "371702")).toBe("cross_city");
    expect(mobileReach("371702", "371702")).toBe("within_city");
    expect(mobileReach("371700", "371702")).toBe("within_city");
    expect(mobileReach(null, "371702")).toBeNull();
    expect(mobileReach("999999", "371702")).toBeNull();
    // Measured from another organization's region, the answers change.
    expect(mobileReach("370102", "370100")).toBe("within_city");
    expect(mobileReach("371702", "370000")).toBe("cross_city");
    expect(mobileReach("371702", null)).toBeNull();
    // Only the province, and it is the home one: which city is not known.
    expect(mobileReach("370000", "371702")).toBeNull();
    expect(mobileReach("110000", "110105")).toBe("within_city");
    expect(mobileReach("440000", "371702")).toBe("cross_province");
  });
});

describe("old free text to a division", () => {
  it.each([
    ["广东深圳南山区", "440305"],
    ["广东省深圳市", "440300"],
    ["深圳", "440300"],
    ["浙江杭州某快递站", "330100"],
    ["北京市朝阳区", "110105"],
    ["山东省济南市历下区", "370102"],
    ["中共江苏省苏州市某物流园区支部委员会", "320500"],
    ["上海", "310000"],
  ])("%s → %s", (text, code) => {
    expect(divisionFromText(text)).toBe(code);
  });
  it.each([["外地"], ["朝阳区"], [""], [null], ["x"]])("%s names no single division", (text) => {
    expect(divisionFromText(text as string | null)).toBeNull();
  });
});

describe("the official unit kinds", () => {
  it("the official list, enterprises by ownership, and 不掌握流向", () => {
    expect(Object.values(MOBILE_UNIT_KIND.label)).toEqual([
      "机关",
      "事业单位",
      "国有企业",
      "集体企业",
      "非公有制企业",
      "个体工商户",
      "城市社区",
      "乡镇社区",
      "建制村",
      "其他",
      "不掌握流向",
    ]);
  });
  it("offers every province and city as a suggestion", () => {
    expect(regionChoices()).toContain("山东省菏泽市");
    expect(regionChoices()).toContain("北京市");
    expect(regionChoices().length).toBeGreaterThan(300);
  });
});

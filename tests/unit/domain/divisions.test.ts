import { describe, expect, it } from "vitest";
import {
  childrenOf,
  cityCodeOf,
  descendantsOf,
  division,
  fullDivisionName,
  isDivisionCode,
  provinceCodeOf,
} from "../../../server/domain/divisions.js";

describe("GB/T 2260 divisions from the data package", () => {
  it("knows a city, its counties and their streets and townships", () => {
    expect(division("210300")).toMatchObject({ name: "鞍山市", level: "city", parentCode: "210000" });
    const counties = childrenOf("210300").map((d) => d.name);
    expect(counties).toContain("铁东区");
    expect(counties).toContain("海城市");
    expect(childrenOf("371702").find((d) => d.name === "东城街道")).toMatchObject({
      code: "371702001",
      level: "town",
      parentCode: "371702",
    });
  });

  it("lists a province's cities before their counties, and stops at the level asked", () => {
    const shandong = descendantsOf("370000", "county");
    expect(shandong.filter((d) => d.level === "city")).toHaveLength(16);
    expect(shandong.some((d) => d.level === "town")).toBe(false);
    const heze = shandong.findIndex((d) => d.code === "371700");
    expect(shandong.findIndex((d) => d.code === "371702")).toBeGreaterThan(heze);
  });

  it("places a municipality's districts directly under the province", () => {
    expect(division("110101")).toMatchObject({ name: "东城区", level: "county", parentCode: "110000" });
    expect(cityCodeOf("110101")).toBe("110000");
    expect(cityCodeOf("371702001")).toBe("371700");
    expect(provinceCodeOf("371702")).toBe("370000");
  });

  it("names a division from the top and refuses codes the standard does not have", () => {
    expect(fullDivisionName("371702")).toBe("山东省菏泽市牡丹区");
    expect(isDivisionCode("371799")).toBe(false);
    expect(division("999999")).toBeUndefined();
  });
});

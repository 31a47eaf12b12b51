// Mobile spells in the official shape over HTTP: the 流出 region checked against the divisions, the
// unit kind, the certificate; the 流入 home region; the reach shown on the member's status page.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMonths, todayIso } from "../../../server/domain/dates.js";
import { post, type World, world } from "../transfers/helpers.js";

let w: World;
beforeAll(async () => {
  w = await world();
});
afterAll(() => w.t.close());
const today = todayIso();

describe("流出 in the official shape", () => {
  it("stores the division, unit kind and certificate; the page shows the region and that it crosses the province", async () => {
    const m = w.addMember(w.city.dlBranch.id);
    const form = await w.secDl.get(`/members/${m.id}/mobile`);
    expect(form.text).toContain('list="region-choices"');
    expect(form.text).toContain("不掌握流向");
    const base = { destinationCode: "广东省深圳市南山区", unitKind: "private_enterprise", outStartedOn: today };
    const unticked = await post(w.secDl, `/members/${m.id}/mobile/out`, { ...base, certificateNumber: "LC-1" });
    expect(unticked.status).toBe(422);
    expect(unticked.text).toContain("请勾选“持有流动党员活动证”");
    const unknownWithRegion = await post(w.secDl, `/members/${m.id}/mobile/out`, { ...base, unitKind: "unknown_destination" });
    expect(unknownWithRegion.status).toBe(422);
    expect(unknownWithRegion.text).toContain("流向单位类别不能是“不掌握流向”");
    const badKind = await post(w.secDl, `/members/${m.id}/mobile/out`, { ...base, unitKind: "factory" });
    expect(badKind.status).toBe(422);

    const ok = await post(w.secDl, `/members/${m.id}/mobile/out`, {
      ...base,
      certificateHeld: "1",
      certificateNumber: "LC-1",
      certificateValidUntil: addMonths(today, 12),
    });
    expect(ok.status).toBe(303);
    expect(w.spells(m.id)[0]).toMatchObject({
      destination_code: "440305",
      unit_kind: "private_enterprise",
      certificate_held: 1,
      certificate_number: "LC-1",
    });
    const page = (await w.secDl.get(`/members/${m.id}/mobile`)).text;
    expect(page).toContain("广东省深圳市南山区");
    expect(page).toContain("非公有制企业");
    expect(page).toContain("跨省（区、市）流动");
    expect(w.events(m.id).at(-1)!.summary).toContain("外出至 广东省深圳市南山区，非公有制企业，持流动党员活动证");
  });

  it("within the province across cities, and 不掌握流向 without a region", async () => {
    const a = w.addMember(w.city.dlBranch.id);
    await post(w.secDl, `/members/${a.id}/mobile/out`, { destinationCode: "370102", unitKind: "individual_business", outStartedOn: today });
    expect((await w.secDl.get(`/members/${a.id}/mobile`)).text).toContain("省内跨市（地、州、盟）流动");
    const b = w.addMember(w.city.dlBranch.id);
    expect((await post(w.secDl, `/members/${b.id}/mobile/out`, { unitKind: "unknown_destination", outStartedOn: today })).status).toBe(303);
    expect(w.spells(b.id)[0]).toMatchObject({ destination_code: null, unit_kind: "unknown_destination", certificate_held: 0 });
  });
});

describe("流入 in the official shape", () => {
  it("records the home region (checked against the divisions) and the organization where the relationship sits", async () => {
    const m = w.addMember(w.city.dlBranch.id, { relationStatus: "unattached" });
    const body = {
      orgId: w.city.dlBranch.id,
      homeOrgName: "中共某村支部委员会",
      certificateNumber: "LD-9",
      certificateValidUntil: addMonths(today, 12),
      startedOn: today,
    };
    const bad = await post(w.secDl, `/members/${m.id}/mobile/in`, { ...body, homeRegionCode: "123456" });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("组织关系所在地区：未能识别为行政区划");
    expect((await post(w.secDl, `/members/${m.id}/mobile/in`, { ...body, homeRegionCode: "河南省商丘市" })).status).toBe(303);
    expect(w.spells(m.id)[0]).toMatchObject({ home_region_code: "411400", home_org_name: "中共某村支部委员会", certificate_held: 1 });
    const page = (await w.secDl.get(`/members/${m.id}/mobile`)).text;
    expect(page).toContain("河南省商丘市 中共某村支部委员会");
    expect(page).toContain("跨省（区、市）流动");
  });
});

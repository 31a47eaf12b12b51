// Tables 33 and 34 on a small hand-built fixture; every expected figure below was worked out by hand
// from the spells listed here, not from the code.

import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { members, mobileSpells, organizations } from "../../../db/schema.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { mobileHeader, MOBILE_COLUMNS } from "../../../server/domain/official-tables/mobile-tables.js";
import { DEMO_JURISDICTION } from "../../../server/domain/reference-data.js";
import { type Actor, systemActor } from "../../../server/policy/actor.js";
import { computeMobileTable, mobileCellRows, type MobileTableData } from "../../../server/services/tables/mobile.js";
import { memoryDb } from "../../helpers/db.js";
import { addMember, addOrg } from "../../helpers/fixtures.js";

const H1_END = "2026-06-30";
const LATER = "2026-12-01";

let h: DbHandle;
let root: { id: number; path: string };
let a: ReturnType<typeof addOrg>;
let b: ReturnType<typeof addOrg>;
let a1: ReturnType<typeof addOrg>;
let a2: ReturnType<typeof addOrg>;
const m: Record<string, number> = {};
const admin = systemActor();

type Spell = Partial<typeof mobileSpells.$inferInsert> & { direction: "in" | "out"; startedOn: string };
function mobile(
  name: string,
  orgId: number,
  occupation: (typeof members.$inferInsert)["occupation"],
  status: "mobile_out" | "mobile_in" | "local" | "unattached",
  spell: Spell,
) {
  const mem = addMember(h, orgId, { name, occupation: occupation ?? null, relationStatus: status });
  h.db
    .insert(mobileSpells)
    .values({ memberId: mem.id, orgId, ...spell })
    .run();
  m[name] = mem.id;
}

beforeAll(() => {
  h = memoryDb();
  prepareDatabase(h, { jurisdiction: DEMO_JURISDICTION });
  root = h.db.select().from(organizations).where(eq(organizations.code, "HZ")).get()!;
  a = addOrg(h, { code: "A", name: "甲行业党委", kind: "industry_committee", parentId: root.id, regionCode: "371700" });
  b = addOrg(h, { code: "B", name: "乙行业党委", kind: "industry_committee", parentId: root.id, regionCode: "371700" });
  a1 = addOrg(h, { code: "A1", name: "甲一支部", kind: "branch", parentId: a.id, regionCode: "371702" });
  a2 = addOrg(h, { code: "A2", name: "甲二支部", kind: "branch", parentId: a.id, regionCode: "371702" });
  const b1 = addOrg(h, { code: "B1", name: "乙一支部", kind: "branch", parentId: b.id, regionCode: "371702" });
  // 流出, from branches in 菏泽 (371702).
  mobile("m1", a1.id, "courier", "mobile_out", {
    direction: "out",
    destinationCode: "440305",
    unitKind: "private_enterprise",
    certificateHeld: true,
    startedOn: "2026-01-10",
  });
  mobile("m2", a1.id, "courier", "mobile_out", {
    direction: "out",
    destinationCode: "370102",
    unitKind: "individual_business",
    certificateHeld: false,
    startedOn: "2025-05-01",
  });
  mobile("m3", a2.id, "delivery_rider", "mobile_out", {
    direction: "out",
    destinationCode: "371721",
    unitKind: "village",
    certificateHeld: true,
    startedOn: "2026-03-01",
  });
  mobile("m4", a1.id, null, "mobile_out", {
    direction: "out",
    unitKind: "unknown_destination",
    certificateHeld: false,
    startedOn: "2025-12-01",
  });
  // Returned before the period's end; ended on the last day; began after it: none counted for 2026-H1.
  mobile("m5", a1.id, "truck_driver", "local", {
    direction: "out",
    destinationCode: "110105",
    unitKind: "organ",
    certificateHeld: true,
    startedOn: "2026-02-01",
    endedOn: "2026-05-01",
    endReason: "returned",
  });
  mobile("m9", a1.id, "courier", "local", {
    direction: "out",
    destinationCode: "440305",
    unitKind: "organ",
    certificateHeld: true,
    startedOn: "2026-01-01",
    endedOn: H1_END,
    endReason: "returned",
  });
  mobile("m6", a2.id, "truck_driver", "mobile_out", {
    direction: "out",
    destinationCode: "320100",
    unitKind: "other",
    certificateHeld: false,
    startedOn: "2026-07-15",
  });
  // Another committee's.
  mobile("m7", b1.id, "truck_driver", "mobile_out", {
    direction: "out",
    destinationCode: "330100",
    unitKind: "state_enterprise",
    certificateHeld: true,
    startedOn: "2026-01-01",
  });
  // An old record: region only, neither unit kind nor certificate recorded.
  mobile("m8", a2.id, "ride_hailing_driver", "mobile_out", { direction: "out", destinationCode: "370100", startedOn: "2025-01-01" });
  // 流入, received by A's branches.
  mobile("i1", a1.id, "courier", "mobile_in", {
    direction: "in",
    homeRegionCode: "440305",
    homeOrgName: "深圳某支部",
    certificateHeld: true,
    startedOn: "2026-01-01",
  });
  mobile("i2", a2.id, "delivery_rider", "mobile_in", {
    direction: "in",
    homeRegionCode: "370102",
    homeOrgName: "济南某支部",
    certificateHeld: true,
    startedOn: "2025-06-01",
  });
  mobile("i3", a2.id, "courier", "mobile_in", {
    direction: "in",
    homeRegionCode: null,
    homeOrgName: "外地",
    certificateHeld: true,
    startedOn: "2026-02-01",
  });
  mobile("i4", a1.id, "other", "unattached", {
    direction: "in",
    homeRegionCode: "371721",
    homeOrgName: "曹县某支部",
    certificateHeld: false,
    startedOn: "2026-03-01",
    endedOn: "2026-08-01",
    endReason: "returned",
  });
});

function cells(t: MobileTableData, row: string) {
  const r = t.rows.find((x) => x.id === row)!;
  return Object.fromEntries(MOBILE_COLUMNS[t.table].map((c, i) => [c.id, r.cells[i]!.value]));
}
const units = (over: Record<string, number | null>, fill: number | null = 0) => ({
  unit_organ: fill,
  unit_public_institution: fill,
  unit_state_enterprise: fill,
  unit_collective_enterprise: fill,
  unit_private_enterprise: fill,
  unit_individual_business: fill,
  unit_urban_community: fill,
  unit_town_community: fill,
  unit_village: fill,
  unit_other: fill,
  unit_unknown_destination: fill,
  ...over,
});
const ids = (t: string, key: string, asOf = H1_END, actor: Actor = admin, scope = a) =>
  mobileCellRows(h.db, actor, scope, t as "table33", asOf, "2099-01-01", key)?.ids ?? null;

describe("table 33, 流出, committee A, 2026-H1", () => {
  it("counts spells open at the period's end, per occupation, with unknown inputs as null", () => {
    const t = computeMobileTable(h.db, admin, a, "table33", H1_END, "2099-01-01");
    expect(cells(t, "total")).toEqual({ total: 5, cross_province: 1, cross_city: 2, certificate: null, ...units({}, null) });
    expect(cells(t, "courier")).toEqual({
      total: 2,
      cross_province: 1,
      cross_city: 1,
      certificate: 1,
      ...units({ unit_private_enterprise: 1, unit_individual_business: 1 }),
    });
    expect(cells(t, "delivery_rider")).toEqual({
      total: 1,
      cross_province: 0,
      cross_city: 0,
      certificate: 1,
      ...units({ unit_village: 1 }),
    });
    expect(cells(t, "ride_hailing_driver")).toEqual({ total: 1, cross_province: 0, cross_city: 1, certificate: null, ...units({}, null) });
    expect(cells(t, "truck_driver")).toEqual({ total: 0, cross_province: 0, cross_city: 0, certificate: 0, ...units({}) });
    expect(cells(t, "occupation_unrecorded")).toEqual({
      total: 1,
      cross_province: 0,
      cross_city: 0,
      certificate: 0,
      ...units({ unit_unknown_destination: 1 }),
    });
    const total = t.rows[0]!;
    expect(total.cells.find((c) => c.key === "total:certificate")!.reason).toBe("1名流出党员未登记是否持有《流动党员活动证》");
    expect(total.cells.find((c) => c.key === "total:unit_organ")!.reason).toBe("1名流出党员未登记流向单位类别");
    expect(t.checks.map((c) => [c.expected, c.actual, c.ok, c.key])).toEqual([
      [5, 5, true, "occupation_unrecorded:total"],
      [5, 5, true, "total:within_city"],
      [5, 4, false, "total:missing_unit_kind"],
      [5, 4, false, "total:missing_certificate"],
    ]);
  });

  it("names the members behind cells and checks", () => {
    expect(ids("table33", "total:total")).toEqual([m.m1, m.m2, m.m3, m.m4, m.m8]);
    expect(ids("table33", "total:cross_city")).toEqual([m.m2, m.m8]);
    expect(ids("table33", "total:within_city")).toEqual([m.m3]);
    expect(ids("table33", "courier:unit_private_enterprise")).toEqual([m.m1]);
    expect(ids("table33", "occupation_unrecorded:unit_unknown_destination")).toEqual([m.m4]);
    expect(ids("table33", "total:missing_unit_kind")).toEqual([m.m8]);
    expect(ids("table33", "total:orgs")).toBeNull();
    expect(ids("table33", "nonsense:total")).toBeNull();
    expect(ids("table33", "total:total:x")).toBeNull();
  });

  it("the root scope adds committee B; a later date adds the spell begun in July", () => {
    const t = computeMobileTable(h.db, admin, root, "table33", H1_END, "2099-01-01");
    expect(cells(t, "truck_driver")).toEqual({
      total: 1,
      cross_province: 1,
      cross_city: 0,
      certificate: 1,
      ...units({ unit_state_enterprise: 1 }),
    });
    expect(cells(t, "total").total).toBe(6);
    const later = computeMobileTable(h.db, admin, a, "table33", LATER, "2099-01-01");
    expect(cells(later, "truck_driver")).toMatchObject({ total: 1, cross_province: 1, unit_other: 1 });
  });

  it("as of today, the total is checked against the members' status", () => {
    const t = computeMobileTable(h.db, admin, a, "table33", LATER, LATER);
    expect(t.checks.at(-1)).toMatchObject({ expected: 6, actual: 6, ok: true });
    const stray = addMember(h, a2.id, { name: "无登记", relationStatus: "mobile_out" });
    const again = computeMobileTable(h.db, admin, a, "table33", LATER, LATER);
    expect(again.checks.at(-1)).toMatchObject({ expected: 7, actual: 6, ok: false, key: "total:status_mismatch" });
    expect(mobileCellRows(h.db, admin, a, "table33", LATER, LATER, "total:status_mismatch")!.ids).toEqual([stray.id]);
    h.db.update(members).set({ relationStatus: "local" }).where(eq(members.id, stray.id)).run();
  });

  it("an actor outside the scope sees nothing of it", () => {
    const clerkB: Actor = { id: 9, username: "b", displayName: "b", role: "clerk", orgId: b.id, orgPath: b.path, orgName: b.name };
    expect(cells(computeMobileTable(h.db, clerkB, a, "table33", H1_END, "2099-01-01"), "total").total).toBe(0);
  });
});

describe("table 34, 流入, committee A, 2026-H1", () => {
  it("counts received members and the organizations receiving them", () => {
    const t = computeMobileTable(h.db, admin, a, "table34", H1_END, "2099-01-01");
    expect(cells(t, "total")).toEqual({ total: 4, cross_province: null, cross_city: null, certificate: 3, orgs: 2 });
    expect(cells(t, "courier")).toEqual({ total: 2, cross_province: null, cross_city: null, certificate: 2, orgs: 2 });
    expect(cells(t, "delivery_rider")).toEqual({ total: 1, cross_province: 0, cross_city: 1, certificate: 1, orgs: 1 });
    expect(cells(t, "other")).toEqual({ total: 1, cross_province: 0, cross_city: 0, certificate: 0, orgs: 1 });
    expect(t.rows[0]!.cells[1]!.reason).toBe("1名流入党员的组织关系所在地区未登记到市（或接收党组织的地区未登记），不能区分跨省、省内跨市");
    expect(t.checks.find((c) => c.key === "total:missing_reach")).toMatchObject({ expected: 4, actual: 3, ok: false });
    expect(ids("table34", "total:missing_reach")).toEqual([m.i3]);
    expect(ids("table34", "total:orgs")).toEqual([a1.id, a2.id]);
    expect(ids("table34", "other:orgs")).toEqual([a1.id]);
    expect(ids("table34", "total:missing_unit_kind")).toBeNull();
  });

  it("after the 流入 ended it is no longer counted", () => {
    const t = computeMobileTable(h.db, admin, a, "table34", LATER, "2099-01-01");
    expect(cells(t, "total")).toMatchObject({ total: 3, certificate: 3, orgs: 2 });
  });
});

describe("the official headers", () => {
  it("span every column once: 33 with the enterprise group, 34 with 其中", () => {
    for (const t of ["table33", "table34"] as const) {
      const header = mobileHeader(t);
      const width = header[0]!.reduce((s, c) => s + (c.colSpan ?? 1), 0);
      expect(width).toBe(1 + MOBILE_COLUMNS[t].length);
    }
    expect(mobileHeader("table33")[2]!.map((c) => c.label)).toEqual(["国有企业", "集体企业", "非公有制企业"]);
  });
});

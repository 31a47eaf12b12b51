// Tables 33 and 34 on a small hand-built fixture; every expected figure below was worked out by hand
// from the spells listed here, not from the code.

import { eq } from "drizzle-orm";
import { beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { type members, mobileSpells, organizations } from "../../../db/schema.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import {
  cellKey,
  MOBILE_COLUMNS,
  MOBILE_ROWS,
  type MobileRowId,
  type MobileTableId,
  mobileHeader,
} from "../../../server/domain/official-tables/mobile-tables.js";
import { DEMO_JURISDICTION } from "../../../server/domain/reference-data.js";
import { type Actor, systemActor } from "../../../server/policy/actor.js";
import { computeMobile, type MobileComputed } from "../../../server/services/tables/mobile.js";
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

type T = MobileComputed & { table: MobileTableId };
const compute = (table: MobileTableId, asOf: string, actor: Actor = admin, scope: { id: number; path: string } = a): T => ({
  ...computeMobile(h.db, actor, scope, table, asOf),
  table,
});
/** Each column's figure in a row: its list's length, or null when not recorded. */
function cells(t: T, row: MobileRowId) {
  const r = t.rows[MOBILE_ROWS.findIndex((x) => x.id === row)]!;
  return Object.fromEntries(
    MOBILE_COLUMNS[t.table].map((c, i) => {
      const spec = r.cells[i]!;
      return [c.id, "list" in spec ? t.lists[spec.list]!.length : null];
    }),
  );
}
const reason = (t: T, row: number, col: number) => {
  const spec = t.rows[row]!.cells[col]!;
  return "missing" in spec ? spec.missing : null;
};
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
const ids = (t: T, row: MobileRowId, col: Parameters<typeof cellKey>[1]) => t.lists[cellKey(row, col)]?.map((r) => r.id) ?? null;

describe("table 33, 流出, committee A, 2026-H1", () => {
  let t: T;
  beforeAll(() => {
    t = compute("table33", H1_END);
  });

  it("counts spells open at the period's end, per occupation, with unknown inputs as null", () => {
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
    expect(t.rows.map((r) => r.no)).toEqual(["1", "2", "3", "4", "5", "6", "7", "8"]);
    expect(reason(t, 0, 3)).toBe("1名流出党员未登记是否持有《流动党员活动证》");
    expect(reason(t, 0, 4)).toBe("1名流出党员未登记流向单位类别");
    expect(t.checks.map((c) => [c.expected, c.actual, c.ok, c.key])).toEqual([
      [5, 5, true, "r8_total"],
      [5, 5, true, "r1_within_city"],
      [5, 4, false, "r1_missing_unit_kind"],
      [5, 4, false, "r1_missing_certificate"],
    ]);
    expect(t.checks[1]!.label).toBe("跨省 + 省内跨市 + 市内流动（1人，本表不单列） + 不掌握流向 = 总数");
  });

  it("names the members behind cells and checks, with the spell's start and destination", () => {
    expect(ids(t, "total", "total")).toEqual([m.m1, m.m2, m.m3, m.m4, m.m8]);
    expect(ids(t, "total", "cross_city")).toEqual([m.m2, m.m8]);
    expect(ids(t, "total", "within_city")).toEqual([m.m3]);
    expect(ids(t, "courier", "unit_private_enterprise")).toEqual([m.m1]);
    expect(ids(t, "occupation_unrecorded", "unit_unknown_destination")).toEqual([m.m4]);
    expect(ids(t, "total", "missing_unit_kind")).toEqual([m.m8]);
    expect(ids(t, "total", "orgs")).toBeNull();
    // A figure not known has no list; the extra lists are the total row's only.
    expect(ids(t, "total", "certificate")).toBeNull();
    expect(ids(t, "ride_hailing_driver", "unit_other")).toBeNull();
    expect(ids(t, "courier", "within_city")).toBeNull();
    expect(t.lists[cellKey("courier", "cross_province")]).toEqual([
      { kind: "member", id: m.m1, on: "2026-01-10", note: "外出至 广东省深圳市南山区，非公有制企业" },
    ]);
    expect(t.lists[cellKey("occupation_unrecorded", "total")]![0]!.note).toBe("不掌握流向");
  });

  it("the root scope adds committee B; a later date adds the spell begun in July", () => {
    const whole = compute("table33", H1_END, admin, root);
    expect(cells(whole, "truck_driver")).toEqual({
      total: 1,
      cross_province: 1,
      cross_city: 0,
      certificate: 1,
      ...units({ unit_state_enterprise: 1 }),
    });
    expect(cells(whole, "total").total).toBe(6);
    expect(cells(compute("table33", LATER), "truck_driver")).toMatchObject({ total: 1, cross_province: 1, unit_other: 1 });
  });

  it("an actor outside the scope sees nothing of it", () => {
    const clerkB: Actor = { id: 9, username: "b", displayName: "b", role: "clerk", orgId: b.id, orgPath: b.path, orgName: b.name };
    expect(cells(compute("table33", H1_END, clerkB), "total").total).toBe(0);
  });
});

describe("table 34, 流入, committee A, 2026-H1", () => {
  it("counts received members and the organizations receiving them", () => {
    const t = compute("table34", H1_END);
    expect(cells(t, "total")).toEqual({ total: 4, cross_province: null, cross_city: null, certificate: 3, orgs: 2 });
    expect(cells(t, "courier")).toEqual({ total: 2, cross_province: null, cross_city: null, certificate: 2, orgs: 2 });
    expect(cells(t, "delivery_rider")).toEqual({ total: 1, cross_province: 0, cross_city: 1, certificate: 1, orgs: 1 });
    expect(cells(t, "other")).toEqual({ total: 1, cross_province: 0, cross_city: 0, certificate: 0, orgs: 1 });
    expect(reason(t, 0, 1)).toBe("1名流入党员的组织关系所在地区未登记到市（或接收党组织的地区未登记），不能区分跨省、省内跨市");
    expect(t.checks.find((c) => c.key === "r1_missing_reach")).toMatchObject({ expected: 4, actual: 3, ok: false });
    expect(ids(t, "total", "missing_reach")).toEqual([m.i3]);
    expect(t.lists[cellKey("total", "orgs")]).toEqual([
      { kind: "organization", id: a1.id, on: null, note: "接收2名" },
      { kind: "organization", id: a2.id, on: null, note: "接收2名" },
    ]);
    expect(ids(t, "other", "orgs")).toEqual([a1.id]);
    expect(t.lists.r1_missing_unit_kind).toBeUndefined();
    expect(t.lists[cellKey("delivery_rider", "total")]![0]!.note).toBe("组织关系在 山东省济南市历下区 济南某支部");
  });

  it("after the 流入 ended it is no longer counted", () => {
    expect(cells(compute("table34", LATER), "total")).toMatchObject({ total: 3, certificate: 3, orgs: 2 });
  });
});

describe("the official headers", () => {
  it("span every column once: 33 with the enterprise group, 34 with 其中", () => {
    for (const t of ["table33", "table34"] as const) {
      const header = mobileHeader(t);
      const width = header[0]!.reduce((s, c) => s + (c.colSpan ?? 1), 0);
      expect(width).toBe(2 + MOBILE_COLUMNS[t].length);
    }
    expect(mobileHeader("table33")[2]!.map((c) => c.label)).toEqual(["国有企业", "集体企业", "非公有制企业"]);
  });
});

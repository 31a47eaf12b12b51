import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { formatRate } from "../../../server/domain/coverage-rules.js";
import { systemActor } from "../../../server/policy/actor.js";
import {
  type FigureKey,
  type Figures,
  type StatsScope,
  computeBreakdown,
  computeFigures,
  FIGURE_KEYS,
  funnel,
  listFigureRows,
  rateOf,
} from "../../../server/services/coverage/coverage.service.js";
import { memoryDb } from "../../helpers/db.js";
import { AS_OF, type Fixture, buildFixture, clerkDL, clerkPS, secretaryJoint, supervisor } from "./fixture.js";

let h: DbHandle;
let fx: Fixture;
beforeEach(() => {
  h = memoryDb();
  fx = buildFixture(h.sqlite);
});
afterEach(() => h.close());

const pick = (f: Figures, keys: FigureKey[]) => Object.fromEntries(keys.map((k) => [k, f[k]]));

describe("city scope (supervisor), as of 2025-12-31: the answers worked out by hand in fixture.ts", () => {
  it("enterprise figures follow table 27", () => {
    const { figures: f } = computeFigures(h.db, supervisor, {}, { asOf: AS_OF });
    expect(
      pick(f, [
        "enterprises",
        "instructorContacted",
        "standalone",
        "standaloneCommittee",
        "standaloneGeneralBranch",
        "standaloneBranch",
        "joint",
        "joint3Plus",
        "orgCoverage",
        "workOnly",
        "workCoverage",
        "noOrg",
        "noOrgShouldForm",
        "noOrgFewMembers",
        "noOrgNoMembers",
        "uncovered",
        "shouldForm",
        "branchesStandalone",
        "branchesJoint",
      ]),
    ).toEqual({
      enterprises: 9, // E10 is closed
      instructorContacted: 3, // E1 (also has its own branch), E4 (also joint), E5; E7's assignment ended
      standalone: 2, // E1 branch, E6 general branch; E7's branch is dissolved
      standaloneCommittee: 0,
      standaloneGeneralBranch: 1,
      standaloneBranch: 1,
      joint: 3, // one joint branch covers E2 E3 E4
      joint3Plus: 1, // E2: three full members; E3 has one full and two probationary
      orgCoverage: 5,
      workOnly: 1, // E5
      workCoverage: 6,
      noOrg: 4, // E5 E7 E8 E9
      noOrgShouldForm: 1, // E5: exactly three full members
      noOrgFewMembers: 2, // E7 (2 full + 2 probationary), E8 (1 full left after a transfer out and a death)
      noOrgNoMembers: 1, // E9
      uncovered: 3, // E7 E8 E9
      shouldForm: 2, // E2 (joint only) and E5
      branchesStandalone: 1, // E1党支部; E7党支部 dissolved
      branchesJoint: 1,
    });
    expect(rateOf(f, "orgCoverageRate")).toBeCloseTo(5 / 9, 12);
    expect(rateOf(f, "workCoverageRate")).toBeCloseTo(6 / 9, 12);
    expect(formatRate(rateOf(f, "orgCoverageRate"))).toBe("55.6%");
  });

  it("member, four-finds and transfer figures", () => {
    const { figures: f } = computeFigures(h.db, supervisor, {}, { asOf: AS_OF });
    expect(
      pick(f, [
        "members",
        "membersFull",
        "managed",
        "unmanaged",
        "mobileIn",
        "mobileOut",
        "lostContact6m",
        "workers",
        "found",
        "verified",
        "foundManaged",
      ]),
    ).toEqual({
      members: 18, // 20 recorded, m17 transferred out, m18 deceased
      membersFull: 13,
      managed: 6, // m1 m2 m3 m4(mobile_in) m6 m7; m20 is local but held by a committee, not a branch
      unmanaged: 11,
      mobileIn: 1,
      mobileOut: 1,
      lostContact6m: 1,
      workers: 2, // one left the roster, one first seen after the as-of date
      found: 7, // 4 leads + m1 m9 m20 recorded directly with a channel
      verified: 5, // L1 L4 m1 m9 m20
      foundManaged: 2, // L1 → m3, m1
    });
    expect(rateOf(f, "managementRate")).toBeCloseTo(2 / 5, 12);
    expect(pick(f, ["transfersPending", "transfersOverdue", "transfersCompleted"])).toEqual({
      transfersPending: 2,
      transfersOverdue: 1, // T1's deadline 2025-12-11 has passed
      transfersCompleted: 1, // T3 in December; T4 completed in November
    });
  });

  it("the four-finds funnel per channel adds up to the total", () => {
    const { figures } = computeFigures(h.db, supervisor, {}, { asOf: AS_OF });
    const rows = funnel(figures);
    expect(rows.map((r) => [r.channel, r.found, r.verified, r.managed])).toEqual([
      ["all", 7, 5, 2],
      ["self_report", 2, 2, 0],
      ["data_match", 2, 1, 1],
      ["platform_report", 1, 0, 0],
      ["field_visit", 2, 2, 1],
    ]);
    expect(rows[0]?.workers).toBe(2);
  });
});

describe("scopes", () => {
  it("a clerk sees only the committee's subtree", () => {
    const dl = computeFigures(h.db, clerkDL, {}, { asOf: AS_OF }).figures;
    expect(
      pick(dl, ["enterprises", "standalone", "joint", "uncovered", "shouldForm", "members", "managed", "found", "transfersPending"]),
    ).toEqual({
      enterprises: 5,
      standalone: 1,
      joint: 3,
      uncovered: 0,
      shouldForm: 2,
      members: 12,
      managed: 6,
      found: 4, // L1 L2 m1 m9
      transfersPending: 2,
    });
    const ps = computeFigures(h.db, clerkPS, {}, { asOf: AS_OF }).figures;
    expect(pick(ps, ["enterprises", "standalone", "uncovered", "members", "found", "transfersPending"])).toEqual({
      enterprises: 4, // E6 E7 E8 and E9 of the county committee below
      standalone: 1,
      uncovered: 3,
      members: 6,
      found: 3, // L3 L4 m20
      transfersPending: 0,
    });
  });

  it("a joint branch's secretary sees the enterprises the branch covers and its members", () => {
    const f = computeFigures(h.db, secretaryJoint, {}, { asOf: AS_OF }).figures;
    expect(pick(f, ["enterprises", "joint", "joint3Plus", "members", "managed", "branchesJoint"])).toEqual({
      enterprises: 3,
      joint: 3,
      joint3Plus: 1,
      members: 4,
      managed: 4,
      branchesJoint: 1,
    });
  });

  it("a clerk cannot widen the scope to another committee", () => {
    expect(() => computeFigures(h.db, clerkDL, { orgId: 3 }, { asOf: AS_OF })).toThrow(/找不到/);
  });

  it("county and committee scopes", () => {
    const cx = computeFigures(h.db, supervisor, { county: "371721" }, { asOf: AS_OF }).figures;
    expect(pick(cx, ["enterprises", "joint", "workOnly", "standalone", "uncovered"])).toEqual({
      enterprises: 4,
      joint: 1,
      workOnly: 1,
      standalone: 1,
      uncovered: 1,
    });
    const c8 = computeFigures(h.db, supervisor, { committeeId: 8 }, { asOf: AS_OF }).figures;
    expect(pick(c8, ["enterprises", "uncovered", "noOrgNoMembers", "members"])).toEqual({
      enterprises: 1,
      uncovered: 1,
      noOrgNoMembers: 1,
      members: 0,
    });
  });

  it("zero denominators give null rates shown as —", () => {
    const f = computeFigures(h.db, supervisor, { committeeId: 8, county: "371702" }, { asOf: AS_OF }).figures;
    expect(f.enterprises).toBe(0);
    expect(rateOf(f, "orgCoverageRate")).toBeNull();
    expect(formatRate(rateOf(f, "workCoverageRate"))).toBe("—");
    expect(rateOf(f, "managementRate")).toBeNull();
  });
});

describe("as-of dates use the recorded dates", () => {
  it("a member made full after the as-of date is still probationary then", () => {
    const f = computeFigures(h.db, supervisor, {}, { asOf: "2025-05-31" }).figures;
    // m11 became full on 2025-06-01: E5 had two full members on 2025-05-31.
    expect(pick(f, ["shouldForm", "noOrgShouldForm", "noOrgFewMembers", "membersFull"])).toEqual({
      shouldForm: 1,
      noOrgShouldForm: 0,
      noOrgFewMembers: 3,
      membersFull: 12, // m11 not yet full; m17 transferred out 2025-02-01, m18 left 2025-03-01
    });
    expect(f.members).toBe(18);
    expect(f.workers).toBe(3); // the worker who left on 2025-06-01 was still on the roster
  });

  it("before the instructor's assignment to E5 it was uncovered", () => {
    const f = computeFigures(h.db, supervisor, {}, { asOf: "2024-12-31" }).figures;
    expect(f.workOnly).toBe(0);
    expect(f.transfersPending).toBe(0);
  });
});

const SCOPES: [string, Parameters<typeof computeFigures>[1], StatsScope][] = [
  ["supervisor city", supervisor, {}],
  ["clerk DL", clerkDL, {}],
  ["clerk PS", clerkPS, {}],
  ["secretary joint", secretaryJoint, {}],
  ["supervisor county 371702", supervisor, { county: "371702" }],
  ["supervisor committee 2", supervisor, { committeeId: 2 }],
  ["admin org 3 + county", systemActor(), { orgId: 3, county: "371721" }],
];

describe("every figure is backed by the list of the rows it counted", () => {
  it.each(SCOPES)("%s: list length equals the number, for every figure", (_name, who, scope) => {
    const { figures } = computeFigures(h.db, who, scope, { asOf: AS_OF });
    for (const key of FIGURE_KEYS) {
      const list = listFigureRows(h.db, who, scope, key, { asOf: AS_OF, pageSize: null });
      expect({ key, total: list.total, rows: list.rows.length }).toEqual({ key, total: figures[key], rows: figures[key] });
    }
  });

  it("lists page through the same rows", () => {
    const all = listFigureRows(h.db, supervisor, {}, "members", { asOf: AS_OF, pageSize: null });
    const p1 = listFigureRows(h.db, supervisor, {}, "members", { asOf: AS_OF, pageSize: 10, page: 1 });
    const p2 = listFigureRows(h.db, supervisor, {}, "members", { asOf: AS_OF, pageSize: 10, page: 2 });
    expect([...p1.rows, ...p2.rows].map((r) => r.id)).toEqual(all.rows.map((r) => r.id));
    expect(p2.rows).toHaveLength(8);
  });

  it("the 应建未建 list names E2 and E5 with their counts, IDs masked", () => {
    const list = listFigureRows(h.db, supervisor, {}, "shouldForm", { asOf: AS_OF, pageSize: null });
    if (list.source !== "enterprise") throw new Error("expected enterprise rows");
    expect(list.rows.map((r) => [r.name, r.fullMembers, r.members, r.coverageLabel])).toEqual([
      ["E2企业", 3, 3, "联合党支部覆盖"],
      ["E5企业", 3, 3, "仅工作覆盖"],
    ]);
    const members = listFigureRows(h.db, supervisor, {}, "unmanaged", { asOf: AS_OF, pageSize: 5 });
    if (members.source !== "member") throw new Error("expected member rows");
    for (const m of members.rows) expect(m.idMasked).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
  });
});

describe("breakdowns add up to the scope's figures", () => {
  it.each(["committee", "county"] as const)("by %s", (by) => {
    const { figures } = computeFigures(h.db, supervisor, {}, { asOf: AS_OF });
    const rows = computeBreakdown(h.db, supervisor, {}, by, { asOf: AS_OF });
    for (const key of FIGURE_KEYS) {
      expect({ key, sum: rows.reduce((s, r) => s + r.figures[key], 0) }).toEqual({ key, sum: figures[key] });
    }
  });

  it("names the rows and each row's scope gives the row's figures", () => {
    const rows = computeBreakdown(h.db, supervisor, {}, "committee", { asOf: AS_OF });
    expect(rows.map((r) => [r.label, r.figures.enterprises, r.figures.members])).toEqual([
      ["市道路运输行业党委", 5, 12],
      ["市网约配送行业党委", 3, 6],
      ["曹县网约配送行业党委", 1, 0],
    ]);
    for (const r of rows) {
      if (!r.scope) continue;
      expect(computeFigures(h.db, supervisor, r.scope, { asOf: AS_OF }).figures).toEqual(r.figures);
    }
    const counties = computeBreakdown(h.db, supervisor, {}, "county", { asOf: AS_OF });
    expect(counties.map((r) => [r.label, r.figures.enterprises, r.figures.uncovered, r.figures.members])).toEqual([
      ["牡丹区", 5, 2, 11], // m1 m2 (E1), m3 m4 m5 (E2), m12–m15 (E7), m16 (E8); m19 has no enterprise: its branch's county
      ["曹县", 4, 1, 6], // m6 m7 m8 (E3), m9 m10 m11 (E5)
      ["菏泽市本级", 0, 0, 1], // m20: no enterprise, held by a city-level committee
    ]);
  });
});

it("fixture ids are what the hand-written answers assume", () => {
  expect(Object.keys(fx.E)).toHaveLength(10);
});

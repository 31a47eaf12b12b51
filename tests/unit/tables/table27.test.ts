// Table 27 on the coverage statistics' hand-built city (tests/unit/coverage/fixture.ts, whose coverage
// classes are worked out there), with worker counts and legal-representative marks set here:
//
//   | E  | workers | rep member | rep secretary | class (fixture)                         | full | all members |
//   | E1 | 120     | yes        | yes           | standalone branch, instructor 1          | 2    | 2 |
//   | E2 | 100     | yes        |               | joint (org 4), 3 full                    | 3    | 3 |
//   | E3 | 30      |            |               | joint (org 4)                            | 1    | 3 |
//   | E4 | 40      |            |               | joint (org 4), instructor 1              | 0    | 0 |
//   | E5 | 50      | yes        |               | work only (instructor 1), should form    | 3    | 3 |
//   | E6 | 60      | yes        | yes           | standalone general branch                | 0    | 0 |
//   | E7 | 70      |            |               | no org, few members (instructor 2 ended) | 2    | 4 |
//   | E8 | 80      |            |               | no org, few members                      | 1    | 1 |
//   | E9 | 90      | yes        |               | no org, no members (committee 8, 曹县)   | 0    | 0 |
//   | E10| closed: not counted |
//
// The expected tables below are worked out by hand from this one.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { TABLE27_COLUMNS, TABLE27_ROWS } from "../../../server/domain/official-tables/table27.js";
import { type Actor, systemActor } from "../../../server/policy/actor.js";
import { resolveScope } from "../../../server/services/coverage/scope.js";
import { computeTable27, table27CellRows } from "../../../server/services/tables/table27.js";
import { memoryDb } from "../../helpers/db.js";
import { AS_OF, buildFixture, type Fixture } from "../coverage/fixture.js";

// Rows 1–17 × 总数, 50人以上, 100人以上, 法定代表人是党员的, 兼任书记的.
const CITY = [
  [9, 7, 2, 5, 2],
  [3, 2, 1, 2, 1],
  [0, 0, 0, 0, 0],
  [1, 1, 0, 1, 1],
  [1, 1, 1, 1, 1],
  [1, 1, 1, 1, 0],
  [1, 1, 1, 1, 0],
  [1, 1, 0, 1, 0],
  [2, 2, 0, 0, 0],
  [1, 1, 0, 1, 0],
  [1, 1, 1, 1, 1],
  [640, 570, 220, 420, 180],
  [16, 13, 5, 8, 2],
  [350, 280, 220, 280, 180],
  [8, 5, 5, 5, 2],
  [50, 50, 0, 50, 0],
  [3, 3, 0, 3, 0],
];

// The road-transport committee (org 2): E1–E5; its members only (all of E1–E5's are held under it).
const COMMITTEE_TOTAL = [5, 3, 0, 0, 1, 1, 1, 1, 0, 0, 1, 340, 11, 290, 8, 50, 3];

// The county-level committee 曹县 (org 8): E9 alone.
const COUNTY_TOTAL = [1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 90, 0, 0, 0, 0, 0];

const clerk: Actor = { id: 9, username: "c", displayName: "c", role: "clerk", orgId: 2, orgPath: "/1/2/", orgName: "市道路运输行业党委" };

describe("table 27 in its official orientation", () => {
  let h: DbHandle;
  let fx: Fixture;
  beforeAll(() => {
    h = memoryDb();
    fx = buildFixture(h.sqlite);
    const set = h.sqlite.prepare(
      "UPDATE enterprises SET worker_count = ?, legal_rep_is_member = ?, legal_rep_is_secretary = ? WHERE id = ?",
    );
    const marks: Record<number, [number, number, number]> = {
      1: [120, 1, 1],
      2: [100, 1, 0],
      3: [30, 0, 0],
      4: [40, 0, 0],
      5: [50, 1, 0],
      6: [60, 1, 1],
      7: [70, 0, 0],
      8: [80, 0, 0],
      9: [90, 1, 0],
    };
    for (const [n, [w, m, s]] of Object.entries(marks)) set.run(w, m, s, fx.E[Number(n)]);
  });
  afterAll(() => h.close());

  const values = (t: ReturnType<typeof computeTable27>) => t.rows.map((r) => r.cells.map((c) => c.value));

  it("counts the city by the hand-worked table, rows 1–17 in order", () => {
    const t = computeTable27(h.db, resolveScope(h.db, systemActor(), {}), AS_OF);
    expect(t.rows.map((r) => r.no)).toEqual(Array.from({ length: 17 }, (_, i) => i + 1));
    expect(t.columns.map((c) => c.label)).toEqual([
      "总数",
      "从业人员50人以上企业",
      "从业人员100人以上企业",
      "法定代表人是党员的",
      "兼任企业党组织书记的",
    ]);
    expect(values(t)).toEqual(CITY);
    expect(t.unit).toBe("菏泽市委社会工作部");
  });

  it("counts a committee's and a county-level committee's scope", () => {
    const dl = computeTable27(h.db, resolveScope(h.db, clerk, {}), AS_OF);
    expect(dl.rows.map((r) => r.cells[0]!.value)).toEqual(COMMITTEE_TOTAL);
    const cx = computeTable27(h.db, resolveScope(h.db, systemActor(), { orgId: 8 }), AS_OF);
    expect(cx.rows.map((r) => r.cells[0]!.value)).toEqual(COUNTY_TOTAL);
    expect(cx.unit).toBe("曹县网约配送行业党委");
  });

  it("adds up as the official form does", () => {
    const t = values(computeTable27(h.db, resolveScope(h.db, systemActor(), {}), AS_OF));
    for (let c = 0; c < 5; c++) {
      // Rows 8–10 split the enterprises without an organization; with rows 3–5 and the joint ones they make row 1.
      const joint = 3; // E2 E3 E4, in every column as the fixture has them
      if (c === 0) expect(t[2]![c]! + t[3]![c]! + t[4]![c]! + joint + t[7]![c]! + t[8]![c]! + t[9]![c]!).toBe(t[0]![c]!);
      expect(t[12]![c]).toBeLessThanOrEqual(t[11]![c]!);
      expect(t[13]![c]! + t[15]![c]!).toBeLessThanOrEqual(t[11]![c]!);
    }
  });

  it("every cell's number equals the length of its list (在岗职工: the sum of its enterprises' worker counts)", () => {
    for (const rs of [resolveScope(h.db, systemActor(), {}), resolveScope(h.db, clerk, {})]) {
      const t = computeTable27(h.db, rs, AS_OF);
      for (const row of TABLE27_ROWS) {
        for (const [k, col] of TABLE27_COLUMNS.entries()) {
          const value = t.rows[row.no - 1]!.cells[k]!.value;
          const list = table27CellRows(h.db, rs, AS_OF, row, col.key);
          const n = list.source === "enterprise" && list.sum ? list.rows.reduce((s, e) => s + e.workerCount, 0) : list.rows.length;
          expect([row.no, col.key, n]).toEqual([row.no, col.key, value]);
        }
      }
    }
  });

  it("lists the enterprises, joint branches, instructors and members behind a cell", () => {
    const rs = resolveScope(h.db, systemActor(), {});
    const row = (no: number) => TABLE27_ROWS[no - 1]!;
    const ents = table27CellRows(h.db, rs, AS_OF, row(9), "all");
    expect(ents.source === "enterprise" && ents.rows.map((e) => e.name)).toEqual(["E7企业", "E8企业"]);
    const joint = table27CellRows(h.db, rs, AS_OF, row(7), "all");
    expect(joint.source === "org" && joint.rows.map((o) => o.code)).toEqual(["DL-J1"]);
    const instr = table27CellRows(h.db, rs, AS_OF, row(11), "all");
    expect(instr.source === "instructor" && instr.rows.map((i) => [i.name, i.enterprises])).toEqual([["王指导", 3]]);
    const members = table27CellRows(h.db, rs, AS_OF, row(17), "all");
    expect(members.source === "member" && members.rows.map((m) => m.id)).toEqual([fx.M[9], fx.M[10], fx.M[11]]);
  });
});

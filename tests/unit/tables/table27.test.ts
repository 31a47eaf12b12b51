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
// Instructor 1 (王指导, dispatched by committee 2) contacts E1, E4, E5; instructor 2's one assignment
// (E7) ended. The expected tables and lists below are worked out by hand from this one.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { type Actor, systemActor } from "../../../server/policy/actor.js";
import { resolveScope } from "../../../server/services/coverage/scope.js";
import { computeTable27 } from "../../../server/services/tables/table27.js";
import { parsePeriod } from "../../../server/domain/official-tables/periods.js";
import { type ComputedTable, incompleteCells } from "../../../server/domain/official-tables/table.js";
import { loadRows } from "../../../server/services/tables/rows.js";
import { computeTable, resolveTableOrg, tableModule } from "../../../server/services/tables/tables.service.js";
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

  // The framework's table 27 (page, workbook, snapshots): every cell a list, 在岗职工 a sum of its list.
  const NOW = new Date("2026-03-01T08:00:00Z");
  const framework = (code: string) =>
    computeTable(h.db, systemActor("t"), tableModule("table27"), resolveTableOrg(h.db, systemActor("t"), code), parsePeriod("2025")!, {
      now: NOW,
    });
  const dataRows = (t: ComputedTable) => t.table.rows.filter((r) => r.no !== "");
  const list = (t: ComputedTable, key: string) => t.lists[key]!;

  it("every one of the 85 cells is a list, and its number is its length (在岗职工: the sum of its amounts), city and committee", () => {
    for (const code of ["HZ", "HZ-DL", "HZ-PS", "CX-PS"]) {
      const t = framework(code);
      const rows = dataRows(t);
      expect(rows.map((r) => r.no)).toEqual(Array.from({ length: 17 }, (_, i) => String(i + 1)));
      for (const row of rows)
        for (const c of row.cells) {
          expect(c.key, `${code} ${row.no}`).not.toBeNull();
          const l = list(t, c.key!);
          const byHand = c.sum ? l.reduce((n, r) => n + (r.amount ?? 0), 0) : l.length;
          expect([code, c.key, byHand]).toEqual([code, c.key, c.value]);
        }
      expect(rows.filter((r) => ["12", "14", "16"].includes(r.no)).flatMap((r) => r.cells.map((c) => c.sum?.of))).toEqual(
        Array(15).fill("从业人员数"),
      );
    }
    // The same numbers as the hand-worked table (and as the coverage workbook's sheet).
    expect(dataRows(framework("HZ")).map((r) => r.cells.map((c) => c.value))).toEqual(CITY);
  });

  it("row 7 lists the joint branches and row 11 the instructors, each with the cell's enterprises it covers or contacts", () => {
    const t = framework("HZ");
    expect(list(t, "r7_all")).toEqual([{ kind: "organization", id: 4, note: "覆盖本列企业3家：E2企业、E3企业、E4企业" }]);
    expect(list(t, "r7_workers100")).toEqual([{ kind: "organization", id: 4, note: "覆盖本列企业1家：E2企业" }]);
    expect(list(t, "r7_repSecretary")).toEqual([]);
    expect(dataRows(t)[6]!.cells[0]).toMatchObject({ value: 1, key: "r7_all", kind: "organization" });
    // 王指导 contacts E1, E4, E5; 李联络's one assignment (E7) ended in 2024.
    expect(list(t, "r11_all")).toEqual([{ kind: "instructor", id: 1, note: "联系本列企业3家：E1企业、E4企业、E5企业" }]);
    expect(list(t, "r11_workers100")).toEqual([{ kind: "instructor", id: 1, note: "联系本列企业1家：E1企业" }]);
    expect(dataRows(t)[10]!.cells[0]).toMatchObject({ value: 1, key: "r11_all", kind: "instructor" });
    expect(list(framework("HZ-PS"), "r11_all")).toEqual([]);
  });

  it("rows 12, 14, 16 list the enterprises with the worker count each adds: 640, 350 and 50 for the city", () => {
    const t = framework("HZ");
    const amounts = (key: string) => list(t, key).map((r) => [r.id, r.amount]);
    const E = fx.E;
    expect(amounts("r12_all")).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9].map((n) => [E[n], n === 1 ? 120 : n === 2 ? 100 : n * 10]));
    expect(dataRows(t)[11]!.cells[0]).toMatchObject({ value: 640, sum: { of: "从业人员数", missing: 0 }, kind: "enterprise" });
    // 已建立党组织的: E1 E6 (own) and E2 E3 E4 (joint): 120 + 60 + 100 + 30 + 40.
    expect(amounts("r14_all")).toEqual([
      [E[1], 120],
      [E[2], 100],
      [E[3], 30],
      [E[4], 40],
      [E[6], 60],
    ]);
    expect(dataRows(t)[13]!.cells[0]!.value).toBe(350);
    expect(amounts("r16_all")).toEqual([[E[5], 50]]);
    // 100人以上 among the organized: E1 and E2.
    expect(dataRows(t)[13]!.cells[2]!.value).toBe(220);
  });

  it("the instructors' list: phone masked unless asked whole, the committee that dispatched them, the contacted enterprises", () => {
    h.sqlite.prepare("UPDATE instructors SET phone = '13812345678', work_unit = '市交通运输局' WHERE id = 1").run();
    const refs = list(framework("HZ-DL"), "r11_all");
    const [masked] = loadRows(h.db, refs, { unmask: false });
    expect(masked).toMatchObject({
      kind: "instructor",
      name: "王指导",
      instructorKind: "党建指导员",
      phone: "138****5678",
      workUnit: "市交通运输局",
      committeeName: "市道路运输行业党委",
      note: "联系本列企业3家：E1企业、E4企业、E5企业",
    });
    expect(loadRows(h.db, refs, { unmask: true })[0]).toMatchObject({ phone: "13812345678" });
  });

  it("an enterprise without a recorded worker count is left out of the sum and the cell says how many", () => {
    h.sqlite.prepare("UPDATE enterprises SET worker_count = 0 WHERE id = ?").run(fx.E[3]);
    try {
      const t = framework("HZ");
      const r12 = dataRows(t)[11]!.cells;
      expect(r12[0]).toMatchObject({ value: 610, sum: { of: "从业人员数", missing: 1 } });
      // E3 (now 0) was under 50 before: the 50人以上 column is unchanged and complete.
      expect(r12[1]).toMatchObject({ value: 570, sum: { missing: 0 } });
      expect(list(t, "r12_all").find((r) => r.id === fx.E[3])).toEqual({
        kind: "enterprise",
        id: fx.E[3],
        amount: null,
        note: "未登记从业人员数",
      });
      expect(dataRows(t)[13]!.cells[0]).toMatchObject({ value: 320, sum: { missing: 1 } });
      expect(incompleteCells(t.table)).toEqual([
        "第12行“在岗职工（人）”·总数：其中1家企业未登记从业人员数，未计入",
        "第14行“已建立党组织的企业在岗职工”·总数：其中1家企业未登记从业人员数，未计入",
      ]);
      // The coverage workbook's sheet: the same numbers and the same words.
      const sheet = computeTable27(h.db, resolveScope(h.db, systemActor(), {}), AS_OF);
      expect(sheet.rows[11]!.cells[0]!.value).toBe(610);
      expect(sheet.incomplete).toHaveLength(2);
    } finally {
      h.sqlite.prepare("UPDATE enterprises SET worker_count = 30 WHERE id = ?").run(fx.E[3]);
    }
  });

  it("another committee's instructor contacting one of the scope's enterprises is listed with that enterprise alone", () => {
    // 王指导 (dispatched by 道路运输) also contacts E8 (网约配送's).
    h.sqlite
      .prepare("INSERT INTO instructor_assignments (instructor_id, enterprise_id, assigned_on) VALUES (1, ?, '2025-05-01')")
      .run(fx.E[8]);
    expect(list(framework("HZ-PS"), "r11_all")).toEqual([{ kind: "instructor", id: 1, note: "联系本列企业1家：E8企业" }]);
    expect(list(framework("CX-PS"), "r11_all")).toEqual([]);
    expect(list(framework("HZ-DL"), "r11_all")).toEqual([{ kind: "instructor", id: 1, note: "联系本列企业3家：E1企业、E4企业、E5企业" }]);
  });
});

// Tables 1 and 43 computed on the hand-built world (fixture.ts): every answer below is written by hand
// from the fixture's story, not read back from the code.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { parsePeriod } from "../../../server/domain/official-tables/periods.js";
import { keyedCells, type ComputedTable } from "../../../server/domain/official-tables/table.js";
import { systemActor } from "../../../server/policy/actor.js";
import { getTable } from "../../../server/services/tables/tables.service.js";
import { memoryDb } from "../../helpers/db.js";
import { buildTablesWorld, type World } from "./fixture.js";

const NOW = new Date("2026-03-15T08:00:00Z");
const actor = systemActor("test");
let h: DbHandle;
let w: World;

beforeAll(() => {
  h = memoryDb();
  w = buildTablesWorld(h);
});
afterAll(() => h.close());

/** The member names behind a cell, in the list's order. */
function names(t: ComputedTable, key: string): string[] {
  const byId = new Map(
    Object.values(w)
      .filter((x): x is { id: number; name: string } & object => typeof x === "object" && "name" in x && "idNumber" in x)
      .map((m) => [m.id, m.name]),
  );
  return (t.lists[key] ?? []).map((r) => byId.get(r.id) ?? `#${r.id}`);
}

function cell(t: ComputedTable, no: string) {
  const row = t.table.rows.find((r) => r.no === no);
  if (!row) throw new Error(`no row ${no}`);
  return row.cells[0]!;
}

describe("table 1 (党员数量变化情况) for 2025", () => {
  it("the committee: start, every increase and decrease, expected, actual and the member that explains the difference", () => {
    const t = getTable(h.db, actor, "table1", { org: "T-DL", period: "2025", now: NOW });
    expect(t.table.unit).toBe("道路运输行业党委");
    expect(t.table.period).toMatchObject({ id: "2025", start: "2025-01-01", end: "2025-12-31", asOf: "2025-12-31" });
    // 上年底: relationships here on 2024-12-31. 戊 was in 配送 then; 丑 came in only in 2026; 寅 was suspended only in 2026.
    expect(names(t, "start").sort()).toEqual(
      [
        "丁停恢",
        "乙去世",
        "壬流出",
        "子开除",
        "寅次年停籍",
        "己转出",
        "庚内转",
        "甲在册",
        "失联出国",
        "失联停籍",
        "失联未满",
        "失联女青年",
        "年内找到",
        "短暂失联",
        "次年找到",
      ]
        .filter((n) => n !== "失联女青年")
        .sort(),
    );
    expect(names(t, "recruited")).toEqual(["丙发展"]);
    expect(cell(t, "4")).toMatchObject({ value: null, key: null });
    expect(cell(t, "4").missing).toContain("重新入党");
    expect(names(t, "restored")).toEqual(["丁停恢"]);
    expect(names(t, "restoredAfterSuspension")).toEqual(["丁停恢"]);
    // 庚 moved between two branches of the committee: not a transfer in or out of it.
    expect(names(t, "transferredIn")).toEqual(["戊转入"]);
    expect(cell(t, "8").value).toBeNull();
    expect(names(t, "leftParty")).toEqual(["子开除"]);
    expect(names(t, "suspended").sort()).toEqual(["丁停恢", "失联停籍"].sort());
    expect(names(t, "died")).toEqual(["乙去世"]);
    expect(names(t, "transferredOut")).toEqual(["己转出"]);
    expect(cell(t, "14").value).toBeNull();
    expect(cell(t, "2").value).toBe(3);
    expect(cell(t, "9").value).toBe(5);
    // start 14 + 3 − 5 = 12 expected; 13 actual: 癸 was found in July with no transfer or admission recorded.
    expect(cell(t, "1").value).toBe(14);
    expect(cell(t, "15")).toMatchObject({ value: 12, key: null, formula: "1 + 2 − 9" });
    expect(names(t, "end").sort()).toEqual(
      [
        "甲在册",
        "丙发展",
        "丁停恢",
        "戊转入",
        "庚内转",
        "壬流出",
        "癸新发现",
        "寅次年停籍",
        "失联女青年",
        "失联出国",
        "失联未满",
        "年内找到",
        "短暂失联",
        "次年找到",
      ].sort(),
    );
    expect(cell(t, "16").value).toBe(14);
    expect(cell(t, "17")).toMatchObject({ value: 2, key: null });
    // 失联女青年 joined in January 2025 with no recruitment record in this world: also unexplained.
    expect(names(t, "surplus").sort()).toEqual(["失联女青年", "癸新发现"].sort());
    expect(names(t, "deficit")).toEqual([]);
  });

  it("a branch: a transfer to its sister branch is a transfer out; 流入 members are never counted", () => {
    const t = getTable(h.db, actor, "table1", { org: "T-DL-1", period: "2025", now: NOW });
    expect(names(t, "transferredOut").sort()).toEqual(["己转出", "庚内转"].sort());
    expect(names(t, "transferredIn")).toEqual([]);
    expect(names(t, "start")).not.toContain("辛流入");
    expect(names(t, "end")).not.toContain("辛流入");
    expect(names(t, "end")).toContain("壬流出");
    expect(names(t, "end")).not.toContain("庚内转");
    // A difference is always the surplus minus the deficit.
    expect(cell(t, "17").value).toBe((t.lists.surplus?.length ?? 0) - (t.lists.deficit?.length ?? 0));
  });

  it("the other committee sees its own: 戊 left it by a transfer into 道路运输", () => {
    const t = getTable(h.db, actor, "table1", { org: "T-PS", period: "2025", now: NOW });
    expect(names(t, "start").sort()).toEqual(["卯配送", "戊转入", "配送失联"].sort());
    expect(names(t, "transferredOut")).toEqual(["戊转入"]);
    expect(names(t, "end").sort()).toEqual(["卯配送", "配送失联"].sort());
    expect(cell(t, "17").value).toBe(0);
  });

  it("every keyed cell's number is the length of its list", () => {
    for (const org of ["T-DL", "T-DL-1", "T-DL-2", "T-PS"]) {
      const t = getTable(h.db, actor, "table1", { org, period: "2025", now: NOW });
      for (const { cell: c } of keyedCells(t.table)) expect(c.value, `${org} ${c.key}`).toBe(t.lists[c.key]!.length);
    }
  });
});

describe("table 43 (失去联系党员) for 2025", () => {
  it("the committee: totals, every band and reason, and the member found again", () => {
    const t = getTable(h.db, actor, "table43", { org: "T-DL", period: "2025", now: NOW });
    const n = (key: string) => names(t, key).sort();
    // 失联未满: four months only. 流入失联: his home organization's. 失联停籍: suspended in June.
    // 次年找到: found only in 2026, so out of contact at the end of 2025 (from the timeline's restored spell).
    expect(n("total")).toEqual(["失联出国", "失联女青年", "寅次年停籍", "次年找到"].sort());
    expect(n("probationary")).toEqual(["失联女青年"]);
    expect(n("women")).toEqual(["失联女青年"]);
    expect(n("minority")).toEqual(["失联女青年"]);
    expect([n("age35"), n("age45"), n("age60"), n("age61")]).toEqual([["失联女青年"], ["寅次年停籍"], ["失联出国"], ["次年找到"]]);
    expect([n("pa1"), n("pa5"), n("pa10"), n("pa20"), n("pa21")]).toEqual([["失联女青年"], [], ["次年找到"], ["寅次年停籍"], ["失联出国"]]);
    expect([n("eduCollege"), n("eduSecondary"), n("eduJunior"), n("eduNone")]).toEqual([
      ["失联女青年"],
      [],
      ["失联出国"],
      ["寅次年停籍", "次年找到"].sort(),
    ]);
    expect([n("lost1"), n("lost5"), n("lost10"), n("lost11")]).toEqual([
      ["失联女青年", "寅次年停籍"].sort(),
      ["次年找到"],
      ["失联出国"],
      [],
    ]);
    expect(n("reason_migrant_work")).toEqual(["失联女青年"]);
    expect(n("reason_abroad")).toEqual(["失联出国"]);
    expect(n("reason_employer_changed")).toEqual(["次年找到"]);
    expect(n("reason_other")).toEqual(["寅次年停籍"]);
    expect(n("reason_residence_changed")).toEqual([]);
    // 短暂失联 was back within three months: never a 失去联系党员, so not "found".
    expect(n("found")).toEqual(["年内找到"]);
    expect(t.table.crossChecks.every((c) => c.ok)).toBe(true);
  });

  it("the other committee counts only its own", () => {
    const t = getTable(h.db, actor, "table43", { org: "T-PS", period: "2025", now: NOW });
    expect(names(t, "total")).toEqual(["配送失联"]);
    expect(names(t, "lost5")).toEqual(["配送失联"]);
  });

  it("every keyed cell's number is the length of its list", () => {
    for (const org of ["T-DL", "T-DL-1", "T-DL-2", "T-PS"]) {
      const t = getTable(h.db, actor, "table43", { org, period: "2025", now: NOW });
      for (const { cell: c } of keyedCells(t.table)) expect(c.value, `${org} ${c.key}`).toBe(t.lists[c.key]!.length);
    }
  });
});

describe("periods", () => {
  it("2026-H1 runs January to June; a malformed or future period is refused", () => {
    expect(parsePeriod("2026-H1")).toMatchObject({ start: "2026-01-01", end: "2026-06-30", before: "2025-12-31", label: "2026年上半年" });
    expect(parsePeriod("2026-H2")).toBeNull();
    expect(() => getTable(h.db, actor, "table1", { org: "T-DL", period: "2027", now: NOW })).toThrow(/统计期/);
  });
});

// The coverage workbook's sheet 6: table 27 in its official orientation, on the coverage statistics'
// hand-built city (tests/unit/coverage/fixture.ts: worker counts 10 × n, no legal-representative
// marks), for the city and for the road-transport committee. Hand-worked figures below.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { TABLE27_ROWS } from "../../../server/domain/official-tables/table27.js";
import { SHEET_NAMES } from "../../../server/services/export/coverage.workbook.js";
import { prepareExport } from "../../../server/services/export/export.service.js";
import { TABLE27_SHEET } from "../../../server/services/export/table27.sheet.js";
import { memoryDb } from "../../helpers/db.js";
import { buildFixture, clerkDL, supervisor } from "../coverage/fixture.js";
import { readWorkbook, sheet, toBuffer } from "./xlsx-helpers.js";

const JAN_15 = new Date("2026-01-15T04:00:00Z");

let h: DbHandle;
beforeAll(() => {
  h = memoryDb();
  buildFixture(h.sqlite);
});
afterAll(() => h.close());

async function table27Sheet(who = supervisor) {
  const p = prepareExport(h.db, who, { kind: "coverage", asOf: "2025-12-31", now: JAN_15 });
  const wb = await readWorkbook(await toBuffer((out) => p.run(out)));
  expect(wb.worksheets.map((w) => w.name)).toEqual([...SHEET_NAMES]);
  return sheet(wb, TABLE27_SHEET);
}

const valuesOf = (ws: Awaited<ReturnType<typeof table27Sheet>>, no: number) => [4, 5, 6, 7, 8].map((c) => ws.getCell(4 + no, c).value);

describe("coverage workbook, sheet 6: 党内统计表27", () => {
  it("has the official title, unit, date, merged headers and rows 1–17 with their numbers", async () => {
    const ws = await table27Sheet();
    expect(ws.getCell("A1").value).toBe("党内统计表27　非公有制经济控制企业法人单位建立党的基层组织情况");
    expect(ws.getCell("A2").value).toBe("填报单位：菏泽市委社会工作部");
    expect(ws.getCell("D2").value).toBe("统计截止日期：2025年12月31日");
    expect(ws.getCell("A3").value).toBe("项目");
    expect(ws.getCell("C3").value).toBe("行次");
    expect(ws.getCell("D3").value).toBe("总数");
    expect(ws.getCell("E3").value).toBe("其中");
    expect([5, 6, 7, 8].map((c) => ws.getCell(4, c).value)).toEqual([
      "从业人员50人以上企业",
      "从业人员100人以上企业",
      "法定代表人是党员的",
      "兼任企业党组织书记的",
    ]);
    expect(ws.model.merges).toEqual(expect.arrayContaining(["A3:B4", "E3:H3", "A7:A9", "A10:A11", "A12:A14", "A15:A21"]));
    for (const row of TABLE27_ROWS)
      expect([ws.getCell(4 + row.no, 3).value, ws.getCell(4 + row.no, 2).value]).toEqual([row.no, expect.stringContaining(row.label)]);
    expect(ws.getCell("A5").value).toBe("单位数");
    expect(ws.getCell("A7").value).toBe("已单独建立党组织的");
    expect(ws.pageSetup.paperSize).toBe(9);
    expect(ws.pageSetup.fitToWidth).toBe(1);
  });

  it("holds the city's figures (worker counts 10–90: E5–E9 employ 50 or more, none 100)", async () => {
    const ws = await table27Sheet();
    expect(valuesOf(ws, 1)).toEqual([9, 5, 0, 0, 0]);
    expect(valuesOf(ws, 2)).toEqual([3, 1, 0, 0, 0]); // E1 E4 E5; E5 employs 50
    expect(valuesOf(ws, 4)).toEqual([1, 1, 0, 0, 0]); // E6's general branch
    expect(valuesOf(ws, 8)).toEqual([1, 1, 0, 0, 0]); // E5 should form
    expect(valuesOf(ws, 9)).toEqual([2, 2, 0, 0, 0]); // E7 E8
    expect(valuesOf(ws, 12)).toEqual([450, 350, 0, 0, 0]);
    expect(valuesOf(ws, 13)).toEqual([16, 8, 0, 0, 0]); // E5 3 + E7 4 + E8 1
  });

  it("narrows to the committee's enterprises for its clerk", async () => {
    const ws = await table27Sheet(clerkDL);
    expect(ws.getCell("A2").value).toBe("填报单位：市道路运输行业党委");
    expect(valuesOf(ws, 1)).toEqual([5, 1, 0, 0, 0]);
    expect(valuesOf(ws, 12)).toEqual([150, 50, 0, 0, 0]);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { prepareExport } from "../../../server/services/export/export.service.js";
import { HEADER_ROWS, LAST_COL, SHEET_NAMES, TABLE_COLUMNS } from "../../../server/services/export/coverage.workbook.js";
import { memoryDb } from "../../helpers/db.js";
import { buildFixture, secretaryJoint, supervisor } from "../coverage/fixture.js";
import { readWorkbook, sheet, toBuffer, zipEntries } from "./xlsx-helpers.js";

const JAN_15 = new Date("2026-01-15T04:00:00Z");
const HYPERLINK = '=HYPERLINK("http://x","y")';

let h: DbHandle;
beforeEach(() => {
  h = memoryDb();
  buildFixture(h.sqlite);
  // E9 (uncovered) carries a formula-like name; member 9 (unmanaged) a leading @.
  h.sqlite.prepare("UPDATE enterprises SET name = ? WHERE name = 'E9企业'").run(HYPERLINK);
  h.sqlite.prepare("UPDATE members SET name = '@SUM(1+1)' WHERE name = '党员9'").run();
});
afterEach(() => h.close());

async function coverageBuffer(who = supervisor) {
  const p = prepareExport(h.db, who, { kind: "coverage", asOf: "2025-12-31", now: JAN_15 });
  return { p, buf: await toBuffer((out) => p.run(out)) };
}

const numbersOf = (row: { getCell(c: number): { value: unknown } }) => TABLE_COLUMNS.map((_c, k) => row.getCell(3 + k).value);

describe("coverage workbook, sheet 1: the official-style table", () => {
  it("has the title, the reporting unit, the as-of date and the sheets in order", async () => {
    const { p, buf } = await coverageBuffer();
    expect(p.filename).toBe("两个覆盖统计表_菏泽市委社会工作部_2025-12-31.xlsx");
    const wb = await readWorkbook(buf);
    expect(wb.worksheets.map((w) => w.name)).toEqual([...SHEET_NAMES]);
    const ws = sheet(wb, SHEET_NAMES[0]);
    expect(ws.getCell("A1").value).toBe("菏泽市新就业群体党建“两个覆盖”情况统计表");
    expect(ws.getCell("A2").value).toBe("填报单位：菏泽市委社会工作部");
    expect(ws.getCell("L2").value).toBe("统计截止日期：2025年12月31日");
  });

  it("has the two-level merged header", async () => {
    const ws = sheet(await readWorkbook((await coverageBuffer()).buf), SHEET_NAMES[0]);
    const merges = (ws.model as unknown as { merges: string[] }).merges;
    expect(LAST_COL).toBe(21);
    for (const m of ["A1:U1", "A3:A4", "B3:B4", "C3:C4", "D3:D4", "E3:H3", "I3:K3", "L3:O3", "P3:Q3", "R3:S3", "T3:U3"])
      expect(merges).toContain(m);
    expect(["E3", "I3", "L3", "P3", "R3", "T3"].map((a) => ws.getCell(a).value)).toEqual([
      "已单独建立党组织的",
      "已建立联合党支部的",
      "未建立党组织的",
      "党的组织覆盖",
      "党的工作覆盖",
      "党员",
    ]);
    expect(["E4", "F4", "G4", "H4", "J4", "K4", "M4", "N4", "O4", "Q4"].map((a) => ws.getCell(a).value)).toEqual([
      "小计",
      "建立党委的",
      "建立总支部的",
      "建立支部的",
      "其中具有3名以上正式党员的",
      "联合党支部数",
      "应建尚未建立党组织的",
      "仅有个别党员的",
      "没有党员的",
      "覆盖率",
    ]);
  });

  it("has a block per committee and per county, each with a 合计 equal to the sum of its rows", async () => {
    const ws = sheet(await readWorkbook((await coverageBuffer()).buf), SHEET_NAMES[0]);
    const labels = [5, 6, 7, 8, 9, 10, 11, 12, 13, 14].map((r) => ws.getCell(r, 2).value ?? ws.getCell(r, 1).value);
    expect(labels).toEqual([
      "一、按行业党委",
      "市道路运输行业党委",
      "市网约配送行业党委",
      "曹县网约配送行业党委",
      "合计",
      "二、按县（区）",
      "牡丹区",
      "曹县",
      "菏泽市本级",
      "合计",
    ]);
    // The road-transport committee, worked out by hand in tests/unit/coverage/fixture.ts.
    expect(numbersOf(ws.getRow(6))).toEqual([5, 3, 1, 0, 0, 1, 3, 1, 1, 1, 1, 0, 0, 4, 0.8, 5, 1, 12, 6]);
    const total = [9, 3, 2, 0, 1, 1, 3, 1, 1, 4, 1, 2, 1, 5, 5 / 9, 6, 6 / 9, 18, 6];
    for (const [first, last, totalRow] of [
      [6, 8, 9],
      [11, 13, 14],
    ] as const) {
      expect(ws.getCell(totalRow, 2).value).toBe("合计");
      expect(numbersOf(ws.getRow(totalRow))).toEqual(total);
      TABLE_COLUMNS.forEach((col, k) => {
        if (!col.figure) return;
        let sum = 0;
        for (let r = first; r <= last; r++) sum += Number(ws.getCell(r, 3 + k).value);
        expect({ col: col.header, sum }).toEqual({ col: col.header, sum: ws.getCell(totalRow, 3 + k).value });
      });
    }
  });

  it("writes rates as real numbers in percentage format, and — for a zero denominator", async () => {
    const ws = sheet(await readWorkbook((await coverageBuffer()).buf), SHEET_NAMES[0]);
    const p9 = ws.getCell("P9");
    const q9 = ws.getCell("Q9");
    expect(p9.value).toBe(5);
    expect(p9.numFmt).toBe("#,##0");
    expect(q9.value).toBeCloseTo(5 / 9, 12);
    expect(typeof q9.value).toBe("number");
    expect(q9.numFmt).toBe("0.0%");
    // 菏泽市本级 (row 13) has no enterprises.
    expect(ws.getCell("C13").value).toBe(0);
    expect(ws.getCell("Q13").value).toBe("—");
  });

  it("freezes the header, prints A4 landscape one page wide with the header rows repeated, with borders", async () => {
    const { buf } = await coverageBuffer();
    const ws = sheet(await readWorkbook(buf), SHEET_NAMES[0]);
    expect(ws.views[0]).toMatchObject({ state: "frozen", xSplit: 2, ySplit: 4 });
    expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0 });
    const xml = await zipEntries(buf);
    expect(xml.get("xl/workbook.xml")).toContain(
      `<definedName name="_xlnm.Print_Titles" localSheetId="0">&apos;两个覆盖统计表&apos;!$${HEADER_ROWS[0]}:$${HEADER_ROWS[1]}</definedName>`,
    );
    for (const a of ["A3", "U4", "C6", "U14"]) {
      expect(ws.getCell(a).border).toMatchObject({
        top: { style: "thin" },
        left: { style: "thin" },
        bottom: { style: "thin" },
        right: { style: "thin" },
      });
    }
  });
});

describe("coverage workbook, sheets 2–5", () => {
  it("lists 应建未建 and uncovered enterprises; a formula-like name is neutralised text", async () => {
    const { buf } = await coverageBuffer();
    const wb = await readWorkbook(buf);
    const s2 = sheet(wb, SHEET_NAMES[1]);
    expect(s2.getRow(1).values).toEqual([
      undefined,
      "序号",
      "企业名称",
      "统一社会信用代码",
      "负责党委",
      "县（区）",
      "从业人员数",
      "正式党员数",
      "党员数",
      "覆盖情况",
      "覆盖党组织",
      "党建工作指导员/联络员",
    ]);
    expect([s2.getCell("B2").value, s2.getCell("B3").value, s2.getCell("B4").value]).toEqual(["E2企业", "E5企业", null]);
    const s3 = sheet(wb, SHEET_NAMES[2]);
    expect([2, 3, 4].map((r) => s3.getCell(r, 2).value)).toEqual(["E7企业", "E8企业", `'${HYPERLINK}`]);
    const cell = s3.getCell("B4");
    expect(cell.type).toBe(3); // ExcelJS.ValueType.String
    expect(cell.formula).toBeUndefined();
    expect(s3.getCell("C4").value).toBe("91371700MA00000009");
    expect(s3.getCell("C4").numFmt).toBe("@");
    const xml = await zipEntries(buf);
    for (const [name, text] of xml)
      if (name.startsWith("xl/worksheets/")) expect({ name, formula: /<f[ >]/.test(text) }).toEqual({ name, formula: false });
    // The list rows are inline strings (streamed): the neutralised text is in sheet 3's own part.
    expect(xml.get("xl/worksheets/sheet3.xml")).toContain(`t="inlineStr"><is><t>'=HYPERLINK("http://x","y")</t></is>`);
  });

  it("lists members found and not yet managed, ID numbers as text: whole for a supervisor, masked for a secretary", async () => {
    const wb = await readWorkbook((await coverageBuffer()).buf);
    const s4 = sheet(wb, SHEET_NAMES[3]);
    expect(s4.rowCount).toBe(1 + 11);
    const ids = [];
    for (let r = 2; r <= s4.rowCount; r++) ids.push(s4.getCell(r, 3));
    for (const c of ids) {
      expect(typeof c.value).toBe("string");
      expect(c.value).toMatch(/^\d{17}[\dX]$/);
      expect(c.numFmt).toBe("@");
    }
    const names = [];
    for (let r = 2; r <= s4.rowCount; r++) names.push(s4.getCell(r, 2).value);
    expect(names).toContain("'@SUM(1+1)");

    const sec = await readWorkbook((await coverageBuffer(secretaryJoint)).buf);
    const t = sheet(sec, SHEET_NAMES[0]);
    expect(t.getCell("A2").value).toBe("填报单位：道路运输联合党支部");
    expect(t.getCell("A1").value).toBe("道路运输联合党支部新就业群体党建“两个覆盖”情况统计表");
    const s4s = sheet(sec, SHEET_NAMES[3]);
    // The joint branch's members are all managed: the sheet has only its header.
    expect(s4s.rowCount).toBe(1);
  });

  it("keeps each sheet's print setup, filters, frozen header, header style, widths and empty text cells", async () => {
    const { buf } = await coverageBuffer();
    const wb = await readWorkbook(buf);
    // Centred on the page when printed: the table and table 27 (<printOptions>).
    for (const name of [SHEET_NAMES[0], SHEET_NAMES[5]])
      expect({ name, c: sheet(wb, name).pageSetup.horizontalCentered }).toEqual({ name, c: true });
    const workbookXml = (await zipEntries(buf)).get("xl/workbook.xml")!;
    for (const [i, name] of [SHEET_NAMES[1], SHEET_NAMES[2], SHEET_NAMES[3]].entries()) {
      const ws = sheet(wb, name);
      const cols = ws.getRow(1).cellCount;
      expect(ws.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
      expect(ws.pageSetup).toMatchObject({ paperSize: 9, orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0 });
      expect(workbookXml).toContain(
        `<definedName name="_xlnm.Print_Titles" localSheetId="${i + 1}">&apos;${name}&apos;!$1:$1</definedName>`,
      );
      expect(ws.autoFilter).toBe(`A1:${String.fromCharCode(64 + cols)}${ws.rowCount}`);
      for (let c = 1; c <= cols; c++) {
        const h = ws.getCell(1, c);
        expect(h.font).toMatchObject({ bold: true, size: 10 });
        expect(h.fill).toMatchObject({ type: "pattern", pattern: "solid", fgColor: { argb: "FFE8EEF7" } });
        expect(h.border).toMatchObject({ top: { style: "thin" }, bottom: { style: "thin" } });
        expect(h.alignment).toMatchObject({ horizontal: "center", vertical: "middle" });
        expect(ws.getColumn(c).width).toBeGreaterThanOrEqual(6);
      }
    }
    // An uncovered enterprise has no covering organization and no instructor: empty text cells in the body's font.
    const s3 = sheet(wb, SHEET_NAMES[2]);
    for (const a of ["J2", "K2"]) {
      expect(s3.getCell(a).value).toBe("");
      expect(s3.getCell(a).type).toBe(3); // ExcelJS.ValueType.String
      expect(s3.getCell(a).font).toMatchObject({ name: "宋体", size: 10 });
    }
    expect(sheet(wb, SHEET_NAMES[1]).getColumn(2).width).toBe(16); // 企业名称's minimum
    expect(sheet(wb, SHEET_NAMES[3]).getColumn(3).width).toBe(20); // 公民身份号码's minimum
  });

  it("explains every column in plain Chinese", async () => {
    const s5 = sheet(await readWorkbook((await coverageBuffer()).buf), SHEET_NAMES[4]);
    const names: string[] = [];
    s5.eachRow((row) => {
      names.push(String(row.getCell(1).value));
      if (row.number > 1) expect(String(row.getCell(2).value).length).toBeGreaterThan(5);
    });
    for (const c of TABLE_COLUMNS) expect(names).toContain(c.group ? `${c.group}·${c.header}` : c.header);
  });

  it("is audited with its filters and row count", async () => {
    await coverageBuffer();
    const a = h.sqlite.prepare("SELECT action, entity, entity_id, details FROM audit_log WHERE action = 'export'").all() as {
      entity_id: string;
      details: string;
    }[];
    expect(a).toHaveLength(1);
    expect(a[0]?.entity_id).toBe("coverage");
    expect(JSON.parse(a[0]!.details)).toMatchObject({
      kind: "coverage",
      org: "HZ",
      asOf: "2025-12-31",
      rows: 8,
      unmasked: true,
      completed: true,
      shouldForm: 2,
      uncovered: 3,
      unmanaged: 11,
    });
  });
});

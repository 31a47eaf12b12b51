// Sheets 2–4 of the coverage workbook: the enterprises and members behind the key figures, one row
// each. A province's sheet 4 holds every member found and not yet managed (75,000 at 500,000
// members): its rows are rendered a chunk at a time by the fast row writer (sheet-rows.ts) and
// committed as they go, so the list is held once (the report's) and not again as cell values and
// exceljs cells (1 GB of the export's 1.3 GB peak before). The header, widths, frozen row, filter
// and print setup are exceljs', as before.

import type { Writable } from "node:stream";
import type ExcelJS from "exceljs";
import { maskIdNumber } from "../../domain/masking.js";
import type { CoverageReport } from "../coverage/report.js";
import { type SheetCell, SheetRowWriter } from "./sheet-rows.js";
import { BODY_FONT, BORDER, CENTER, fitWidth, HEADER_FILL, HEADER_FONT, TEXT_FORMAT } from "./styles.js";

/** The shared-string index of "" (exceljs 4.4's WorkbookWriter.sharedStrings, checked). */
function emptyText(wb: ExcelJS.stream.xlsx.WorkbookWriter): number {
  const strings = (wb as unknown as { sharedStrings?: { add?(s: string): number } }).sharedStrings;
  if (typeof strings?.add !== "function")
    throw new Error("exceljs internals changed: WorkbookWriter.sharedStrings.add is missing (exceljs 4.4)");
  return strings.add("");
}

type ListCol<T> = { header: string; value: (row: T, n: number) => string | number; text?: boolean; min?: number };

/** Rows whose values fit the column widths (written before the first row): the first this many. */
const WIDTH_SAMPLE = 2000;
/** Rows rendered at a time after the sample. */
const CHUNK = 500;

/**
 * Writes one list sheet and commits it. `beforeChunk` is called with each chunk of rows before
 * their values are read (sheet 4 reads the chunk's ID numbers there).
 */
async function listSheet<T>(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  out: Writable,
  name: string,
  columns: ListCol<T>[],
  rows: readonly T[],
  beforeChunk?: (chunk: readonly T[]) => void,
): Promise<void> {
  const ws = wb.addWorksheet(name, {
    views: [{ state: "frozen", ySplit: 1 }],
    pageSetup: { paperSize: 9, orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0, printTitlesRow: "1:1" },
  });
  const valuesOf = (from: number, to: number): SheetCell[][] => {
    const chunk = rows.slice(from, to);
    beforeChunk?.(chunk);
    return chunk.map((row, i) => columns.map((c) => c.value(row, from + i)));
  };
  const sample = valuesOf(0, WIDTH_SAMPLE);
  const style = (c: ListCol<T>): Partial<ExcelJS.Style> => (c.text ? { numFmt: TEXT_FORMAT, font: BODY_FONT } : { font: BODY_FONT });
  ws.columns = columns.map((c, k) => ({
    header: c.header,
    width: fitWidth([c.header, ...sample.map((v) => String(v[k] ?? ""))], c.min ?? 6, 50),
    style: style(c),
  }));
  const header = ws.getRow(1);
  header.font = HEADER_FONT;
  header.alignment = CENTER;
  header.eachCell((cell) => {
    cell.fill = HEADER_FILL;
    cell.border = BORDER;
  });
  header.commit();

  // An empty text stays an empty text cell, as the in-memory workbook wrote it (not no cell).
  const writer = new SheetRowWriter(wb, ws, out, columns.map(style), 2, emptyText(wb));
  for (let from = 0, values = sample; values.length; from += values.length, values = valuesOf(from, from + CHUNK)) {
    for (const v of values) {
      writer.add(v);
      if (writer.full) await writer.flush();
    }
  }
  await writer.flush();
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, rows.length + 1), column: columns.length } };
  ws.commit();
}

type Ent = CoverageReport["shouldForm"][number];
const ENTERPRISE_COLUMNS: ListCol<Ent>[] = [
  { header: "序号", value: (_e, n) => n + 1 },
  { header: "企业名称", value: (e) => e.name, min: 16 },
  { header: "统一社会信用代码", value: (e) => e.creditCode, text: true, min: 20 },
  { header: "负责党委", value: (e) => e.committeeName },
  { header: "县（区）", value: (e) => e.countyName },
  { header: "从业人员数", value: (e) => e.workerCount },
  { header: "正式党员数", value: (e) => e.fullMembers },
  { header: "党员数", value: (e) => e.members },
  { header: "覆盖情况", value: (e) => e.coverageLabel },
  { header: "覆盖党组织", value: (e) => e.coveringOrgs },
  { header: "党建工作指导员/联络员", value: (e) => e.instructors },
];

type Unmanaged = CoverageReport["unmanaged"][number];

export type ListSheetsOptions = {
  /** The whole ID numbers of these members, by member id: read a chunk at a time. */
  idNumbers: (memberIds: number[]) => Map<number, string>;
  /** ID numbers whole (else masked). */
  unmask: boolean;
};

/** Sheets 2, 3 and 4, each committed before the next. */
export async function writeListSheets(
  wb: ExcelJS.stream.xlsx.WorkbookWriter,
  out: Writable,
  names: readonly [string, string, string],
  report: CoverageReport,
  opts: ListSheetsOptions,
): Promise<void> {
  await listSheet(wb, out, names[0], ENTERPRISE_COLUMNS, report.shouldForm);
  await listSheet(wb, out, names[1], ENTERPRISE_COLUMNS, report.uncovered);
  let ids = new Map<number, string>();
  const idOf = (u: Unmanaged) => {
    const id = ids.get(u.id) ?? "";
    return opts.unmask ? id : maskIdNumber(id);
  };
  await listSheet<Unmanaged>(
    wb,
    out,
    names[2],
    [
      { header: "序号", value: (_u, n) => n + 1 },
      { header: "姓名", value: (u) => u.name },
      { header: "公民身份号码", value: idOf, text: true, min: 20 },
      { header: "党员类别", value: (u) => u.category },
      { header: "组织关系状态", value: (u) => u.relationStatus },
      { header: "当前登记组织", value: (u) => u.orgName },
      { header: "工作企业", value: (u) => u.enterpriseName },
      { header: "发现渠道", value: (u) => u.channel },
      { header: "发现日期", value: (u) => u.discoveredOn },
    ],
    report.unmanaged,
    (chunk) => {
      ids = opts.idNumbers(chunk.map((u) => u.id));
    },
  );
}

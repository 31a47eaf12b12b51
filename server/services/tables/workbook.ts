// The official tables as workbooks: the table in the official layout (title, 表号, 填报单位, period,
// merged headers, borders, A4 with the width fitted, the notes under it), and the list behind one cell.
// Both read the computed table only, so a frozen period's workbook regenerates identically.

import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import {
  type CellSum,
  type HeaderCell,
  incompleteCells,
  type OfficialTable,
  type RowKind,
  sumMissingText,
} from "../../domain/official-tables/table.js";
import {
  BODY_FONT,
  BORDER,
  CENTER,
  COUNT_FORMAT,
  fitWidth,
  HEADER_FILL,
  HEADER_FONT,
  TEXT_FORMAT,
  TITLE_FONT,
  textCell,
} from "../export/styles.js";
import type { ListRow } from "./rows.js";

const A4 = 9;

function chineseDate(iso: string): string {
  return `${iso.slice(0, 4)}年${Number(iso.slice(5, 7))}月${Number(iso.slice(8, 10))}日`;
}

/** Where each header cell sits: rows and columns, 1-based, with its span (a grid that skips spanned cells). */
export function placeHeader(header: HeaderCell[][]): { cell: HeaderCell; row: number; col: number; rows: number; cols: number }[] {
  const taken = new Set<string>();
  const out: { cell: HeaderCell; row: number; col: number; rows: number; cols: number }[] = [];
  header.forEach((line, r) => {
    let c = 1;
    for (const cell of line) {
      while (taken.has(`${r}:${c}`)) c++;
      const rows = cell.rowSpan ?? 1;
      const cols = cell.colSpan ?? 1;
      for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) taken.add(`${r + i}:${c + j}`);
      out.push({ cell, row: r + 1, col: c, rows, cols });
      c += cols;
    }
  });
  return out;
}

/** The period line: 统计期 and the date the figures are taken at. */
export function periodLine(t: OfficialTable): string {
  const p = t.period;
  return `统计期：${p.label}（${chineseDate(p.start)}至${chineseDate(p.asOf)}）`;
}

/** The source line: frozen at the period's close, or computed from today's records. */
export function sourceLine(t: OfficialTable): string {
  const s = t.source;
  if (s.kind === "snapshot")
    return `数据来源：统计期结束时冻结的快照（${s.takenAt.slice(0, 10)}${s.reconstructed ? "，事后按当时记录补做" : ""}），重新生成结果相同。`;
  return `数据来源：${s.note ?? "按当前记录实时计算"}`;
}

export async function writeTableWorkbook(t: OfficialTable, out: Writable): Promise<number> {
  const wb = new ExcelJS.Workbook();
  wb.creator = "party-coverage";
  const width = 2 + t.columns.length;
  const headerRows = t.header.length;
  const first = 5; // rows 1–4: title, 表号, 填报单位 and period, blank
  const ws = wb.addWorksheet(t.title.slice(0, 31), {
    views: [{ state: "frozen", ySplit: first + headerRows - 1 }],
    pageSetup: {
      paperSize: A4,
      orientation: width > 6 ? "landscape" : "portrait",
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${first}:${first + headerRows - 1}`,
      horizontalCentered: true,
      margins: { left: 0.5, right: 0.5, top: 0.7, bottom: 0.7, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: "&C第 &P 页，共 &N 页" },
  });
  ws.getColumn(1).width = fitWidth(
    t.rows.map((r) => `${"　".repeat(r.indent)}${r.label}`),
    16,
    44,
  );
  ws.getColumn(2).width = 6;
  for (let c = 3; c <= width; c++) ws.getColumn(c).width = Math.max(10, fitWidth([t.columns[c - 3] ?? ""], 8, 16));

  ws.mergeCells(1, 1, 1, width);
  Object.assign(ws.getCell(1, 1), { value: textCell(t.title), font: TITLE_FONT, alignment: { horizontal: "center", vertical: "middle" } });
  ws.getRow(1).height = 30;
  ws.mergeCells(2, 1, 2, width);
  Object.assign(ws.getCell(2, 1), { value: textCell(t.number), font: BODY_FONT, alignment: { horizontal: "right" } });
  ws.getCell(3, 1).value = textCell(`填报单位：${t.unit}`);
  ws.getCell(3, 1).font = BODY_FONT;
  if (width > 2) {
    ws.mergeCells(3, 2, 3, width);
    Object.assign(ws.getCell(3, 2), { value: textCell(periodLine(t)), font: BODY_FONT, alignment: { horizontal: "right" } });
  }

  for (const h of placeHeader(t.header)) {
    const r = first + h.row - 1;
    if (h.rows > 1 || h.cols > 1) ws.mergeCells(r, h.col, r + h.rows - 1, h.col + h.cols - 1);
    ws.getCell(r, h.col).value = textCell(h.cell.label);
  }
  for (let r = first; r < first + headerRows; r++)
    for (let c = 1; c <= width; c++)
      Object.assign(ws.getCell(r, c), { font: HEADER_FONT, fill: HEADER_FILL, alignment: CENTER, border: BORDER });

  let r = first + headerRows;
  const missing: string[] = [];
  const incomplete = incompleteCells(t);
  for (const row of t.rows) {
    const label = ws.getCell(r, 1);
    label.value = textCell(`${"　".repeat(row.indent)}${row.label}`);
    ws.getCell(r, 2).value = textCell(row.no);
    ws.getCell(r, 2).alignment = { horizontal: "center" };
    row.cells.forEach((cell, i) => {
      const c = ws.getCell(r, 3 + i);
      if (cell.value === null) {
        c.value = "—";
        c.alignment = { horizontal: "center" };
        if (cell.missing) missing.push(`第${row.no}行“${row.label.trim()}”：${cell.missing}`);
      } else {
        c.value = cell.value;
        c.numFmt = COUNT_FORMAT;
      }
    });
    for (let c = 1; c <= width; c++) {
      const x = ws.getCell(r, c);
      x.border = BORDER;
      x.font = BODY_FONT;
    }
    r++;
  }

  r++;
  const note = (text: string) => {
    ws.mergeCells(r, 1, r, width);
    Object.assign(ws.getCell(r, 1), { value: textCell(text), font: BODY_FONT, alignment: { wrapText: true, vertical: "top" } });
    ws.getRow(r).height = Math.max(15, Math.ceil(text.length / (width * 8)) * 15);
    r++;
  };
  if (t.crossChecks.length) {
    note("核对：");
    for (const x of t.crossChecks) note(`${x.ok ? "✔" : "✘"} ${x.label}：应为 ${x.expected ?? "—"}，表中为 ${x.actual ?? "—"}`);
  }
  if (missing.length) {
    note("未记录的项目（以“—”表示，不以0代替）：");
    for (const m of missing) note(m);
  }
  if (incomplete.length) {
    note("部分未登记的项目（数字为已登记部分之和）：");
    for (const m of incomplete) note(m);
  }
  note("说明：");
  t.notes.forEach((n, i) => {
    note(`${i + 1}. ${n}`);
  });
  note(sourceLine(t));

  await wb.xlsx.write(out);
  return t.rows.length;
}

/** What a list's workbook shows of each kind of record: headings and values (after 序号). */
const LIST_COLUMNS: { [K in RowKind]: { heads: string[]; values(x: Extract<ListRow, { kind: K }>): ExcelJS.CellValue[] } } = {
  member: {
    heads: ["姓名", "公民身份号码", "性别", "出生日期", "党员类别", "组织关系状态", "管理党组织", "日期", "说明"],
    values: (x) => [
      textCell(x.name),
      textCell(x.idNumber),
      x.gender,
      x.birthDate,
      x.category,
      x.relationStatus,
      textCell(x.orgName),
      x.on ?? "",
      textCell(x.note),
    ],
  },
  enterprise: {
    heads: ["企业名称", "统一社会信用代码", "负责党委", "从业人员", "日期", "说明"],
    values: (x) => [textCell(x.name), textCell(x.creditCode), textCell(x.committeeName), x.workerCount ?? "", x.on ?? "", textCell(x.note)],
  },
  organization: {
    heads: ["党组织名称", "组织代码", "类别", "上级党组织", "日期", "说明"],
    values: (x) => [textCell(x.name), textCell(x.code), x.orgKind, textCell(x.parentName), x.on ?? "", textCell(x.note)],
  },
  instructor: {
    heads: ["姓名", "手机号", "类别", "工作单位", "派出党委", "联系的企业"],
    values: (x) => [
      textCell(x.name),
      textCell(x.phone),
      x.instructorKind,
      textCell(x.workUnit),
      textCell(x.committeeName),
      textCell(x.note),
    ],
  },
};

/**
 * The list behind one cell: one row per record, ID numbers and phones as text cells (masked unless
 * `unmask`). A sum cell's list adds the amount each record counts for and, under it, their total (the cell).
 */
export async function writeCellListWorkbook(
  t: OfficialTable,
  list: { label: string; kind: RowKind; sum: (CellSum & { value: number }) | null },
  rows: ListRow[],
  out: Writable,
): Promise<number> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true });
  const ws = wb.addWorksheet("名单", {
    pageSetup: { paperSize: A4, orientation: "landscape", fitToPage: true, fitToWidth: 1, fitToHeight: 0 },
  });
  const spec = LIST_COLUMNS[list.kind] as { heads: string[]; values(x: ListRow): ExcelJS.CellValue[] };
  const heads = ["序号", ...spec.heads, ...(list.sum ? [`计入${list.sum.of}`] : [])];
  ws.columns = heads.map((h) => ({ header: h, width: Math.max(8, fitWidth([h], 6, 30)) }));
  ws.getRow(1).values = [`${t.title}：${list.label}（${t.unit}，${t.period.label}）共 ${rows.length} 条`];
  ws.getRow(1).font = HEADER_FONT;
  ws.getRow(1).commit();
  const head = ws.getRow(2);
  head.values = heads;
  head.font = HEADER_FONT;
  head.commit();
  rows.forEach((x, i) => {
    const amount = list.sum ? [x.kind === "enterprise" && x.amount !== null ? x.amount : "未登记"] : [];
    const row = ws.addRow([i + 1, ...spec.values(x), ...amount]);
    row.getCell(3).numFmt = TEXT_FORMAT;
    row.commit();
  });
  if (list.sum) {
    const total = ws.addRow(["合计", ...spec.heads.map(() => ""), list.sum.value]);
    total.getCell(2).value = list.sum.missing ? sumMissingText(list.sum, list.kind) : "";
    total.font = HEADER_FONT;
    total.commit();
  }
  ws.commit();
  await wb.commit();
  return rows.length;
}

// Table 27 as a worksheet in the official layout: title, 填报单位 and date, the item in two merged
// columns (group, item), 行次, the five columns under a merged header, borders, A4 fitted to width.
// The coverage workbook adds it as a sheet; a cell not recorded (null) shows "—".

import type ExcelJS from "exceljs";
import { TABLE27_NOTES } from "../../domain/official-tables/table27.js";
import type { Table27 } from "../tables/table27.js";
import { BODY_FONT, BORDER, CENTER, COUNT_FORMAT, HEADER_FILL, HEADER_FONT, TITLE_FONT, textCell } from "./styles.js";

export const TABLE27_SHEET = "党内统计表27";
const FIRST_VALUE_COL = 4; // A group, B item, C 行次
const HEADER = [3, 4] as const;

function chineseDate(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  return `${y}年${m}月${d}日`;
}

export function addTable27Sheet(wb: ExcelJS.Workbook, t: Table27, extraNotes: string[] = []): ExcelJS.Worksheet {
  const last = FIRST_VALUE_COL + t.columns.length - 1;
  const ws = wb.addWorksheet(TABLE27_SHEET, {
    views: [{ state: "frozen", xSplit: 3, ySplit: HEADER[1] }],
    pageSetup: {
      paperSize: 9, // A4
      orientation: "portrait",
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      horizontalCentered: true,
      printTitlesRow: `${HEADER[0]}:${HEADER[1]}`,
      margins: { left: 0.5, right: 0.5, top: 0.7, bottom: 0.7, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: "&C第 &P 页，共 &N 页" },
  });
  ws.getColumn(1).width = 14;
  ws.getColumn(2).width = 34;
  ws.getColumn(3).width = 6;
  for (let c = FIRST_VALUE_COL; c <= last; c++) ws.getColumn(c).width = 12;

  ws.mergeCells(1, 1, 1, last);
  Object.assign(ws.getCell(1, 1), {
    value: textCell(`党内统计表27　${t.title}`),
    font: TITLE_FONT,
    alignment: { horizontal: "center", vertical: "middle", wrapText: true },
  });
  ws.getRow(1).height = 36;
  ws.mergeCells(2, 1, 2, 3);
  ws.getCell(2, 1).value = textCell(`填报单位：${t.unit}`);
  ws.mergeCells(2, FIRST_VALUE_COL, 2, last);
  ws.getCell(2, FIRST_VALUE_COL).value = `统计截止日期：${chineseDate(t.asOf)}`;
  ws.getCell(2, FIRST_VALUE_COL).alignment = { horizontal: "right" };
  ws.getCell(2, 1).font = BODY_FONT;
  ws.getCell(2, FIRST_VALUE_COL).font = BODY_FONT;

  const [h1, h2] = HEADER;
  ws.mergeCells(h1, 1, h2, 2);
  ws.getCell(h1, 1).value = "项目";
  ws.mergeCells(h1, 3, h2, 3);
  ws.getCell(h1, 3).value = "行次";
  ws.mergeCells(h1, FIRST_VALUE_COL, h2, FIRST_VALUE_COL);
  ws.getCell(h1, FIRST_VALUE_COL).value = t.columns[0]!.label;
  ws.mergeCells(h1, FIRST_VALUE_COL + 1, h1, last);
  ws.getCell(h1, FIRST_VALUE_COL + 1).value = "其中";
  t.columns.slice(1).forEach((c, i) => {
    ws.getCell(h2, FIRST_VALUE_COL + 1 + i).value = c.label;
  });
  for (let r = h1; r <= h2; r++)
    for (let c = 1; c <= last; c++)
      Object.assign(ws.getCell(r, c), { font: HEADER_FONT, fill: HEADER_FILL, alignment: CENTER, border: BORDER });
  ws.getRow(h2).height = 42;

  let r = h2 + 1;
  const firstBody = r;
  for (const row of t.rows) {
    if (row.group === null) {
      ws.mergeCells(r, 1, r, 2);
      ws.getCell(r, 1).value = textCell(`${"　".repeat(row.indent)}${row.label}`);
    } else {
      ws.getCell(r, 1).value = textCell(row.group);
      ws.getCell(r, 2).value = textCell(`${"　".repeat(Math.max(0, row.indent - 1))}${row.label}`);
    }
    ws.getCell(r, 3).value = row.no;
    row.cells.forEach((cell, k) => {
      const x = ws.getCell(r, FIRST_VALUE_COL + k);
      x.value = cell.value ?? "—";
      x.numFmt = COUNT_FORMAT;
    });
    for (let c = 1; c <= last; c++) {
      const x = ws.getCell(r, c);
      x.font = BODY_FONT;
      x.border = BORDER;
      x.alignment = { vertical: "middle", horizontal: c === 3 ? "center" : c >= FIRST_VALUE_COL ? "right" : "left", wrapText: c <= 2 };
    }
    r += 1;
  }
  // A group's name once, over its rows.
  for (let start = firstBody; start < r; ) {
    const g = t.rows[start - firstBody]!.group;
    let end = start;
    while (g !== null && end + 1 < r && t.rows[end + 1 - firstBody]!.group === g) end += 1;
    if (g !== null && end > start) ws.mergeCells(start, 1, end, 1);
    start = end + 1;
  }

  r += 1;
  for (const text of [...TABLE27_NOTES.map((n, i) => `${i + 1}. ${n}`), ...extraNotes]) {
    ws.mergeCells(r, 1, r, last);
    Object.assign(ws.getCell(r, 1), {
      value: textCell(text),
      font: { ...BODY_FONT, size: 9 },
      alignment: { wrapText: true, vertical: "top" },
    });
    ws.getRow(r).height = 28;
    r += 1;
  }
  return ws;
}

// The coverage workbook a supervisor hands in as it is: sheet 1 the official-style table (shaped like
// 党内统计 table 27), sheets 2–4 the enterprises and members behind the key figures, sheet 5 the
// definitions, sheet 6 table 27 itself in its official orientation (table27.sheet.ts). Built from a CoverageReport (a snapshot for past months), so it regenerates identically.

import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import { FULL_MEMBERS_TO_FORM } from "../../domain/coverage-rules.js";
import { FIGURES, type FigureKey, RATE_DEFINITIONS, RATE_DEFS, RECRUITMENT_NOTE } from "../coverage/figures.js";
import { FIGURE_LABEL } from "../recruitment/queries.js";
import type { CoverageReport, ReportBreakdownRow } from "../coverage/report.js";
import { BREAKDOWN_COLUMN, BREAKDOWN_TITLE } from "../../domain/jurisdiction.js";
import type { Table27 } from "../tables/table27.js";
import { type ListSheetsOptions, writeListSheets } from "./coverage.lists.js";
import { keepPrintOptions } from "./sheet-rows.js";
import { addTable27Sheet, TABLE27_SHEET } from "./table27.sheet.js";
import {
  BODY_FONT,
  BORDER,
  CENTER,
  COUNT_FORMAT,
  fitWidth,
  HEADER_FILL,
  HEADER_FONT,
  RATE_FORMAT,
  TITLE_FONT,
  TOTAL_FILL,
  textCell,
} from "./styles.js";

export const SHEET_NAMES = ["两个覆盖统计表", "应建未建企业", "未覆盖企业", "未纳管党员", "指标说明", TABLE27_SHEET] as const;

type Col = { header: string; group?: string; figure?: FigureKey; rate?: keyof typeof RATE_DEFS; width: number };

/** The table's columns after 序号 and 单位: a group name spans its sub-columns in the two-level header. */
export const TABLE_COLUMNS: Col[] = [
  { header: "企业数", figure: "enterprises", width: 8 },
  { header: "党建工作指导员联系的", figure: "instructorContacted", width: 10 },
  { group: "已单独建立党组织的", header: "小计", figure: "standalone", width: 7 },
  { group: "已单独建立党组织的", header: "建立党委的", figure: "standaloneCommittee", width: 7 },
  { group: "已单独建立党组织的", header: "建立总支部的", figure: "standaloneGeneralBranch", width: 7 },
  { group: "已单独建立党组织的", header: "建立支部的", figure: "standaloneBranch", width: 7 },
  { group: "已建立联合党支部的", header: "企业数", figure: "joint", width: 7 },
  { group: "已建立联合党支部的", header: FIGURES.joint3Plus.label, figure: "joint3Plus", width: 10 },
  { group: "已建立联合党支部的", header: "联合党支部数", figure: "branchesJoint", width: 8 },
  { group: "未建立党组织的", header: "小计", figure: "noOrg", width: 7 },
  { group: "未建立党组织的", header: "应建尚未建立党组织的", figure: "noOrgShouldForm", width: 9 },
  { group: "未建立党组织的", header: "仅有个别党员的", figure: "noOrgFewMembers", width: 8 },
  { group: "未建立党组织的", header: "没有党员的", figure: "noOrgNoMembers", width: 7 },
  { group: "党的组织覆盖", header: "企业数", figure: "orgCoverage", width: 7 },
  { group: "党的组织覆盖", header: "覆盖率", rate: "orgCoverageRate", width: 8 },
  { group: "党的工作覆盖", header: "企业数", figure: "workCoverage", width: 7 },
  { group: "党的工作覆盖", header: "覆盖率", rate: "workCoverageRate", width: 8 },
  { group: "党员", header: "党员数", figure: "members", width: 8 },
  { group: "党员", header: "已纳管", figure: "managed", width: 8 },
];
const FIRST_DATA_COL = 3; // A 序号, B 单位
export const LAST_COL = FIRST_DATA_COL + TABLE_COLUMNS.length - 1;
export const HEADER_ROWS = [3, 4] as const;

function colLetter(n: number): string {
  let s = "";
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

function chineseDate(iso: string): string {
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  return `${y}年${m}月${d}日`;
}

export type CoverageWorkbookOptions = ListSheetsOptions & {
  /** The jurisdiction's name, e.g. "鞍山市": the title reads 鞍山市新就业群体党建"两个覆盖"情况统计表. */
  titlePlace: string;
  generatedAt?: Date;
  /** 党内统计表27 in its official orientation, added as the last sheet. */
  table27: { table: Table27; notes: string[] };
};

/** The region breakdowns the report shows (a report made before jurisdictions: by county). */
export function regionBlocks(report: CoverageReport): { title: string; rows: ReportBreakdownRow[] }[] {
  const rows = { city: report.byCity ?? [], county: report.byCounty, town: report.byTown ?? [] };
  return (report.breakdowns ?? ["county"]).map((level) => ({ title: BREAKDOWN_TITLE[level], rows: rows[level] }));
}

const regionWords = (report: CoverageReport) => (report.breakdowns ?? ["county"]).map((l) => BREAKDOWN_COLUMN[l]).join("、");

function styleRange(ws: ExcelJS.Worksheet, r1: number, r2: number, c1: number, c2: number, style: Partial<ExcelJS.Style>) {
  for (let r = r1; r <= r2; r++) for (let c = c1; c <= c2; c++) Object.assign(ws.getCell(r, c), style);
}

function tableSheet(wb: ExcelJS.Workbook, report: CoverageReport, opts: CoverageWorkbookOptions): ExcelJS.Worksheet {
  const ws = wb.addWorksheet(SHEET_NAMES[0], {
    views: [{ state: "frozen", xSplit: 2, ySplit: 4, topLeftCell: "C5", activeCell: "C5" }],
    pageSetup: {
      paperSize: 9, // A4
      orientation: "landscape",
      fitToPage: true,
      fitToWidth: 1,
      fitToHeight: 0,
      printTitlesRow: `${HEADER_ROWS[0]}:${HEADER_ROWS[1]}`,
      horizontalCentered: true,
      margins: { left: 0.4, right: 0.4, top: 0.6, bottom: 0.6, header: 0.3, footer: 0.3 },
    },
    headerFooter: { oddFooter: "&C第 &P 页，共 &N 页" },
  });
  const last = colLetter(LAST_COL);
  ws.getColumn(1).width = 5;
  ws.getColumn(2).width = fitWidth(
    [...report.byCommittee, ...regionBlocks(report).flatMap((b) => b.rows)].map((r) => r.label),
    14,
    34,
  );
  TABLE_COLUMNS.forEach((c, i) => {
    ws.getColumn(FIRST_DATA_COL + i).width = c.width;
  });

  // Title, reporting unit, as-of date.
  ws.mergeCells(`A1:${last}1`);
  const title = ws.getCell("A1");
  title.value = textCell(`${opts.titlePlace}新就业群体党建“两个覆盖”情况统计表`);
  title.font = TITLE_FONT;
  title.alignment = { horizontal: "center", vertical: "middle" };
  ws.getRow(1).height = 30;
  ws.mergeCells("A2:K2");
  ws.getCell("A2").value = textCell(`填报单位：${report.scope.name}`);
  ws.mergeCells(`L2:${last}2`);
  ws.getCell("L2").value = `统计截止日期：${chineseDate(report.asOf)}`;
  ws.getCell("L2").alignment = { horizontal: "right" };
  for (const a of ["A2", "L2"]) ws.getCell(a).font = BODY_FONT;

  // Two-level header.
  const [h1, h2] = HEADER_ROWS;
  ws.mergeCells(h1, 1, h2, 1);
  ws.getCell(h1, 1).value = "序号";
  ws.mergeCells(h1, 2, h2, 2);
  ws.getCell(h1, 2).value = "行业党委 / 县（区）";
  let i = 0;
  while (i < TABLE_COLUMNS.length) {
    const col = TABLE_COLUMNS[i]!;
    const c = FIRST_DATA_COL + i;
    if (!col.group) {
      ws.mergeCells(h1, c, h2, c);
      ws.getCell(h1, c).value = col.header;
      i += 1;
      continue;
    }
    let j = i;
    while (j + 1 < TABLE_COLUMNS.length && TABLE_COLUMNS[j + 1]!.group === col.group) j += 1;
    ws.mergeCells(h1, c, h1, FIRST_DATA_COL + j);
    ws.getCell(h1, c).value = col.group;
    for (let k = i; k <= j; k++) ws.getCell(h2, FIRST_DATA_COL + k).value = TABLE_COLUMNS[k]!.header;
    i = j + 1;
  }
  styleRange(ws, h1, h2, 1, LAST_COL, { font: HEADER_FONT, fill: HEADER_FILL, alignment: CENTER, border: BORDER });
  ws.getRow(h1).height = 24;
  ws.getRow(h2).height = 42;

  let r = h2 + 1;
  const writeRow = (label: string, seq: number | null, f: ReportBreakdownRow["figures"], total: boolean) => {
    ws.getCell(r, 1).value = seq;
    ws.getCell(r, 2).value = textCell(label);
    TABLE_COLUMNS.forEach((col, k) => {
      const cell = ws.getCell(r, FIRST_DATA_COL + k);
      if (col.figure) {
        cell.value = f[col.figure];
        cell.numFmt = COUNT_FORMAT;
      } else if (col.rate) {
        const d = RATE_DEFS[col.rate];
        const den = f[d.denominator];
        // A zero denominator has no rate: the cell shows "—" (text), never a made-up 0%.
        cell.value = den > 0 ? f[d.numerator] / den : "—";
        cell.numFmt = RATE_FORMAT;
      }
    });
    styleRange(ws, r, r, 1, LAST_COL, { font: total ? HEADER_FONT : BODY_FONT, border: BORDER, ...(total ? { fill: TOTAL_FILL } : {}) });
    for (let c = 3; c <= LAST_COL; c++) ws.getCell(r, c).alignment = { horizontal: "right", vertical: "middle" };
    ws.getCell(r, 1).alignment = { horizontal: "center", vertical: "middle" };
    ws.getCell(r, 2).alignment = { horizontal: total ? "center" : "left", vertical: "middle", wrapText: true };
    r += 1;
  };
  const block = (heading: string, rows: ReportBreakdownRow[]) => {
    ws.mergeCells(r, 1, r, LAST_COL);
    const cell = ws.getCell(r, 1);
    cell.value = heading;
    styleRange(ws, r, r, 1, LAST_COL, { font: HEADER_FONT, border: BORDER, alignment: { horizontal: "left", vertical: "middle" } });
    r += 1;
    rows.forEach((row, n) => {
      writeRow(row.label, n + 1, row.figures, false);
    });
    writeRow("合计", null, report.figures, true);
  };
  const NUMERALS = ["一", "二", "三", "四"];
  block(`${NUMERALS[0]}、按行业党委`, report.byCommittee);
  for (const [i, b] of regionBlocks(report).entries()) block(`${NUMERALS[i + 1]}、${b.title}`, b.rows);

  // Notes under the table.
  r += 1;
  const notes = [
    `说明：1. 覆盖率为实际数值（单元格按百分比显示），分母为0时显示“—”。2. 各行之和等于合计；企业按负责党委、所在${regionWords(report)}各计一次，党员按管理党组织所属党委、所在企业的${regionWords(report)}计。`,
    `3. ${recruitmentText(report)} 4. 各指标含义见“指标说明”工作表。`,
    `数据时点：${report.final ? "月末快照" : "当月实时数据"}${report.reconstructed ? "（按记录日期回溯生成）" : ""}；生成于 ${report.takenAt.slice(0, 19).replace("T", " ")}（UTC）。`,
  ];
  for (const text of notes) {
    ws.mergeCells(r, 1, r, LAST_COL);
    const cell = ws.getCell(r, 1);
    cell.value = textCell(text);
    cell.font = { ...BODY_FONT, size: 9 };
    cell.alignment = { wrapText: true, vertical: "top" };
    ws.getRow(r).height = 26;
    r += 1;
  }
  return ws;
}

/**
 * Writes the coverage workbook to `out` and resolves when it is complete. Streamed (exceljs'
 * WorkbookWriter): each sheet is committed before the next, the long lists a chunk of rows at a time
 * (coverage.lists.ts), so memory does not grow with the lists.
 */
export async function writeCoverageWorkbook(report: CoverageReport, opts: CoverageWorkbookOptions, out: Writable): Promise<void> {
  const created = opts.generatedAt ?? new Date(report.takenAt);
  // Shared strings for the small sheets (as exceljs' in-memory workbook wrote them); the list rows are inline strings.
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: true });
  wb.creator = "新就业群体党建覆盖管理系统";
  wb.created = created;
  wb.modified = created;
  const table = tableSheet(wb, report, opts);
  keepPrintOptions(table);
  table.commit();
  await writeListSheets(wb, out, [SHEET_NAMES[1], SHEET_NAMES[2], SHEET_NAMES[3]], report, opts);
  const defs: [string, string][] = [
    ["统计范围", `${report.scope.label}。统计截止日期 ${report.asOf}；“本期”指 ${report.periodFrom} 至 ${report.asOf}。`],
    ...TABLE_COLUMNS.map((c): [string, string] => {
      const name = c.group ? `${c.group}·${c.header}` : c.header;
      return [name, c.figure ? FIGURES[c.figure].definition : RATE_DEFINITIONS[c.rate!]];
    }),
    ["应建未建企业（工作表2）", FIGURES.shouldForm.definition],
    ["未覆盖企业（工作表3）", FIGURES.uncovered.definition],
    ["未纳管党员（工作表4）", FIGURES.unmanaged.definition],
    ["正式党员", `已转正的党员；预备党员不计入“${FULL_MEMBERS_TO_FORM}名以上正式党员”。`],
    ["按行业党委", "企业按其负责党委计；党员、联合党支部按所在党组织最近的上级行业党委（或综合党委）计；无上级党委的计入“其他”。"],
    ["按县（区）", "企业按注册所在县（区）计；党员按工作企业所在县（区）计，无工作企业的按管理党组织所在地计；联合党支部按其所在地计。"],
    ["发展党员", recruitmentText(report)],
    ["数据时点", "当月报表取实时数据；往月报表取该月月末快照，重新导出结果相同（尚无快照的月份按记录日期回溯计算）。"],
    ["个人信息", opts.unmask ? "本表含完整公民身份号码，请按个人信息保护要求妥善保管。" : "公民身份号码已按规定脱敏显示。"],
  ];
  const ws = wb.addWorksheet(SHEET_NAMES[4]);
  ws.columns = [
    { header: "指标", width: 30, style: { font: BODY_FONT, alignment: { vertical: "top", wrapText: true } } },
    { header: "含义", width: 90, style: { font: BODY_FONT, alignment: { vertical: "top", wrapText: true } } },
  ];
  for (const [k, v] of defs) ws.addRow([textCell(k), textCell(v)]);
  ws.getRow(1).font = HEADER_FONT;
  ws.getRow(1).eachCell((cell) => {
    cell.fill = HEADER_FILL;
    cell.border = BORDER;
  });
  ws.commit();
  const t27 = addTable27Sheet(wb, opts.table27.table, opts.table27.notes);
  keepPrintOptions(t27);
  t27.commit();
  await wb.commit();
}

/** The 发展党员 figures in words, with what they count (a snapshot from before recruitment was recorded has none). */
function recruitmentText(report: CoverageReport): string {
  const f = report.recruitment;
  if (!f) return "发展党员：该月快照生成时尚未登记发展党员情况。";
  const parts = (Object.keys(FIGURE_LABEL) as (keyof typeof FIGURE_LABEL)[]).map((k) => `${FIGURE_LABEL[k]} ${f[k]} 人`);
  return `${parts.join("，")}。${RECRUITMENT_NOTE}`;
}

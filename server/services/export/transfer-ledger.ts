// The transfer ledger (党员组织关系转接台账) as .xlsx: one row per transfer matching the list's
// filters, streamed with exceljs's WorkbookWriter so a large ledger never sits in memory. ID numbers
// are text cells, masked unless the role sees them whole; every export is audited with its filters
// and row count.

import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import type { Db } from "../../../db/client.js";
import { GENDER, MEMBER_CATEGORY, RELATION_STATUS, TRANSFER_KIND, TRANSFER_STATE } from "../../domain/codes.js";
import { todayIso } from "../../domain/dates.js";
import { maskIdNumber } from "../../domain/masking.js";
import { type Actor, canUnmask } from "../../policy/actor.js";
import type { TransferFilter } from "../../schemas/transfers.schema.js";
import { recordAudit } from "../audit.service.js";
import { ledgerRows, type TransferListRow } from "../transfers.service.js";
import { BODY_FONT, BORDER, CENTER, FORMULA_TRIGGER, HEADER_FILL, HEADER_FONT, TEXT_FORMAT, TITLE_FONT, textCell } from "./styles.js";

/**
 * Free text typed by users (names, outside organizations, reasons) that a spreadsheet would take
 * for a formula once edited or re-saved as CSV gets a leading apostrophe; all text is a string cell.
 */
export function safeText(v: string | null | undefined): string {
  const s = textCell(v);
  return FORMULA_TRIGGER.test(s) ? `'${s}` : s;
}

type Col = { header: string; width: number; text?: boolean; value: (t: TransferListRow, unmask: boolean, n: number) => string | number };

export const LEDGER_COLUMNS: Col[] = [
  { header: "序号", width: 6, value: (_t, _u, n) => n },
  { header: "介绍信编号", width: 22, text: true, value: (t) => safeText(t.letterNumber) },
  { header: "转接类型", width: 12, value: (t) => TRANSFER_KIND.label[t.kind] },
  { header: "姓名", width: 10, value: (t) => safeText(t.memberName) },
  { header: "性别", width: 6, value: (t) => GENDER.label[t.memberGender as keyof typeof GENDER.label] ?? "" },
  { header: "公民身份号码", width: 21, text: true, value: (t, unmask) => (unmask ? t.memberIdNumber : maskIdNumber(t.memberIdNumber)) },
  { header: "党员类别", width: 10, value: (t) => MEMBER_CATEGORY.label[t.memberCategory as keyof typeof MEMBER_CATEGORY.label] ?? "" },
  { header: "转出党组织", width: 32, value: (t) => safeText(t.fromLabel) },
  { header: "转入党组织", width: 32, value: (t) => safeText(t.toLabel) },
  { header: "签发日期", width: 11, text: true, value: (t) => t.issuedOn },
  { header: "有效期（天）", width: 8, value: (t) => t.validDays },
  { header: "有效期至", width: 11, text: true, value: (t) => t.deadlineOn },
  { header: "党费交至", width: 9, text: true, value: (t) => t.duesPaidTo ?? "" },
  { header: "转接原因", width: 20, value: (t) => safeText(t.reason) },
  { header: "状态", width: 8, value: (t) => TRANSFER_STATE.label[t.state] },
  { header: "是否逾期", width: 6, value: (t) => (t.overdue ? "逾期" : "") },
  { header: "回执日期", width: 11, text: true, value: (t) => t.receiptOn ?? "" },
  { header: "退回/撤销原因", width: 20, value: (t) => safeText(t.returnReason) },
  { header: "更正的介绍信", width: 22, text: true, value: (t) => safeText(t.correctsLetterNumber) },
  { header: "现组织关系状态", width: 10, value: (t) => RELATION_STATUS.label[t.memberRelationStatus as keyof typeof RELATION_STATUS.label] ?? "" },
  { header: "办结时间", width: 17, text: true, value: (t) => (t.decidedAt ? new Date(Date.parse(t.decidedAt) + 8 * 3_600_000).toISOString().slice(0, 16).replace("T", " ") : "") },
];

export function describeFilters(f: Partial<TransferFilter>): string {
  const parts: string[] = [];
  if (f.kind) parts.push(`类型：${TRANSFER_KIND.label[f.kind]}`);
  if (f.state) parts.push(`状态：${TRANSFER_STATE.label[f.state]}`);
  if (f.from || f.to) parts.push(`签发日期：${f.from ?? "…"} 至 ${f.to ?? "…"}`);
  if (f.org) parts.push(`党组织编号：${f.org}`);
  if (f.overdue) parts.push("仅逾期");
  if (f.q) parts.push(`关键词：${f.q}`);
  return parts.length ? parts.join("；") : "全部";
}

/**
 * Streams the ledger to `out` and audits the export. Resolves with the number of rows written.
 */
export async function exportTransferLedger(db: Db, actor: Actor, filters: Partial<TransferFilter>, out: Writable, today = todayIso()): Promise<number> {
  const unmask = canUnmask(actor);
  const { page: _page, ...f } = filters;
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = "新就业群体党建覆盖管理系统";
  wb.created = new Date();
  const ws = wb.addWorksheet("转接台账", { views: [{ state: "frozen", ySplit: 3 }] });
  ws.columns = LEDGER_COLUMNS.map((c) => ({ width: c.width, style: c.text ? { numFmt: TEXT_FORMAT, font: BODY_FONT } : { font: BODY_FONT } }));

  const last = LEDGER_COLUMNS.length;
  const title = ws.getRow(1);
  title.getCell(1).value = "党员组织关系转接台账";
  title.getCell(1).font = TITLE_FONT;
  title.getCell(1).alignment = CENTER;
  title.height = 28;
  ws.mergeCells(1, 1, 1, last);
  title.commit();
  const sub = ws.getRow(2);
  sub.getCell(1).value = safeText(`导出单位：${actor.orgName}　导出日期：${today}　筛选条件：${describeFilters(f)}　${unmask ? "含完整公民身份号码，请妥善保管" : "公民身份号码已脱敏"}`);
  ws.mergeCells(2, 1, 2, last);
  sub.commit();
  const header = ws.getRow(3);
  LEDGER_COLUMNS.forEach((c, i) => {
    const cell = header.getCell(i + 1);
    cell.value = c.header;
    cell.font = HEADER_FONT;
    cell.fill = HEADER_FILL;
    cell.border = BORDER;
    cell.alignment = CENTER;
  });
  header.commit();

  let n = 0;
  for (const t of ledgerRows(db, actor, f, today)) {
    n++;
    const row = ws.getRow(n + 3);
    LEDGER_COLUMNS.forEach((c, i) => {
      const cell = row.getCell(i + 1);
      cell.value = c.value(t, unmask, n);
      cell.border = BORDER;
    });
    row.commit();
    // Let the zip stream drain now and then, or the writer piles up the whole ledger in memory.
    if (n % 500 === 0) await new Promise((r) => setImmediate(r));
  }
  ws.commit();
  await wb.commit();
  recordAudit(db, actor, { action: "export", entity: "transfer_ledger", details: { filters: f, rows: n, unmasked: unmask } });
  return n;
}

// The transfer ledger (党员组织关系转接台账) as .xlsx, from the /transfers list with the same filters
// (kind, state, period, organization, overdue, name): one row per transfer, streamed by the shared
// ledger writer (export/ledgers.ts) so a large ledger never sits in memory. ID numbers are text
// cells, masked unless the role sees them whole; free text passes the writer's one text-cell rule
// (formulas neutralised, export/styles.ts); every export is audited with its filters and row
// count. /reports and `npm run export -- transfers` write the same ledger (transferLedger) under
// their own audit entry.

import type { Writable } from "node:stream";
import type { Db } from "../../../db/client.js";
import { GENDER, MEMBER_CATEGORY, RELATION_STATUS, TRANSFER_KIND, TRANSFER_STATE } from "../../domain/codes.js";
import { todayIso } from "../../domain/dates.js";
import { maskIdNumber } from "../../domain/masking.js";
import { type Actor, canUnmask } from "../../policy/actor.js";
import type { TransferFilter } from "../../schemas/transfers.schema.js";
import { recordAudit } from "../admin/audit.js";
import { ledgerRows, type TransferListRow } from "../transfers/transfers.service.js";
import { type LedgerRows, TRANSFER_LEDGER_TITLE, writeLedgerRows } from "./ledgers.js";
import type { SheetCell } from "./sheet-rows.js";

export const LEDGER_TITLE = TRANSFER_LEDGER_TITLE;
const PAGE = 1000;

type Col = { header: string; width: number; text?: boolean; value: (t: TransferListRow, unmask: boolean, n: number) => string | number };

export const LEDGER_COLUMNS: Col[] = [
  { header: "序号", width: 6, value: (_t, _u, n) => n },
  { header: "介绍信编号", width: 22, text: true, value: (t) => t.letterNumber ?? "" },
  { header: "转接类型", width: 12, value: (t) => TRANSFER_KIND.label[t.kind] },
  { header: "姓名", width: 10, value: (t) => t.memberName ?? "" },
  { header: "性别", width: 6, value: (t) => GENDER.label[t.memberGender as keyof typeof GENDER.label] ?? "" },
  { header: "公民身份号码", width: 21, text: true, value: (t, unmask) => (unmask ? t.memberIdNumber : maskIdNumber(t.memberIdNumber)) },
  { header: "党员类别", width: 10, value: (t) => MEMBER_CATEGORY.label[t.memberCategory as keyof typeof MEMBER_CATEGORY.label] ?? "" },
  { header: "转出党组织", width: 32, value: (t) => t.fromLabel ?? "" },
  { header: "转入党组织", width: 32, value: (t) => t.toLabel ?? "" },
  { header: "签发日期", width: 11, text: true, value: (t) => t.issuedOn },
  { header: "有效期（天）", width: 8, value: (t) => t.validDays },
  { header: "有效期至", width: 11, text: true, value: (t) => t.deadlineOn },
  { header: "党费交至", width: 9, text: true, value: (t) => t.duesPaidTo ?? "" },
  { header: "转接原因", width: 20, value: (t) => t.reason ?? "" },
  { header: "状态", width: 8, value: (t) => TRANSFER_STATE.label[t.state] },
  { header: "是否逾期", width: 6, value: (t) => (t.overdue ? "逾期" : "") },
  { header: "回执日期", width: 11, text: true, value: (t) => t.receiptOn ?? "" },
  { header: "退回/撤销原因", width: 20, value: (t) => t.returnReason ?? "" },
  { header: "更正的介绍信", width: 22, text: true, value: (t) => t.correctsLetterNumber ?? "" },
  {
    header: "现组织关系状态",
    width: 10,
    value: (t) => RELATION_STATUS.label[t.memberRelationStatus as keyof typeof RELATION_STATUS.label] ?? "",
  },
  {
    header: "办结时间",
    width: 17,
    text: true,
    value: (t) => (t.decidedAt ? new Date(Date.parse(t.decidedAt) + 8 * 3_600_000).toISOString().slice(0, 16).replace("T", " ") : ""),
  },
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

/** The ledger's columns and rows (in id order, read a page at a time) for the transfers matching `filters`. */
export function transferLedger(db: Db, actor: Actor, filters: Partial<TransferFilter>, today: string, unmask: boolean): LedgerRows {
  return {
    title: LEDGER_TITLE,
    columns: LEDGER_COLUMNS.map((c) => ({ header: c.header, text: !!c.text, min: c.width, max: Math.max(c.width, 40) })),
    *pages() {
      let n = 0;
      let page: SheetCell[][] = [];
      for (const t of ledgerRows(db, actor, filters, today)) {
        n++;
        page.push(LEDGER_COLUMNS.map((c) => c.value(t, unmask, n)));
        if (page.length === PAGE) {
          yield page;
          page = [];
        }
      }
      if (page.length) yield page;
    },
  };
}

/**
 * Streams the ledger to `out` through the shared ledger writer (one frozen header row, filters on,
 * fitted widths, inline text cells) and audits the export. Resolves with the number of rows written.
 */
export async function exportTransferLedger(
  db: Db,
  actor: Actor,
  filters: Partial<TransferFilter>,
  out: Writable,
  today = todayIso(),
): Promise<number> {
  const unmask = canUnmask(actor);
  const { page: _page, ...f } = filters;
  const rows = await writeLedgerRows(transferLedger(db, actor, f, today, unmask), out);
  recordAudit(db, actor, {
    action: "export",
    entity: "transfer_ledger",
    details: { filters: f, description: describeFilters(f), rows, unmasked: unmask },
  });
  return rows;
}

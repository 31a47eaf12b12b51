// The ledgers (台账): member roster, enterprise list, leads, transfer ledger, worker roster. Each is a
// list of columns over a scoped query, written by exceljs' streaming WorkbookWriter a page at a time
// (keyset pages, so no cursor stays open across the awaits that let the zip stream drain).

import type { Writable } from "node:stream";
import { type SQL, sql } from "drizzle-orm";
import ExcelJS from "exceljs";
import type { Db } from "../../../db/client.js";
import {
  DISCOVERY_CHANNEL,
  EDUCATION,
  ENTERPRISE_KIND,
  ETHNICITY,
  GENDER,
  LEAD_STATUS,
  labelOf,
  LOST_CONTACT_REASON,
  MEMBER_CATEGORY,
  OCCUPATION,
  POLITICAL_STATUS,
  RELATION_STATUS,
} from "../../domain/codes.js";
import { maskIdNumber, maskPhone } from "../../domain/masking.js";
import { hydrateEnterprises, type EnterpriseSourceRow } from "../coverage/rows.js";
import { orgInScope, type ResolvedScope } from "../coverage/scope.js";
import { fromSource } from "../coverage/sources.js";
import { memberStillHereSql } from "../members/sql.js";
import { committeeOfSql } from "../orgs/sql.js";
import { openExportReader } from "./read-connection.js";
import { type SheetCell, SheetRowWriter } from "./sheet-rows.js";
import { BODY_FONT, BORDER, fitWidth, HEADER_FILL, HEADER_FONT, TEXT_FORMAT, YES_NO } from "./styles.js";

export const LEDGER_KINDS = ["members", "enterprises", "leads", "transfers", "workers"] as const;
export type LedgerKind = (typeof LEDGER_KINDS)[number];

export type LedgerFilters = {
  /** members: include those who left or were transferred out (default: current members only). */
  includeLeft?: boolean;
  relationStatus?: string | null;
  channel?: string | null;
  /** leads: open | verified | rejected; transfers: pending | completed | returned | cancelled. */
  status?: string | null;
  /** transfers: only pending ones past their deadline. */
  overdue?: boolean;
  /** transfers: issued on or after / on or before. */
  from?: string | null;
  to?: string | null;
};

type Row = Record<string, unknown>;
type Column = { header: string; value: (r: Row) => string | number | null; text?: boolean; min?: number; max?: number };

export type LedgerContext = { db: Db; rs: ResolvedScope; asOf: string; unmask: boolean; filters: LedgerFilters };

type LedgerSpec = {
  title: string;
  columns: (ctx: LedgerContext) => Column[];
  /** One page of rows with id > afterId, in id order. */
  page: (ctx: LedgerContext, afterId: number, limit: number) => Row[];
};

const s = (v: unknown) => (v == null ? "" : String(v));
const lbl = (map: Record<string, string>, v: unknown) => (v == null ? "" : (labelOf(map, String(v)) ?? String(v)));
const id = (ctx: LedgerContext) => (v: unknown) => (ctx.unmask ? s(v) : maskIdNumber(s(v)));
const phone = (ctx: LedgerContext) => (v: unknown) => (ctx.unmask ? s(v) : maskPhone(s(v)));

const committeeName = committeeOfSql("o", "name");

function where(parts: (SQL | null | undefined | false)[]): SQL {
  const list = parts.filter((p): p is SQL => !!p);
  return list.length ? sql.join(list, sql` AND `) : sql`1 = 1`;
}

/**
 * The ledgers read straight from the tables. The transfer ledger is the /transfers list's own
 * (transfer-ledger.ts): one set of columns wherever a supervisor downloads it.
 */
export type TableLedgerKind = Exclude<LedgerKind, "transfers">;

const SPECS: Record<TableLedgerKind, LedgerSpec> = {
  members: {
    title: "党员花名册",
    columns: (ctx) => [
      { header: "姓名", value: (r) => s(r.name) },
      { header: "性别", value: (r) => lbl(GENDER.label, r.gender) },
      { header: "民族", value: (r) => lbl(ETHNICITY, r.ethnicity) },
      { header: "出生日期", value: (r) => s(r.birth_date) },
      { header: "公民身份号码", value: (r) => id(ctx)(r.id_number), text: true, min: 20 },
      { header: "联系电话", value: (r) => phone(ctx)(r.phone), text: true, min: 13 },
      { header: "学历", value: (r) => lbl(EDUCATION.label, r.education) },
      { header: "党员类别", value: (r) => lbl(MEMBER_CATEGORY.label, r.category) },
      { header: "入党日期", value: (r) => s(r.joined_on) },
      { header: "转正日期", value: (r) => s(r.full_on) },
      { header: "职业", value: (r) => lbl(OCCUPATION.label, r.occupation) },
      { header: "工作企业", value: (r) => s(r.enterprise_name) },
      { header: "管理党组织", value: (r) => s(r.org_name) },
      { header: "所属行业党委", value: (r) => s(r.committee_name) },
      { header: "组织关系状态", value: (r) => lbl(RELATION_STATUS.label, r.relation_status) },
      { header: "组织关系所在单位", value: (r) => s(r.relation_org_name) },
      { header: "发现渠道", value: (r) => lbl(DISCOVERY_CHANNEL.label, r.discovery_channel) },
      { header: "发现日期", value: (r) => s(r.discovered_on) },
      { header: "核实日期", value: (r) => s(r.verified_on) },
      { header: "纳管日期", value: (r) => s(r.managed_on) },
      { header: "失联日期", value: (r) => s(r.lost_contact_on) },
      { header: "失联原因", value: (r) => lbl(LOST_CONTACT_REASON.label, r.lost_contact_reason) },
      { header: "离开日期", value: (r) => s(r.left_on) },
    ],
    page: ({ db, rs, filters }, after, limit) =>
      db.all<Row>(sql`SELECT m.*, o.name AS org_name, (SELECT name FROM enterprises WHERE id = m.enterprise_id) AS enterprise_name,
          ${committeeName} AS committee_name
        FROM members m CROSS JOIN organizations o ON o.id = m.org_id
        WHERE ${where([
          sql`m.id > ${after}`,
          orgInScope(rs, "m.org_id"),
          !filters.includeLeft && memberStillHereSql("m"),
          filters.relationStatus ? sql`m.relation_status = ${filters.relationStatus}` : null,
          filters.channel ? sql`m.discovery_channel = ${filters.channel}` : null,
        ])}
        ORDER BY m.id LIMIT ${limit}`),
  },
  enterprises: {
    title: "企业名单",
    columns: () => [
      { header: "企业名称", value: (r) => s(r.name), min: 16 },
      { header: "统一社会信用代码", value: (r) => s(r.credit_code), text: true, min: 20 },
      { header: "企业类型", value: (r) => lbl(ENTERPRISE_KIND.label, r.kind) },
      { header: "行业", value: (r) => s(r.industry_name) },
      { header: "县（区）", value: (r) => s(r.county_name) },
      { header: "负责党委", value: (r) => s(r.committee_name) },
      { header: "从业人员数", value: (r) => Number(r.worker_count ?? 0) },
      { header: "法定代表人是党员", value: (r) => YES_NO(r.legal_rep_is_member as number) },
      { header: "兼任企业党组织书记", value: (r) => YES_NO(r.legal_rep_is_secretary as number) },
      { header: "覆盖情况", value: (r) => s(r.coverage_label) },
      { header: "覆盖党组织", value: (r) => s(r.covering_orgs) },
      { header: "党建工作指导员/联络员", value: (r) => s(r.instructors) },
      { header: "正式党员数", value: (r) => Number(r.full_m ?? 0) },
      { header: "党员数", value: (r) => Number(r.all_m ?? 0) },
      { header: "应建未建", value: (r) => YES_NO(r.should_form as boolean) },
      { header: "地址", value: (r) => s(r.address) },
    ],
    page: ({ db, rs, asOf }, after, limit) => {
      // The same rows and coverage facts the statistics count (coverage/sources.ts).
      const ctx = { rs, asOf, periodFrom: asOf };
      const src = db.all<EnterpriseSourceRow>(
        fromSource(ctx, "enterprise", sql`s.*`, sql`s.id > ${after}`, sql`ORDER BY s.id LIMIT ${limit}`),
      );
      if (!src.length) return [];
      const named = new Map(hydrateEnterprises(db, src, asOf).map((e) => [e.id, e]));
      const extra = new Map(
        db
          .all<Row>(
            // The industry's name from the code list (an administrator may have added industries).
            sql`SELECT e.id, e.kind, coalesce(i.name, e.industry_code) AS industry_name, e.legal_rep_is_member, e.legal_rep_is_secretary, e.address
              FROM enterprises e LEFT JOIN industries i ON i.code = e.industry_code WHERE e.id IN (${sql.join(
                src.map((r) => sql`${r.id}`),
                sql`, `,
              )})`,
          )
          .map((r) => [Number(r.id), r]),
      );
      return src.map((r) => {
        const e = named.get(r.id);
        return {
          ...extra.get(r.id),
          id: r.id,
          name: e?.name,
          credit_code: e?.creditCode,
          county_name: e?.countyName,
          committee_name: e?.committeeName,
          worker_count: e?.workerCount,
          coverage_label: e?.coverageLabel,
          covering_orgs: e?.coveringOrgs,
          instructors: e?.instructors,
          full_m: r.full_m,
          all_m: r.all_m,
          should_form: e?.shouldForm,
        };
      });
    },
  },
  leads: {
    title: "摸排线索",
    columns: (ctx) => [
      { header: "姓名", value: (r) => s(r.name) },
      { header: "公民身份号码", value: (r) => id(ctx)(r.id_number), text: true, min: 20 },
      { header: "联系电话", value: (r) => phone(ctx)(r.phone), text: true, min: 13 },
      { header: "发现渠道", value: (r) => lbl(DISCOVERY_CHANNEL.label, r.channel) },
      { header: "行业党委", value: (r) => s(r.committee_name) },
      { header: "平台", value: (r) => s(r.platform) },
      { header: "企业", value: (r) => s(r.enterprise_name) },
      { header: "职业", value: (r) => lbl(OCCUPATION.label, r.occupation) },
      { header: "组织关系所在单位", value: (r) => s(r.home_org_name) },
      { header: "入党日期", value: (r) => s(r.joined_on) },
      { header: "状态", value: (r) => lbl(LEAD_STATUS.label, r.status) },
      { header: "发现日期", value: (r) => s(r.found_on) },
      { header: "处理日期", value: (r) => s(r.decided_on) },
      { header: "排除原因", value: (r) => s(r.reject_reason) },
      { header: "备注", value: (r) => s(r.note) },
    ],
    page: ({ db, rs, filters }, after, limit) =>
      db.all<Row>(sql`SELECT l.*, (SELECT name FROM organizations WHERE id = l.committee_id) AS committee_name,
          (SELECT name FROM enterprises WHERE id = l.enterprise_id) AS enterprise_name
        FROM leads l
        WHERE ${where([
          sql`l.id > ${after}`,
          orgInScope(rs, "l.committee_id"),
          filters.status ? sql`l.status = ${filters.status}` : null,
          filters.channel ? sql`l.channel = ${filters.channel}` : null,
        ])}
        ORDER BY l.id LIMIT ${limit}`),
  },
  workers: {
    title: "平台从业人员花名册",
    columns: (ctx) => [
      { header: "平台", value: (r) => s(r.platform) },
      { header: "姓名", value: (r) => s(r.name) },
      { header: "公民身份号码", value: (r) => id(ctx)(r.id_number), text: true, min: 20 },
      { header: "联系电话", value: (r) => phone(ctx)(r.phone), text: true, min: 13 },
      { header: "所属党组织", value: (r) => s(r.org_name) },
      { header: "企业", value: (r) => s(r.enterprise_name) },
      { header: "站点", value: (r) => s(r.station) },
      { header: "加盟商", value: (r) => s(r.franchisee) },
      { header: "职业", value: (r) => lbl(OCCUPATION.label, r.occupation) },
      { header: "政治面貌", value: (r) => lbl(POLITICAL_STATUS.label, r.political_status) },
      { header: "入职日期", value: (r) => s(r.hired_on) },
      { header: "首次出现", value: (r) => s(r.first_seen_on) },
      { header: "最近出现", value: (r) => s(r.last_seen_on) },
      { header: "离职日期", value: (r) => s(r.left_on) },
    ],
    page: ({ db, rs }, after, limit) =>
      // Names by primary-key subqueries: the planner cannot pick a scan of a small joined table per row.
      db.all<Row>(sql`SELECT w.id, w.platform, w.name, w.id_number, w.phone, w.station, w.franchisee, w.occupation, w.political_status,
          w.hired_on, w.first_seen_on, w.last_seen_on, w.left_on,
          (SELECT name FROM organizations WHERE id = w.org_id) AS org_name,
          (SELECT name FROM enterprises WHERE id = w.enterprise_id) AS enterprise_name
        FROM workers w
        WHERE ${where([sql`w.id > ${after}`, orgInScope(rs, "w.org_id")])}
        ORDER BY w.id LIMIT ${limit}`),
  },
};

export const TRANSFER_LEDGER_TITLE = "组织关系转接台账";

export function ledgerTitle(kind: LedgerKind): string {
  return kind === "transfers" ? TRANSFER_LEDGER_TITLE : SPECS[kind].title;
}

const PAGE = 500;
/** Rows used to fit the column widths: the widths are written before the first row. */
const WIDTH_SAMPLE = 2000;

export type LedgerRows = {
  title: string;
  columns: { header: string; text: boolean; min?: number; max?: number }[];
  /** The rows' cell values, a page at a time, in id order. */
  pages(): Generator<SheetCell[][]>;
};

/** The header and cell values of a ledger, independent of the file format (the bench writes them as CSV too). */
export function ledgerRows(kind: TableLedgerKind, ctx: LedgerContext): LedgerRows {
  const spec = SPECS[kind];
  const columns = spec.columns(ctx);
  const toValues = (r: Row): SheetCell[] => columns.map((c) => c.value(r));
  return {
    title: spec.title,
    columns: columns.map((c) => ({ header: c.header, text: !!c.text, min: c.min, max: c.max })),
    *pages() {
      // Its own connection and snapshot (read-connection.ts), closed when the pages end or are left.
      const reader = openExportReader(ctx.db);
      try {
        const rctx = { ...ctx, db: reader.db };
        let page = spec.page(rctx, 0, Math.max(PAGE, WIDTH_SAMPLE));
        while (page.length) {
          yield page.map(toValues);
          page = spec.page(rctx, Number(page[page.length - 1]!.id), PAGE);
        }
      } finally {
        reader.close();
      }
    },
  };
}

/**
 * Streams one ledger to `out` as an .xlsx workbook: one header row, frozen, filters on, widths fitted
 * to the first rows, ID numbers and phones as text cells (masked unless ctx.unmask). Resolves with the
 * number of data rows once the workbook is complete.
 */
export function writeLedger(kind: TableLedgerKind, ctx: LedgerContext, out: Writable): Promise<number> {
  return writeLedgerRows(ledgerRows(kind, ctx), out);
}

/** Writes any LedgerRows as a one-sheet workbook (see writeLedger). */
export async function writeLedgerRows(ledger: LedgerRows, out: Writable): Promise<number> {
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = "新就业群体党建覆盖管理系统";
  const ws = wb.addWorksheet(ledger.title, { views: [{ state: "frozen", ySplit: 1 }] });

  const pages = ledger.pages();
  const first = pages.next();
  const sample = first.done ? [] : first.value;
  const bodyStyle = (c: { text: boolean }): Partial<ExcelJS.Style> =>
    c.text ? { numFmt: TEXT_FORMAT, font: BODY_FONT } : { font: BODY_FONT };
  ws.columns = ledger.columns.map((c, k) => ({
    header: c.header,
    width: fitWidth([c.header, ...sample.map((v) => String(v[k] ?? ""))], c.min ?? 6, c.max ?? 50),
    style: bodyStyle(c),
  }));
  const header = ws.getRow(1);
  header.eachCell((cell) => {
    cell.font = HEADER_FONT;
    cell.fill = HEADER_FILL;
    cell.border = BORDER;
    cell.alignment = { horizontal: "center", vertical: "middle" };
  });
  header.commit();

  const rows = new SheetRowWriter(wb, ws, out, ledger.columns.map(bodyStyle), 2);
  try {
    for (let page = sample; page.length; ) {
      for (const v of page) {
        rows.add(v);
        if (rows.full) await rows.flush();
      }
      const next = pages.next();
      page = next.done ? [] : next.value;
    }
  } finally {
    pages.return(undefined); // a failed write ends the reading too (its connection closes)
  }
  await rows.flush();
  const n = rows.rows - 1;
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: n + 1, column: ledger.columns.length } };
  ws.commit();
  await wb.commit();
  return n;
}

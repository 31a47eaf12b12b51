// One entry point for every workbook: checks the scope, decides masking, writes to a stream, and
// writes the audit entry (filters and row count). The web pipes the stream to the response, the CLI
// to a file.

import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { todayIso } from "../../domain/dates.js";
import { AppError } from "../../errors.js";
import { type Actor, canUnmask } from "../../policy/actor.js";
import { recordAudit } from "../admin/audit.js";
import { resolveScope } from "../coverage/scope.js";
import { type CoverageHead, type CoverageJob, countCoverage } from "./coverage.export.js";
import { startCoverageThread } from "./coverage.thread.js";
import { readableFile } from "./read-connection.js";
import { LEDGER_KINDS, type LedgerFilters, type LedgerKind, type LedgerRows, ledgerRows, ledgerTitle, writeLedgerRows } from "./ledgers.js";
import type { TransferState } from "../../domain/transfer-state.js";
import { transferLedger } from "./transfer-ledger.js";
import { RECRUITMENT_LEDGER_TITLE, recruitmentLedger } from "./recruitment-ledger.js";
import type { RecruitmentStage } from "../../domain/recruitment-rules.js";
import type { RiskFilters } from "../risk/risk.service.js";
import { RISK_LEDGER_TITLE, riskLedger } from "./risk-ledger.js";
import { DUES_SUMMARY_TITLE, duesSummaryLedger } from "./dues-summary.js";
import { NATIONAL_EXPORT_TITLE, nationalMembersLedger } from "./national-members.js";

export const EXPORT_KINDS = ["coverage", ...LEDGER_KINDS, "recruitment", "risk", "dues", "national-members"] as const;
export type ExportKind = (typeof EXPORT_KINDS)[number];

export function isExportKind(k: unknown): k is ExportKind {
  return typeof k === "string" && (EXPORT_KINDS as readonly string[]).includes(k);
}

export const EXPORT_TITLES: Record<ExportKind, string> = {
  coverage: "两个覆盖统计表",
  members: ledgerTitle("members"),
  dues: DUES_SUMMARY_TITLE,
  enterprises: ledgerTitle("enterprises"),
  leads: ledgerTitle("leads"),
  risk: RISK_LEDGER_TITLE,
  transfers: ledgerTitle("transfers"),
  workers: ledgerTitle("workers"),
  recruitment: RECRUITMENT_LEDGER_TITLE,
  "national-members": NATIONAL_EXPORT_TITLE,
};

export type ExportRequest = {
  /** The dues summary's year (default: the as-of date's). */
  year?: number | null;
  kind: ExportKind;
  /** Narrow to this organization's subtree (must be inside the actor's scope). */
  orgId?: number | null;
  /** As-of date: the coverage workbook's 统计截止日期; for ledgers it decides "overdue" and coverage facts. */
  asOf?: string | null;
  filters?: LedgerFilters;
  /** The drift-risk list's filters (kind "risk"). */
  risk?: RiskFilters;
  ip?: string | null;
  now?: Date;
};

export type PreparedExport = {
  /** Final once head() has resolved. */
  readonly filename: string;
  contentType: string;
  /**
   * Resolves when the file name is final and the workbook can start (the coverage workbook: its
   * report counted); throws what would refuse the export. Optional: the others are final at once.
   */
  head?(): Promise<void>;
  /** Writes the workbook to `out`, ends it, audits, and resolves with the number of data rows. */
  run(out: Writable): Promise<number>;
};

export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

function safeFilePart(s: string): string {
  return s.replace(/[\\/:*?"<>|\s]+/g, "_").slice(0, 60);
}

/**
 * Checks the request and prepares the export; throws AppError (before anything is written) when the
 * scope or dates are wrong. Writes nothing but the workbook and its audit entry (no snapshot).
 */
export function prepareExport(db: Db, actor: Actor, req: ExportRequest): PreparedExport {
  const today = todayIso(req.now);
  const asOf = req.asOf ?? today;
  if (asOf > today) throw AppError.invalid({ asOf: "统计截止日期不能晚于今天" }, "统计截止日期不能晚于今天。");
  const scope = req.orgId ? { orgId: req.orgId } : {};
  const rs = resolveScope(db, actor, scope);
  const unmask = canUnmask(actor);
  const scopeName = rs.rootOrg?.name ?? "全部";
  const filename = `${EXPORT_TITLES[req.kind]}_${safeFilePart(scopeName)}_${asOf}.xlsx`;
  const filters = req.filters ?? {};
  const audit = (rows: number, completed: boolean, extra: Record<string, unknown> = {}) =>
    recordAudit(db, actor, {
      action: "export",
      entity: "report",
      entityId: req.kind,
      details: {
        kind: req.kind,
        orgId: rs.rootOrg?.id ?? null,
        org: rs.rootOrg?.code ?? null,
        asOf,
        filters,
        ...(req.kind === "dues" ? { year: req.year ?? Number(asOf.slice(0, 4)) } : {}),
        rows,
        unmasked: unmask,
        completed,
        ...extra,
      },
      ip: req.ip ?? null,
    });

  const finish = async (out: Writable, write: Promise<unknown>) => {
    await write;
    if (!out.writableEnded) out.end();
    await finished(out);
  };

  if (req.kind === "coverage") {
    const titlePlace =
      rs.rootOrg?.kind === "city_department"
        ? (db.get<{ name: string }>(sql`SELECT name FROM regions WHERE code = ${rs.rootOrg.regionCode}`)?.name ?? scopeName)
        : null;
    const job: CoverageJob = { actor, orgId: req.orgId ?? null, asOf, now: req.now?.toISOString() ?? null, unmask, titlePlace };
    return coverageExport(db, job, safeFilePart(scopeName), audit);
  }

  // A ledger's export: stream its rows, then audit what was written (also when it failed half-way).
  const ledgerExport = (name: string, ledger: () => LedgerRows, extra: Record<string, unknown> = {}): PreparedExport => ({
    filename: name,
    contentType: XLSX_TYPE,
    async run(out) {
      let rows = 0;
      try {
        const writing = writeLedgerRows(ledger(), out).then((n) => {
          rows = n;
        });
        await finish(out, writing);
      } catch (err) {
        audit(rows, false, extra);
        throw err;
      }
      audit(rows, true, extra);
      return rows;
    },
  });

  if (req.kind === "recruitment") {
    // The whole ledger, or with `filters.status` one stage's list.
    const stage = (filters.status as RecruitmentStage | null | undefined) ?? null;
    return ledgerExport(`${stage ? "发展党员名册" : EXPORT_TITLES.recruitment}_${safeFilePart(scopeName)}_${asOf}.xlsx`, () =>
      recruitmentLedger(db, rs.orgPrefix, stage, unmask),
    );
  }

  if (req.kind === "risk") {
    const root = rs.rootOrg ? db.get<{ path: string }>(sql`SELECT path FROM organizations WHERE id = ${rs.rootOrg.id}`) : undefined;
    const risk = { ...req.risk, orgPath: root?.path ?? null };
    return ledgerExport(filename, () => riskLedger(db, actor, risk, today, unmask), { risk: req.risk ?? {} });
  }

  if (req.kind === "national-members") {
    // Scored as of today: the 13 months of an overdue probation run to the day of the export.
    return ledgerExport(filename, () => nationalMembersLedger(db, rs, today, unmask));
  }

  const kind: LedgerKind | "dues" = req.kind;
  const year = req.year ?? Number(asOf.slice(0, 4));
  return ledgerExport(filename, () =>
    kind === "dues"
      ? duesSummaryLedger(db, actor, rs, year, asOf.slice(0, 7))
      : kind === "transfers"
        ? transferLedger(
            db,
            actor,
            {
              state: filters.status as TransferState | null,
              from: filters.from,
              to: filters.to,
              overdue: filters.overdue,
              org: rs.rootOrg?.id ?? null,
            },
            asOf,
            unmask,
          )
        : ledgerRows(kind, { db, rs, asOf, unmask, filters }),
  );
}

/**
 * The coverage workbook: counted and written on a thread of its own when the database is a file
 * (coverage.thread.ts), else on this one. Its file name carries the report's date (a past month's
 * last day), known once the report is counted: head().
 */
function coverageExport(
  db: Db,
  job: CoverageJob,
  scopePart: string,
  audit: (rows: number, completed: boolean, extra: Record<string, unknown>) => void,
): PreparedExport {
  const file = readableFile(db);
  let thread: ReturnType<typeof startCoverageThread> | null = null;
  let counted: ReturnType<typeof countCoverage> | null = null;
  let head: CoverageHead | null = null;
  const count = async (): Promise<CoverageHead> => {
    if (head) return head;
    if (file) {
      thread ??= startCoverageThread(file, job);
      head = await thread.head;
    } else {
      counted ??= countCoverage(db, job);
      head = counted.head;
    }
    return head;
  };
  return {
    get filename() {
      return `${EXPORT_TITLES.coverage}_${scopePart}_${head?.asOf ?? job.asOf}.xlsx`;
    },
    contentType: XLSX_TYPE,
    async head() {
      await count();
    },
    async run(out) {
      let h: CoverageHead | null = null;
      try {
        h = await count();
        await (thread ? thread.run(out) : counted!.write(out));
        if (!out.writableEnded) out.end();
        await finished(out);
      } catch (err) {
        audit(h?.rows ?? 0, false, h?.lists ?? {});
        throw err;
      }
      audit(h.rows, true, h.lists);
      return h.rows;
    },
  };
}

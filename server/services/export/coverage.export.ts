// The coverage workbook's work, from its request to the last byte: the report (a snapshot, or
// counted), table 27, the ID numbers of sheet 4 and the streamed workbook. One function for both
// places it runs: the export thread (coverage.thread.ts, a database file) and the caller's thread
// (an in-memory database: tests).

import type { Writable } from "node:stream";
import type { Db } from "../../../db/client.js";
import type { Actor } from "../../policy/actor.js";
import { memberIdNumbers } from "../coverage/report.js";
import { resolveScope } from "../coverage/scope.js";
import { reportForExport } from "../coverage/snapshots.js";
import { computeTable27 } from "../tables/table27.js";
import { regionBlocks, writeCoverageWorkbook } from "./coverage.workbook.js";

/** What the workbook is made of: plain data, so that it can be posted to the export thread. */
export type CoverageJob = {
  actor: Actor;
  /** Narrow to this organization's subtree (checked against the actor's scope before the job starts). */
  orgId: number | null;
  asOf: string;
  /** The clock (tests), as an ISO time. */
  now: string | null;
  unmask: boolean;
  /** The title's place (coverage.workbook.ts); null: the report's organization. */
  titlePlace: string | null;
};

/** Known once the report is counted, before the first byte: the file's date and the audit's counts. */
export type CoverageHead = {
  /** The report's date (a past month: its last day). */
  asOf: string;
  /** The table's rows (sheet 1). */
  rows: number;
  lists: { shouldForm: number; uncovered: number; unmanaged: number; snapshotMonth: string };
};

/**
 * Counts the report (the long part: ~20 s of CPU at a province) and returns what is known then, and
 * the writing of the workbook to `out` (not ended).
 */
export function countCoverage(db: Db, job: CoverageJob): { head: CoverageHead; write(out: Writable): Promise<void> } {
  const scope = job.orgId ? { orgId: job.orgId } : {};
  const report = reportForExport(db, job.actor, scope, { asOf: job.asOf, now: job.now ? new Date(job.now) : undefined });
  const head: CoverageHead = {
    asOf: report.asOf,
    rows: report.byCommittee.length + regionBlocks(report).reduce((n, b) => n + b.rows.length + 1, 0) + 1,
    lists: {
      shouldForm: report.shouldForm.length,
      uncovered: report.uncovered.length,
      unmanaged: report.unmanaged.length,
      snapshotMonth: report.month,
    },
  };
  return {
    head,
    write(out) {
      // Table 27 is computed from the records at the report's date: a past month's snapshot holds
      // the figures of sheet 1, not the enterprises' worker counts and legal-representative marks.
      const t27 = computeTable27(db, resolveScope(db, job.actor, scope), report.asOf);
      const table27 = {
        table: t27,
        notes: [
          ...(report.final ? [`本表按统计截止日期由当前记录计算（企业从业人员数、法定代表人情况取当前登记值），与月末快照可能不同。`] : []),
          ...t27.incomplete,
        ],
      };
      const idNumbers = (ids: number[]) => memberIdNumbers(db, ids);
      const titlePlace = job.titlePlace ?? report.scope.name;
      return writeCoverageWorkbook(report, { idNumbers, unmask: job.unmask, titlePlace, table27 }, out);
    },
  };
}

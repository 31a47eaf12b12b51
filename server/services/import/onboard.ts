// Onboarding: a file of organizations, enterprises or instructors read through the same pipeline as
// a roster (prepare: scope, header, mapping, the record; read: CSV or guarded .xlsx, the header row
// found under a title or a 填报单位 line) and applied row by row through the areas' own services —
// the tree rules, the enterprise and instructor checks, their audit entries — inside one
// transaction. A file with any rejected row writes nothing: the organization tree is either taken
// whole or not at all, and the clerk corrects the rows named (第N行) and imports again. The same file
// again changes nothing (rows compare equal to what is stored: unchanged).

import type { DbHandle } from "../../../db/client.js";
import { ONBOARDING_MAX_ROWS, type OnboardingKind } from "../../domain/onboarding-codes.js";
import { AppError } from "../../errors.js";
import { recordAudit } from "../admin/audit.js";
import { FIELDS, resolveMapping } from "./header-aliases.js";
import { missingColumns, otherKindHeader, readHeader, withMappingAliases } from "./mappings.js";
import { applyEnterpriseRows } from "./onboard-enterprises.js";
import { applyInstructorRows } from "./onboard-instructors.js";
import { applyOrgRows } from "./onboard-orgs.js";
import type { OnboardContext, OnboardResult } from "./onboard-rows.js";
import { limitsOf, type PreparedImport, sha256File } from "./prepare.js";
import { isBlankRow, openRowSource, type RowSource } from "./read.js";
import { finishImportRecord, markImportFailed, progressWriter, recordedHash, setRecordedHash } from "./record.js";
import { EMPTY_COUNTS, type ImportSummary, type RowIssue, type SourceRow } from "./types.js";

class Rollback extends Error {}

const APPLY: Record<OnboardingKind, (ctx: OnboardContext, rows: SourceRow[]) => OnboardResult> = {
  organizations: applyOrgRows,
  enterprises: applyEnterpriseRows,
  instructors: applyInstructorRows,
};

function failedMessage(issues: readonly RowIssue[], rejected: number): string {
  const first = issues.find((i) => i.outcome === "rejected" || i.outcome === "duplicate");
  const where = first ? `第${first.rowNumber}行${first.column ? `“${first.column}”` : ""}：${first.reason}` : "";
  return `文件中有 ${rejected} 行不能导入（${where}${rejected > 1 ? " 等" : ""}），整个文件未导入，数据库未被修改。请按问题清单改正后重新导入。`;
}

/** Reads and applies a prepared onboarding import; always leaves its record finished (succeeded, dry_run or failed). */
export async function executeOnboarding(handle: DbHandle, prep: PreparedImport, kind: OnboardingKind): Promise<ImportSummary> {
  const { sqlite } = handle;
  const { importId, opts } = prep;
  let source: RowSource | null = null;
  try {
    source = await openRowSource(opts.file, limitsOf(opts));
    const fields = FIELDS[kind];
    const header = await readHeader(source, withMappingAliases(fields, prep.mapping), kind);
    const resolved = resolveMapping(fields, header.headers, prep.mapping);
    if (resolved.missing.length > 0) throw otherKindHeader(kind, [header.headers]) ?? missingColumns(resolved.missing);
    const rows: SourceRow[] = [];
    const take = (r: SourceRow) => {
      if (isBlankRow(r.cells)) return;
      if (rows.length >= ONBOARDING_MAX_ROWS)
        throw new AppError(422, `文件超过 ${ONBOARDING_MAX_ROWS} 行，请分成几个文件导入。`, { code: "too_large" });
      rows.push(r);
    };
    for (const r of header.buffered) take(r);
    for await (const r of source.rows) take(r);
    if (rows.length === 0) throw new AppError(422, "文件只有表头，没有数据行。", { code: "empty_file" });
    const src = source;
    progressWriter(sqlite, importId)(rows.length, src.totalBytes, new Date().toISOString());
    opts.onProgress?.({
      importId,
      status: "running",
      rowsDone: rows.length,
      bytesDone: src.totalBytes,
      totalBytes: src.totalBytes,
      phase: "applying",
    });
    if (recordedHash(sqlite, importId) === null) setRecordedHash(sqlite, importId, await sha256File(opts.file));

    let result: OnboardResult | null = null;
    let summary: ImportSummary | null = null;
    const finish = (r: OnboardResult, status: "succeeded" | "dry_run" | "failed") => {
      summary = { importId, kind, encoding: src.encoding, ...EMPTY_COUNTS, ...r.counts, rows: rows.length };
      const insert = sqlite.prepare(
        `INSERT INTO import_issues (import_id, row_number, outcome, "column", value, reason) VALUES (?, ?, ?, ?, ?, ?)`,
      );
      const sorted = r.issues;
      for (const i of sorted) insert.run(importId, i.rowNumber, i.outcome, i.column, i.value, i.reason);
      finishImportRecord(sqlite, importId, {
        status,
        summary,
        rowsDone: rows.length,
        bytesDone: src.totalBytes,
        error: status === "failed" ? failedMessage(sorted, r.counts.rejected + r.counts.duplicates) : null,
      });
    };
    try {
      handle.db.transaction(
        (tx) => {
          const onProgress = opts.onProgress;
          const onApplied = onProgress
            ? (n: number) =>
                onProgress({
                  importId,
                  status: "running",
                  rowsDone: rows.length,
                  bytesDone: src.totalBytes,
                  totalBytes: src.totalBytes,
                  phase: "applying",
                  rowsApplied: n,
                })
            : undefined;
          onApplied?.(0);
          const ctx: OnboardContext = {
            db: tx,
            actor: prep.actor,
            today: prep.today,
            cols: resolved.columns,
            importOrg: prep.org,
            onApplied,
          };
          result = APPLY[kind](ctx, rows);
          opts.afterStep?.("applied");
          if (opts.dryRun || result.counts.rejected + result.counts.duplicates > 0) throw new Rollback();
          finish(result, "succeeded");
          recordAudit(tx, prep.actor, {
            action: "import",
            entity: "import",
            entityId: importId,
            details: { kind, file: opts.originalName ?? null, summary },
          });
        },
        { behavior: "immediate" },
      );
    } catch (e) {
      if (!(e instanceof Rollback)) throw e;
    }
    const r = result as OnboardResult | null;
    if (r && (opts.dryRun || r.counts.rejected + r.counts.duplicates > 0)) {
      const status = opts.dryRun ? "dry_run" : "failed";
      sqlite.transaction(() => finish(r, status)).immediate();
      if (status === "failed")
        throw new AppError(422, failedMessage(r.issues, r.counts.rejected + r.counts.duplicates), { code: "rows_rejected" });
    }
    const done = summary as ImportSummary | null;
    opts.onProgress?.({
      importId,
      status: opts.dryRun ? "dry_run" : "succeeded",
      rowsDone: rows.length,
      bytesDone: src.totalBytes,
      totalBytes: src.totalBytes,
      phase: "done",
    });
    return done!;
  } catch (e) {
    const message = e instanceof AppError ? e.message : "导入失败：写入数据库时出错，数据库未被修改。";
    try {
      if (recordedHash(sqlite, importId) === null) setRecordedHash(sqlite, importId, await sha256File(opts.file));
    } catch {
      // the file is gone or unreadable: the record keeps no hash
    }
    try {
      markImportFailed(sqlite, importId, message);
    } catch {
      // the database itself failed: the record stays "running" until its owner is found gone
    }
    throw e;
  } finally {
    if (source) {
      await source.rows.return(undefined).catch(() => undefined);
      source.close();
    }
    prep.ownerLock?.release();
  }
}

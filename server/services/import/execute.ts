// Execute: a prepared import read through, staged and applied in one transaction, its record
// finished either way. Runs on the caller's thread, or in a worker thread (off-loop.ts,
// import.worker.ts) with the same result.

import { createHash } from "node:crypto";
import fs from "node:fs";
import type { DbHandle } from "../../../db/client.js";
import { AppError } from "../../errors.js";
import { scopePath } from "../../policy/actor.js";
import { recordAudit } from "../admin/audit.js";
import { type ApplyContext, type ApplyCounts, heldElsewhereIssues } from "./apply.js";
import { applyMembers, applyReference } from "./apply-members.js";
import { applyRoster, applyRosterRepeat } from "./apply-roster.js";
import { isOnboardingKind } from "../../domain/onboarding-codes.js";
import { FIELDS, resolveMapping } from "./header-aliases.js";
import { missingColumns, readHeader, storeMapping, withMappingAliases } from "./mappings.js";
import { dbFileOf, stagePrefix } from "./owner-lock.js";
import { limitsOf, type PreparedImport, sha256File } from "./prepare.js";
import { openRowSource, type RowSource } from "./read.js";
import { type CheckedRows, checkInline, readsInThread, startReadThread } from "./read-thread.js";
import { RowChecker, stageBatch } from "./row-check.js";
import { finishImportRecord, markImportFailed, progressWriter, recordedHash, setRecordedHash } from "./record.js";
import { Stage } from "./stage.js";
import { EMPTY_COUNTS, type ImportCounts, type ImportSummary } from "./types.js";

const PROGRESS_EVERY_MS = 250;
/**
 * The import's page cache on the app's database, in KiB (the connection's own is 64 MB): the apply
 * walks the staged rows and the workers in ID-number order, so a larger cache is hardly read again,
 * while its pages stay in the process (a 200,000-row first import: the upsert's CPU the same with
 * 8 MB as with 64 MB, its peak RSS ~55 MB lower).
 */
export const IMPORT_CACHE_KIB = 16 * 1024;

class DryRunRollback extends Error {}

/** Reads, stages and applies a prepared import. Always leaves the import record finished (succeeded, dry_run or failed). */
export async function executeImport(handle: DbHandle, prep: PreparedImport): Promise<ImportSummary> {
  if (isOnboardingKind(prep.fieldSet)) {
    // Loaded on demand: onboarding reaches into the orgs and enterprises services, which a roster's
    // worker thread has no need to load before it starts reading.
    const { executeOnboarding } = await import("./onboard.js");
    return executeOnboarding(handle, prep, prep.fieldSet);
  }
  const fieldSet = prep.fieldSet;
  const { sqlite } = handle;
  const { importId, opts } = prep;
  const fields = FIELDS[prep.fieldSet];
  let stage: Stage | null = null;
  let source: RowSource | null = null;
  let rows: CheckedRows | null = null;
  const progress = progressWriter(sqlite, importId);
  const hash = createHash("sha256");
  let hashed = false;
  const cacheBefore = sqlite.pragma("main.cache_size", { simple: true }) as number;
  const tempBefore = sqlite.pragma("temp_store", { simple: true }) as number;
  try {
    sqlite.pragma(`main.cache_size = -${IMPORT_CACHE_KIB}`);
    // The import's temporary storage (the sort that indexes the staged rows, the apply's statement
    // journals) in files, not in memory where it stayed in the peak RSS (a 200,000-row first import:
    // 211 → 169 MB). Changing it drops the connection's temporary tables: an import's connection has
    // none (the worker thread's and the CLI's are its own; the apply's temporary trigger comes later).
    sqlite.pragma("temp_store = FILE");
    if (prep.sameAs) return repeatImport(handle, prep, prep.sameAs);
    hashed = recordedHash(sqlite, importId) === null;
    const limits = limitsOf(opts);
    const isRoster = prep.fieldSet === "roster";
    const today = prep.today;
    // A large file is checked on a second core (read-thread.ts); the thread starts now and reads the
    // whole file itself (hashing it), so this thread reads only the header.
    const thread = readsInThread(opts.file, opts.readThreadMinBytes)
      ? startReadThread({ file: opts.file, limits, isRoster, today, hash: hashed })
      : null;
    if (thread) rows = thread;
    source = await openRowSource(opts.file, limits, hashed && !thread ? (chunk) => hash.update(chunk) : undefined);
    const header = await readHeader(source, withMappingAliases(fields, prep.mapping));
    const resolved = resolveMapping(fields, header.headers, prep.mapping);
    if (resolved.missing.length > 0) throw missingColumns(resolved.missing);
    const cols = resolved.columns;
    const src = source;
    const encoding = src.encoding;
    const totalBytes = src.totalBytes;
    if (thread) {
      thread.begin({ cols, headerRowNumber: header.headerRow.rowNumber });
      await src.rows.return(undefined);
      src.close();
      source = null;
    } else {
      rows = checkInline(src, header.buffered, new RowChecker(isRoster, cols, today), () => (hashed ? hash.digest("hex") : null));
    }
    const checked = rows!;
    // Beside the owner lock: a run killed part way leaves it for the next one to remove.
    stage = new Stage(sqlite, importId, fieldSet, stagePrefix(dbFileOf(sqlite), importId)).open();
    const st = stage;
    const counts: ImportCounts = { ...EMPTY_COUNTS };

    // The enterprise a worker's franchisee or station names (in the import's scope), looked up
    // once per distinct name: a roster repeats a few hundred names over a million rows.
    const findEnterprise = sqlite
      .prepare(
        "SELECT e.id FROM enterprises e WHERE e.name = ? AND e.committee_id IN (SELECT id FROM organizations WHERE substr(path, 1, ?) = ?) ORDER BY e.id LIMIT 1",
      )
      .pluck();
    const enterprises = new Map<string, number | null>();
    const enterpriseOf = (name: string | null): number | null => {
      if (name === null) return null;
      let id = enterprises.get(name);
      if (id === undefined) {
        id = (findEnterprise.get(name, prep.org.path.length, prep.org.path) as number | undefined) ?? null;
        if (enterprises.size >= 10_000) enterprises.clear();
        enterprises.set(name, id);
      }
      return id;
    };

    let lastTick = 0;
    const tick = (force: boolean) => {
      const now = Date.now();
      if (!force && now - lastTick < PROGRESS_EVERY_MS) return;
      lastTick = now;
      progress(counts.rows, checked.bytesDone(), new Date(now).toISOString());
      opts.onProgress?.({
        importId,
        status: "running",
        rowsDone: counts.rows,
        bytesDone: checked.bytesDone(),
        totalBytes,
        phase: "reading",
      });
    };
    for await (const batch of checked.batches) {
      stageBatch(st, batch, counts, enterpriseOf);
      tick(false);
    }
    tick(true);
    if (hashed) setRecordedHash(sqlite, importId, checked.digest()!);
    st.loaded();
    if (counts.rows === 0) throw new AppError(422, "文件只有表头，没有数据行。", { code: "empty_file" });
    opts.onProgress?.({
      importId,
      status: "running",
      rowsDone: counts.rows,
      bytesDone: totalBytes,
      totalBytes,
      phase: "applying",
    });

    const ctx: ApplyContext = {
      importId,
      orgId: prep.org.id,
      orgPath: prep.org.path,
      scopePath: scopePath(prep.actor),
      outsideParty: opts.source === "api",
      platform: prep.platform,
      today,
      userId: prep.actor.id > 0 ? prep.actor.id : null,
      newMemberRelation: prep.org.kind === "branch" || prep.org.kind === "general_branch" ? "local" : "unattached",
      complete: opts.complete !== false,
      afterStep: opts.afterStep,
    };
    const staged = counts.rows - counts.rejected - counts.duplicates;
    let summary: ImportSummary | null = null;
    const finish = (applied: ApplyCounts, status: "succeeded" | "dry_run") => {
      // Rows held by others were staged but not imported: they count, and are listed, as rejected.
      if (applied.heldElsewhere > 0) heldElsewhereIssues(sqlite, st, ctx);
      Object.assign(counts, {
        inserted: applied.inserted,
        updated: applied.updated,
        unchanged: staged - applied.inserted - applied.updated - applied.heldElsewhere,
        rejected: counts.rejected + applied.heldElsewhere,
        membersMatched: applied.membersMatched,
        leadsCreated: applied.leadsCreated,
        departed: applied.departed,
      });
      summary = { importId, kind: opts.kind, encoding, ...counts };
      if (applied.platformLeadsCreated !== null)
        summary.platformAnswer = { membersMatched: applied.membersMatched, leadsCreated: applied.platformLeadsCreated };
      sqlite
        .prepare(
          `INSERT INTO import_issues (import_id, row_number, outcome, "column", value, reason)
           SELECT ?, row_number, outcome, col, value, reason FROM ${st.alias}.issues ORDER BY row_number, rowid`,
        )
        .run(importId);
      finishImportRecord(sqlite, importId, {
        status,
        summary: opts.complete === false ? { ...summary, complete: false } : summary,
        rowsDone: counts.rows,
        bytesDone: totalBytes,
      });
    };
    const apply = (): ApplyCounts => {
      if (prep.fieldSet === "roster") return applyRoster(sqlite, st, ctx);
      if (prep.fieldSet === "reference") return applyReference(sqlite, st, ctx);
      return applyMembers(sqlite, st, ctx);
    };

    if (opts.dryRun) {
      // Apply for real, then roll back: the counts are exactly what the import would do.
      let applied: ApplyCounts | null = null;
      try {
        sqlite
          .transaction(() => {
            applied = apply();
            throw new DryRunRollback();
          })
          .immediate();
      } catch (e) {
        if (!(e instanceof DryRunRollback)) throw e;
      }
      sqlite.transaction(() => finish(applied!, "dry_run")).immediate();
    } else {
      sqlite
        .transaction(() => {
          const applied = apply();
          finish(applied, "succeeded");
          recordAudit(handle.db, prep.actor, {
            action: "import",
            entity: "import",
            entityId: importId,
            details: { kind: opts.kind, platform: prep.platform, reference: prep.reference, file: opts.originalName ?? null, summary },
          });
          if (opts.saveMappingAs) {
            storeMapping(handle, {
              orgId: prep.org.id,
              name: opts.saveMappingAs,
              kind: opts.kind,
              platform: prep.platform,
              mapping: resolved.mapping,
            });
          }
        })
        .immediate();
    }
    opts.onProgress?.({
      importId,
      status: opts.dryRun ? "dry_run" : "succeeded",
      rowsDone: counts.rows,
      bytesDone: totalBytes,
      totalBytes,
      phase: "done",
    });
    return summary!;
  } catch (e) {
    const message = e instanceof AppError ? e.message : "导入失败：写入数据库时出错，数据库未被修改。";
    try {
      // Reading stopped early: the record still gets the whole file's hash.
      if (recordedHash(sqlite, importId) === null) setRecordedHash(sqlite, importId, await sha256File(opts.file));
    } catch {
      // the file is gone or unreadable: the record keeps no hash
    }
    try {
      markImportFailed(sqlite, importId, message);
    } catch {
      // the database itself failed (disk full …): the record stays "running" until its heartbeat goes stale
    }
    throw e;
  } finally {
    sqlite.pragma(`main.cache_size = ${cacheBefore}`);
    sqlite.pragma(`temp_store = ${tempBefore}`);
    rows?.close();
    if (source) {
      await source.rows.return(undefined).catch(() => undefined);
      source.close();
    }
    stage?.close();
    // After the final status is committed (or could not be): a record still "running" now is orphaned.
    prep.ownerLock?.release();
  }
}

/** The same file again today (prep.sameAs): the earlier import's row counts and issue list stand. */
function repeatImport(handle: DbHandle, prep: PreparedImport, same: NonNullable<PreparedImport["sameAs"]>): ImportSummary {
  const { sqlite } = handle;
  const { importId, opts } = prep;
  const prev = same.summary;
  const size = fs.statSync(opts.file).size;
  let summary!: ImportSummary;
  sqlite
    .transaction(() => {
      const applied = applyRosterRepeat(sqlite, {
        importId,
        orgId: prep.org.id,
        orgPath: prep.org.path,
        scopePath: scopePath(prep.actor),
        outsideParty: opts.source === "api",
        platform: prep.platform,
        today: prep.today,
        userId: prep.actor.id > 0 ? prep.actor.id : null,
        newMemberRelation: "unattached",
        complete: true,
        afterStep: opts.afterStep,
      });
      summary = {
        importId,
        kind: opts.kind,
        encoding: prev.encoding,
        rows: prev.rows,
        inserted: 0,
        updated: 0,
        unchanged: prev.rows - prev.rejected - prev.duplicates,
        corrected: prev.corrected,
        duplicates: prev.duplicates,
        rejected: prev.rejected,
        membersMatched: applied.membersMatched,
        leadsCreated: applied.leadsCreated,
        departed: 0,
        ...(applied.platformLeadsCreated === null
          ? {}
          : { platformAnswer: { membersMatched: applied.membersMatched, leadsCreated: applied.platformLeadsCreated } }),
      };
      sqlite
        .prepare(
          `INSERT INTO import_issues (import_id, row_number, outcome, "column", value, reason)
           SELECT ?, row_number, outcome, "column", value, reason FROM import_issues WHERE import_id = ? ORDER BY id`,
        )
        .run(importId, same.importId);
      finishImportRecord(sqlite, importId, {
        status: "succeeded",
        summary: { ...summary, sameAsImportId: same.importId },
        rowsDone: prev.rows,
        bytesDone: size,
      });
      recordAudit(handle.db, prep.actor, {
        action: "import",
        entity: "import",
        entityId: importId,
        details: { kind: opts.kind, platform: prep.platform, file: opts.originalName ?? null, sameAsImportId: same.importId, summary },
      });
    })
    .immediate();
  opts.onProgress?.({ importId, status: "succeeded", rowsDone: prev.rows, bytesDone: size, totalBytes: size, phase: "done" });
  return summary;
}

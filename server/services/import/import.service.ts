// The roster import pipeline: read → map → normalise/validate → stage → apply (one transaction)
// → match. One service for the web and the platform API (in the background, in a worker thread:
// executeImportOffLoop), the CLI (its own process) and tests.

import { createHash } from "node:crypto";
import fs from "node:fs";
import { and, count, desc, eq } from "drizzle-orm";
import type { DbHandle } from "../../../db/client.js";
import { importIssues, imports, organizations, users } from "../../../db/schema.js";
import { AppError } from "../../errors.js";
import { type Actor, orgIdInScope, scopePath } from "../../policy/actor.js";
import { recordAudit } from "../admin/audit.js";
import { type ApplyContext, type ApplyCounts, heldElsewhereIssues } from "./apply.js";
import { applyMembers, applyReference } from "./apply-members.js";
import { applyRoster, applyRosterRepeat } from "./apply-roster.js";
import { FIELDS, resolveMapping } from "./header-aliases.js";
import { type ImportThread, ImportThreadEnded, startImportThread } from "./import-thread.js";
import { missingColumns, readHeader, storeMapping, withMappingAliases } from "./mappings.js";
import { type MemberRecord, normaliseMemberRow, normaliseRosterRow, type RosterRecord } from "./normalise.js";
import { dbFileOf, removeOwnerLock, stagePrefix } from "./owner-lock.js";
import { type ImportOptions, limitsOf, type PreparedImport, prepareImport, sha256File } from "./prepare.js";
import { isBlankRow, openRowSource, type RowSource } from "./read.js";
import { finishImportRecord, markImportFailed, progressWriter, recordedHash, setRecordedHash, touchImportRecord } from "./record.js";
import { Stage } from "./stage.js";
import { EMPTY_COUNTS, type ImportCounts, type ImportProgress, type ImportSummary, type SourceRow } from "./types.js";

export { listMappings } from "./mappings.js";
export { type ImportOptions, inspectImportFile, prepareImport } from "./prepare.js";
export { failOrphanedImports } from "./record.js";
export { importTargets, orgIdByCode } from "./target.js";

const PROGRESS_EVERY_MS = 250;
const BATCH_ROWS = 2000;

class DryRunRollback extends Error {}

/** Reads, stages and applies a prepared import. Always leaves the import record finished (succeeded, dry_run or failed). */
export async function executeImport(handle: DbHandle, prep: PreparedImport): Promise<ImportSummary> {
  const { sqlite } = handle;
  const { importId, opts } = prep;
  const fields = FIELDS[prep.fieldSet];
  let stage: Stage | null = null;
  let source: RowSource | null = null;
  const progress = progressWriter(sqlite, importId);
  const hash = createHash("sha256");
  let hashed = false;
  try {
    if (prep.sameAs) return repeatImport(handle, prep, prep.sameAs);
    hashed = recordedHash(sqlite, importId) === null;
    source = await openRowSource(opts.file, limitsOf(opts), hashed ? (chunk) => hash.update(chunk) : undefined);
    const header = await readHeader(source, withMappingAliases(fields, prep.mapping));
    const resolved = resolveMapping(fields, header.headers, prep.mapping);
    if (resolved.missing.length > 0) throw missingColumns(resolved.missing);
    const cols = resolved.columns;
    // Beside the owner lock: a run killed part way leaves it for the next one to remove.
    stage = new Stage(sqlite, importId, prep.fieldSet, stagePrefix(dbFileOf(sqlite), importId)).open();
    const st = stage;
    const counts: ImportCounts = { ...EMPTY_COUNTS };
    const today = prep.today;
    const isRoster = prep.fieldSet === "roster";

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

    const processRow = (row: SourceRow) => {
      if (isBlankRow(row.cells)) return;
      counts.rows++;
      const n = isRoster ? normaliseRosterRow(row.cells, cols, today) : normaliseMemberRow(row.cells, cols, today);
      if (!n.ok) {
        counts.rejected++;
        st.addIssue({ rowNumber: row.rowNumber, outcome: "rejected", column: n.column, value: n.value, reason: n.reason });
        return;
      }
      let dup: number | null;
      if (isRoster) {
        const r = n.record as RosterRecord;
        dup = st.addRoster(row.rowNumber, r, enterpriseOf(r.franchisee ?? r.station));
      } else {
        dup = st.addMember(row.rowNumber, n.record as MemberRecord);
      }
      if (dup !== null) {
        counts.duplicates++;
        st.addIssue({ rowNumber: row.rowNumber, outcome: "duplicate", column: "身份证号", value: n.record.idNumber, reason: `与第${dup}行的身份证号重复，本行未导入` });
      } else if (n.notes.length > 0) {
        counts.corrected++;
        st.addNotes(row.rowNumber, n.notes);
      }
    };

    let batch: SourceRow[] = header.buffered;
    let lastTick = 0;
    const src = source;
    const tick = (force: boolean) => {
      const now = Date.now();
      if (!force && now - lastTick < PROGRESS_EVERY_MS) return;
      lastTick = now;
      progress(counts.rows, src.bytesDone(), new Date(now).toISOString());
      opts.onProgress?.({ importId, status: "running", rowsDone: counts.rows, bytesDone: src.bytesDone(), totalBytes: src.totalBytes, phase: "reading" });
    };
    const flush = () => {
      const rows = batch;
      batch = [];
      st.batch(() => {
        for (const r of rows) processRow(r);
      });
    };
    for await (const row of source.rows) {
      batch.push(row);
      if (batch.length >= BATCH_ROWS) {
        flush();
        tick(false);
      }
    }
    flush();
    tick(true);
    if (hashed) setRecordedHash(sqlite, importId, hash.digest("hex"));
    st.loaded();
    if (counts.rows === 0) throw new AppError(422, "文件只有表头，没有数据行。", { code: "empty_file" });
    opts.onProgress?.({ importId, status: "running", rowsDone: counts.rows, bytesDone: src.totalBytes, totalBytes: src.totalBytes, phase: "applying" });

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
      summary = { importId, kind: opts.kind, encoding: src.encoding, ...counts };
      if (applied.platformLeadsCreated !== null) summary.platformAnswer = { membersMatched: applied.membersMatched, leadsCreated: applied.platformLeadsCreated };
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
        bytesDone: src.totalBytes,
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
            storeMapping(handle, { orgId: prep.org.id, name: opts.saveMappingAs, kind: opts.kind, platform: prep.platform, mapping: resolved.mapping });
          }
        })
        .immediate();
    }
    opts.onProgress?.({ importId, status: opts.dryRun ? "dry_run" : "succeeded", rowsDone: counts.rows, bytesDone: src.totalBytes, totalBytes: src.totalBytes, phase: "done" });
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
        ...(applied.platformLeadsCreated === null ? {} : { platformAnswer: { membersMatched: applied.membersMatched, leadsCreated: applied.platformLeadsCreated } }),
      };
      sqlite
        .prepare(
          `INSERT INTO import_issues (import_id, row_number, outcome, "column", value, reason)
           SELECT ?, row_number, outcome, "column", value, reason FROM import_issues WHERE import_id = ? ORDER BY id`,
        )
        .run(importId, same.importId);
      finishImportRecord(sqlite, importId, { status: "succeeded", summary: { ...summary, sameAsImportId: same.importId }, rowsDone: prev.rows, bytesDone: size });
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

/** Runs an import to the end and returns its summary (CLI, tests). Throws AppError on refusal or failure. */
export async function runImport(handle: DbHandle, actor: Actor, opts: ImportOptions): Promise<ImportSummary> {
  const prep = await prepareImport(handle, actor, opts);
  return executeImport(handle, prep);
}

/**
 * Starts an import and returns its id at once (web). The file is read in the background, off the
 * event loop (executeImportOffLoop); progress is in the import record. `onDone` runs when it ends,
 * either way.
 */
export async function startImport(
  handle: DbHandle,
  actor: Actor,
  opts: ImportOptions,
  onDone?: (err: unknown, summary: ImportSummary | null) => void,
  run: OffLoopOptions = {},
): Promise<number> {
  const prep = await prepareImport(handle, actor, opts);
  executeImportOffLoop(handle, prep, run).then(
    (s) => onDone?.(null, s),
    (e) => onDone?.(e, null),
  );
  return prep.importId;
}

export type OffLoopOptions = {
  /** A file smaller than this is imported on this thread (config.importThreadMinBytes); default 0. */
  threadMinBytes?: number;
};

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return Number.MAX_SAFE_INTEGER; // gone: let the run report it, wherever it runs
  }
}

const THREAD_DIED = "导入失败：导入线程意外退出，已作废；数据库未被修改。";
const SHUT_DOWN = "服务器关闭，导入已中止；数据库未被修改，请重新导入。";

/** Imports running in worker threads of this process, to stop at shutdown. */
const threads = new Map<number, { stop(): void; done: Promise<unknown> }>();

/**
 * Runs a prepared import like executeImport, but in a worker thread with its own connection
 * (import-thread.ts), so the server goes on answering while it reads and applies (the apply is
 * one synchronous transaction: seconds). Same result, same errors (AppError as inline).
 *
 * This thread keeps the import's owner lock (a lock the process holds, whichever thread) until the
 * worker has exited, then releases it once; if the worker died without finishing the record (a
 * crash, or stopImportThreads at shutdown), the record is marked failed first and its scratch
 * files removed. The hooks onProgress and afterStep stay behind (functions cannot cross).
 */
export async function executeImportOffLoop(handle: DbHandle, prep: PreparedImport, run: OffLoopOptions = {}): Promise<ImportSummary> {
  const dbFile = dbFileOf(handle.sqlite);
  // An in-memory database (most HTTP tests) is private to its connection: another thread cannot
  // open it, so the import runs inline, on this thread, as it always did. So does a small file:
  // its whole import takes less time than starting a thread.
  if (dbFile === "" || fileSize(prep.opts.file) < (run.threadMinBytes ?? 0)) return executeImport(handle, prep);
  const { onProgress: _onProgress, afterStep: _afterStep, ...portable } = prep.opts;
  let thread: ImportThread;
  try {
    thread = startImportThread({ dbFile, prep: { ...prep, opts: portable, ownerLock: null } });
  } catch (e) {
    // Not even started: nothing but the record was written; it ends as if the thread had died.
    const ended = new ImportThreadEnded(false, -1, e);
    endOffLoop(handle, prep, dbFile, ended);
    throw ended;
  }
  const done = (async () => {
    try {
      const summary = await thread.result;
      endOffLoop(handle, prep, dbFile, null);
      return summary;
    } catch (e) {
      if (!(e instanceof ImportThreadEnded)) {
        // Finished by the worker (failed, with the error the inline run would throw).
        endOffLoop(handle, prep, dbFile, null);
        throw e;
      }
      endOffLoop(handle, prep, dbFile, e);
      throw e.stopped ? new AppError(503, SHUT_DOWN, { code: "busy" }) : e;
    }
  })();
  const forget = () => threads.delete(prep.importId);
  threads.set(prep.importId, { stop: thread.stop, done: done.then(forget, forget) });
  return done;
}

/**
 * The end of an import run in a worker, once the worker has exited: a record the worker could not
 * finish (`ended`) is marked failed; then, its final status committed, the owner lock is released
 * (exactly once: here) and a dead worker's scratch files removed.
 */
function endOffLoop(handle: DbHandle, prep: PreparedImport, dbFile: string, ended: ImportThreadEnded | null): void {
  try {
    if (ended) {
      markImportFailed(handle.sqlite, prep.importId, ended.stopped ? SHUT_DOWN : THREAD_DIED);
    } else {
      touchImportRecord(handle.sqlite, prep.importId);
    }
  } catch {
    // the database itself failed: the record stays "running" until failOrphanedImports finds it
  } finally {
    prep.ownerLock?.release();
    if (ended) removeOwnerLock(dbFile, prep.importId);
  }
}

/**
 * Stops the imports running in worker threads (server shutdown): each open transaction rolls back,
 * each record is marked failed, each owner lock released. Resolves when all of that is done.
 */
export async function stopImportThreads(): Promise<number> {
  const running = [...threads.values()];
  for (const t of running) t.stop();
  await Promise.all(running.map((t) => t.done));
  return running.length;
}

// ---------------------------------------------------------------------------------------------
// Reading imports back (history, progress page, error list)
// ---------------------------------------------------------------------------------------------

export type ImportRow = typeof imports.$inferSelect & { orgName: string; username: string | null };

export function listImports(handle: DbHandle, actor: Actor, page = 1, pageSize = 30) {
  const rows = handle.db
    .select({ imp: imports, orgName: organizations.name, username: users.displayName })
    .from(imports)
    .innerJoin(organizations, eq(organizations.id, imports.orgId))
    .leftJoin(users, eq(users.id, imports.userId))
    .where(orgIdInScope(actor, imports.orgId))
    .orderBy(desc(imports.id))
    .limit(pageSize + 1)
    .offset((page - 1) * pageSize)
    .all();
  return {
    rows: rows.slice(0, pageSize).map((r) => ({ ...r.imp, orgName: r.orgName, username: r.username })) as ImportRow[],
    hasMore: rows.length > pageSize,
  };
}

export function getImport(handle: DbHandle, actor: Actor, id: number): ImportRow {
  const r = handle.db
    .select({ imp: imports, orgName: organizations.name, username: users.displayName })
    .from(imports)
    .innerJoin(organizations, eq(organizations.id, imports.orgId))
    .leftJoin(users, eq(users.id, imports.userId))
    .where(and(eq(imports.id, id), orgIdInScope(actor, imports.orgId)))
    .get();
  if (!r) throw AppError.notFound("导入记录");
  return { ...r.imp, orgName: r.orgName, username: r.username };
}

export type ProgressView = ImportProgress & {
  summary: ImportSummary | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Rows per second so far, and seconds left estimated from bytes. */
  rowsPerSecond: number | null;
  secondsLeft: number | null;
};

export function importProgress(handle: DbHandle, actor: Actor, id: number, now = Date.now()): ProgressView {
  const imp = getImport(handle, actor, id);
  const total = imp.sizeBytes ?? 0;
  const running = imp.status === "running" || imp.status === "pending";
  const phase: ImportProgress["phase"] = !running ? "done" : total > 0 && imp.bytesDone >= total ? "applying" : "reading";
  let rowsPerSecond: number | null = null;
  let secondsLeft: number | null = null;
  if (imp.startedAt) {
    const elapsed = ((imp.finishedAt ? Date.parse(imp.finishedAt) : now) - Date.parse(imp.startedAt)) / 1000;
    if (elapsed > 0 && imp.rowsDone > 0) rowsPerSecond = Math.round(imp.rowsDone / elapsed);
    if (running && phase === "reading" && imp.bytesDone > 0 && elapsed > 0) {
      secondsLeft = Math.max(0, Math.round(((total - imp.bytesDone) * elapsed) / imp.bytesDone));
    }
  }
  return {
    importId: imp.id,
    status: imp.status,
    rowsDone: imp.rowsDone,
    bytesDone: imp.bytesDone,
    totalBytes: total,
    phase,
    summary: (imp.summary as ImportSummary | null) ?? null,
    error: imp.error,
    startedAt: imp.startedAt,
    finishedAt: imp.finishedAt,
    rowsPerSecond,
    secondsLeft,
  };
}

export function listImportIssues(handle: DbHandle, actor: Actor, id: number, page = 1, pageSize = 100) {
  getImport(handle, actor, id);
  const rows = handle.db
    .select()
    .from(importIssues)
    .where(eq(importIssues.importId, id))
    .orderBy(importIssues.rowNumber, importIssues.id)
    .limit(pageSize + 1)
    .offset((page - 1) * pageSize)
    .all();
  const total = handle.db.select({ n: count() }).from(importIssues).where(eq(importIssues.importId, id)).get()?.n ?? 0;
  return { rows: rows.slice(0, pageSize), hasMore: rows.length > pageSize, total };
}


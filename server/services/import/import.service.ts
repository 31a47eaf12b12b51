// The roster import pipeline: read → map → normalise/validate → stage → apply (one transaction)
// → match. One service for the web and the platform API (in the background, in a worker thread:
// executeImportOffLoop), the CLI (its own process) and tests. This is the area's entry: what
// routes, scripts and other areas call. Its concerns live beside it: target.ts (where an import
// may go), prepare.ts (checks, then the record created), mappings.ts (columns → fields),
// execute.ts (read, stage, apply), apply*.ts (the SQL of each kind), off-loop.ts (the worker
// thread), record.ts (the import record's bookkeeping: every UPDATE of `imports` is there).

import { and, count, desc, eq } from "drizzle-orm";
import type { DbHandle } from "../../../db/client.js";
import { importIssues, imports, organizations, users } from "../../../db/schema.js";
import { AppError } from "../../errors.js";
import { type Actor, orgIdInScope } from "../../policy/actor.js";
import { executeImport } from "./execute.js";
import { executeImportOffLoop, type OffLoopOptions } from "./off-loop.js";
import { type ImportOptions, prepareImport } from "./prepare.js";
import type { ImportProgress, ImportSummary } from "./types.js";

export { listMappings } from "./mappings.js";
export { executeImportOffLoop, type OffLoopOptions, stopImportThreads } from "./off-loop.js";
export { type ImportOptions, inspectImportFile, prepareImport } from "./prepare.js";
export { failOrphanedImports } from "./record.js";
export { importTargets, orgIdByCode, rootOrgId } from "./target.js";

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

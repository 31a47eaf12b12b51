// The import record (table `imports`): its bookkeeping, in one place. Every `UPDATE imports` is
// here, so what a record can go through is read in one file: opened "running" (taking the
// platform's lock), progress and heartbeat while it reads, its file's hash, then exactly one end —
// finished (succeeded or dry_run) or failed. A record is failed only while it is still running: an
// end already committed is never overwritten (a worker that finished its record and then died,
// a process declared gone by two others at once).

import type Database from "better-sqlite3";
import type { DbHandle } from "../../../db/client.js";
import { IMPORT_KIND } from "../../domain/codes.js";
import { AppError } from "../../errors.js";
import type { Mapping } from "./header-aliases.js";
import { acquireOwnerLock, dbFileOf, type OwnerLock, ownerIsGone, removeOwnerLock } from "./owner-lock.js";
import type { Delimiter, FileEncoding, ImportKind, ImportSummary } from "./types.js";

/**
 * A running import whose heartbeat is older than this died with its process. Used only where the
 * import's owner lock cannot tell (owner-lock.ts): a process known dead is taken over at once.
 */
export const STALE_LOCK_MS = 10 * 60_000;

const INTERRUPTED = "导入进程意外中断，已作废；数据库未被修改。";
const WENT_SILENT = "导入进程意外中断（长时间没有进度），已作废；数据库未被修改。";

/** Marks a running import failed, with the message its page shows. Returns whether it was still running. */
export function markImportFailed(sqlite: Database.Database, importId: number, error: string, at = new Date().toISOString()): boolean {
  return (
    sqlite
      .prepare("UPDATE imports SET status = 'failed', error = ?, finished_at = ? WHERE id = ? AND status = 'running'")
      .run(error, at, importId).changes > 0
  );
}

/**
 * Marks failed every import recorded as running whose process is certainly gone (killed, crashed):
 * the server calls it at start, so a page never shows a dead import as still running.
 */
export function failOrphanedImports(handle: DbHandle): number {
  const file = dbFileOf(handle.sqlite);
  const running = handle.sqlite.prepare("SELECT id FROM imports WHERE status = 'running'").pluck().all() as number[];
  let n = 0;
  for (const id of running) {
    if (ownerIsGone(file, id) !== true) continue;
    const changed = markImportFailed(handle.sqlite, id, INTERRUPTED);
    removeOwnerLock(file, id);
    if (changed) n++;
  }
  return n;
}

export type NewImportRecord = {
  kind: ImportKind;
  platform: string | null;
  orgId: number;
  userId: number | null;
  source: "web" | "cli" | "api";
  reference: boolean;
  dryRun: boolean;
  originalName: string | null;
  storedPath: string;
  sha256: string | null;
  sizeBytes: number;
  encoding: FileEncoding;
  delimiter: Delimiter | null;
  mapping: Mapping;
  startedAt: string;
};

/**
 * Creates the record, status "running", which is the platform's lock: one running import per
 * platform (rosters), one at a time for member lists. A running one whose process is alive (holds
 * its owner lock), or unknown and heard from lately, refuses this one (409); a dead one is failed
 * and taken over. The owner lock of the new record is taken before it commits: nobody ever sees
 * it running without a live owner.
 */
export function openImportRecord(handle: DbHandle, rec: NewImportRecord): { importId: number; ownerLock: OwnerLock | null } {
  const { sqlite } = handle;
  const dbFile = dbFileOf(sqlite);
  let ownerLock: OwnerLock | null = null;
  const create = sqlite.transaction(() => {
    const running = (
      rec.kind === "roster"
        ? sqlite
            .prepare("SELECT id, heartbeat_at AS heartbeatAt FROM imports WHERE status = 'running' AND kind = 'roster' AND platform = ?")
            .all(rec.platform)
        : sqlite.prepare("SELECT id, heartbeat_at AS heartbeatAt FROM imports WHERE status = 'running' AND kind = ?").all(rec.kind)
    ) as { id: number; heartbeatAt: string | null }[];
    for (const r of running) {
      const last = r.heartbeatAt ? Date.parse(r.heartbeatAt) : 0;
      // Its process is alive (holds the owner lock), or unknown and heard from lately: refuse.
      const gone = ownerIsGone(dbFile, r.id);
      if (gone === false || (gone === null && Date.now() - last < STALE_LOCK_MS)) {
        throw AppError.conflict(
          rec.kind === "roster"
            ? `平台“${rec.platform}”的另一次导入（#${r.id}）正在进行，请等它完成后再导入。`
            : `另一次${IMPORT_KIND.label[rec.kind]}导入（#${r.id}）正在进行，请等它完成后再导入。`,
        );
      }
      markImportFailed(sqlite, r.id, gone ? INTERRUPTED : WENT_SILENT, rec.startedAt);
      removeOwnerLock(dbFile, r.id);
    }
    const info = sqlite
      .prepare(
        `INSERT INTO imports (kind, platform, org_id, user_id, source, reference, dry_run, original_name, stored_path, sha256, size_bytes,
                              encoding, delimiter, mapping, status, started_at, heartbeat_at)
         VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'running', ?, ?)`,
      )
      .run(
        rec.kind,
        rec.platform,
        rec.orgId,
        rec.userId,
        rec.source,
        rec.reference ? 1 : 0,
        rec.dryRun ? 1 : 0,
        rec.originalName,
        rec.storedPath,
        rec.sha256,
        rec.sizeBytes,
        rec.encoding,
        rec.delimiter,
        JSON.stringify(rec.mapping),
        rec.startedAt,
        rec.startedAt,
      );
    const id = Number(info.lastInsertRowid);
    ownerLock = acquireOwnerLock(dbFile, id);
    return id;
  });
  try {
    const importId = create.immediate();
    return { importId, ownerLock };
  } catch (e) {
    (ownerLock as OwnerLock | null)?.release();
    throw e;
  }
}

export type LastRosterImport = {
  id: number;
  orgId: number;
  size: number;
  sha256: string | null;
  mapping: string | null;
  summary: string | null;
  finishedAt: string | null;
};

/** The platform's last succeeded roster import (for the same-file shortcut: prepare.ts). */
export function lastRosterImport(sqlite: Database.Database, platform: string | null): LastRosterImport | undefined {
  return sqlite
    .prepare(
      `SELECT id, org_id AS orgId, size_bytes AS size, sha256, mapping, summary, finished_at AS finishedAt FROM imports
       WHERE kind = 'roster' AND platform = ? AND status = 'succeeded' ORDER BY id DESC LIMIT 1`,
    )
    .get(platform) as LastRosterImport | undefined;
}

/** Writes rows and bytes read so far, and the heartbeat (one prepared statement for the whole run). */
export function progressWriter(sqlite: Database.Database, importId: number): (rowsDone: number, bytesDone: number, at: string) => void {
  const progress = sqlite.prepare("UPDATE imports SET rows_done = ?, bytes_done = ?, heartbeat_at = ? WHERE id = ?");
  return (rowsDone, bytesDone, at) => {
    progress.run(rowsDone, bytesDone, at, importId);
  };
}

/** The hash of the record's file, null while not yet known (a CSV is hashed as it is read). */
export function recordedHash(sqlite: Database.Database, importId: number): string | null {
  return sqlite.prepare("SELECT sha256 FROM imports WHERE id = ?").pluck().get(importId) as string | null;
}

export function setRecordedHash(sqlite: Database.Database, importId: number, sha256: string): void {
  sqlite.prepare("UPDATE imports SET sha256 = ? WHERE id = ?").run(sha256, importId);
}

/** The record's end when the import went through: run inside the transaction that applied it. */
export function finishImportRecord(
  sqlite: Database.Database,
  importId: number,
  end: {
    /** "failed" with a summary: an onboarding file read through whose rejected rows kept it out (onboard.ts). */
    status: "succeeded" | "dry_run" | "failed";
    summary: ImportSummary & { complete?: false; sameAsImportId?: number };
    rowsDone: number;
    bytesDone: number;
    error?: string | null;
  },
): void {
  const now = new Date().toISOString();
  sqlite
    .prepare(
      "UPDATE imports SET status = ?, summary = ?, error = ?, rows_done = ?, bytes_done = ?, finished_at = ?, heartbeat_at = ? WHERE id = ?",
    )
    .run(end.status, JSON.stringify(end.summary), end.error ?? null, end.rowsDone, end.bytesDone, now, now, importId);
}

/**
 * Writes the finished record once on this connection (a no-op update), so that this connection's
 * read caches (read-cache.ts) see the import's changes at once, as when it ran on this connection,
 * rather than up to 30 s later as another connection's commit. Never waits for the write lock.
 */
export function touchImportRecord(sqlite: Database.Database, importId: number): void {
  const timeout = sqlite.pragma("busy_timeout", { simple: true }) as number;
  try {
    sqlite.pragma("busy_timeout = 0");
    sqlite.prepare("UPDATE imports SET finished_at = finished_at WHERE id = ?").run(importId);
  } catch {
    // busy (another process writing): the caches catch up on their own
  } finally {
    sqlite.pragma(`busy_timeout = ${timeout}`);
  }
}

/**
 * Benchmark only (scripts/bench/import.bench.ts): moves finished imports back `days` days, so the
 * same file is imported as on a later day (read and checked again, not recognised as a repeat).
 */
export function backdateFinishedImports(sqlite: Database.Database, days: number): void {
  sqlite
    .prepare("UPDATE imports SET finished_at = strftime('%Y-%m-%dT%H:%M:%fZ', finished_at, ?) WHERE finished_at IS NOT NULL")
    .run(`-${days} day`);
}

// Is the process that runs an import still alive? A running import holds an exclusive lock on a
// small file of its own beside the database (`<db>-imports/<id>.lock`), taken with SQLite's own
// POSIX advisory locks, which the kernel releases when the process ends, however it ends (SIGKILL,
// OOM, power cut). Whoever later finds the import "running" tries that lock: if they get it, the
// import's process is gone and the import can be declared failed at once, rather than after its
// heartbeat has gone stale (minutes).
//
// Without a lock file (an in-memory database, or a record written by an older version) nothing is
// known and the heartbeat decides, as before.

import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

function lockFile(dbPath: string, importId: number): string | null {
  if (dbPath === ":memory:" || dbPath === "") return null;
  return path.join(`${path.resolve(dbPath)}-imports`, `${importId}.lock`);
}

/** The database's file (absolute), or "" for an in-memory one: where owner locks live beside. */
export function dbFileOf(sqlite: Database.Database): string {
  const main = (sqlite.pragma("database_list") as { name: string; file: string }[]).find((d) => d.name === "main");
  return main?.file ?? "";
}

export type OwnerLock = { release(): void };

/**
 * Takes the lock of a new import. Call it inside the transaction that inserts the import record,
 * so that nobody can see the record "running" before its lock is held. Returns null for an
 * in-memory database.
 */
export function acquireOwnerLock(dbPath: string, importId: number): OwnerLock | null {
  const file = lockFile(dbPath, importId);
  if (!file) return null;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  const conn = new Database(file, { timeout: 0 });
  try {
    // Nothing is ever written: no journal file, so a killed owner leaves only the lock file.
    conn.pragma("journal_mode = MEMORY");
    conn.exec("BEGIN EXCLUSIVE");
  } catch (e) {
    conn.close();
    throw e;
  }
  let held = true;
  return {
    release() {
      if (!held) return;
      held = false;
      // Unlink while holding the lock: a checker that opened the file before sees it free only
      // after the import's final status is committed, and then no longer reads it as running.
      fs.rmSync(file, { force: true });
      try {
        conn.exec("ROLLBACK");
      } finally {
        conn.close();
      }
    },
  };
}

/**
 * For a record that says "running": true when its process is certainly gone (its lock file exists
 * and nobody holds it), false when a live process holds it, null when there is no lock file.
 */
export function ownerIsGone(dbPath: string, importId: number): boolean | null {
  const file = lockFile(dbPath, importId);
  if (!file || !fs.existsSync(file)) return null;
  let conn: Database.Database;
  try {
    conn = new Database(file, { timeout: 0, fileMustExist: true });
  } catch {
    return null; // removed meanwhile: its import has just finished
  }
  try {
    conn.exec("BEGIN EXCLUSIVE");
    conn.exec("ROLLBACK");
    return true;
  } catch {
    return false;
  } finally {
    conn.close();
  }
}

/**
 * Where an import's scratch (staging) directory goes: beside its lock, so that whoever finds the
 * import dead removes what its process could not (a million staged rows are ~200 MB). Null for an
 * in-memory database (the OS temp directory is used).
 */
export function stagePrefix(dbPath: string, importId: number): string | null {
  const file = lockFile(dbPath, importId);
  if (!file) return null;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  return path.join(path.dirname(file), `${importId}.stage-`);
}

/** Removes the lock file and scratch directories of an import found dead (after its record was marked failed). */
export function removeOwnerLock(dbPath: string, importId: number): void {
  const file = lockFile(dbPath, importId);
  if (!file) return;
  fs.rmSync(file, { force: true });
  fs.rmSync(`${file}-journal`, { force: true }); // left by versions that journalled the lock
  const dir = path.dirname(file);
  let names: string[] = [];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return;
  }
  for (const n of names) if (n.startsWith(`${importId}.stage-`)) fs.rmSync(path.join(dir, n), { recursive: true, force: true });
}

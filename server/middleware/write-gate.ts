// Requests that may write wait for the database's write lock without blocking the server.
//
// An import applying a roster holds the write lock in one transaction (a million rows: ~15 s here).
// better-sqlite3 waits for a lock synchronously (busy_timeout), so a request that wrote during that
// time froze every other request of the process, and failed with "database busy" (503) once the
// wait passed busy_timeout. Before a state-changing request reaches its handler, this gate checks
// whether the lock is free (BEGIN IMMEDIATE with no wait, then ROLLBACK) and, while it is not,
// checks again on a timer: reads go on being served meanwhile. Past `maxWaitMs` the request goes
// on and meets the connection's own busy_timeout, as before.

import type Database from "better-sqlite3";
import type { NextFunction, Request, Response } from "express";

const READS = new Set(["GET", "HEAD", "OPTIONS"]);

/** True when the write lock can be taken right now (nothing is written). */
export function writeLockFree(sqlite: Database.Database): boolean {
  if (sqlite.inTransaction) return true;
  const timeout = sqlite.pragma("busy_timeout", { simple: true }) as number;
  sqlite.pragma("busy_timeout = 0");
  try {
    sqlite.exec("BEGIN IMMEDIATE");
    sqlite.exec("ROLLBACK");
    return true;
  } catch (err) {
    if ((err as { code?: string }).code === "SQLITE_BUSY") return false;
    throw err;
  } finally {
    sqlite.pragma(`busy_timeout = ${timeout}`);
  }
}

export function writeGate(sqlite: Database.Database, opts: { maxWaitMs?: number; everyMs?: number } = {}) {
  const maxWaitMs = opts.maxWaitMs ?? 120_000;
  const everyMs = opts.everyMs ?? 50;
  return (req: Request, _res: Response, next: NextFunction) => {
    if (READS.has(req.method) || writeLockFree(sqlite)) {
      next();
      return;
    }
    const until = Date.now() + maxWaitMs;
    const again = () => {
      if (req.destroyed) return; // the client gave up
      try {
        if (writeLockFree(sqlite) || Date.now() >= until) next();
        else setTimeout(again, everyMs);
      } catch (err) {
        next(err);
      }
    };
    setTimeout(again, everyMs);
  };
}

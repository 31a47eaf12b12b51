// The server's own backup schedule (BACKUP_DIR, BACKUP_EVERY_HOURS, BACKUP_KEEP): a backup nobody
// schedules is not taken. Every period the running server copies its database into BACKUP_DIR as
// `<database name>-<UTC time>.db` (backup.service.ts: one consistent snapshot, integrity-checked
// before it gets that name), in a worker thread with its own connection, so pages go on being served
// meanwhile. After each good copy only the newest BACKUP_KEEP copies of this naming are kept (a
// failed run deletes nothing). Each copy is logged; a failure is logged at error level and shown to
// administrators on every page until a later copy succeeds.
//
// The last good copy is read from the directory at start, so a restart neither forgets it nor takes
// a copy it does not need; the first run comes a minute after start at the earliest.

import fs from "node:fs";
import path from "node:path";
import type { Logger } from "pino";
import type { BackupResult } from "./backup.service.js";
import { startWorker } from "../worker-thread.js";

/** What crosses to the worker thread, and what comes back. */
export type BackupJob = { source: string; out: string };
export type BackupThreadResult = { ok: true; result: BackupResult } | { ok: false; message: string };

export type BackupStatus = {
  dir: string;
  everyMs: number;
  keep: number;
  /** The newest copy in the directory (found there at start, or taken since). */
  lastOk: { at: string; file: string; bytes: number; seconds: number | null } | null;
  lastFailure: { at: string; message: string } | null;
  runningSince: string | null;
  nextAt: string | null;
};

/** What administrators are shown on every page. */
export type BackupAlert = { kind: "failed"; at: string; message: string } | { kind: "overdue"; lastAt: string } | null;

/**
 * A failure since the last good copy; or, while no copy is being taken, a last good copy older than
 * two periods (the server was down, or the timer never fired). Nothing before the first copy.
 */
export function backupAlert(s: BackupStatus, now: number): BackupAlert {
  if (s.lastFailure && (!s.lastOk || s.lastFailure.at > s.lastOk.at))
    return { kind: "failed", at: s.lastFailure.at, message: s.lastFailure.message };
  if (s.lastOk && !s.runningSince && now - Date.parse(s.lastOk.at) > 2 * s.everyMs) return { kind: "overdue", lastAt: s.lastOk.at };
  return null;
}

/** The first run waits this long after start (or a period, if shorter): not in the middle of the start's own work. */
const START_DELAY_MS = 60_000;
/** After a failure, the next attempt comes after this long (or a period, if shorter). */
const RETRY_MS = 3_600_000;

const STAMP = /^(\d{4}-\d{2}-\d{2})T(\d{2})-(\d{2})-(\d{2})-(\d{3})Z\.db$/;

/** `app.db` at 2026-11-22T02:15:00.123Z → `app-2026-11-22T02-15-00-123Z.db`: sorts by time, valid on every file system. */
export function backupFileName(databasePath: string, at: Date): string {
  return `${baseName(databasePath)}-${at.toISOString().replace(/[:.]/g, "-")}.db`;
}

function baseName(databasePath: string): string {
  return path.basename(databasePath).replace(/\.[^.]*$/, "");
}

/** This database's copies in `dir`, newest first (other files are never touched). */
export function listBackups(dir: string, databasePath: string): { file: string; at: string }[] {
  const prefix = `${baseName(databasePath)}-`;
  let names: string[];
  try {
    names = fs.readdirSync(dir);
  } catch {
    return [];
  }
  const out: { file: string; at: string }[] = [];
  for (const name of names) {
    if (!name.startsWith(prefix)) continue;
    const m = STAMP.exec(name.slice(prefix.length));
    if (m) out.push({ file: path.join(dir, name), at: `${m[1]}T${m[2]}:${m[3]}:${m[4]}.${m[5]}Z` });
  }
  return out.sort((a, b) => (a.at < b.at ? 1 : a.at > b.at ? -1 : 0));
}

type Thread = { result: Promise<BackupResult>; stop(): Promise<void> };

function startBackupThread(job: BackupJob): Thread {
  const worker = startWorker(import.meta.url, "backup.worker", job);
  let message: BackupThreadResult | null = null;
  let failure: unknown = null;
  const exited = new Promise<number>((resolve) => worker.once("exit", resolve));
  worker.on("message", (m: BackupThreadResult) => {
    message = m;
  });
  worker.on("error", (e) => {
    failure = e; // uncaught in the thread (e.g. a module failing to load); "exit" follows
  });
  const result = exited.then((code) => {
    const m = message as BackupThreadResult | null;
    if (m?.ok) return m.result;
    if (m) throw new Error(m.message);
    throw new Error(`backup thread exited (code ${code}) without a result`, { cause: failure });
  });
  return {
    result,
    async stop() {
      await worker.terminate();
    },
  };
}

export type BackupScheduleOptions = { databasePath: string; dir: string; everyMs: number; keep: number; logger: Logger };

export class BackupSchedule {
  private lastOk: BackupStatus["lastOk"] = null;
  private lastFailure: BackupStatus["lastFailure"] = null;
  private running: { since: number; out: string; thread: Thread | null; done: Promise<void> } | null = null;
  private timer: NodeJS.Timeout | null = null;
  private nextAt: number | null = null;
  private stopped = false;

  constructor(private readonly opts: BackupScheduleOptions) {}

  /** Finds the last good copy and sets the timer for the next. */
  start(): void {
    const { dir, databasePath, everyMs, keep, logger } = this.opts;
    const newest = listBackups(dir, databasePath)[0];
    if (newest) {
      let bytes = 0;
      try {
        bytes = fs.statSync(newest.file).size;
      } catch {
        // listed a moment ago; the status shows 0 bytes until the next copy
      }
      this.lastOk = { at: newest.at, file: newest.file, bytes, seconds: null };
    }
    const earliest = Math.min(everyMs, START_DELAY_MS);
    const due = newest ? Date.parse(newest.at) + everyMs - Date.now() : 0;
    this.schedule(Math.max(due, earliest));
    logger.info(
      {
        dir: path.resolve(dir),
        everyHours: everyMs / 3_600_000,
        keep,
        lastBackup: newest?.file ?? null,
        next: new Date(this.nextAt!).toISOString(),
      },
      "backup schedule on",
    );
  }

  status(): BackupStatus {
    return {
      dir: path.resolve(this.opts.dir),
      everyMs: this.opts.everyMs,
      keep: this.opts.keep,
      lastOk: this.lastOk,
      lastFailure: this.lastFailure,
      runningSince: this.running ? new Date(this.running.since).toISOString() : null,
      nextAt: this.nextAt === null ? null : new Date(this.nextAt).toISOString(),
    };
  }

  /** Stops the timer and a running copy (its thread ended, its partial file removed). */
  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.nextAt = null;
    const running = this.running;
    if (running) {
      await running.thread?.stop();
      await running.done;
    }
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.nextAt = Date.now() + delayMs;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.nextAt = null;
      void this.run();
    }, delayMs);
    this.timer.unref();
  }

  private run(): Promise<void> {
    const since = Date.now();
    const out = path.join(this.opts.dir, backupFileName(this.opts.databasePath, new Date(since)));
    const running: NonNullable<BackupSchedule["running"]> = { since, out, thread: null, done: Promise.resolve() };
    this.running = running;
    running.done = this.copy(running).finally(() => {
      this.running = null;
    });
    return running.done;
  }

  private async copy(running: NonNullable<BackupSchedule["running"]>): Promise<void> {
    const { dir, databasePath, everyMs, keep, logger } = this.opts;
    try {
      await fs.promises.mkdir(dir, { recursive: true });
      await removeLeftovers(dir, databasePath);
      if (this.stopped) return;
      running.thread = startBackupThread({ source: databasePath, out: running.out });
      const r = await running.thread.result;
      const seconds = (Date.now() - running.since) / 1000;
      this.lastOk = { at: new Date(running.since).toISOString(), file: r.file, bytes: r.bytes, seconds };
      logger.info(
        { file: r.file, bytes: r.bytes, seconds, copySeconds: r.copyMs / 1000, checkSeconds: r.checkMs / 1000, integrity: r.integrity },
        "backup taken",
      );
    } catch (e) {
      if (this.stopped) {
        await removeLeftovers(dir, databasePath).catch(() => undefined);
        logger.warn({ file: running.out }, "backup stopped with the server; the next start takes it again");
        return;
      }
      this.failed(e, running.out, "BACKUP FAILED");
      this.schedule(Math.min(everyMs, RETRY_MS));
      return;
    }
    try {
      const removed = await prune(dir, databasePath, keep);
      if (removed.length) logger.info({ removed, keep }, "old backups deleted");
    } catch (e) {
      // The copy stands, but the directory will fill up: as loud as a failed copy.
      this.failed(e, dir, "OLD BACKUPS NOT DELETED");
    }
    this.schedule(Math.max(0, running.since + everyMs - Date.now()));
  }

  private failed(e: unknown, file: string, what: string): void {
    const message = e instanceof Error ? e.message : String(e);
    this.lastFailure = { at: new Date().toISOString(), message };
    this.opts.logger.error({ err: e, dir: path.resolve(this.opts.dir), file }, `${what}: ${message}`);
  }
}

/** Partial copies left by a run that died with its server (never the copy running now: runs do not overlap). */
async function removeLeftovers(dir: string, databasePath: string): Promise<void> {
  const prefix = `${baseName(databasePath)}-`;
  for (const name of await fs.promises.readdir(dir)) {
    // Only this schedule's names: a cron job's backup into the same directory may be under way.
    const m = /^(.*)\.partial(-journal|-wal|-shm)?$/.exec(name);
    if (m && m[1]!.startsWith(prefix) && STAMP.test(m[1]!.slice(prefix.length)))
      await fs.promises.rm(path.join(dir, name), { force: true });
  }
}

/** Deletes all but the newest `keep` copies; returns the deleted files. */
async function prune(dir: string, databasePath: string, keep: number): Promise<string[]> {
  const old = listBackups(dir, databasePath).slice(keep);
  for (const b of old) await fs.promises.rm(b.file, { force: true });
  return old.map((b) => b.file);
}

import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

// Consistent online backups with SQLite's backup API while the server keeps reading and writing.
//
// The copy reads the source inside one read transaction held open from the first page to the last:
// every step copies pages of the same snapshot (WAL mode: the server's commits meanwhile go on into
// the WAL, past that snapshot), so the copy is the database as it was at one moment, and it takes
// one pass over the file however fast others write. Without that transaction each backup step
// opens and closes its own, and SQLite starts the copy again from page 1 whenever another
// connection commits between two steps: with 256-page steps and the server writing, a backup
// could restart for ever (issue 19: 28,763 restarts and no copy after 20 s). sqlite3_backup_step()
// uses the source's open read transaction when there is one and only ends one it opened itself
// (backup.c), and a connection that keeps its snapshot never sees another's commit, which is what
// restarts a backup.
//
// Measured against one backup step for the whole file (the same pass, but no progress until it
// ends) and VACUUM INTO (also one transaction, but it rebuilds every table and index: about twice
// as long, and no progress at all): docs/PERFORMANCE.md, "Backups".

export type BackupProgress = { phase: "copy"; donePages: number; totalPages: number; pageSize: number } | { phase: "check" };

export type BackupResult = {
  file: string;
  bytes: number;
  pages: number;
  integrity: string;
  /** Copying the pages, and checking the copy's integrity. */
  copyMs: number;
  checkMs: number;
};

/** Pages per backup step: 4 MB at SQLite's default page size, so a large file reports progress often and the steps' overhead stays negligible. */
const STEP_PAGES = 1024;

/**
 * Copies the database at `sourcePath` into `outFile` as one consistent snapshot, checks the copy's
 * integrity and only then gives it its final name (until then it is `<outFile>.partial`). Refuses to
 * overwrite `outFile`.
 */
export async function backupDatabase(
  sourcePath: string,
  outFile: string,
  opts: { onProgress?: (p: BackupProgress) => void } = {},
): Promise<BackupResult> {
  if (!fs.existsSync(sourcePath)) throw new Error(`database not found: ${sourcePath}`);
  const out = path.resolve(outFile);
  if (fs.existsSync(out)) throw new Error(`refusing to overwrite existing file: ${out}`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const tmp = `${out}.partial`;
  // Claimed exclusively: a second backup to the same name fails here instead of writing over the first.
  try {
    fs.closeSync(fs.openSync(tmp, "wx"));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === "EEXIST")
      throw new Error(`${tmp} exists: another backup to ${out} is running, or one was interrupted (then delete it)`);
    throw e;
  }
  const src = new Database(sourcePath, { fileMustExist: true });
  try {
    src.pragma("busy_timeout = 10000");
    const pageSize = src.pragma("page_size", { simple: true }) as number;
    const t0 = performance.now();
    // The snapshot: a deferred BEGIN takes it at its first read, and every step below reads it.
    src.exec("BEGIN");
    let pages = 0;
    try {
      src.prepare("SELECT count(*) FROM sqlite_schema").get();
      const r = await src.backup(tmp, {
        progress: ({ totalPages, remainingPages }) => {
          opts.onProgress?.({ phase: "copy", donePages: totalPages - remainingPages, totalPages, pageSize });
          return STEP_PAGES;
        },
      });
      pages = r.totalPages;
    } finally {
      src.exec("COMMIT");
    }
    // The copy's header says WAL, like its source's. A rollback-journal file instead: opened read-only
    // (the check below) a WAL file leaves -wal and -shm files beside it, and a copy is one file.
    const dest = new Database(tmp, { fileMustExist: true });
    try {
      dest.pragma("journal_mode = DELETE");
    } finally {
      dest.close();
    }
    const copyMs = performance.now() - t0;
    opts.onProgress?.({ phase: "copy", donePages: pages, totalPages: pages, pageSize });
    opts.onProgress?.({ phase: "check" });
    const t1 = performance.now();
    const integrity = verifyDatabase(tmp);
    const checkMs = performance.now() - t1;
    if (integrity !== "ok") throw new Error(`backup failed its integrity check: ${integrity}`);
    fs.renameSync(tmp, out);
    syncDir(path.dirname(out));
    return { file: out, bytes: fs.statSync(out).size, pages, integrity, copyMs, checkMs };
  } catch (err) {
    for (const f of ["", "-journal", "-wal", "-shm"]) fs.rmSync(tmp + f, { force: true });
    throw err;
  } finally {
    src.close();
  }
}

/** The rename is on disk once the directory is: a power cut just after the backup keeps it. */
function syncDir(dir: string): void {
  let fd: number | null = null;
  try {
    fd = fs.openSync(dir, "r");
    fs.fsyncSync(fd);
  } catch {
    // not every file system lets a directory be opened and synced; the copy itself is synced
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

export function verifyDatabase(file: string): string {
  const db = new Database(file, { readonly: true, fileMustExist: true });
  try {
    const rows = db.pragma("integrity_check") as { integrity_check: string }[];
    return rows.map((r) => r.integrity_check).join("; ");
  } finally {
    db.close();
  }
}

/**
 * Restores a backup over `targetPath` (the server must be stopped). The current database is kept
 * beside it as `<name>.before-restore-<time>` so a mistaken restore can be undone.
 */
export function restoreDatabase(backupFile: string, targetPath: string): { kept: string | null } {
  const integrity = verifyDatabase(backupFile);
  if (integrity !== "ok") throw new Error(`backup file is damaged: ${integrity}`);
  const target = path.resolve(targetPath);
  let kept: string | null = null;
  if (fs.existsSync(target)) {
    // An open connection (a running server) would hold a lock on the WAL: refuse rather than corrupt.
    const probe = new Database(target);
    try {
      probe.pragma("busy_timeout = 0");
      probe.exec("BEGIN EXCLUSIVE; COMMIT;");
      probe.pragma("wal_checkpoint(TRUNCATE)");
    } catch {
      probe.close();
      throw new Error("the database is in use: stop the server before restoring");
    }
    probe.close();
    kept = `${target}.before-restore-${new Date().toISOString().replace(/[:.]/g, "-")}`;
    fs.renameSync(target, kept);
    for (const suffix of ["-wal", "-shm"]) fs.rmSync(target + suffix, { force: true });
  }
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.copyFileSync(backupFile, target);
  return { kept };
}

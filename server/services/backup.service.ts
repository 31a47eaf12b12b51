import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";

// Consistent online backups with SQLite's backup API: the server keeps reading and writing while
// pages are copied; the copy is a snapshot of one moment.

export type BackupResult = { file: string; bytes: number; pages: number; integrity: string };

export async function backupDatabase(sourcePath: string, outFile: string, onProgress?: (done: number, total: number) => void): Promise<BackupResult> {
  if (!fs.existsSync(sourcePath)) throw new Error(`database not found: ${sourcePath}`);
  const out = path.resolve(outFile);
  if (fs.existsSync(out)) throw new Error(`refusing to overwrite existing file: ${out}`);
  fs.mkdirSync(path.dirname(out), { recursive: true });
  const src = new Database(sourcePath, { fileMustExist: true });
  src.pragma("busy_timeout = 10000");
  const tmp = `${out}.partial`;
  try {
    let pages = 0;
    await src.backup(tmp, {
      progress: ({ totalPages, remainingPages }) => {
        pages = totalPages;
        onProgress?.(totalPages - remainingPages, totalPages);
        return 256; // pages per step: small steps let writers in between
      },
    });
    const integrity = verifyDatabase(tmp);
    if (integrity !== "ok") throw new Error(`backup failed its integrity check: ${integrity}`);
    fs.renameSync(tmp, out);
    return { file: out, bytes: fs.statSync(out).size, pages, integrity };
  } catch (err) {
    fs.rmSync(tmp, { force: true });
    throw err;
  } finally {
    src.close();
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

// Off the event loop: a prepared import run in a worker thread (import-thread.ts) while the server
// goes on answering, and stopped at shutdown. The thread writes its own record; this side ends the
// record of a thread that could not, and releases the owner lock once the thread has exited.

import fs from "node:fs";
import type { DbHandle } from "../../../db/client.js";
import { AppError } from "../../errors.js";
import { executeImport } from "./execute.js";
import { type ImportThread, ImportThreadEnded, startImportThread } from "./import-thread.js";
import { dbFileOf, removeOwnerLock } from "./owner-lock.js";
import type { PreparedImport } from "./prepare.js";
import { markImportFailed, touchImportRecord } from "./record.js";
import type { ImportSummary } from "./types.js";

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

// Runs a prepared import in a worker thread, so that the server's event loop stays free.
//
// The apply is one synchronous SQLite transaction (a million rows: ~15 s): on the server's own
// thread nothing else was answered meanwhile. The worker (import.worker.ts) opens its own
// connection to the same database file with the same pragmas (openDb, no migrations), runs
// executeImport and posts back one message: the summary, or the error as plain data, turned back
// here into the AppError the inline path would have thrown. Progress needs no channel: the worker
// writes it into the import record, which the page polls.
//
// This module only runs the thread; off-loop.ts decides when to use it, holds the import's
// owner lock meanwhile and finishes the record if the thread dies (executeImportOffLoop).

import { AppError, type FieldErrors } from "../../errors.js";
import { startWorker } from "../worker-thread.js";
import type { PreparedImport } from "./prepare.js";
import type { ImportSummary } from "./types.js";

/** What crosses to the worker: structured-cloneable data only (no owner lock, no hook functions). */
export type ImportJob = { dbFile: string; prep: PreparedImport };

/** An error as it crosses back from the worker. */
export type WorkerError = {
  status: number | null;
  message: string;
  code: string | null;
  fieldErrors: FieldErrors | null;
  stack: string | null;
};

export type WorkerResult = { ok: true; summary: ImportSummary } | { ok: false; error: WorkerError };

export function toWorkerError(e: unknown): WorkerError {
  if (e instanceof AppError) return { status: e.status, message: e.message, code: e.code, fieldErrors: e.fieldErrors ?? null, stack: null };
  const err = e as { message?: unknown; code?: unknown; stack?: unknown } | null;
  return {
    status: null,
    message: typeof err?.message === "string" ? err.message : String(e),
    // SQLite's codes (SQLITE_BUSY, SQLITE_FULL …) decide how the error handler answers.
    code: typeof err?.code === "string" ? err.code : null,
    fieldErrors: null,
    stack: typeof err?.stack === "string" ? err.stack : null,
  };
}

/** The error the inline path would have thrown: the same AppError, or an Error with the same message and code. */
export function fromWorkerError(w: WorkerError): Error {
  if (w.status !== null) return new AppError(w.status, w.message, { code: w.code ?? undefined, fieldErrors: w.fieldErrors ?? undefined });
  const e = new Error(w.message) as Error & { code?: string };
  if (w.code) e.code = w.code;
  if (w.stack) e.stack = w.stack;
  return e;
}

/** The thread ended without a result: it crashed (`stopped` false) or was stopped (server shutdown). */
export class ImportThreadEnded extends Error {
  constructor(
    readonly stopped: boolean,
    readonly exitCode: number,
    readonly reason: unknown,
  ) {
    super(stopped ? "import thread stopped" : `import thread exited (code ${exitCode}) without a result`, { cause: reason });
    this.name = "ImportThreadEnded";
  }
}

export type ImportThread = {
  /** Settles once the thread has exited (its connection is closed by then). */
  result: Promise<ImportSummary>;
  /** Ends the thread now (its open transaction rolls back); `result` rejects with ImportThreadEnded (stopped). */
  stop(): void;
};

/** After its result, a thread that does not exit by itself within this long is ended. */
const EXIT_GRACE_MS = 30_000;

/** Starts `job` in a worker thread. */
export function startImportThread(job: ImportJob): ImportThread {
  const worker = startWorker(import.meta.url, "import.worker", job);
  let result: WorkerResult | null = null;
  let failure: unknown = null;
  let stopped = false;
  const settled = new Promise<ImportSummary>((resolve, reject) => {
    worker.on("message", (msg: WorkerResult) => {
      result = msg;
      // Its connection is closed before it posts; nothing should keep it alive, but never wait forever.
      setTimeout(() => void worker.terminate(), EXIT_GRACE_MS).unref();
    });
    worker.on("error", (e) => {
      failure = e; // uncaught in the thread (e.g. a module failing to load); "exit" follows
    });
    worker.on("exit", (code) => {
      if (result?.ok) resolve(result.summary);
      else if (result) reject(fromWorkerError(result.error));
      else reject(new ImportThreadEnded(stopped, code, failure));
    });
  });
  return {
    result: settled,
    stop() {
      stopped = true;
      void worker.terminate();
    },
  };
}

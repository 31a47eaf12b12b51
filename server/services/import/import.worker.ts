// The worker thread of an import run off the server's event loop (import-thread.ts): its own
// connection to the database file, with the pragmas of every connection (openDb; migrations are
// the server's business, already done), runs the prepared import and posts back one result.
// The import's owner lock is held by the server's thread, in this same process, until this
// thread has exited.

import { parentPort, workerData } from "node:worker_threads";
import { openDb } from "../../../db/client.js";
import { type ImportJob, toWorkerError, type WorkerResult } from "./import-thread.js";
import { executeImport } from "./execute.js";

const job = workerData as ImportJob;
const handle = openDb(job.dbFile);
let result: WorkerResult;
try {
  result = { ok: true, summary: await executeImport(handle, job.prep) };
} catch (e) {
  result = { ok: false, error: toWorkerError(e) };
}
try {
  // The import's pages go from the WAL into the database here, not on the server's thread at its
  // next commit (SQLite checkpoints on the connection that commits past 1,000 WAL pages).
  handle.sqlite.pragma("wal_checkpoint(PASSIVE)");
} catch {
  // advisory: a later commit checkpoints instead
}
try {
  handle.close();
} catch {
  // the result stands; the connection goes with the thread
}
parentPort!.postMessage(result);

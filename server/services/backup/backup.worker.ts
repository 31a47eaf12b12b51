// The worker thread of a scheduled backup (backup/schedule.ts): its own connection to the
// database, so the copy and the integrity check (seconds on a large file, each step synchronous)
// never run on the server's thread. Posts back one result.

import { parentPort, workerData } from "node:worker_threads";
import type { BackupJob, BackupThreadResult } from "./schedule.js";
import { backupDatabase } from "./backup.service.js";

const job = workerData as BackupJob;
let result: BackupThreadResult;
try {
  result = { ok: true, result: await backupDatabase(job.source, job.out) };
} catch (e) {
  result = { ok: false, message: e instanceof Error ? e.message : String(e) };
}
parentPort!.postMessage(result);

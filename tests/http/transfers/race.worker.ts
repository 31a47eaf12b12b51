// One side of a real race: a worker thread with its own connection to the same database file.
// For each round it says it is ready, blocks until the start signal, then accepts or cancels the
// round's transfer through the service and reports what happened.

import { parentPort, workerData } from "node:worker_threads";
import { openDb } from "../../../db/client.js";
import { AppError } from "../../../server/errors.js";
import { acceptTransfer, cancelTransfer } from "../../../server/services/transfers/transfers.service.js";
import { loadActor } from "../../../server/services/admin/users.js";

export type RaceRound = { transferId: number; action: "accept" | "cancel" };
export type RaceJob = { path: string; userId: number; today: string; rounds: RaceRound[]; start: SharedArrayBuffer };
export type RaceResult = { round: number; ok: boolean; status?: number; message?: string };

const job = workerData as RaceJob;
const handle = openDb(job.path);
const actor = loadActor(handle.db, job.userId)!;
const flag = new Int32Array(job.start);
job.rounds.forEach((r, round) => {
  parentPort!.postMessage({ ready: round });
  Atomics.wait(flag, round, 0);
  let result: RaceResult;
  try {
    if (r.action === "accept") acceptTransfer(handle.db, actor, r.transferId, { receiptOn: job.today }, job.today);
    else cancelTransfer(handle.db, actor, r.transferId, { cancelReason: "并发测试" });
    result = { round, ok: true };
  } catch (err) {
    result =
      err instanceof AppError
        ? { round, ok: false, status: err.status, message: err.message }
        : { round, ok: false, status: 500, message: String((err as Error)?.message ?? err) };
  }
  parentPort!.postMessage({ result });
});
handle.close();

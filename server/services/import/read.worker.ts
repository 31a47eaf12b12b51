// The reading thread of a large import (read-thread.ts): opens the file, passes over the rows up
// to the header (the import's thread found it), checks every row after it and posts them in
// batches, never more than IN_FLIGHT ahead of the staging. Hashes the file as it reads it when asked.

import { createHash } from "node:crypto";
import { parentPort, workerData } from "node:worker_threads";
import { toWorkerError } from "./import-thread.js";
import { openRowSource } from "./read.js";
import { BATCH_ROWS, IN_FLIGHT, type ReadJob, type ReadMessage, type ReadStart } from "./read-thread.js";
import { packBatch, RowChecker } from "./row-check.js";

const job = workerData as ReadJob;
const port = parentPort!;
let credits = IN_FLIGHT;
let wake: (() => void) | null = null;
let start: ReadStart | null = null;

port.on("message", (m: "done" | ReadStart) => {
  if (m === "done") credits++;
  else start = m;
  wake?.();
});

const waitFor = async (ready: () => boolean) => {
  while (!ready()) {
    await new Promise<void>((r) => {
      wake = r;
    });
    wake = null;
  }
};

const post = (m: ReadMessage) => port.postMessage(m);

async function run(): Promise<void> {
  const hash = job.hash ? createHash("sha256") : null;
  const source = await openRowSource(job.file, job.limits, hash ? (chunk) => hash.update(chunk) : undefined);
  try {
    await waitFor(() => start !== null);
    const { cols, headerRowNumber } = start!;
    const checker = new RowChecker(job.isRoster, cols, job.today);
    const send = async () => {
      await waitFor(() => credits > 0);
      credits--;
      const { packed, transfer } = packBatch(checker.take(source.bytesDone()));
      port.postMessage({ t: "batch", batch: packed } satisfies ReadMessage, transfer);
    };
    for await (const row of source.rows) {
      if (row.rowNumber <= headerRowNumber) continue;
      checker.check(row);
      if (checker.pending >= BATCH_ROWS) await send();
    }
    if (checker.pending > 0) await send();
    post({ t: "end", digest: hash ? hash.digest("hex") : null, bytesDone: source.bytesDone() });
  } finally {
    source.close();
  }
}

try {
  await run();
} catch (e) {
  post({ t: "error", error: toWorkerError(e) });
}
// Nothing more to say: the thread ends once its messages are out.
port.unref();

// Reading a large file on a second core: a reading thread (read.worker.ts) decodes, parses and
// checks the rows (row-check.ts) while the import's thread stages the batches it is handed and
// then applies them. The two halves cost about the same per row, so reading a roster takes about
// half the time it takes on one thread; the apply, one transaction on the import's connection,
// stays where it was. The thread is started before the header is read, so its start (a second
// or so from sources) overlaps the import's own preparations.
//
// At most IN_FLIGHT batches wait to be staged (the thread is told when one is done), so memory
// stays bounded however far ahead reading could get. The thread ends with the import: at the last
// batch, on an error (read errors come back as the AppError the one-thread path throws), and when
// the import's own thread ends (a worker thread's workers end with it: SIGTERM, crash).

import fs from "node:fs";
import { startWorker } from "../worker-thread.js";
import { fromWorkerError, ImportThreadEnded, type WorkerError } from "./import-thread.js";
import type { Columns } from "./normalise.js";
import type { ReadLimits, RowSource } from "./read.js";
import { type CheckedBatch, type PackedBatch, type RowChecker, unpackBatch } from "./row-check.js";
import type { SourceRow } from "./types.js";

/** Batches checked ahead of the staging at most. */
export const IN_FLIGHT = 8;
/** Rows a batch posted by the reading thread (its serialised form stays under glibc's 128 KB mmap threshold). */
export const BATCH_ROWS = 500;
/** Rows a batch checked on the import's own thread: one scratch transaction each. */
const INLINE_BATCH_ROWS = 2000;
/** The reading thread's young generation (V8's nursery), in MB. */
const YOUNG_GENERATION_MB = 16;
/** Files from this size are read in a thread of their own (smaller ones read faster than a thread starts). */
export const READ_THREAD_MIN_BYTES = 8 * 1024 * 1024;

/** What the reading thread is given at its start. */
export type ReadJob = { file: string; limits: ReadLimits; isRoster: boolean; today: string; hash: boolean };
/** What it is told once the header is known: the columns, and the rows up to the header's to pass over. */
export type ReadStart = { cols: Columns; headerRowNumber: number };
export type ReadMessage =
  | { t: "batch"; batch: PackedBatch }
  | { t: "end"; digest: string | null; bytesDone: number }
  | { t: "error"; error: WorkerError };

/** Checked rows as the import stages them, whichever thread checks them. */
export type CheckedRows = {
  batches: AsyncGenerator<CheckedBatch>;
  bytesDone(): number;
  /** The SHA-256 of the whole file, when asked for and read to its end. */
  digest(): string | null;
  close(): void;
};

/** Checking on the import's own thread, from a source whose header was read (small files). */
export function checkInline(source: RowSource, buffered: SourceRow[], checker: RowChecker, finalDigest: () => string | null): CheckedRows {
  let digest: string | null = null;
  async function* batches(): AsyncGenerator<CheckedBatch> {
    for (const row of buffered) checker.check(row);
    for await (const row of source.rows) {
      checker.check(row);
      if (checker.pending >= INLINE_BATCH_ROWS) yield checker.take(source.bytesDone());
    }
    yield checker.take(source.bytesDone());
    digest = finalDigest();
  }
  return {
    batches: batches(),
    bytesDone: () => source.bytesDone(),
    digest: () => digest,
    close() {
      void source.rows.return(undefined).catch(() => undefined);
      source.close();
    },
  };
}

/** A reading thread, started now; `begin` hands it the header's columns once they are known. */
export type ReadThread = CheckedRows & { begin(start: ReadStart): void };

export function startReadThread(job: ReadJob): ReadThread {
  // A small young generation: the thread's garbage is short-lived rows, and V8's default (up to
  // 48 MB a thread) stayed in the process's peak RSS for no speed.
  const worker = startWorker(import.meta.url, "read.worker", job, { resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
  const queue: ReadMessage[] = [];
  let wake: (() => void) | null = null;
  let exited: ImportThreadEnded | null = null;
  let failure: unknown = null;
  let bytes = 0;
  let digest: string | null = null;
  let closed = false;
  worker.on("message", (m: ReadMessage) => {
    queue.push(m);
    wake?.();
  });
  worker.on("error", (e) => {
    failure = e;
  });
  worker.on("exit", (code) => {
    exited = new ImportThreadEnded(false, code, failure);
    wake?.();
  });
  const next = async (): Promise<ReadMessage> => {
    while (queue.length === 0) {
      if (exited) throw exited;
      await new Promise<void>((r) => {
        wake = r;
      });
      wake = null;
    }
    return queue.shift()!;
  };
  async function* batches(): AsyncGenerator<CheckedBatch> {
    for (;;) {
      const m = await next();
      if (m.t === "error") throw fromWorkerError(m.error);
      if (m.t === "end") {
        bytes = m.bytesDone;
        digest = m.digest;
        return;
      }
      bytes = m.batch.bytesDone;
      yield unpackBatch(m.batch);
      // Staged: the thread may check one more.
      worker.postMessage("done");
    }
  }
  return {
    batches: batches(),
    bytesDone: () => bytes,
    digest: () => digest,
    begin(start) {
      worker.postMessage(start);
    },
    close() {
      if (closed) return;
      closed = true;
      void worker.terminate();
    },
  };
}

/** Whether a file is large enough to read in a thread of its own. */
export function readsInThread(file: string, minBytes = READ_THREAD_MIN_BYTES): boolean {
  try {
    return fs.statSync(file).size >= minBytes;
  } catch {
    return false; // gone: the one-thread path reports it
  }
}

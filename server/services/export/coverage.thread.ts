// The coverage workbook off the server's thread. At a province its report is counted for ~20 s of
// CPU (500,000 members, 75,000 of them listed): on the server's thread no other request was
// answered meanwhile. A thread of its own per export counts and writes it with its own read-only
// connection (coverage.worker.ts) and posts the bytes here, where they are written to the response
// as it reads them. An in-memory database cannot be opened by a second connection, and a connection
// inside a transaction has writes another would not see: both run on the caller's thread.

import type { Writable } from "node:stream";
import { AppError } from "../../errors.js";
import { startWorker } from "../worker-thread.js";
import type { CoverageHead, CoverageJob } from "./coverage.export.js";
import { OutputClosedError } from "./sheet-rows.js";

type FromThread =
  | { type: "head"; head: CoverageHead }
  | { type: "data"; bytes: Uint8Array }
  | { type: "end" }
  | { type: "error"; error: { name?: string; message: string; stack?: string; status?: number; code?: string; fieldErrors?: unknown } };

function rebuild(e: Extract<FromThread, { type: "error" }>["error"]): Error {
  if (e.name === "AppError" && e.status)
    return new AppError(e.status, e.message, { code: e.code, fieldErrors: e.fieldErrors as AppError["fieldErrors"] });
  const err = new Error(`coverage export thread: ${e.message}`);
  if (e.stack) err.stack = e.stack;
  return err;
}

/**
 * Runs the job on a thread of its own. `head` resolves once the report is counted (before any byte);
 * `run(out)` writes the bytes to `out` (not ended) and resolves when the thread has written the last.
 * The thread ends with the export, and is ended when `out` closes early.
 */
export function startCoverageThread(file: string, job: CoverageJob): { head: Promise<CoverageHead>; run(out: Writable): Promise<void> } {
  const worker = startWorker(import.meta.url, "coverage.worker", { file, job });
  let out: Writable | null = null;
  const queued: Uint8Array[] = [];
  let settle: { resolve(): void; reject(e: Error): void } | null = null;
  let outcome: { error: Error | null } | null = null;
  let headDone: { resolve(h: CoverageHead): void; reject(e: Error): void };
  const head = new Promise<CoverageHead>((resolve, reject) => {
    headDone = { resolve, reject };
  });
  head.catch(() => undefined); // a failure is also reported by run()

  const finish = (error: Error | null) => {
    if (outcome) return;
    outcome = { error };
    headDone.reject(error ?? new Error("coverage export thread ended before its report"));
    void worker.terminate();
    if (!settle) return;
    if (error) settle.reject(error);
    else settle.resolve();
  };
  const write = (bytes: Uint8Array) => {
    const o = out!;
    const ack = () => worker.postMessage({ ack: bytes.byteLength });
    if (o.write(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength))) ack();
    else o.once("drain", ack);
  };
  worker.on("message", (m: FromThread) => {
    if (m.type === "head") headDone.resolve(m.head);
    else if (m.type === "data") {
      if (out) write(m.bytes);
      else queued.push(m.bytes);
    } else if (m.type === "end") finish(null);
    else finish(rebuild(m.error));
  });
  worker.on("error", (e) => finish(e));
  worker.on("exit", (code) => finish(new Error(`coverage export thread exited (${code}) before the workbook was complete`)));

  return {
    head,
    run(o) {
      out = o;
      for (const b of queued.splice(0)) write(b);
      return new Promise<void>((resolve, reject) => {
        if (outcome) return outcome.error ? reject(outcome.error) : resolve();
        settle = { resolve, reject };
        // A reader that goes away ends the thread (and the export) rather than leaving it waiting.
        o.once("close", () => {
          if (!o.writableFinished) finish(new OutputClosedError());
        });
      });
    },
  };
}

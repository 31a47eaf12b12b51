// The coverage workbook's export thread (coverage.thread.ts): one export, then the thread ends. Its
// own read-only connection and one read transaction (the report, table 27 and the ID numbers from
// one snapshot of the file); the workbook's bytes are posted to the server's thread, at most WINDOW
// of them unacknowledged (the response's backpressure reaches the zip stream here).

import fs from "node:fs";
import os from "node:os";
import { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { Db } from "../../../db/client.js";
import type { CoverageJob } from "./coverage.export.js";

/** Bytes posted and not yet written to the response, at most. */
const WINDOW = 1024 * 1024;
/** The thread's page cache, KiB: the counting reads the tables once. */
const CACHE_KIB = 16 * 1024;

/** The thread's nice value: background work beside the server's thread, in the same process. */
const NICE = 10;

const { file, job } = workerData as { file: string; job: CoverageJob };

// The server's thread shares the process's CPU share with this one (Linux schedules a process's
// threads as a group): a lower priority lets it answer at once when both want a core. Linux names a
// thread by its own id under /proc/thread-self; elsewhere the priority stays as it is.
try {
  const tid = Number(fs.readlinkSync("/proc/thread-self").split("/").pop());
  if (tid > 0) os.setPriority(tid, NICE);
} catch {
  // not Linux, or not permitted: the export still runs
}
const port = parentPort!;

class PortWriter extends Writable {
  private unacked = 0;
  private waiting: (() => void) | null = null;

  constructor() {
    super();
    port.on("message", (m: { ack: number }) => {
      this.unacked -= m.ack;
      if (this.waiting && this.unacked < WINDOW) {
        const go = this.waiting;
        this.waiting = null;
        go();
      }
    });
  }

  override _write(chunk: Buffer, _enc: BufferEncoding, done: (e?: Error | null) => void): void {
    // A copy of its own (a chunk may be a view of a larger buffer), handed over without a second copy.
    const bytes = Uint8Array.prototype.slice.call(chunk);
    this.unacked += bytes.byteLength;
    port.postMessage({ type: "data", bytes }, [bytes.buffer]);
    if (this.unacked < WINDOW) done();
    else this.waiting = () => done();
  }
}

try {
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  sqlite.pragma("busy_timeout = 10000");
  sqlite.pragma(`cache_size = -${CACHE_KIB}`);
  const [{ drizzle }, schema, { countCoverage }] = await Promise.all([
    import("drizzle-orm/better-sqlite3"),
    import("../../../db/schema.js"),
    import("./coverage.export.js"),
  ]);
  const db = drizzle(sqlite, { schema }) as unknown as Db;
  sqlite.exec("BEGIN");
  const out = new PortWriter();
  const counted = countCoverage(db, job);
  port.postMessage({ type: "head", head: counted.head });
  await counted.write(out);
  // The zip ends its output itself; all of it has been posted once it has finished.
  if (!out.writableEnded) out.end();
  await finished(out);
  sqlite.exec("COMMIT");
  sqlite.close();
  port.postMessage({ type: "end" });
} catch (e) {
  const err = e as Error & { status?: number; code?: string; fieldErrors?: unknown };
  port.postMessage({
    type: "error",
    error: {
      name: err?.name,
      message: err?.message ?? String(e),
      stack: err?.stack,
      status: err?.status,
      code: err?.code,
      fieldErrors: err?.fieldErrors,
    },
  });
}

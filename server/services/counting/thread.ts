// The dashboard's counting off the server's thread: after a write, what must be counted again (a
// committee's part of the statistics, an organization's drift-risk counts, organizational life)
// is counted on a worker thread with its own read-only connection, while the server's thread keeps
// answering every other request; the request awaits the result.
//
// An in-memory database cannot be opened by a second connection, so there (tests) the count runs
// on the server's thread, as it does when the thread fails: a thread that crashed or could not open
// the file rejects what it was counting, the request counts on the server's thread instead (logged),
// and the next count starts a new thread. The thread is started on the first count and never keeps
// the process alive.

import type { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { DbHandle } from "../../../db/client.js";
import { startWorker } from "../worker-thread.js";
import { countDashboardCards, type DashboardCards, type DashboardTask, type KeptParts } from "./cards.js";

type Pending = { resolve: (v: DashboardCards) => void; reject: (e: Error) => void };

export class CountingThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  /** Counts answered by the thread, and counted on the server's thread after it failed (tests, logs). */
  counted = { thread: 0, fallback: 0 };

  constructor(
    private readonly handle: DbHandle,
    private readonly kept: KeptParts,
    private readonly logger: Pick<Logger, "error">,
    /** Whether a second connection can read the database: a file, not ":memory:". */
    readonly offThread = handle.path !== ":memory:" && handle.path !== "",
  ) {}

  /** The dashboard's cards, counted on the thread when there is one. */
  async dashboardCards(task: DashboardTask): Promise<DashboardCards> {
    if (!this.offThread) return countDashboardCards(this.handle.db, this.kept, task);
    try {
      const value = await this.send(task);
      this.counted.thread++;
      return value;
    } catch (e) {
      this.logger.error({ err: e }, "counting thread failed: counted on the server's thread");
      this.counted.fallback++;
      return countDashboardCards(this.handle.db, this.kept, task);
    }
  }

  private send(task: DashboardTask): Promise<DashboardCards> {
    const worker = this.worker ?? this.start();
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, task });
    });
  }

  private start(): Worker {
    const worker = startWorker(import.meta.url, "counting.worker", { file: this.handle.path });
    worker.unref();
    worker.on("message", (m: { id: number; ok: boolean; value?: DashboardCards; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      if (m.ok) p.resolve(m.value!);
      else p.reject(new Error(m.error));
    });
    const fail = (e: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`counting thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  /** Ends the thread (tests; the server's exit ends it anyway). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new Error("counting thread closed"));
    this.pending.clear();
    if (w) await w.terminate();
  }
}

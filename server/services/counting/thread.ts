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

import type { Logger } from "pino";
import type { DbHandle } from "../../../db/client.js";
import { TaskThread } from "../worker-thread.js";
import { countDashboardCards, type DashboardCards, type DashboardTask, type KeptParts } from "./cards.js";

export class CountingThread {
  private readonly thread: TaskThread<DashboardCards>;
  /** Counts answered by the thread, and counted on the server's thread after it failed (tests, logs). */
  counted = { thread: 0, fallback: 0 };

  constructor(
    private readonly handle: DbHandle,
    private readonly kept: KeptParts,
    private readonly logger: Pick<Logger, "error">,
    /** Whether a second connection can read the database: a file, not ":memory:". */
    readonly offThread = handle.path !== ":memory:" && handle.path !== "",
  ) {
    this.thread = new TaskThread(import.meta.url, "counting.worker", { file: handle.path }, "counting thread");
  }

  /** The dashboard's cards, counted on the thread when there is one. */
  async dashboardCards(task: DashboardTask): Promise<DashboardCards> {
    if (!this.offThread) return countDashboardCards(this.handle.db, this.kept, task);
    try {
      const value = await this.thread.run({ task });
      this.counted.thread++;
      return value;
    } catch (e) {
      this.logger.error({ err: e }, "counting thread failed: counted on the server's thread");
      this.counted.fallback++;
      return countDashboardCards(this.handle.db, this.kept, task);
    }
  }

  /** Ends the thread (tests; the server's exit ends it anyway). */
  close(): Promise<void> {
    return this.thread.close();
  }
}

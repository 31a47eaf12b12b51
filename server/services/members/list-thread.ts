// The member list's page, read on a thread of its own: at a province, a page's queries were a third
// of the server thread's work for it (the rest: the session, the render, the socket), and the server
// thread was the one busy core while the other idled. The thread has its own read-only connection
// (WAL: it reads the last commit while the server's thread writes); each page it reads in one read
// transaction, so its ids, rows and count agree.
//
// Its caches follow the server's connection, not its own: each task carries the version the server's
// connection sees (its own writes, and PRAGMA data_version for other processes'), so a clerk's write
// shows on her next page as it does without the thread, and the thread's own view of the server's
// commits (another connection's, to it) does not empty them.
//
// As the counting thread (counting/thread.ts): an in-memory database (tests) is read on the server's
// thread; a task that throws is read again there, so that its error (a 404, a bad filter) is the one
// the server's code throws; a thread that dies is started again for the next page.

import type { Logger } from "pino";
import type { DbHandle } from "../../../db/client.js";
import { versionOf } from "../read-cache.js";
import { TaskFailed, TaskThread } from "../worker-thread.js";
import { type MemberListCaches, type MemberListPage, type MemberListTask, memberListPage } from "./list-page.js";

export class MemberListThread {
  private readonly thread: TaskThread<MemberListPage>;
  /** Pages read by the thread, and read on the server's thread after the thread failed (tests, logs). */
  counted = { thread: 0, fallback: 0 };

  constructor(
    private readonly handle: DbHandle,
    private readonly caches: MemberListCaches,
    private readonly logger: Pick<Logger, "error">,
    readonly offThread = handle.path !== ":memory:" && handle.path !== "",
  ) {
    this.thread = new TaskThread(import.meta.url, "list.worker", { file: handle.path }, "member-list thread");
  }

  async page(task: MemberListTask): Promise<MemberListPage> {
    if (!this.offThread) return memberListPage(this.handle.db, this.caches, task);
    try {
      const value = await this.thread.run({ task, version: versionOf(this.handle.sqlite) });
      this.counted.thread++;
      return value;
    } catch (e) {
      if (!(e instanceof TaskFailed)) this.logger.error({ err: e }, "member-list thread failed: read on the server's thread");
      this.counted.fallback++;
      return memberListPage(this.handle.db, this.caches, task);
    }
  }

  /** Ends the thread (tests; the server's exit ends it anyway). */
  close(): Promise<void> {
    return this.thread.close();
  }
}

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

import type { Worker } from "node:worker_threads";
import type { Logger } from "pino";
import type { DbHandle } from "../../../db/client.js";
import { type CacheVersion, versionOf } from "../read-cache.js";
import { startWorker } from "../worker-thread.js";
import { type MemberListCaches, type MemberListPage, type MemberListTask, memberListPage } from "./list-page.js";

type Pending = { resolve: (v: MemberListPage) => void; reject: (e: Error) => void };

export class MemberListThread {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending>();
  private next = 0;
  /** Pages read by the thread, and read on the server's thread after the thread failed (tests, logs). */
  counted = { thread: 0, fallback: 0 };

  constructor(
    private readonly handle: DbHandle,
    private readonly caches: MemberListCaches,
    private readonly logger: Pick<Logger, "error">,
    readonly offThread = handle.path !== ":memory:" && handle.path !== "",
  ) {}

  async page(task: MemberListTask): Promise<MemberListPage> {
    if (!this.offThread) return memberListPage(this.handle.db, this.caches, task);
    try {
      const value = await this.send(task, versionOf(this.handle.sqlite));
      this.counted.thread++;
      return value;
    } catch (e) {
      if (!(e instanceof TaskError)) this.logger.error({ err: e }, "member-list thread failed: read on the server's thread");
      this.counted.fallback++;
      return memberListPage(this.handle.db, this.caches, task);
    }
  }

  private send(task: MemberListTask, version: CacheVersion): Promise<MemberListPage> {
    const worker = this.worker ?? this.start();
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, task, version });
    });
  }

  private start(): Worker {
    const worker = startWorker(import.meta.url, "list.worker", { file: this.handle.path });
    worker.unref();
    worker.on("message", (m: { id: number; ok: boolean; value?: MemberListPage; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      if (m.ok) p.resolve(m.value!);
      else p.reject(new TaskError(m.error ?? "member-list task failed"));
    });
    const fail = (e: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`member-list thread exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  /** Ends the thread (tests; the server's exit ends it anyway). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new Error("member-list thread closed"));
    this.pending.clear();
    if (w) await w.terminate();
  }
}

/** A task the thread ran and that threw (the thread lives on): read again on the server's thread for its error. */
class TaskError extends Error {}

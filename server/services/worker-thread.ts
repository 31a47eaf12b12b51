import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * A worker thread running the module `name` beside the module `from` (its `import.meta.url`).
 * From sources (tsx: `npm run dev`, `npm start`, the CLIs, tests) that module is .ts: the thread registers tsx's
 * loader first. From dist/ (`npm run build`) it is plain .js.
 */
export function startWorker(from: string, name: string, workerData: unknown, options: Pick<WorkerOptions, "resourceLimits"> = {}): Worker {
  if (!from.endsWith(".ts")) return new Worker(new URL(`./${name}.js`, from), { ...options, workerData });
  const worker = new URL(`./${name}.ts`, from).href;
  // Resolved here, not in the thread: a bare specifier in eval'd code resolves from the working directory.
  const tsx = import.meta.resolve("tsx/esm/api");
  const boot = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(worker)}); });`;
  return new Worker(boot, { ...options, eval: true, workerData });
}

/** A task the thread ran and that threw: the thread lives on (unlike a thread that failed). */
export class TaskFailed extends Error {}

type Pending<R> = { resolve: (v: R) => void; reject: (e: Error) => void };

/**
 * A thread that answers tasks (the counting thread, the member-list thread): `{ id, ...message }` in,
 * `{ id, ok, value | error }` out, in the order sent. Started on the first task and never keeping the
 * process alive; a thread that fails (cannot start, crashes, exits) rejects what it had and the next
 * task starts a new one. A task that throws rejects with TaskFailed.
 */
export class TaskThread<R> {
  private worker: Worker | null = null;
  private readonly pending = new Map<number, Pending<R>>();
  private next = 0;

  constructor(
    private readonly from: string,
    private readonly name: string,
    private readonly workerData: unknown,
    /** For the thread's own failures: "counting thread". */
    private readonly label: string,
  ) {}

  run(message: Record<string, unknown>): Promise<R> {
    const worker = this.worker ?? this.start();
    const id = ++this.next;
    return new Promise((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      worker.postMessage({ id, ...message });
    });
  }

  private start(): Worker {
    const worker = startWorker(this.from, this.name, this.workerData);
    worker.unref();
    worker.on("message", (m: { id: number; ok: boolean; value?: R; error?: string }) => {
      const p = this.pending.get(m.id);
      this.pending.delete(m.id);
      if (!p) return;
      if (m.ok) p.resolve(m.value as R);
      else p.reject(new TaskFailed(m.error ?? `${this.label}: the task failed`));
    });
    const fail = (e: Error) => {
      if (this.worker !== worker) return;
      this.worker = null;
      for (const p of this.pending.values()) p.reject(e);
      this.pending.clear();
    };
    worker.on("error", fail);
    worker.on("exit", (code) => fail(new Error(`${this.label} exited (${code})`)));
    this.worker = worker;
    return worker;
  }

  /** Ends the thread (tests; the server's exit ends it anyway). */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    for (const p of this.pending.values()) p.reject(new Error(`${this.label} closed`));
    this.pending.clear();
    if (w) await w.terminate();
  }
}

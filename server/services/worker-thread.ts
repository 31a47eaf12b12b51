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

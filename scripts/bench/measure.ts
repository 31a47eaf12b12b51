// What the benchmarks measure, written once: a child process's time, CPU and peak RSS; the raw
// import baseline (csv-parse + a prepared INSERT, nothing else); a page's time while /healthz is
// pinged (how long the server answered nobody).

import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { createRequire } from "node:module";
import Database from "better-sqlite3";
import { parse } from "csv-parse";
import type { HttpSession } from "./http-session.js";

export type ChildRun = { seconds: number; cpuSeconds: number; peakRssMb: number; stdout: string; stderr: string };

/** Peak RSS (VmHWM, MB) and CPU seconds so far of a live process; null once it has exited. */
export function processFigures(pid: number): { peakRssMb: number; cpuSeconds: number } | null {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${pid}/status`, "utf8"));
    const stat = fs.readFileSync(`/proc/${pid}/stat`, "utf8");
    // utime and stime (fields 14 and 15, clock ticks of 1/100 s), counted after the command name.
    const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return { peakRssMb: m ? Math.round(Number(m[1]) / 1024) : 0, cpuSeconds: (Number(f[11]) + Number(f[12])) / 100 };
  } catch {
    return null;
  }
}

/**
 * Node's arguments to run one of our scripts: from sources under tsx (development, the README's
 * commands), or with `compiled` the file `npm run build` made of it under dist/ (what a production
 * installation runs: tsx's loader alone holds ≈ 35 MB and compiles every module at start). A
 * compiled file older than its source is refused, so a figure never measures stale code.
 */
export function nodeArgs(root: string, script: string, compiled: boolean): string[] {
  if (!compiled) return ["--import", "tsx", script];
  const source = path.resolve(root, script);
  const file = path.join(root, "dist", path.relative(root, source).replace(/\.ts$/, ".js"));
  if (!fs.existsSync(file) || fs.statSync(file).mtimeMs < fs.statSync(source).mtimeMs) {
    throw new Error(`${path.relative(root, file)} is missing or older than ${path.relative(root, source)}: run npm run build first`);
  }
  return [file];
}

/** Runs SCRIPT ARGS (nodeArgs: from sources, or compiled) in `cwd`, sampling its peak RSS and CPU until it exits; rejects on a non-zero exit. */
export function runMeasured(
  cwd: string,
  script: string,
  args: string[],
  env: Record<string, string>,
  opts: { compiled?: boolean } = {},
): Promise<ChildRun> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    const child = tracked(
      spawn(process.execPath, [...nodeArgs(cwd, script, opts.compiled ?? false), ...args], {
        cwd,
        env: { ...process.env, ...env },
        stdio: ["ignore", "pipe", "pipe"],
      }),
    );
    let peakRssMb = 0;
    let cpuSeconds = 0;
    const sample = () => {
      const f = child.pid ? processFigures(child.pid) : null;
      if (f) {
        peakRssMb = Math.max(peakRssMb, f.peakRssMb);
        cpuSeconds = Math.max(cpuSeconds, f.cpuSeconds);
      }
    };
    const timer = setInterval(sample, 50);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => {
      stdout += d;
      sample();
    });
    child.stderr.on("data", (d) => {
      stderr += d;
    });
    child.on("error", reject);
    child.on("exit", (code) => {
      clearInterval(timer);
      const seconds = (performance.now() - t0) / 1000;
      if (code !== 0) reject(new Error(`${script} exited with ${code}: ${stderr.trim()}`));
      else resolve({ seconds, cpuSeconds, peakRssMb, stdout, stderr });
    });
  });
}

/**
 * The raw import baseline: csv-parse streaming rows as arrays and a prepared INSERT into a table
 * with a UNIQUE ID-number index, in one transaction, nothing else (the roster's nine columns).
 */
export async function rawImportBaseline(csvFile: string, dbFile: string): Promise<{ rows: number; seconds: number; cpuSeconds: number }> {
  const db = new Database(dbFile);
  db.pragma("journal_mode = WAL");
  db.pragma("synchronous = NORMAL");
  db.exec(
    "CREATE TABLE roster (id INTEGER PRIMARY KEY, id_number TEXT NOT NULL, name TEXT, phone TEXT, platform TEXT, station TEXT, franchisee TEXT, occupation TEXT, political TEXT, hired TEXT)",
  );
  db.exec("CREATE UNIQUE INDEX roster_id_number_uq ON roster (id_number)");
  const ins = db.prepare(
    "INSERT INTO roster (name, id_number, phone, platform, station, franchisee, occupation, political, hired) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
  );
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  let rows = 0;
  db.exec("BEGIN");
  const parser = fs.createReadStream(csvFile).pipe(parse({ from_line: 2 }));
  for await (const rec of parser as AsyncIterable<string[]>) {
    ins.run(rec[0], rec[1], rec[2], rec[3], rec[4], rec[5], rec[6], rec[7], rec[8]);
    rows++;
  }
  db.exec("COMMIT");
  const seconds = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(c0);
  db.close();
  return { rows, seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 };
}

/** Times `GET path` while pinging /healthz every 20 ms; returns the view's time and the longest ping. */
export async function timedView(s: HttpSession, url: string, p: string): Promise<{ ms: number; longestPing: number }> {
  let stop = false;
  let longest = 0;
  const pinger = (async () => {
    while (!stop) {
      const t0 = performance.now();
      try {
        await (await fetch(`${url}/healthz`)).arrayBuffer();
      } catch {
        // A kept-alive socket the server had closed: asked again at once on a new one, the wait counted.
        await (await fetch(`${url}/healthz`)).arrayBuffer();
      }
      longest = Math.max(longest, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const t0 = performance.now();
  const res = await s.get(p);
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  stop = true;
  await pinger;
  if (res.status !== 200) throw new Error(`GET ${p}: HTTP ${res.status}`);
  return { ms, longestPing: longest };
}

/** Database file and its WAL, in MB. */
export function dbSizeMb(file: string): number {
  let bytes = 0;
  for (const f of [file, `${file}-wal`]) if (fs.existsSync(f)) bytes += fs.statSync(f).size;
  return Math.round(bytes / 1024 / 1024);
}

export type AutocannonResult = {
  requests: { average: number; total: number };
  latency: { p50: number; p99: number; average: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
};
type Autocannon = (opts: Record<string, unknown>) => Promise<AutocannonResult>;
const autocannon = createRequire(import.meta.url)("autocannon") as Autocannon;

export type LoadRow = { label: string; rps: number; p50: number; p99: number; non2xx: number; errors: number; cpuMs: number };

export const fmt = (n: number) => Math.round(n).toLocaleString("en-US");

/** The middle value (the mean of the two middle ones for an even count). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
}

/**
 * Drives `url` with autocannon (a 2 s warm-up, then `duration` seconds at `connections`), and
 * prints and returns requests/s, p50, p99 and the server's CPU per request (steadier than wall time
 * on a shared machine).
 */
export async function driveLoad(
  label: string,
  url: string,
  headers: Record<string, string>,
  serverPid: number,
  { connections, duration }: { connections: number; duration: number },
): Promise<LoadRow> {
  // A slow answer is a latency, not an error: the timeout is far beyond any goal.
  const opts = { url, connections, headers, timeout: 60 };
  await autocannon({ ...opts, duration: 2 });
  const cpu0 = processFigures(serverPid)?.cpuSeconds ?? 0;
  const r = await autocannon({ ...opts, duration });
  const cpuMs = (((processFigures(serverPid)?.cpuSeconds ?? cpu0) - cpu0) * 1000) / Math.max(1, r.requests.total);
  const row = {
    label,
    rps: r.requests.average,
    p50: r.latency.p50,
    p99: r.latency.p99,
    non2xx: r.non2xx,
    errors: r.errors + r.timeouts,
    cpuMs,
  };
  process.stdout.write(
    `  ${label.padEnd(40)} ${fmt(row.rps).padStart(7)} req/s   p50 ${String(row.p50).padStart(4)} ms   p99 ${String(row.p99).padStart(4)} ms   server CPU ${cpuMs.toFixed(1)} ms/req${row.non2xx || row.errors ? `   non-2xx ${row.non2xx}, errors ${row.errors}` : ""}\n`,
  );
  return row;
}

const running = new Set<ChildProcess>();

/** Keeps `child` to be stopped if this process is stopped by a signal (see stopChildrenOnSignal). */
export function tracked<T extends ChildProcess>(child: T): T {
  running.add(child);
  child.once("exit", () => running.delete(child));
  return child;
}

/**
 * On SIGINT, SIGTERM or SIGHUP: SIGTERM to every tracked child still running, `cleanup` (e.g. the
 * temporary directory), and exit as killed by that signal. Without it a benchmark stopped mid-run
 * left its server child running, holding a port and the database.
 */
export function stopChildrenOnSignal(cleanup: () => void = () => {}): void {
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const)
    process.once(signal, () => {
      for (const child of running) child.kill("SIGTERM");
      try {
        cleanup();
      } finally {
        process.exit(128 + (os.constants.signals[signal] ?? 0));
      }
    });
}

/** Stops a child with SIGTERM (SIGKILL after 15 s) and waits for it to exit. */
export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
  });
}

// npm run bench:backup — the online backup of the bench:http database while another process
// writes, and what it costs the running server. A measurement, not a test (issue 19).
//
// Seeds the bench:http data set (seed-bench-db.ts: 100,000 members, 1,000,000 workers), or copies
// the bench.db of a kept directory (--db DIR), and starts the real server on it (NODE_ENV=production,
// request logging on). One client asks for the member list (signed in as the bench admin: the whole
// city) back to back for the whole run; each phase reports that page's latency meanwhile:
//   1. idle;
//   2. `npm run backup` (the CLI: a process of its own), nothing else writing: the baseline;
//   3. a writer process committing small transactions as fast as it can (each adds 10 audit rows
//      and deletes those of 100 transactions before, so the file keeps its size), alone;
//   4. `npm run backup` while the writer commits: the time against the baseline (ratio printed);
//   5. with --compare, the same copy made other ways while the writer commits: one backup step for
//      the whole file, VACUUM INTO, and 256-page steps without a held read transaction (the old
//      way: given up after --give-up seconds);
//   6. the server's own scheduled backup (BACKUP_DIR; a worker thread in the server) while the
//      writer commits (the server is restarted with the BACKUP_* variables; its first copy comes
//      36 s after start).
//
//   npm run bench:backup [-- --db DIR] [--keep] [--compare] [--give-up 60] [--sample 5]

import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, HttpSession, waitHealthy } from "./http-session.js";
import { BENCH_PASSWORD, BENCH_USER, seedBenchDb } from "./seed-bench-db.js";
import { benchArgs, positive } from "./options.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const values = benchArgs("bench:backup", {
  db: { type: "string" },
  members: { type: "string", default: "100000" },
  workers: { type: "string", default: "1000000" },
  keep: { type: "boolean", default: false },
  compare: { type: "boolean", default: false },
  "give-up": { type: "string", default: "60" },
  sample: { type: "string", default: "5" },
});
const SAMPLE_MS = positive("bench:backup", "--sample", values.sample, false) * 1000;
const GIVE_UP_S = positive("bench:backup", "--give-up", values["give-up"], false);
const SEED = {
  members: positive("bench:backup", "--members", values.members, true),
  workers: positive("bench:backup", "--workers", values.workers, true),
};
const BETTER_SQLITE3 = createRequire(import.meta.url).resolve("better-sqlite3");

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const mb = (bytes: number) => (bytes / 1048576).toFixed(0);
const load = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

function stop(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
  });
}

// -- The client: the member list, back to back, each answer's start and latency kept ------------
type Sample = { at: number; ms: number; ok: boolean };
class Sampler {
  samples: Sample[] = [];
  private running = true;
  private done: Promise<void>;
  constructor(url: string, cookie: string) {
    this.done = (async () => {
      while (this.running) {
        const at = Date.now();
        const t0 = performance.now();
        let ok = false;
        try {
          const res = await fetch(`${url}/members`, { headers: { cookie } });
          await res.arrayBuffer();
          ok = res.status === 200;
        } catch {
          // counted as not ok
        }
        this.samples.push({ at, ms: performance.now() - t0, ok });
      }
    })();
  }
  async stop() {
    this.running = false;
    await this.done;
  }
  stats(from: number, to: number) {
    const xs = this.samples.filter((s) => s.at >= from && s.at < to);
    const ms = xs.map((s) => s.ms).sort((a, b) => a - b);
    const q = (p: number) => (ms.length ? ms[Math.min(ms.length - 1, Math.floor(p * ms.length))]! : Number.NaN);
    return {
      n: xs.length,
      perSecond: xs.length / ((to - from) / 1000),
      p50: q(0.5),
      p99: q(0.99),
      max: ms.at(-1) ?? Number.NaN,
      failed: xs.filter((s) => !s.ok).length,
    };
  }
}

// -- The writer: another process committing small transactions as fast as it can ---------------
type Tick = { at: number; commits: number; worstMs: number };
function startWriter(dbPath: string) {
  const code = `
    const D = require(${JSON.stringify(BETTER_SQLITE3)});
    const db = new D(${JSON.stringify(dbPath)});
    db.pragma("busy_timeout = 10000"); db.pragma("synchronous = NORMAL");
    const ins = db.prepare("INSERT INTO audit_log (action, details) VALUES ('bench_write', ?)");
    // And the rows of 100 transactions ago deleted: the file keeps its size, so every way of copying copies as much.
    const del = db.prepare("DELETE FROM audit_log WHERE action = 'bench_write' AND id <= ?");
    const tx = db.transaction((n) => {
      let last = 0;
      for (let i = 0; i < 10; i++) last = Number(ins.run('{"n":' + (n * 10 + i) + '}').lastInsertRowid);
      del.run(last - 1000);
    });
    let n = 0, commits = 0, worst = 0;
    setInterval(() => { process.stdout.write(Date.now() + " " + commits + " " + worst.toFixed(1) + "\\n"); worst = 0; }, 100);
    (function loop() {
      const end = performance.now() + 20;
      while (performance.now() < end) { const t = performance.now(); tx(n++); commits++; worst = Math.max(worst, performance.now() - t); }
      setImmediate(loop);
    })();
  `;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const ticks: Tick[] = [];
  let buf = "";
  child.stdout!.on("data", (d: Buffer) => {
    buf += d.toString();
    const lines = buf.split("\n");
    buf = lines.pop()!;
    for (const l of lines) {
      const [at, commits, worst] = l.split(" ").map(Number) as [number, number, number];
      ticks.push({ at, commits, worstMs: worst });
    }
  });
  return {
    child,
    stats(from: number, to: number) {
      const xs = ticks.filter((t) => t.at >= from && t.at <= to);
      if (xs.length < 2) return { perSecond: Number.NaN, worstMs: Number.NaN };
      return {
        perSecond: ((xs.at(-1)!.commits - xs[0]!.commits) * 1000) / (xs.at(-1)!.at - xs[0]!.at),
        worstMs: Math.max(...xs.map((t) => t.worstMs)),
      };
    },
  };
}
type Writer = ReturnType<typeof startWriter>;

/** `npm run backup -- --out FILE` as an operator runs it; its own figures and the window it copied and checked in. */
async function cliBackup(dbPath: string, out: string) {
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/backup.ts", "--out", out], {
    cwd: ROOT,
    env: { ...process.env, DATABASE_PATH: dbPath },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let text = "";
  child.stdout!.on("data", (d: Buffer) => {
    text += d.toString();
  });
  const code = await new Promise<number | null>((r) => child.once("exit", r));
  const end = Date.now();
  const m = /\(([\d.]+) MB, integrity (\w+)\) in [\d.]+ s \(copy ([\d.]+) s, integrity check ([\d.]+) s\)/.exec(text);
  if (code !== 0 || !m) throw new Error(`npm run backup failed (${code}): ${text}`);
  const copyS = Number(m[3]);
  const checkS = Number(m[4]);
  return { mb: Number(m[1]), integrity: m[2]!, copyS, checkS, from: end - (copyS + checkS) * 1000, to: end };
}

/** The other ways to copy, in a process of their own: time to a finished copy (no integrity check), or given up. */
async function otherWay(dbPath: string, out: string, how: "one-step" | "vacuum-into" | "steps-256") {
  const code = `
    const D = require(${JSON.stringify(BETTER_SQLITE3)});
    const db = new D(${JSON.stringify(dbPath)}); db.pragma("busy_timeout = 10000");
    const how = ${JSON.stringify(how)}, out = ${JSON.stringify(out)}, giveUp = Date.now() + ${GIVE_UP_S * 1000};
    (async () => {
      const t0 = performance.now(); let restarts = 0, last = -1, done = true;
      if (how === "vacuum-into") db.prepare("VACUUM INTO ?").run(out);
      else await db.backup(out, { progress: ({ totalPages, remainingPages }) => {
        const d = totalPages - remainingPages; if (d < last) restarts++; last = d;
        if (how === "one-step") return 0x7fffffff;
        if (Date.now() > giveUp) { done = false; throw new Error("given up"); }
        return 256;
      } }).catch((e) => { if (done) throw e; });
      process.stdout.write(JSON.stringify({ seconds: (performance.now() - t0) / 1000, restarts, done }));
    })();
  `;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  let text = "";
  child.stdout!.on("data", (d: Buffer) => {
    text += d.toString();
  });
  const start = Date.now();
  await new Promise((r) => child.once("exit", r));
  const r = JSON.parse(text) as { seconds: number; restarts: number; done: boolean };
  const bytes = r.done && fs.existsSync(out) ? fs.statSync(out).size : 0;
  for (const f of ["", "-journal", "-wal", "-shm"]) fs.rmSync(out + f, { force: true });
  return { ...r, bytes, from: start, to: Date.now() };
}

async function startServer(dbPath: string, env: Record<string, string> = {}) {
  const port = await freePort();
  const server = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    cwd: ROOT,
    env: {
      ...process.env,
      NODE_ENV: "production",
      DATABASE_PATH: dbPath,
      PORT: String(port),
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      ...env,
    },
    stdio: ["ignore", "pipe", "inherit"],
  });
  let log = "";
  // Request lines are read and dropped; only the backup lines are kept.
  server.stdout!.on("data", (d: Buffer) => {
    for (const l of d.toString().split("\n")) if (l.includes('"msg":"backup') || l.includes("BACKUP")) log += `${l}\n`;
  });
  const url = `http://127.0.0.1:${port}`;
  await waitHealthy(url, server, 120_000);
  const session = await HttpSession.signIn(url, BENCH_USER, BENCH_PASSWORD);
  return { server, url, cookie: session.cookieHeader(), log: () => log };
}

type Row = { phase: string; backup: string; writer: boolean; from: number; to: number };

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "party-backup-bench-"));
  const children: ChildProcess[] = [];
  let sampler: Sampler | null = null;
  try {
    // The run writes into a copy: a kept bench.db (--keep) stays as seeded, for --db.
    const dbPath = path.join(dir, "work.db");
    if (values.db) {
      process.stdout.write(`Copying ${path.join(values.db, "bench.db")} …\n`);
      fs.copyFileSync(path.join(values.db, "bench.db"), dbPath);
    } else {
      process.stdout.write(`Seeding ${values.members} members and ${values.workers} workers in ${dir} …\n`);
      const seeded = await seedBenchDb(dir, SEED);
      seeded.handle.close();
      process.stdout.write(`  ${JSON.stringify(seeded.counts)} in ${seeded.seconds.toFixed(1)} s\n`);
      fs.copyFileSync(path.join(dir, "bench.db"), dbPath);
    }
    process.stdout.write(`database ${mb(fs.statSync(dbPath).size)} MB; ${os.cpus().length} CPUs; load average ${load()}\n\n`);

    let srv = await startServer(dbPath);
    children.push(srv.server);
    sampler = new Sampler(srv.url, srv.cookie);
    const rows: Row[] = [];
    const phase = async (name: string, backup: string, f: () => Promise<{ from: number; to: number }>) => {
      const w = await f();
      rows.push({ phase: name, backup, writer: name.includes("writer"), from: w.from, to: w.to });
      process.stdout.write(`  ${name}: ${backup || "—"}\n`);
    };
    const idle = async () => {
      const from = Date.now();
      await sleep(SAMPLE_MS);
      return { from, to: Date.now() };
    };
    const outFile = (name: string) => path.join(dir, "out", `${name}.db`);

    await sleep(2000); // warm-up: JIT, page cache, read caches
    await phase("idle", "", idle);
    const base = await cliBackup(dbPath, outFile("baseline"));
    await phase(
      "npm run backup, no writer",
      `copy ${base.copyS.toFixed(1)} s + check ${base.checkS.toFixed(1)} s, ${base.mb.toFixed(0)} MB, integrity ${base.integrity}`,
      async () => base,
    );
    fs.rmSync(outFile("baseline"));

    const writer: Writer = startWriter(dbPath);
    children.push(writer.child);
    await sleep(1000);
    await phase("writer alone", "", idle);
    // The WAL's size meanwhile: the server's and the writer's commits go on into it, and it cannot be
    // started again from its beginning while the copy holds its snapshot.
    const wal: { at: number; bytes: number }[] = [];
    const walTimer = setInterval(() => {
      try {
        wal.push({ at: Date.now(), bytes: fs.statSync(`${dbPath}-wal`).size });
      } catch {
        // no WAL file at this moment
      }
    }, 50);
    const withW = await cliBackup(dbPath, outFile("with-writer"));
    clearInterval(walTimer);
    const walMax = (from: number, to: number) => Math.max(0, ...wal.filter((w) => w.at >= from && w.at <= to).map((w) => w.bytes));
    const copyEnd = withW.from + withW.copyS * 1000;
    const walFigures = { before: wal[0]?.bytes ?? 0, copy: walMax(withW.from, copyEnd), check: walMax(copyEnd, withW.to) };
    await phase(
      "npm run backup, writer committing",
      `copy ${withW.copyS.toFixed(1)} s + check ${withW.checkS.toFixed(1)} s, ${withW.mb.toFixed(0)} MB, integrity ${withW.integrity}`,
      async () => withW,
    );
    fs.rmSync(outFile("with-writer"));
    const wb = writer.stats(withW.from, withW.to);
    const wa = writer.stats(rows[2]!.from, rows[2]!.to);

    if (values.compare) {
      for (const how of ["one-step", "vacuum-into", "steps-256"] as const) {
        const r = await otherWay(dbPath, outFile(how), how);
        const what = r.done
          ? `${r.seconds.toFixed(1)} s, ${mb(r.bytes)} MB, restarts ${r.restarts}`
          : `no copy after ${r.seconds.toFixed(0)} s, restarts ${r.restarts}`;
        await phase(`${how}, writer committing`, what, async () => r);
      }
    }
    await sampler.stop();
    const first = sampler;
    await stop(writer.child);
    await stop(srv.server);
    process.stdout.write("  (the server restarted with BACKUP_DIR, BACKUP_EVERY_HOURS=0.01: its first copy 36 s after start)\n");

    // The server's own schedule: restarted with BACKUP_*; 0.01 h: its first copy 36 s after start.
    srv = await startServer(dbPath, { BACKUP_DIR: path.join(dir, "scheduled"), BACKUP_EVERY_HOURS: "0.01", BACKUP_KEEP: "1" });
    children.push(srv.server);
    sampler = new Sampler(srv.url, srv.cookie);
    const writer2 = startWriter(dbPath);
    children.push(writer2.child);
    const until = Date.now() + 300_000;
    while (!srv.log().includes('"msg":"backup taken"') && !srv.log().includes("BACKUP FAILED")) {
      if (Date.now() > until) throw new Error("no scheduled backup in 5 minutes");
      await sleep(200);
    }
    const line = JSON.parse(
      srv
        .log()
        .split("\n")
        .find((l) => l.includes('"msg":"backup taken"')) ?? "null",
    ) as {
      time: number;
      seconds: number;
      copySeconds: number;
      checkSeconds: number;
      bytes: number;
      integrity: string;
    } | null;
    if (!line) throw new Error(`the scheduled backup failed: ${srv.log()}`);
    const sched = { from: line.time - line.seconds * 1000, to: line.time };
    const ws = writer2.stats(sched.from, sched.to);
    await sampler.stop();

    const fmt = (n: number) => (Number.isNaN(n) ? "—" : n.toFixed(0));
    process.stdout.write(`\nload average after ${load()}\n\n`);
    process.stdout.write(
      "| phase | backup | member list answers/s | p50 | p99 | max | writer commits/s |\n|---|---|---:|---:|---:|---:|---:|\n",
    );
    for (const r of rows) {
      const s = first.stats(r.from, r.to);
      const w = r.writer ? fmt(writer.stats(r.from, r.to).perSecond) : "—";
      process.stdout.write(
        `| ${r.phase} | ${r.backup || "—"} | ${s.perSecond.toFixed(1)} | ${fmt(s.p50)} ms | ${fmt(s.p99)} ms | ${fmt(s.max)} ms | ${w} |\n`,
      );
      if (s.failed) process.stdout.write(`|   (${s.failed} answers not 200) |\n`);
    }
    const ss = sampler.stats(sched.from, sched.to);
    process.stdout.write(
      `| scheduled backup in the server, writer committing | copy ${line.copySeconds.toFixed(1)} s + check ${line.checkSeconds.toFixed(1)} s (${line.seconds.toFixed(1)} s with the thread's start), ${mb(line.bytes)} MB, integrity ${line.integrity} | ${ss.perSecond.toFixed(1)} | ${fmt(ss.p50)} ms | ${fmt(ss.p99)} ms | ${fmt(ss.max)} ms | ${fmt(ws.perSecond)} |\n\n`,
    );
    process.stdout.write(
      `backup with the writer / without: copy ${(withW.copyS / base.copyS).toFixed(2)}, copy + check ${((withW.copyS + withW.checkS) / (base.copyS + base.checkS)).toFixed(2)}\n`,
    );
    process.stdout.write(
      `writer: ${fmt(wa.perSecond)} commits/s alone, ${fmt(wb.perSecond)} during the backup (longest commit ${wb.worstMs.toFixed(0)} ms)\n`,
    );
    process.stdout.write(
      `WAL file during the backup with the writer: ${mb(walFigures.before)} MB before, up to ${mb(walFigures.copy)} MB by the copy's end, up to ${mb(walFigures.check)} MB during the check\n`,
    );
    await stop(writer2.child);
    await stop(srv.server);
  } finally {
    await sampler?.stop();
    for (const c of children) await stop(c);
    if (values.keep) {
      for (const f of fs.readdirSync(dir)) if (f !== "bench.db") fs.rmSync(path.join(dir, f), { recursive: true, force: true });
      process.stdout.write(`kept ${dir} (bench.db as seeded: --db ${dir})\n`);
    } else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

// npm run bench:http — a load benchmark on loopback, not a test (issue 6 §8).
//
// Seeds a temp database with 100,000 members (the bench:members data set) and 1,000,000 platform
// workers (+ leads from them) and last month's final coverage snapshots, starts the real server (`server/index.ts`, NODE_ENV=production, a
// child process), signs in through the real login form (CSRF token and all), and drives with
// autocannon (20 connections, 10 s each after a 2 s warm-up):
//   1. the member list (first page, 50 rows),
//   2. a member page,
//   3. the dashboard (/),
// then a bare baseline: a plain Express server with no middleware serving the same member-list
// query through the same template (scripts/bench/bare-server.ts). Prints requests/s, p50 and p99
// for each, and the ratio real/bare.
// Goals: member list ≥ 0.4 × bare and p99 < 100 ms; dashboard p99 < 250 ms.
// Options: --duration S (10), --connections N (20), --members N (100000), --workers N (1000000),
// --keep (keep the temp dir), --db DIR (reuse a kept dir's bench.db instead of seeding).

import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { openDb } from "../../db/client.js";
import { freePort, HttpSession, waitHealthy } from "./http-session.js";
import { driveLoad, fmt, stopChild } from "./measure.js";
import { BENCH_PASSWORD, BENCH_USER, seedBenchDb } from "./seed-bench-db.js";
import { benchArgs, positive } from "./options.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const values = benchArgs("bench:http", {
  duration: { type: "string", default: "10" },
  connections: { type: "string", default: "20" },
  members: { type: "string", default: "100000" },
  workers: { type: "string", default: "1000000" },
  keep: { type: "boolean", default: false },
  db: { type: "string" },
});
const DURATION = positive("bench:http", "--duration", values.duration, true);
const CONNECTIONS = positive("bench:http", "--connections", values.connections, true);
const MEMBERS = positive("bench:http", "--members", values.members, true);
const WORKERS = positive("bench:http", "--workers", values.workers, true);
const LOAD = { connections: CONNECTIONS, duration: DURATION };
const USER = BENCH_USER;
const PASSWORD = BENCH_PASSWORD;

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "party-http-bench-"));
  const children: ChildProcess[] = [];
  try {
    let dbPath = path.join(dir, "bench.db");
    let userId: number;
    let memberId: number;
    if (values.db) {
      dbPath = path.join(values.db, "bench.db");
      const h = openDb(dbPath);
      userId = h.sqlite.prepare("SELECT id FROM users WHERE username = ?").pluck().get(USER) as number;
      memberId = h.sqlite.prepare("SELECT id FROM members WHERE left_on IS NULL ORDER BY name, id LIMIT 1").pluck().get() as number;
      h.sqlite.prepare("DELETE FROM sessions").run();
      h.close();
      process.stdout.write(`Reusing ${dbPath}\n`);
    } else {
      process.stdout.write(`Seeding ${fmt(MEMBERS)} members and ${fmt(WORKERS)} workers in ${dir} …\n`);
      const seeded = await seedBenchDb(dir, { members: MEMBERS, workers: WORKERS });
      const { handle, counts, seconds } = seeded;
      userId = seeded.userId;
      memberId = handle.sqlite.prepare("SELECT id FROM members WHERE left_on IS NULL ORDER BY name, id LIMIT 1").pluck().get() as number;
      handle.close();
      process.stdout.write(`  ${JSON.stringify(counts)} in ${seconds.toFixed(1)} s\n`);
    }

    // The real server, as `npm start` runs it in production.
    const port = await freePort();
    const real = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "production", DATABASE_PATH: dbPath, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "info" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    children.push(real);
    const url = `http://127.0.0.1:${port}`;
    await waitHealthy(url, real);
    const session = await HttpSession.signIn(url, USER, PASSWORD);
    const headers = { cookie: session.cookieHeader() };
    for (const p of ["/members", `/members/${memberId}`, "/"]) {
      const res = await session.get(p);
      await res.arrayBuffer();
      if (res.status !== 200) throw new Error(`GET ${p} as ${USER}: HTTP ${res.status}`);
    }

    process.stdout.write(
      `\nautocannon: ${CONNECTIONS} connections, ${DURATION} s per page after a 2 s warm-up, loopback; load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")} on ${os.cpus().length} CPUs\n`,
    );
    process.stdout.write("Real app (signed in as admin: the whole city):\n");
    const list = await driveLoad("member list (first page, 50 rows)", `${url}/members`, headers, real.pid!, LOAD);
    const member = await driveLoad("member page", `${url}/members/${memberId}`, headers, real.pid!, LOAD);
    const dash = await driveLoad("dashboard (/)", `${url}/`, headers, real.pid!, LOAD);
    await stopChild(real);

    const barePort = await freePort();
    const bare = spawn(process.execPath, ["--import", "tsx", "scripts/bench/bare-server.ts", dbPath, String(barePort), String(userId)], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "production" },
      stdio: ["ignore", "ignore", "inherit"],
    });
    children.push(bare);
    const bareUrl = `http://127.0.0.1:${barePort}`;
    await waitHealthy(bareUrl, bare);
    process.stdout.write("Bare Express (no middleware), same query and template:\n");
    const base = await driveLoad("member list (first page, 50 rows)", `${bareUrl}/members`, {}, bare.pid!, LOAD);
    await stopChild(bare);

    const ratio = list.rps / base.rps;
    const cpuRatio = base.cpuMs / list.cpuMs;
    const ok = (b: boolean) => (b ? "OK" : "MISSED");
    const clean = [list, member, dash, base].every((r) => r.non2xx === 0 && r.errors === 0);
    process.stdout.write("\n| page | requests/s | p50 | p99 | server CPU per request |\n|---|---:|---:|---:|---:|\n");
    for (const r of [list, member, dash])
      process.stdout.write(`| ${r.label} | ${fmt(r.rps)} | ${r.p50} ms | ${r.p99} ms | ${r.cpuMs.toFixed(1)} ms |\n`);
    process.stdout.write(
      `| bare Express: member list | ${fmt(base.rps)} | ${base.p50} ms | ${base.p99} ms | ${base.cpuMs.toFixed(1)} ms |\n\n`,
    );
    process.stdout.write(
      `member list real/bare   ${ratio.toFixed(2)} (goal ≥ 0.40) ${ok(ratio >= 0.4)}; by server CPU per request ${cpuRatio.toFixed(2)}\n`,
    );
    process.stdout.write(`member list p99         ${list.p99} ms (goal < 100 ms) ${ok(list.p99 < 100)}\n`);
    process.stdout.write(`dashboard p99           ${dash.p99} ms (goal < 250 ms) ${ok(dash.p99 < 250)}\n`);
    process.stdout.write(`every answer 2xx        ${clean ? "yes" : "NO"}\n`);
    process.stdout.write(
      `load average after      ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}\n`,
    );
  } finally {
    for (const c of children) await stopChild(c);
    if (values.keep) process.stdout.write(`kept ${dir}\n`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

// npm run bench:province — a benchmark at a province's size, not a test (issue 17 §4).
//
// Seeds an installation for Shandong (seed-province.ts: at --scale 1, 5,000,000 worker rows on 8
// platforms with 10 % of the people on two, 500,000 members, 100,000 leads, 2,000 enterprises)
// and prints, each beside a bare baseline measured in the same run:
//   1. the database's size and the month-change job (last month's final snapshots) at that size;
//   2. the member list and the dashboard at 20 connections, as the province's supervisor and as a
//      county clerk (real server, NODE_ENV=production, signed in through the real form), beside a
//      bare Express serving the same member-list query and template; the server's peak RSS;
//   3. the first dashboard view after a write (a clerk verifies a lead), and the longest /healthz
//      silence meanwhile, beside the view with nothing changed;
//   4. the coverage workbook's export (the CLI) beside the bare counting of the same rows;
//   5. a 1,000,000-row roster imported into copies of the province (the CLI), beside the raw
//      baseline (csv-parse + INSERT) and beside the same file imported into a city-size
//      installation and into an empty one, in rounds (import-rounds.ts), and the same people by a
//      bare INSERT … SELECT into the province and the city-size installation (bare-insert.ts: the
//      floor SQLite itself sets for the goal's ratio).
// Goals at this size: p99 under 100 ms on the member list and dashboard; the import within 0.8×
// of its rate into the city-size installation.
//
//   npm run bench:province -- [--scale 1] [--import-rows N] [--rounds 3] [--duration 10] [--connections 20] [--keep] [--db DIR]
//   npm run bench:province -- --seed-only [--scale 1]   (seeds into a kept directory, for --db DIR)
//   npm run bench:province -- --db DIR --pages-only     (the pages and the view after a write only)
//   npm run bench:province -- --db DIR --import-only [--compiled] [--rounds 3]
//       (the import only, into copies of DIR's database: the kept one is left as it was)

import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Database from "better-sqlite3";
import { openDb } from "../../../db/client.js";
import { runMigrations } from "../../../db/migrate.js";
import { finalisePreviousMonth } from "../../../server/services/coverage/snapshots.js";
import { freePort, HttpSession, waitHealthy } from "../http-session.js";
import {
  dbSizeMb,
  driveLoad,
  fmt,
  type LoadRow,
  processFigures,
  runMeasured,
  stopChild,
  stopChildrenOnSignal,
  timedView,
  tracked,
} from "../measure.js";
import { benchArgs, positive, refuse } from "../options.js";
import { importReport, importRounds } from "./import-rounds.js";
import { PROVINCE_PASSWORD, PROVINCE_SIZE, PROVINCE_USERS, seedProvince } from "./seed-province.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const OPTIONS = {
  scale: { type: "string", default: "1" },
  "import-rows": { type: "string" },
  // Each installation is imported into this many times (a fresh copy each), the order rotated.
  rounds: { type: "string", default: "3" },
  duration: { type: "string", default: "10" },
  connections: { type: "string", default: "20" },
  keep: { type: "boolean", default: false },
  // Accepted for old command lines: the whole month-change job is always timed now.
  "month-job": { type: "boolean", default: false },
  db: { type: "string" },
  // Seed (and take the month's snapshots), keep the directory, measure nothing: for later --db runs.
  "seed-only": { type: "boolean", default: false },
  // Measure the pages only (no workbook, no import): for trying a change to the pages.
  "pages-only": { type: "boolean", default: false },
  // Measure the import only, into a copy of the --db database (migrated first, and timed: what an
  // installation of that size upgrading would run): for trying a change to the import.
  "import-only": { type: "boolean", default: false },
  // The import CLI as `npm run build` compiled it (what production runs) instead of from sources under tsx.
  compiled: { type: "boolean", default: false },
} as const;
const values = benchArgs("bench:province", OPTIONS);
// Checked before anything is seeded (three minutes at scale 1).
if (values["import-only"] && !values.db) refuse("bench:province", "--import-only measures a kept database: give --db DIR");
const SCALE = positive("bench:province", "--scale", values.scale, false);
const SIZE = {
  workers: Math.round(PROVINCE_SIZE.workers * SCALE),
  members: Math.round(PROVINCE_SIZE.members * SCALE),
  leads: Math.round(PROVINCE_SIZE.leads * SCALE),
  enterprises: Math.max(200, Math.round(PROVINCE_SIZE.enterprises * SCALE)),
};
const IMPORT_ROWS = positive("bench:province", "--import-rows", values["import-rows"] ?? String(Math.round(1_000_000 * SCALE)), true);
const ROUNDS = positive("bench:province", "--rounds", values.rounds, true);
const LOAD = {
  connections: positive("bench:province", "--connections", values.connections, true),
  duration: positive("bench:province", "--duration", values.duration, false),
};
const out = (line: string) => process.stdout.write(`${line}\n`);
const loadavg = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(" ");

function startNode(script: string, args: string[], env: Record<string, string>): ChildProcess {
  return tracked(
    spawn(process.execPath, ["--import", "tsx", script, ...args], {
      cwd: ROOT,
      env: { ...process.env, NODE_ENV: "production", ...env },
      stdio: ["ignore", "ignore", "inherit"],
    }),
  );
}

type Prepared = { dbPath: string; supervisorId: number; clerkId: number; countyCode: string; countyId: number };

async function prepare(dir: string): Promise<Prepared> {
  if (values.db) {
    const dbPath = path.join(values.db, "province.db");
    const d = new Database(dbPath, { readonly: true });
    const id = (u: string) => d.prepare("SELECT id FROM users WHERE username = ?").pluck().get(u) as number;
    const county = d
      .prepare("SELECT o.id, o.code FROM users u JOIN organizations o ON o.id = u.org_id WHERE u.username = ?")
      .get(PROVINCE_USERS.clerk) as {
      id: number;
      code: string;
    };
    const p = {
      dbPath,
      supervisorId: id(PROVINCE_USERS.supervisor),
      clerkId: id(PROVINCE_USERS.clerk),
      countyCode: county.code,
      countyId: county.id,
    };
    d.close();
    out(`Reusing ${dbPath}`);
    return p;
  }
  out(`Seeding a province (scale ${SCALE}: ${JSON.stringify(SIZE)}) in ${dir} …`);
  const seeded = await seedProvince(dir, SIZE, out);
  // A running server has last month's final snapshots; a new database would take them at start,
  // while the pages are measured. They are all taken here and timed: the month-change job at this
  // size (one pass for every organization, branches included: coverage/month-pass.ts).
  const db = seeded.handle.db;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const snap = await finalisePreviousMonth(db);
  const cpu = process.cpuUsage(cpu0);
  out(
    `  month-change job (last month's final snapshots, ${snap?.scopes ?? 0} scopes): ${((performance.now() - t0) / 1000).toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s; load average ${loadavg()}`,
  );
  seeded.handle.sqlite.pragma("wal_checkpoint(TRUNCATE)");
  seeded.handle.close();
  return { dbPath: seeded.dbPath, ...seeded.users, countyCode: seeded.county.code, countyId: seeded.county.id };
}

async function pages(p: Prepared) {
  const port = await freePort();
  const real = startNode("server/index.ts", [], { DATABASE_PATH: p.dbPath, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" });
  const url = `http://127.0.0.1:${port}`;
  const rows: LoadRow[] = [];
  const after: string[] = [];
  try {
    await waitHealthy(url, real, 300_000);
    const province = await HttpSession.signIn(url, PROVINCE_USERS.supervisor, PROVINCE_PASSWORD);
    const county = await HttpSession.signIn(url, PROVINCE_USERS.clerk, PROVINCE_PASSWORD);
    // The server counts the whole installation's dashboard at start, on its counting thread; this
    // first view waits for what is left of that count, and no load is driven until it has ended.
    const afterStart = await timedView(province, url, "/");
    out(
      `  first dashboard after the start as province supervisor: ${afterStart.ms.toFixed(0)} ms (longest /healthz ${afterStart.longestPing.toFixed(0)} ms)`,
    );
    out(
      `\nReal server, autocannon ${LOAD.connections} connections, ${LOAD.duration} s a page after a 2 s warm-up; load average ${loadavg()}`,
    );
    for (const [who, s] of [
      ["province supervisor", province],
      ["county clerk", county],
    ] as const) {
      for (const [what, page] of [
        ["member list", "/members"],
        ["dashboard", "/"],
      ] as const) {
        const first = await timedView(s, url, page);
        out(`  first ${what} as ${who}: ${first.ms.toFixed(0)} ms (longest /healthz ${first.longestPing.toFixed(0)} ms)`);
        rows.push(await driveLoad(`${what} as ${who}`, `${url}${page}`, { cookie: s.cookieHeader() }, real.pid!, LOAD));
      }
    }
    // The first dashboard view after a write: the clerk verifies one open lead of the county.
    const d = new Database(p.dbPath, { readonly: true });
    const lead = d
      .prepare("SELECT id FROM leads WHERE status = 'open' AND committee_id = ? ORDER BY id LIMIT 1")
      .pluck()
      .get(p.countyId) as number;
    d.close();
    const quiet = await timedView(county, url, "/");
    const token = await county.csrf(`/leads/${lead}`);
    const res = await county.request("POST", `/leads/${lead}/verify`, { _csrf: token });
    await res.arrayBuffer();
    if (res.status !== 303) throw new Error(`verify lead ${lead}: HTTP ${res.status}`);
    const clerkAfter = await timedView(county, url, "/");
    const provinceAfter = await timedView(province, url, "/");
    after.push(
      `| dashboard, nothing changed (county clerk) | ${quiet.ms.toFixed(0)} ms | ${quiet.longestPing.toFixed(0)} ms |`,
      `| first dashboard after a verification (county clerk) | ${clerkAfter.ms.toFixed(0)} ms | ${clerkAfter.longestPing.toFixed(0)} ms |`,
      `| then the province supervisor's dashboard | ${provinceAfter.ms.toFixed(0)} ms | ${provinceAfter.longestPing.toFixed(0)} ms |`,
    );
    const rss = processFigures(real.pid!)?.peakRssMb ?? 0;
    await stopChild(real);

    // The bare baseline: the same member-list query and template, no middleware, for each actor.
    const bases: LoadRow[] = [];
    for (const [who, userId] of [
      ["province supervisor", p.supervisorId],
      ["county clerk", p.clerkId],
    ] as const) {
      const barePort = await freePort();
      const bare = startNode("scripts/bench/bare-server.ts", [p.dbPath, String(barePort), String(userId)], {});
      try {
        await waitHealthy(`http://127.0.0.1:${barePort}`, bare, 300_000);
        bases.push(await driveLoad(`bare member list as ${who}`, `http://127.0.0.1:${barePort}/members`, {}, bare.pid!, LOAD));
      } finally {
        await stopChild(bare);
      }
    }
    return { rows, bases, after, rss };
  } finally {
    await stopChild(real);
  }
}

async function exportWorkbook(p: Prepared, dir: string) {
  const file = path.join(dir, "coverage.xlsx");
  const run = await runMeasured(ROOT, "scripts/export.ts", ["coverage", "--out", file], { DATABASE_PATH: p.dbPath });
  // The bare counting: what any coverage report must read at least once (workers and members by organization).
  const d = new Database(p.dbPath, { readonly: true });
  const t0 = performance.now();
  d.prepare("SELECT org_id, count(*) FROM workers WHERE left_on IS NULL GROUP BY org_id").all();
  d.prepare("SELECT org_id, count(*) FROM members WHERE left_on IS NULL GROUP BY org_id").all();
  const bare = (performance.now() - t0) / 1000;
  d.close();
  return { run, bare, bytes: fs.statSync(file).size };
}

function importFigures(p: Prepared, dir: string, provinceDb: string) {
  return importRounds({
    root: ROOT,
    dir,
    provinceDb,
    county: { id: p.countyId, code: p.countyCode },
    size: SIZE,
    rows: IMPORT_ROWS,
    rounds: ROUNDS,
    compiled: values.compiled,
    out,
  });
}

/** The import alone, into copies of the kept database, migrated first (timed: an installation of this size upgrading). */
async function importOnly(kept: Prepared, dir: string) {
  const copy = path.join(dir, "province.db");
  const t0 = performance.now();
  const src = new Database(kept.dbPath, { readonly: true });
  await src.backup(copy);
  src.close();
  out(`copied to ${copy} in ${((performance.now() - t0) / 1000).toFixed(1)} s; load average ${loadavg()}`);
  const h = openDb(copy);
  const t1 = performance.now();
  const cpu0 = process.cpuUsage();
  runMigrations(h);
  const cpu = process.cpuUsage(cpu0);
  h.sqlite.pragma("wal_checkpoint(TRUNCATE)");
  h.close();
  out(
    `migrations: ${((performance.now() - t1) / 1000).toFixed(1)} s, CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s (none pending: ~0 s); load average ${loadavg()}`,
  );
  out(
    `database ${fmt(dbSizeMb(copy))} MB\nImport of ${fmt(IMPORT_ROWS)} rows (CLI${values.compiled ? ", compiled" : ""}), ${ROUNDS} rounds …`,
  );
  const imp = await importFigures(kept, dir, copy);
  out(`\n## bench:province import — ${new Date().toISOString().slice(0, 16)}Z, scale ${SCALE}, load average ${loadavg()}`);
  for (const line of importReport(imp)) out(line);
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "party-province-bench-"));
  // Killed mid-run: the server child stopped too, the seeded database removed unless kept.
  stopChildrenOnSignal(() => {
    if (values.keep) out(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  });
  try {
    out(`bench:province on ${os.cpus().length} CPUs, ${Math.round(os.totalmem() / 2 ** 30)} GiB; load average ${loadavg()}`);
    const p = await prepare(dir);
    if (values["seed-only"]) {
      values.keep = true;
      out(`seeded ${p.dbPath} (${fmt(dbSizeMb(p.dbPath))} MB): measure it with --db ${dir}`);
      return;
    }
    if (values["import-only"]) {
      await importOnly(p, dir);
      return;
    }
    const sizeMb = dbSizeMb(p.dbPath);
    out(`database ${fmt(sizeMb)} MB`);
    const { rows, bases, after, rss } = await pages(p);
    if (values["pages-only"]) {
      out(`\n## bench:province pages — ${new Date().toISOString().slice(0, 16)}Z, scale ${SCALE}, load average ${loadavg()}\n`);
      out("| request (20 connections) | requests/s | p50 | p99 | server CPU/request |\n|---|---:|---:|---:|---:|");
      for (const r of [...rows, ...bases]) out(`| ${r.label} | ${fmt(r.rps)} | ${r.p50} ms | ${r.p99} ms | ${r.cpuMs.toFixed(1)} ms |`);
      out(`\n| after a write | view | longest /healthz |\n|---|---:|---:|\n${after.join("\n")}\n`);
      out(`server peak RSS ${rss} MB`);
      return;
    }
    out(`\nCoverage workbook (CLI) …`);
    const wb = await exportWorkbook(p, dir);
    out(`Import of ${fmt(IMPORT_ROWS)} rows (CLI), ${ROUNDS} rounds …`);
    const imp = await importFigures(p, dir, p.dbPath);

    const ok = (b: boolean) => (b ? "OK" : "MISSED");
    out(`\n## bench:province — ${new Date().toISOString().slice(0, 16)}Z, scale ${SCALE}, load average ${loadavg()}\n`);
    out(`database: ${fmt(sizeMb)} MB; server peak RSS under load ${rss} MB\n`);
    out("| request (20 connections) | requests/s | p50 | p99 | server CPU/request |\n|---|---:|---:|---:|---:|");
    for (const r of [...rows, ...bases]) out(`| ${r.label} | ${fmt(r.rps)} | ${r.p50} ms | ${r.p99} ms | ${r.cpuMs.toFixed(1)} ms |`);
    out(`\n| after a write | view | longest /healthz |\n|---|---:|---:|\n${after.join("\n")}\n`);
    out("| job | time | peak RSS | baseline |\n|---|---:|---:|---|");
    out(
      `| coverage workbook (${fmt(wb.bytes / 1024)} KB) | ${wb.run.seconds.toFixed(1)} s | ${wb.run.peakRssMb} MB | bare counting of the same rows ${wb.bare.toFixed(1)} s |`,
    );
    for (const line of importReport(imp)) out(line);
    out("");
    for (const r of rows) out(`${r.label.padEnd(40)} p99 ${r.p99} ms (goal < 100 ms) ${ok(r.p99 < 100)}`);
    out(`every answer 2xx ${[...rows, ...bases].every((r) => r.non2xx === 0 && r.errors === 0) ? "yes" : "NO"}`);
  } finally {
    if (values.keep) out(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

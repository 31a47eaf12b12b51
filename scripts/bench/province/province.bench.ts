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
//   5. a 1,000,000-row roster imported into the province (the CLI), beside the raw baseline
//      (csv-parse + INSERT) and beside the same file imported into an empty installation.
// Goals at this size: p99 under 100 ms on the member list and dashboard; the import within 0.8×
// of its rate into the empty installation.
//
//   npm run bench:province -- [--scale 1] [--import-rows N] [--duration 10] [--connections 20] [--keep] [--db DIR]
//   npm run bench:province -- --seed-only [--scale 1]   (seeds into a kept directory, for --db DIR)
//   npm run bench:province -- --db DIR --pages-only     (the pages and the view after a write only)
//   npm run bench:province -- --db DIR --import-only [--compiled]
//       (the import only, into a copy of DIR's database: the kept one is left as it was)

import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { openDb } from "../../../db/client.js";
import { runMigrations } from "../../../db/migrate.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { finalisePreviousMonth } from "../../../server/services/coverage/snapshots.js";
import { freePort, HttpSession, waitHealthy } from "../http-session.js";
import {
  dbSizeMb,
  driveLoad,
  fmt,
  type LoadRow,
  processFigures,
  rawImportBaseline,
  runMeasured,
  stopChild,
  stopChildrenOnSignal,
  timedView,
  tracked,
} from "../measure.js";
import { writeRoster } from "../synthetic.js";
import { PROVINCE_CODE, PROVINCE_PASSWORD, PROVINCE_SIZE, PROVINCE_USERS, seedProvince } from "./seed-province.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
const { values } = parseArgs({
  options: {
    scale: { type: "string", default: "1" },
    "import-rows": { type: "string" },
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
  },
});
const SCALE = Number(values.scale);
const SIZE = {
  workers: Math.round(PROVINCE_SIZE.workers * SCALE),
  members: Math.round(PROVINCE_SIZE.members * SCALE),
  leads: Math.round(PROVINCE_SIZE.leads * SCALE),
  enterprises: Math.max(200, Math.round(PROVINCE_SIZE.enterprises * SCALE)),
};
const IMPORT_ROWS = Number(values["import-rows"] ?? Math.round(1_000_000 * SCALE));
const LOAD = { connections: Number(values.connections), duration: Number(values.duration) };
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

async function importRoster(p: Prepared, dir: string) {
  // New people (their ID numbers follow everyone seeded, and everyone an earlier run imported into a
  // database reused with --db: the same people again would be a re-import), on a platform already known.
  // Into the clerk's county, or, when an earlier run imported there (its million people would all
  // leave: another workload), into the first county (its region code not a city's, …00) of the
  // same kind that had no roster yet.
  const d = new Database(p.dbPath, { readonly: true });
  const earlier = d.prepare("SELECT count(*) FROM imports WHERE kind = 'roster'").pluck().get() as number;
  const countyCode = d
    .prepare(
      `SELECT o.code FROM organizations o
       WHERE o.kind = (SELECT kind FROM organizations WHERE id = @id) AND o.depth = (SELECT depth FROM organizations WHERE id = @id)
         AND substr(o.code, 7) = substr(@code, 7) AND substr(o.region_code, 5) <> '00' AND NOT EXISTS (SELECT 1 FROM imports i WHERE i.kind = 'roster' AND i.org_id = o.id)
       ORDER BY o.id <> @id, o.code LIMIT 1`,
    )
    .pluck()
    .get({ id: p.countyId, code: p.countyCode }) as string | undefined;
  d.close();
  if (!countyCode) throw new Error("every county of the clerk's kind has had a roster imported: seed again");
  if (countyCode !== p.countyCode) out(`  into ${countyCode} (an earlier run imported into ${p.countyCode})`);
  const file = path.join(dir, "roster.csv");
  await writeRoster(file, IMPORT_ROWS, 20261203, SIZE.workers + SIZE.members + earlier * IMPORT_ROWS);
  const base = await rawImportBaseline(file, path.join(dir, "baseline.db"));
  const args = (db: string) => ({ DATABASE_PATH: db, UPLOAD_LIMIT_MB: "2048" });
  const cli = ["roster", file, "--platform", "美团", "--org", countyCode, "--json"];
  // The same file into an empty installation of the same province (its organizations only).
  const emptyDb = path.join(dir, "empty.db");
  const h = openDb(emptyDb);
  prepareDatabase(h, { jurisdiction: { regionCode: PROVINCE_CODE } });
  const root = h.sqlite.prepare("SELECT id, path FROM organizations WHERE parent_id IS NULL").get() as { id: number; path: string };
  const c = h.sqlite
    .prepare(
      "INSERT INTO organizations (code, name, kind, parent_id, path, depth, industry_code, region_code) VALUES (?, '县级委员会', 'industry_committee', ?, '/', 1, 'online_delivery', ?)",
    )
    .run(countyCode, root.id, countyCode.slice(0, 6));
  h.sqlite.prepare("UPDATE organizations SET path = ? WHERE id = ?").run(`${root.path}${c.lastInsertRowid}/`, c.lastInsertRowid);
  h.close();
  const opts = { compiled: values.compiled };
  const empty = await runMeasured(ROOT, "scripts/import.ts", cli, args(emptyDb), opts);
  const province = await runMeasured(ROOT, "scripts/import.ts", cli, args(p.dbPath), opts);
  return { base, empty, province };
}

/** The import alone, into a copy of the kept database, migrated first (timed: an installation of this size upgrading). */
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
  const p = { ...kept, dbPath: copy };
  const sizeMb = dbSizeMb(copy);
  out(`database ${fmt(sizeMb)} MB\nImport of ${fmt(IMPORT_ROWS)} rows (CLI${values.compiled ? ", compiled" : ""}) …`);
  const imp = await importRoster(p, dir);
  const emptyRate = IMPORT_ROWS / imp.empty.seconds;
  const provRate = IMPORT_ROWS / imp.province.seconds;
  const baseRate = imp.base.rows / imp.base.seconds;
  out(`\n## bench:province import — ${new Date().toISOString().slice(0, 16)}Z, scale ${SCALE}, load average ${loadavg()}\n`);
  out("| import of new people | time | CPU | rows/s | peak RSS |\n|---|---:|---:|---:|---:|");
  for (const [what, r] of [
    ["into an empty installation", imp.empty],
    ["into the province", imp.province],
  ] as const) {
    out(`| ${what} | ${r.seconds.toFixed(1)} s | ${r.cpuSeconds.toFixed(1)} s | ${fmt(IMPORT_ROWS / r.seconds)} | ${r.peakRssMb} MB |`);
  }
  out(`| raw csv-parse + INSERT | ${imp.base.seconds.toFixed(1)} s | ${imp.base.cpuSeconds.toFixed(1)} s | ${fmt(baseRate)} | |`);
  out(
    `\nimport into the province / into an empty installation ${(provRate / emptyRate).toFixed(2)} (CPU ${(imp.empty.cpuSeconds / imp.province.cpuSeconds).toFixed(2)}) (goal ≥ 0.80) ${provRate / emptyRate >= 0.8 ? "OK" : "MISSED"}`,
  );
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
      if (!values.db) throw new Error("--import-only measures a kept database: give --db DIR");
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
    out(`Import of ${fmt(IMPORT_ROWS)} rows (CLI) …`);
    const imp = await importRoster(p, dir);

    const rate = (rows: number, s: number) => rows / s;
    const baseRate = rate(imp.base.rows, imp.base.seconds);
    const emptyRate = rate(IMPORT_ROWS, imp.empty.seconds);
    const provRate = rate(IMPORT_ROWS, imp.province.seconds);
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
    out(
      `| import ${fmt(IMPORT_ROWS)} rows into the province | ${imp.province.seconds.toFixed(1)} s (${fmt(provRate)} rows/s) | ${imp.province.peakRssMb} MB | raw csv-parse + INSERT ${fmt(baseRate)} rows/s (${(provRate / baseRate).toFixed(2)}×) |`,
    );
    out(
      `| the same into an empty installation | ${imp.empty.seconds.toFixed(1)} s (${fmt(emptyRate)} rows/s) | ${imp.empty.peakRssMb} MB | (${(emptyRate / baseRate).toFixed(2)}× raw) |`,
    );
    out("");
    for (const r of rows) out(`${r.label.padEnd(40)} p99 ${r.p99} ms (goal < 100 ms) ${ok(r.p99 < 100)}`);
    out(
      `import into the province / into an empty installation ${(provRate / emptyRate).toFixed(2)} (goal ≥ 0.80) ${ok(provRate / emptyRate >= 0.8)}`,
    );
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

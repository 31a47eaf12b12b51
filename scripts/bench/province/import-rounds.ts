// bench:province's import (issue 17 §4): one roster of 1,000,000 new people imported through the
// CLI into three installations of the same province, each a fresh copy, in rounds:
//   - the province itself (5,000,000 workers at scale 1);
//   - a city-size installation: the same province seeded at a city's size (CITY_SHARE of it:
//     1,000,000 workers and 100,000 members at scale 1, the city of issue 17 §1). The goal is
//     stated against this one: "the import within 0.8× of its city-size rate";
//   - an empty installation (the province's organizations only), a stricter comparison kept
//     beside it: with no index to insert into the middle of, every write there is an append.
// Beside them, each round, the same people inserted into copies of the province and of the
// city-size installation by a bare INSERT … SELECT (bare-insert.ts): no application code, so the
// ratio of those two is the floor SQLite itself sets for the goal's (its one province-wide index by
// ID number is rewritten whole by a roster of new people: docs/PERFORMANCE.md).
// One run of each moved by 2–5 s from one run to the next on this machine (its other core is
// shared), more than the differences measured, so each is imported ROUNDS times, the order
// rotated every round, and the medians compared. Every copy is flushed to disk before it is
// timed, so that the kernel writing back 1.6 GB of copy does not land inside an import.

import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { parse } from "csv-parse";
import { openDb } from "../../../db/client.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { type ChildRun, fmt, median, rawImportBaseline, runMeasured } from "../measure.js";
import { writeRoster } from "../synthetic.js";
import { PROVINCE_CODE, type ProvinceSize, seedProvince } from "./seed-province.js";

/** A city's share of the province (scale 1: 1,000,000 of its 5,000,000 workers). */
export const CITY_SHARE = 0.2;

export type ImportTarget = "province" | "city-size installation" | "empty installation";
type BareTarget = Exclude<ImportTarget, "empty installation">;
type Timed = { seconds: number; cpuSeconds: number };
export type ImportFigures = {
  rows: number;
  countyCode: string;
  base: { rows: number; seconds: number; cpuSeconds: number };
  runs: Record<ImportTarget, ChildRun[]>;
  /** The bare INSERT … SELECT of the same people (bare-insert.ts), each round. */
  bare: Record<BareTarget, Timed[]>;
};

type Options = {
  root: string;
  dir: string;
  /** The province's database; never written (every import goes into a copy). */
  provinceDb: string;
  /** The clerk's county, or the first county of its kind with no roster yet (see countyFor). */
  county: { id: number; code: string };
  size: ProvinceSize;
  rows: number;
  rounds: number;
  compiled: boolean;
  out: (line: string) => void;
};

export async function importRounds(o: Options): Promise<ImportFigures> {
  const countyCode = countyFor(o.provinceDb, o.county);
  if (countyCode !== o.county.code) o.out(`  into ${countyCode} (an earlier run imported into ${o.county.code})`);
  // New people: their ID numbers follow everyone seeded, and everyone an earlier run imported
  // into a database reused with --db (the same people again would be a re-import).
  const earlier = readOne(o.provinceDb, "SELECT count(*) FROM imports WHERE kind = 'roster'") as number;
  const file = path.join(o.dir, "roster.csv");
  await writeRoster(file, o.rows, 20261203, o.size.workers + o.size.members + earlier * o.rows);
  const base = await rawImportBaseline(file, path.join(o.dir, "baseline.db"));
  const bareRows = path.join(o.dir, "bare-rows.db");
  await writeBareRows(file, bareRows);

  const citySize = scaled(o.size, CITY_SHARE);
  o.out(`  seeding a city-size installation (${JSON.stringify(citySize)}) …`);
  const cityDir = path.join(o.dir, "city");
  fs.mkdirSync(cityDir, { recursive: true });
  const city = await seedProvince(cityDir, citySize, () => {});
  city.handle.sqlite.pragma("wal_checkpoint(TRUNCATE)");
  city.handle.close();
  const emptyDb = path.join(o.dir, "empty-template.db");
  makeEmpty(emptyDb, countyCode);

  const sources: Record<ImportTarget, string> = {
    province: o.provinceDb,
    "city-size installation": city.dbPath,
    "empty installation": emptyDb,
  };
  const targets = Object.keys(sources) as ImportTarget[];
  const runs = Object.fromEntries(targets.map((t) => [t, [] as ChildRun[]])) as Record<ImportTarget, ChildRun[]>;
  const bare: Record<BareTarget, Timed[]> = { province: [], "city-size installation": [] };
  const copy = path.join(o.dir, "import-target.db");
  const cli = ["roster", file, "--platform", "美团", "--org", countyCode, "--json"];
  for (let round = 0; round < o.rounds; round++) {
    for (let k = 0; k < targets.length; k++) {
      const target = targets[(round + k) % targets.length]!;
      await copyFlushed(sources[target], copy);
      const run = await runMeasured(
        o.root,
        "scripts/import.ts",
        cli,
        { DATABASE_PATH: copy, UPLOAD_LIMIT_MB: "2048" },
        { compiled: o.compiled },
      );
      runs[target].push(run);
      o.out(`  round ${round + 1}, ${target}: ${run.seconds.toFixed(1)} s, CPU ${run.cpuSeconds.toFixed(1)} s, ${run.peakRssMb} MB`);
    }
    const bareTargets: BareTarget[] = round % 2 ? ["city-size installation", "province"] : ["province", "city-size installation"];
    for (const target of bareTargets) {
      await copyFlushed(sources[target], copy);
      // From sources always: the time is taken inside the script, around the transaction alone.
      const run = await runMeasured(o.root, "scripts/bench/province/bare-insert.ts", [copy, bareRows, countyCode], {});
      const timed = JSON.parse(run.stdout) as Timed;
      bare[target].push(timed);
      o.out(`  round ${round + 1}, bare INSERT into the ${target}: ${timed.seconds.toFixed(1)} s, CPU ${timed.cpuSeconds.toFixed(1)} s`);
    }
  }
  removeDb(copy);
  fs.rmSync(bareRows, { force: true });
  return { rows: o.rows, countyCode, base, runs, bare };
}

/** The roster's people (ID number, name, phone) in a table of their own keyed by ID number, for bare-insert.ts. */
async function writeBareRows(csvFile: string, rowsDb: string): Promise<void> {
  fs.rmSync(rowsDb, { force: true });
  const db = new Database(rowsDb);
  try {
    db.exec("CREATE TABLE s (id_number TEXT PRIMARY KEY, name TEXT NOT NULL, phone TEXT) WITHOUT ROWID");
    const ins = db.prepare("INSERT INTO s (id_number, name, phone) VALUES (?, ?, ?)");
    db.exec("BEGIN");
    for await (const rec of fs.createReadStream(csvFile).pipe(parse({ from_line: 2 })) as AsyncIterable<string[]>)
      ins.run(rec[1], rec[0], rec[2]);
    db.exec("COMMIT");
  } finally {
    db.close();
  }
}

/** The import's table and verdicts: each installation's medians beside the raw baseline; the goal is on the city-size one. */
export function importReport(imp: ImportFigures): string[] {
  const baseRate = imp.base.rows / imp.base.seconds;
  const med = (t: ImportTarget) => ({
    seconds: median(imp.runs[t].map((r) => r.seconds)),
    cpu: median(imp.runs[t].map((r) => r.cpuSeconds)),
    rss: Math.max(...imp.runs[t].map((r) => r.peakRssMb)),
  });
  const province = med("province");
  const city = med("city-size installation");
  const empty = med("empty installation");
  const rounds = imp.runs.province.length;
  const lines = [
    `\n| import of ${fmt(imp.rows)} new people into ${imp.countyCode} (median of ${rounds}) | time | CPU | rows/s | peak RSS | × raw |`,
    "|---|---:|---:|---:|---:|---:|",
  ];
  for (const [what, r] of [
    ["the province", province],
    ["a city-size installation", city],
    ["an empty installation", empty],
  ] as const) {
    const rate = imp.rows / r.seconds;
    lines.push(
      `| ${what} | ${r.seconds.toFixed(1)} s | ${r.cpu.toFixed(1)} s | ${fmt(rate)} | ${r.rss} MB | ${(rate / baseRate).toFixed(2)} |`,
    );
  }
  lines.push(
    `| raw csv-parse + INSERT | ${imp.base.seconds.toFixed(1)} s | ${imp.base.cpuSeconds.toFixed(1)} s | ${fmt(baseRate)} | | 1.00 |`,
  );
  // Rates, so the ratio of a rate is the inverse ratio of the times.
  const toCity = city.seconds / province.seconds;
  const toEmpty = empty.seconds / province.seconds;
  const bareOf = (t: BareTarget) => ({
    seconds: median(imp.bare[t].map((r) => r.seconds)),
    cpu: median(imp.bare[t].map((r) => r.cpuSeconds)),
  });
  const bareProvince = bareOf("province");
  const bareCity = bareOf("city-size installation");
  for (const [what, r] of [
    ["bare INSERT … SELECT into the province", bareProvince],
    ["bare INSERT … SELECT into a city-size installation", bareCity],
  ] as const) {
    lines.push(`| ${what} | ${r.seconds.toFixed(1)} s | ${r.cpu.toFixed(1)} s | ${fmt(imp.rows / r.seconds)} | | |`);
  }
  const bareToCity = bareCity.seconds / bareProvince.seconds;
  lines.push(
    `\nbare INSERT into the province / into a city-size installation ${bareToCity.toFixed(2)} (CPU ${(bareCity.cpu / bareProvince.cpu).toFixed(2)}): the floor SQLite sets for the ratio below`,
  );
  lines.push(
    `import into the province / into a city-size installation ${toCity.toFixed(2)} (CPU ${(city.cpu / province.cpu).toFixed(2)}) (goal ≥ 0.80) ${toCity >= 0.8 ? "OK" : "MISSED"}`,
    `import into the province / into an empty installation ${toEmpty.toFixed(2)} (CPU ${(empty.cpu / province.cpu).toFixed(2)}) (the stricter comparison, ≥ 0.80: ${toEmpty >= 0.8 ? "yes" : "no"})`,
  );
  return lines;
}

function scaled(size: ProvinceSize, share: number): ProvinceSize {
  return {
    workers: Math.round(size.workers * share),
    members: Math.round(size.members * share),
    leads: Math.round(size.leads * share),
    enterprises: Math.max(200, Math.round(size.enterprises * share)),
  };
}

function readOne(dbPath: string, sql: string, ...params: unknown[]): unknown {
  const d = new Database(dbPath, { readonly: true });
  try {
    return d
      .prepare(sql)
      .pluck()
      .get(...params);
  } finally {
    d.close();
  }
}

/**
 * The clerk's county, or, when an earlier run (before imports went into copies) imported there
 * (its million people would all leave: another workload), the first county (its region code not
 * a city's, …00) of the same kind that had no roster yet.
 */
function countyFor(dbPath: string, county: { id: number; code: string }): string {
  const code = readOne(
    dbPath,
    `SELECT o.code FROM organizations o
     WHERE o.kind = (SELECT kind FROM organizations WHERE id = @id) AND o.depth = (SELECT depth FROM organizations WHERE id = @id)
       AND substr(o.code, 7) = substr(@code, 7) AND substr(o.region_code, 5) <> '00' AND NOT EXISTS (SELECT 1 FROM imports i WHERE i.kind = 'roster' AND i.org_id = o.id)
     ORDER BY o.id <> @id, o.code LIMIT 1`,
    { id: county.id, code: county.code },
  ) as string | undefined;
  if (!code) throw new Error("every county of the clerk's kind has had a roster imported: seed again");
  return code;
}

/** An installation of the province with its organizations only, and the county the roster is imported into. */
function makeEmpty(file: string, countyCode: string): void {
  const h = openDb(file);
  prepareDatabase(h, { jurisdiction: { regionCode: PROVINCE_CODE } });
  const root = h.sqlite.prepare("SELECT id, path FROM organizations WHERE parent_id IS NULL").get() as { id: number; path: string };
  const c = h.sqlite
    .prepare(
      "INSERT INTO organizations (code, name, kind, parent_id, path, depth, industry_code, region_code) VALUES (?, '县级委员会', 'industry_committee', ?, '/', 1, 'online_delivery', ?)",
    )
    .run(countyCode, root.id, countyCode.slice(0, 6));
  h.sqlite.prepare("UPDATE organizations SET path = ? WHERE id = ?").run(`${root.path}${c.lastInsertRowid}/`, c.lastInsertRowid);
  h.sqlite.pragma("wal_checkpoint(TRUNCATE)");
  h.close();
}

/** A consistent copy of `src` at `dst` (SQLite's backup), on disk before this returns. */
async function copyFlushed(src: string, dst: string): Promise<void> {
  removeDb(dst);
  const d = new Database(src, { readonly: true });
  try {
    await d.backup(dst);
  } finally {
    d.close();
  }
  const fd = fs.openSync(dst, "r+");
  try {
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function removeDb(file: string): void {
  for (const suffix of ["", "-wal", "-shm"]) fs.rmSync(file + suffix, { force: true });
  // The CLI's scratch directory beside the database (staged rows), left only by a run that failed.
  fs.rmSync(`${file}-imports`, { recursive: true, force: true });
}

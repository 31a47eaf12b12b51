// npm run bench:export [-- --rows 1000000 --keep]
//
// Exports a roster of N platform workers (default 1,000,000) from a temporary SQLite database as .xlsx
// (the app's streaming worker ledger) and, in the same run, the same rows as CSV (csv-stringify, UTF-8
// with BOM, formula escaping on). Each export runs in its own child process so its peak RSS is its own.
// Prints both rates, the ratio xlsx/csv (goal ≥ 0.64) and each export's peak RSS (goal < 150 MB), each
// beside its baseline (the CSV export; for RSS also the child's size before its first row), with the
// CPU seconds of each export (on a shared machine the wall-clock rates of two runs minutes apart
// compare the machine's load as much as the writers) and a goal line each: OK or MISSED.
// --db FILE reuses the database of a --keep run.
// Reading the rows from SQLite costs both formats the same and dominates the CSV run, so it also
// compares the two writers alone, on the first 2,000 rows of the roster repeated N times in memory.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { finished } from "node:stream/promises";
import { stringify } from "csv-stringify";
import { openDb } from "../../db/client.js";
import { runMigrations } from "../../db/migrate.js";
import { idNumberCheckChar } from "../../server/domain/id-number.js";
import { systemActor } from "../../server/policy/actor.js";
import { resolveScope } from "../../server/services/coverage/scope.js";
import { ledgerRows, writeLedgerRows } from "../../server/services/export/ledgers.js";
import { PROJECT_ROOT } from "../../server/paths.js";
import { nodeArgs } from "./measure.js";
import { benchArgs, positive } from "./options.js";

const values = benchArgs("bench:export", {
  rows: { type: "string", default: "1000000" },
  keep: { type: "boolean", default: false },
  phase: { type: "string" },
  db: { type: "string" },
  out: { type: "string" },
  // Each export as `npm run build` compiled it (what production runs) instead of from sources under tsx.
  compiled: { type: "boolean", default: false },
});
const ROWS = positive("bench:export", "--rows", values.rows, true);

type PhaseResult = {
  phase: string;
  rows: number;
  ms: number;
  /** CPU seconds of the export (all the child's threads: the deflate stage runs on libuv's pool). */
  cpuS: number;
  maxRssMb: number;
  /** The child's RSS before the export began: node, tsx and the modules loaded, the database open. */
  startRssMb: number;
  /** The 1-minute load average when the export ended. */
  load: number;
  bytes: number;
};

type Phase = "csv" | "xlsx" | "csv-mem" | "xlsx-mem";

async function runPhase(phase: Phase, dbPath: string, outFile: string, n: number): Promise<PhaseResult> {
  const h = openDb(dbPath);
  const actor = systemActor("bench");
  const ctx = { db: h.db, rs: resolveScope(h.db, actor, {}), asOf: "2026-01-01", unmask: true, filters: {} };
  const ledger = ledgerRows("workers", ctx);
  let source = ledger;
  if (phase.endsWith("-mem")) {
    // The writers alone: the first page of real rows, repeated n times, no database reads.
    const first = ledger.pages();
    const sample = first.next().value ?? [];
    first.return(undefined);
    source = {
      ...ledger,
      *pages() {
        for (let done = 0; done < n; done += sample.length) yield done + sample.length <= n ? sample : sample.slice(0, n - done);
      },
    };
  }
  const startRssMb = process.memoryUsage().rss / 1048576;
  const cpu0 = process.cpuUsage();
  const started = performance.now();
  let rows = 0;
  const out = fs.createWriteStream(outFile);
  if (phase.startsWith("xlsx")) {
    rows = await writeLedgerRows(source, out);
    await finished(out);
  } else {
    const csv = stringify({ bom: true, escape_formulas: true });
    csv.pipe(out);
    csv.write(source.columns.map((c) => c.header));
    for (const page of source.pages()) {
      for (const v of page) {
        if (!csv.write(v.map((x) => (x == null ? "" : x)))) await new Promise((r) => csv.once("drain", r));
        rows += 1;
      }
    }
    csv.end();
    await finished(out);
  }
  const ms = performance.now() - started;
  const cpu = process.cpuUsage(cpu0);
  h.close();
  return {
    phase,
    rows,
    ms,
    cpuS: (cpu.user + cpu.system) / 1e6,
    maxRssMb: process.resourceUsage().maxRSS / 1024,
    startRssMb,
    load: os.loadavg()[0]!,
    bytes: fs.statSync(outFile).size,
  };
}

const SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕";
const GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红";
const PLATFORMS = ["货拉拉", "滴滴出行", "美团", "饿了么", "顺丰速运", "中通快递"];
const OCCUPATIONS = ["truck_driver", "ride_hailing_driver", "delivery_rider", "courier"];

function seed(dbPath: string, n: number): void {
  const h = openDb(dbPath);
  runMigrations(h);
  const s = h.sqlite;
  s.exec(`INSERT INTO regions (code, name, parent_code, level) VALUES ('370000','山东省',NULL,'province'),('371700','菏泽市','370000','city'),('371702','牡丹区','371700','county');
    INSERT INTO industries (code, name, sort_order) VALUES ('online_delivery','网约配送',1);
    INSERT INTO organizations (id, code, name, kind, path, depth, region_code) VALUES (1,'HZ','菏泽市委社会工作部','city_department','/1/',0,'371700'),
      (2,'HZ-PS','市网约配送行业党委','industry_committee','/1/2/',1,'371700');
    INSERT INTO enterprises (id, name, credit_code, kind, industry_code, region_code, committee_id) VALUES (1,'菏泽某某配送服务有限公司','91371700MA00000001','station','online_delivery','371702',2);`);
  const insert =
    s.prepare(`INSERT INTO workers (platform, id_number, name, phone, org_id, enterprise_id, station, franchisee, occupation, political_status, hired_on, first_seen_on, last_seen_on)
    VALUES (?,?,?,?,2,?,?,?,?,?,?,?,?)`);
  let x = 12345;
  const rnd = (m: number) => {
    x = (x * 1103515245 + 12345) % 2147483648;
    return x % m;
  };
  s.transaction(() => {
    for (let i = 0; i < n; i++) {
      // Unique per row: birth date from i / 1000 (days after 1965-01-01), sequence from i % 1000.
      const birth = new Date(Date.UTC(1965, 0, 1 + Math.floor(i / 1000))).toISOString().slice(0, 10).replaceAll("-", "");
      const first17 = `3717${String(rnd(30)).padStart(2, "0")}${birth}${String(i % 1000).padStart(3, "0")}`;
      const id = first17 + idNumberCheckChar(first17);
      const name = SURNAMES[rnd(SURNAMES.length)]! + GIVEN[rnd(GIVEN.length)]! + (rnd(2) ? GIVEN[rnd(GIVEN.length)]! : "");
      insert.run(
        PLATFORMS[i % PLATFORMS.length],
        id,
        name,
        `13${String(100000000 + rnd(900000000)).slice(0, 9)}`,
        rnd(3) ? 1 : null,
        `牡丹区${rnd(40)}号站点`,
        rnd(2) ? `加盟商${rnd(200)}` : null,
        OCCUPATIONS[rnd(OCCUPATIONS.length)],
        rnd(30) ? "masses" : "party_member",
        `202${rnd(5)}-0${1 + rnd(9)}-1${rnd(9)}`,
        "2025-01-01",
        "2025-12-01",
      );
    }
  })();
  h.close();
}

if (values.phase) {
  const r = await runPhase(values.phase as Phase, values.db!, values.out!, ROWS);
  process.stdout.write(`${JSON.stringify(r)}\n`);
} else {
  const n = ROWS;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "bench-export-"));
  // --db FILE: the database a --keep run left (seeding a million rows takes minutes).
  const dbPath = values.db ?? path.join(dir, "bench.db");
  const t0 = performance.now();
  if (!values.db) seed(dbPath, n);
  console.log(
    values.db
      ? `reusing ${dbPath} (--rows ${n.toLocaleString("en")} applies to the in-memory runs; the database runs export every row)`
      : `seeded ${n.toLocaleString("en")} workers in ${((performance.now() - t0) / 1000).toFixed(1)} s (${dbPath})`,
  );
  const self = nodeArgs(PROJECT_ROOT, "scripts/bench/export.bench.ts", values.compiled);
  const phase = (p: string): PhaseResult => {
    const out = execFileSync(
      process.execPath,
      [...self, "--phase", p, "--rows", String(n), "--db", dbPath, "--out", path.join(dir, `workers.${p}`)],
      {
        encoding: "utf8",
        stdio: ["ignore", "pipe", "inherit"],
      },
    );
    return JSON.parse(out.trim().split("\n").pop()!) as PhaseResult;
  };
  const rate = (r: PhaseResult) => r.rows / (r.ms / 1000);
  const cpuRate = (r: PhaseResult) => r.rows / r.cpuS;
  const n0 = (x: number) => Math.round(x).toLocaleString("en");
  const line = (r: PhaseResult) =>
    `  ${r.phase.padEnd(8)} ${r.rows.toLocaleString("en")} rows in ${(r.ms / 1000).toFixed(1)} s = ${n0(rate(r))} rows/s (CPU ${r.cpuS.toFixed(1)} s = ${n0(cpuRate(r))} rows per CPU-second), ${(r.bytes / 1e6).toFixed(1)} MB, peak RSS ${n0(r.maxRssMb)} MB (${n0(r.startRssMb)} MB before the first row), load ${r.load.toFixed(1)}`;
  const goal = (ok: boolean) => (ok ? "OK" : "MISSED");
  console.log("database → file (the export as the app runs it):");
  const csv = phase("csv");
  console.log(line(csv));
  const xlsx = phase("xlsx");
  console.log(line(xlsx));
  console.log("writers alone (rows already in memory):");
  const csvMem = phase("csv-mem");
  console.log(line(csvMem));
  const xlsxMem = phase("xlsx-mem");
  console.log(line(xlsxMem));
  const ratio = rate(xlsx) / rate(csv);
  const cpuRatio = cpuRate(xlsx) / cpuRate(csv);
  const memRatio = rate(xlsxMem) / rate(csvMem);
  console.log(
    `.xlsx ${n0(rate(xlsx))} rows/s, baseline CSV ${n0(rate(csv))} rows/s: ratio ${ratio.toFixed(2)} (per CPU-second ${cpuRatio.toFixed(2)}; writers alone ${memRatio.toFixed(2)})`,
  );
  console.log(`goal .xlsx rate >= 0.64 x CSV: ${goal(ratio >= 0.64)}`);
  console.log(
    `.xlsx peak RSS ${n0(xlsx.maxRssMb)} MB, baseline CSV ${n0(csv.maxRssMb)} MB: ratio ${(xlsx.maxRssMb / csv.maxRssMb).toFixed(2)}; the export's own growth ${n0(xlsx.maxRssMb - xlsx.startRssMb)} MB (CSV ${n0(csv.maxRssMb - csv.startRssMb)} MB)`,
  );
  console.log(`goal .xlsx peak RSS < 150 MB: ${goal(xlsx.maxRssMb < 150)}`);
  console.log(`goal CSV peak RSS < 150 MB: ${goal(csv.maxRssMb < 150)}`);
  console.log(
    `load average ${os
      .loadavg()
      .map((l) => l.toFixed(2))
      .join(" ")} on ${os.cpus().length} CPUs`,
  );
  if (!values.keep) fs.rmSync(dir, { recursive: true, force: true });
}

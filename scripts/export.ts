// npm run export -- coverage|members|enterprises|leads|transfers|workers|recruitment|risk|dues --out FILE.xlsx [--org CODE] [--as-of YYYY-MM-DD] [--year YYYY]
// npm run export -- meetings --out FILE.xlsx [--org CODE] [--year YYYY]   (organizational life, the year by month and type)
// npm run export -- table1|table43|… --out FILE.xlsx [--org CODE] [--period YYYY|YYYY-H1]   (党内统计: the official tables)
//
// Writes the workbook to FILE.xlsx (through a temporary file, so a failed export leaves nothing
// behind). Runs as the system: ID numbers are written whole; the export is audited as "cli".
import fs from "node:fs";
import path from "node:path";
import { parseArgs } from "node:util";
import { parseLooseDate, todayIso } from "../server/domain/dates.js";
import { systemActor } from "../server/policy/actor.js";
import { EXPORT_KINDS, isExportKind, prepareExport } from "../server/services/export/export.service.js";
import { getOrgByCode } from "../server/services/orgs/orgs.service.js";
import { writeMeetingsYearWorkbook } from "../server/services/export/meetings.workbook.js";
import { prepareTableExport } from "../server/services/tables/export.js";
import { isTableId, TABLES } from "../server/services/tables/tables.service.js";
import { PERIOD_PATTERN } from "../server/domain/official-tables/periods.js";
import { openConfiguredDb, runCli } from "./cli.js";

const TABLE_IDS = TABLES.map((t) => t.def.id);
const USAGE = `usage: npm run export -- ${EXPORT_KINDS.join("|")} --out FILE.xlsx [--org CODE] [--as-of YYYY-MM-DD] [--year YYYY (dues)]; npm run export -- meetings --out FILE.xlsx [--org CODE] [--year YYYY]; npm run export -- ${TABLE_IDS.join("|")} --out FILE.xlsx [--org CODE] [--period YYYY|YYYY-H1]`;

await runCli(async () => {
  let parsed: ReturnType<typeof parse>;
  function parse() {
    return parseArgs({
      allowPositionals: true,
      options: {
        out: { type: "string" },
        org: { type: "string" },
        "as-of": { type: "string" },
        year: { type: "string" },
        period: { type: "string" },
      },
    });
  }
  try {
    parsed = parse();
  } catch (err) {
    throw new Error(`${(err as Error).message}; ${USAGE}`);
  }
  const { positionals, values } = parsed;
  const kind = positionals[0];
  if (!kind) throw new Error(`missing report kind; ${USAGE}`);
  const isTable = isTableId(kind);
  if (!isExportKind(kind) && kind !== "meetings" && !isTable)
    throw new Error(`unknown report kind "${kind}": expected one of ${[...EXPORT_KINDS, "meetings", ...TABLE_IDS].join(", ")}`);
  const period = values.period;
  if (period !== undefined) {
    if (!isTable) throw new Error(`--period applies to the official tables (${TABLE_IDS.join(", ")}) only; ${USAGE}`);
    if (!PERIOD_PATTERN.test(period)) throw new Error(`--period must be YYYY or YYYY-H1, got "${period}"`);
  }
  if (isTable && (values["as-of"] !== undefined || values.year !== undefined))
    throw new Error(`the official tables take --period, not --as-of or --year; ${USAGE}`);
  if (positionals.length > 1) throw new Error(`unexpected argument "${positionals[1]}"; ${USAGE}`);
  if (!values.out) throw new Error(`--out FILE.xlsx is required; ${USAGE}`);
  if (!values.out.toLowerCase().endsWith(".xlsx")) throw new Error(`--out must name an .xlsx file, got "${values.out}"`);
  const asOf = values["as-of"];
  if (asOf !== undefined) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(asOf) || parseLooseDate(asOf) !== asOf)
      throw new Error(`--as-of must be a real date YYYY-MM-DD, got "${asOf}"`);
    if (asOf > todayIso()) throw new Error(`--as-of ${asOf} is in the future`);
  }
  const year = values.year;
  if (year !== undefined) {
    if (kind !== "dues" && kind !== "meetings") throw new Error(`--year applies to the dues summary and meetings only; ${USAGE}`);
    if (!/^\d{4}$/.test(year)) throw new Error(`--year must be a year YYYY, got "${year}"`);
    if (year > todayIso().slice(0, 4)) throw new Error(`--year ${year} is in the future`);
  }
  if (kind === "meetings" && asOf !== undefined) throw new Error(`--as-of does not apply to meetings (use --year); ${USAGE}`);
  const outDir = path.dirname(path.resolve(values.out));
  if (!fs.existsSync(outDir)) throw new Error(`output directory does not exist: ${outDir}`);

  const { handle } = openConfiguredDb();
  try {
    const db = handle.db;
    let orgId: number | null = null;
    if (values.org !== undefined) {
      const org = getOrgByCode(db, values.org);
      if (!org) throw new Error(`no organization with code "${values.org}"`);
      orgId = org.id;
    }
    const started = Date.now();
    if (isTable) {
      const tmp = `${path.resolve(values.out)}.${process.pid}.tmp`;
      try {
        const prepared = prepareTableExport(db, systemActor("cli"), kind, { org: values.org ?? null, period: period ?? null });
        const rows = await prepared.run(fs.createWriteStream(tmp));
        fs.renameSync(tmp, values.out);
        const bytes = fs.statSync(values.out).size;
        console.log(`wrote ${values.out}: ${kind}, ${rows} rows, ${bytes} bytes, ${Date.now() - started} ms`);
      } finally {
        fs.rmSync(tmp, { force: true });
      }
      return;
    }
    if (kind === "meetings") {
      const tmp = `${path.resolve(values.out)}.${process.pid}.tmp`;
      try {
        const r = await writeMeetingsYearWorkbook(
          db,
          systemActor("cli"),
          { orgId, year: year ? Number(year) : null },
          fs.createWriteStream(tmp),
        );
        fs.renameSync(tmp, values.out);
        const bytes = fs.statSync(values.out).size;
        console.log(`wrote ${values.out}: meetings ${r.year}, ${r.rows} meetings, ${bytes} bytes, ${Date.now() - started} ms`);
      } finally {
        fs.rmSync(tmp, { force: true });
      }
      return;
    }
    if (!isExportKind(kind)) throw new Error(`unknown report kind "${kind}"`);
    const prepared = prepareExport(db, systemActor("cli"), { kind, orgId, asOf: asOf ?? null, year: year ? Number(year) : null });
    const tmp = `${path.resolve(values.out)}.${process.pid}.tmp`;
    try {
      const rows = await prepared.run(fs.createWriteStream(tmp));
      fs.renameSync(tmp, values.out);
      const bytes = fs.statSync(values.out).size;
      console.log(`wrote ${values.out}: ${kind}, ${rows} rows, ${bytes} bytes, ${Date.now() - started} ms`);
    } finally {
      fs.rmSync(tmp, { force: true });
    }
  } finally {
    handle.close();
  }
});

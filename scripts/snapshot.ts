// npm run snapshot                      snapshot every organization for the current month (provisional)
//                                       and finalise last month if it has no final snapshot yet
// npm run snapshot -- --backfill N      also reconstruct the final snapshots of the N months before
//                                       this one that have none, from the recorded dates
// npm run snapshot -- --tables-period P also freeze the official tables (党内统计) of the closed period
//                                       P (YYYY or YYYY-H1) where they have no snapshot yet, marked as
//                                       frozen after the fact; the periods that closed last month are
//                                       frozen by every run anyway
import { parseArgs } from "node:util";
import { todayIso } from "../server/domain/dates.js";
import { backfillSnapshots, finalisePreviousMonth, takeMonthlySnapshots } from "../server/services/coverage/snapshots.js";
import { openConfiguredDb, runCli } from "./cli.js";
import { parsePeriod, PERIOD_PATTERN } from "../server/domain/official-tables/periods.js";
import { freezeClosedPeriods, freezePeriod, periodsJustClosed } from "../server/services/tables/tables.service.js";

const USAGE = "usage: npm run snapshot [-- --backfill N] [--tables-period YYYY|YYYY-H1]";

await runCli(async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: { backfill: { type: "string" }, "tables-period": { type: "string" } },
  });
  if (positionals.length) throw new Error(`unexpected argument ${positionals[0]}; ${USAGE}`);
  let backfill = 0;
  if (values.backfill !== undefined) {
    if (!/^\d{1,3}$/.test(values.backfill) || Number(values.backfill) < 1 || Number(values.backfill) > 120) {
      throw new Error(`--backfill must be a number of months from 1 to 120; ${USAGE}`);
    }
    backfill = Number(values.backfill);
  }
  const tablesPeriod = values["tables-period"];
  if (tablesPeriod !== undefined && !PERIOD_PATTERN.test(tablesPeriod))
    throw new Error(`--tables-period must be YYYY or YYYY-H1; ${USAGE}`);
  const { handle, config } = openConfiguredDb();
  try {
    const db = handle.db;
    const started = Date.now();
    const prev = await finalisePreviousMonth(db);
    if (prev) console.log(`finalised ${prev.month} as of ${prev.asOf}: ${prev.written} scopes written`);
    for (const r of await freezeClosedPeriods(db))
      console.log(`official tables ${r.period}: ${r.written} frozen, ${r.kept} kept (${r.scopes} scopes, ${r.ms} ms)`);
    if (tablesPeriod) {
      const p = parsePeriod(tablesPeriod);
      if (!p) throw new Error(`--tables-period: no such period ${tablesPeriod}`);
      const late = !periodsJustClosed().some((x) => x.id === p.id);
      const r = await freezePeriod(db, p, { reconstructed: late });
      console.log(
        `official tables ${r.period}${late ? " (after the fact)" : ""}: ${r.written} frozen, ${r.kept} kept (${r.scopes} scopes, ${r.ms} ms)`,
      );
    }
    for (const r of await backfillSnapshots(db, backfill))
      console.log(`reconstructed ${r.month} as of ${r.asOf}: ${r.written} scopes written`);
    const cur = await takeMonthlySnapshots(db, { asOf: todayIso() });
    console.log(
      `snapshot ${cur.month} as of ${cur.asOf}: ${cur.written} scopes written, ${cur.kept} final kept (${config.databasePath}, ${Date.now() - started} ms)`,
    );
  } finally {
    handle.close();
  }
});

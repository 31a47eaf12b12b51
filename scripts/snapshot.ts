// npm run snapshot                      snapshot every organization for the current month (provisional)
//                                       and finalise last month if it has no final snapshot yet
// npm run snapshot -- --backfill N      also reconstruct the final snapshots of the N months before
//                                       this one that have none, from the recorded dates
import { parseArgs } from "node:util";
import { todayIso } from "../server/domain/dates.js";
import { backfillSnapshots, finalisePreviousMonth, takeMonthlySnapshots } from "../server/services/coverage/snapshots.js";
import { openConfiguredDb, runCli } from "./cli.js";

const USAGE = "usage: npm run snapshot [-- --backfill N]";

await runCli(async () => {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { backfill: { type: "string" } } });
  if (positionals.length) throw new Error(`unexpected argument ${positionals[0]}; ${USAGE}`);
  let backfill = 0;
  if (values.backfill !== undefined) {
    if (!/^\d{1,3}$/.test(values.backfill) || Number(values.backfill) < 1 || Number(values.backfill) > 120) {
      throw new Error(`--backfill must be a number of months from 1 to 120; ${USAGE}`);
    }
    backfill = Number(values.backfill);
  }
  const { handle, config } = openConfiguredDb();
  try {
    const db = handle.db;
    const started = Date.now();
    const prev = await finalisePreviousMonth(db);
    if (prev) console.log(`finalised ${prev.month} as of ${prev.asOf}: ${prev.written} scopes written`);
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

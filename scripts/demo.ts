// npm run demo — the demo city on an embedded SQLite file (DEMO_DATABASE_PATH, default data/demo.db),
// seeded on first run, served on http://HOST:PORT.
import { openDb } from "../db/client.js";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, demoEnv, seedDemo } from "../db/seed/index.js";
import { prepareDatabase } from "../server/bootstrap.js";
import { loadConfig } from "../server/config.js";
import { todayIso } from "../server/domain/dates.js";
import { DEMO_JURISDICTION } from "../server/domain/reference-data.js";
import { startServer } from "../server/index.js";
import { runCli } from "./cli.js";
import { backfillSnapshots } from "../server/services/coverage/snapshots.js";
import { DEMO_SELF_REPORT_TOKEN, demoExtras } from "../db/seed/demo-extras.js";

/**
 * The dashboard's 12-month trend needs a final snapshot per past month. A fresh demo has none, so
 * they are reconstructed from the recorded dates (as `npm run snapshot -- --backfill 11` does) in
 * the background once the server listens: about half a minute on the demo city, one organization
 * at a time, so pages keep being served meanwhile. Later starts find the months done.
 */
async function backfillTrend(databasePath: string): Promise<void> {
  const handle = openDb(databasePath);
  try {
    const t0 = Date.now();
    const done = await backfillSnapshots(handle.db, 11);
    if (done.length)
      console.log(`已补齐过去 ${done.length} 个月的统计快照（首页 12 个月趋势图），用时 ${((Date.now() - t0) / 1000).toFixed(0)} 秒。`);
  } catch (err) {
    console.error(`could not reconstruct the past months' coverage snapshots: ${err instanceof Error ? err.message : String(err)}`);
  } finally {
    handle.close();
  }
}

await runCli(async () => {
  const config = loadConfig(demoEnv(process.env));
  const handle = openDb(config.databasePath);
  prepareDatabase(handle, { jurisdiction: DEMO_JURISDICTION });
  const t0 = Date.now();
  const r = await seedDemo(handle, { today: todayIso(), extras: demoExtras });
  handle.close();
  if (r.seeded) console.log(`演示数据已生成 (${((Date.now() - t0) / 1000).toFixed(1)} s): ${JSON.stringify(r.counts)}`);
  await startServer({
    config,
    onListening: (url) => {
      console.log(
        `\n新就业群体党建覆盖管理系统（演示）: ${url}\n数据库: ${config.databasePath}\n\n演示账号（密码均为 ${DEMO_PASSWORD}）：`,
      );
      for (const a of DEMO_ACCOUNTS) console.log(`  ${a.username.padEnd(12)} ${a.note}`);
      console.log(`\n党员亮身份登记（扫码表单，无需登录）: ${url}/r/${DEMO_SELF_REPORT_TOKEN}`);
      console.log("\n按 Ctrl+C 停止。");
      void backfillTrend(config.databasePath);
    },
  });
});

// npm run demo — the demo city on an embedded SQLite file (DEMO_DATABASE_PATH, default data/demo.db),
// seeded on first run, served on http://HOST:PORT.
import { openDb } from "../db/client.js";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from "../db/seed/index.js";
import { prepareDatabase } from "../server/bootstrap.js";
import { loadConfig } from "../server/config.js";
import { todayIso } from "../server/domain/dates.js";
import { startServer } from "../server/index.js";
import { runCli } from "./cli.js";
import { DEMO_SELF_REPORT_TOKEN, demoExtras } from "./demo-extras.js";

await runCli(async () => {
  const base = loadConfig();
  const config = Object.freeze({ ...base, databasePath: base.demoDatabasePath });
  const handle = openDb(config.databasePath);
  prepareDatabase(handle);
  const t0 = Date.now();
  const r = await seedDemo(handle, { today: todayIso(), extras: demoExtras });
  handle.close();
  if (r.seeded) console.log(`演示数据已生成 (${((Date.now() - t0) / 1000).toFixed(1)} s): ${JSON.stringify(r.counts)}`);
  await startServer({
    config,
    onListening: (url) => {
      console.log(`\n新就业群体党建覆盖管理系统（演示）: ${url}\n数据库: ${config.databasePath}\n\n演示账号（密码均为 ${DEMO_PASSWORD}）：`);
      for (const a of DEMO_ACCOUNTS) console.log(`  ${a.username.padEnd(12)} ${a.note}`);
      console.log(`\n党员亮身份登记（扫码表单，无需登录）: ${url}/r/${DEMO_SELF_REPORT_TOKEN}`);
      console.log("\n按 Ctrl+C 停止。");
    },
  });
});

// npm run seed:demo — builds the demo city into DATABASE_PATH (an empty database). Idempotent.
import { seedDemo } from "../db/seed/index.js";
import { todayIso } from "../server/domain/dates.js";
import { DEMO_JURISDICTION } from "../server/domain/reference-data.js";
import { openConfiguredDb, runCli } from "./cli.js";
import { demoExtras } from "../db/seed/demo-extras.js";

await runCli(async () => {
  const { handle, config } = openConfiguredDb({ jurisdiction: DEMO_JURISDICTION });
  try {
    const t0 = Date.now();
    const r = await seedDemo(handle, { today: todayIso(), extras: demoExtras });
    console.log(
      r.seeded
        ? `seeded demo data into ${config.databasePath} in ${((Date.now() - t0) / 1000).toFixed(1)} s: ${JSON.stringify(r.counts)}`
        : `${config.databasePath} already holds the demo data`,
    );
  } finally {
    handle.close();
  }
});

// npm run db:migrate — applies committed migrations and reference data to DATABASE_PATH.
import { openConfiguredDb, runCli } from "./cli.js";

await runCli(() => {
  const { handle, config } = openConfiguredDb();
  handle.close();
  console.log(`migrated ${config.databasePath}`);
});

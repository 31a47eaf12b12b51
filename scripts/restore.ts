// npm run restore -- FILE   restores a backup into DATABASE_PATH (stop the server first)
import { parseArgs } from "node:util";
import { loadConfig } from "../server/config.js";
import { restoreDatabase } from "../server/services/backup/backup.service.js";
import { runCli } from "./cli.js";

await runCli(() => {
  const { positionals } = parseArgs({ allowPositionals: true });
  const file = positionals[0];
  if (!file) throw new Error("usage: npm run restore -- FILE");
  const config = loadConfig();
  const r = restoreDatabase(file, config.databasePath);
  console.log(`restored ${file} into ${config.databasePath}${r.kept ? `; the previous database was kept as ${r.kept}` : ""}`);
});

// npm run backup -- --out FILE   consistent online backup of DATABASE_PATH (safe while the server runs)
import { parseArgs } from "node:util";
import { loadConfig } from "../server/config.js";
import { backupDatabase } from "../server/services/backup.service.js";
import { runCli } from "./cli.js";

await runCli(async () => {
  const { values } = parseArgs({ options: { out: { type: "string" } } });
  if (!values.out) throw new Error("usage: npm run backup -- --out FILE");
  const config = loadConfig();
  const t0 = Date.now();
  const r = await backupDatabase(config.databasePath, values.out);
  console.log(`backed up ${config.databasePath} to ${r.file} (${(r.bytes / 1048576).toFixed(1)} MB, integrity ${r.integrity}) in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
});

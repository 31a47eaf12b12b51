// npm run backup -- --out FILE   consistent online backup of DATABASE_PATH (safe while the server runs)
import { parseArgs } from "node:util";
import cliProgress from "cli-progress";
import { loadConfig } from "../server/config.js";
import { type BackupProgress, backupDatabase } from "../server/services/backup/backup.service.js";
import { runCli } from "./cli.js";

/** Below this a backup takes about a second: a bar would only flicker. */
const BAR_MIN_BYTES = 64 * 1048576;

const mb = (bytes: number) => (bytes / 1048576).toFixed(1);

await runCli(async () => {
  const { values } = parseArgs({ options: { out: { type: "string" } } });
  if (!values.out) throw new Error("usage: npm run backup -- --out FILE");
  const config = loadConfig();
  const tty = process.stdout.isTTY === true;
  let bar: cliProgress.SingleBar | null = null;
  const stopBar = () => {
    bar?.stop();
    bar = null;
  };
  const onProgress = (p: BackupProgress) => {
    if (!tty) return;
    if (p.phase === "check") {
      const hadBar = bar !== null;
      stopBar();
      if (hadBar) process.stdout.write("checking the copy's integrity …\n");
      return;
    }
    if (!bar && p.totalPages * p.pageSize >= BAR_MIN_BYTES && p.donePages < p.totalPages) {
      bar = new cliProgress.SingleBar(
        { format: "copying |{bar}| {percentage}% | {done} of {size} MB", hideCursor: true },
        cliProgress.Presets.shades_classic,
      );
      bar.start(p.totalPages, 0, { done: "0.0", size: mb(p.totalPages * p.pageSize) });
    }
    bar?.update(p.donePages, { done: mb(p.donePages * p.pageSize) });
  };
  const t0 = Date.now();
  try {
    const r = await backupDatabase(config.databasePath, values.out, { onProgress });
    console.log(
      `backed up ${config.databasePath} to ${r.file} (${mb(r.bytes)} MB, integrity ${r.integrity}) in ${((Date.now() - t0) / 1000).toFixed(1)} s ` +
        `(copy ${(r.copyMs / 1000).toFixed(1)} s, integrity check ${(r.checkMs / 1000).toFixed(1)} s)`,
    );
  } finally {
    stopBar();
  }
});

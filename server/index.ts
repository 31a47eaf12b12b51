import type { Server } from "node:http";
import { openDb } from "../db/client.js";
import { createApp } from "./app.js";
import { NO_JURISDICTION, ensureFirstAdmin, prepareDatabase } from "./bootstrap.js";
import { type Config, loadConfig } from "./config.js";
import { createLogger } from "./logger.js";
import { BackupSchedule } from "./services/backup/schedule.js";
import { failOrphanedImports, stopImportThreads } from "./services/import/import.service.js";
import { startSnapshotTimer } from "./services/coverage/snapshots.js";
import { startTablesFreezeTimer } from "./services/tables/tables.service.js";
import { startNavWarmTimer } from "./services/nav.service.js";
import { JurisdictionError, readJurisdiction } from "./services/jurisdiction/jurisdiction.service.js";

// Loads config, opens the database, builds the app and listens; with BACKUP_DIR set, takes backups
// on a schedule. SIGTERM/SIGINT stop imports running in worker threads (each is rolled back and
// marked failed) and a running backup (its partial file removed), finish in-flight requests, then
// close the database.

export async function startServer(opts: { config?: Readonly<Config>; onListening?: (url: string) => void } = {}) {
  const config = opts.config ?? loadConfig();
  const logger = createLogger(config);
  const handle = openDb(config.databasePath);
  try {
    const installed = prepareDatabase(handle, { jurisdiction: config.jurisdiction });
    if (!readJurisdiction(handle.db)) throw new Error(NO_JURISDICTION);
    if (installed?.status === "installed")
      logger.info({ region: installed.jurisdiction.regionCode, root: installed.jurisdiction.rootOrg.name }, "jurisdiction installed");
  } catch (err) {
    handle.close();
    throw err instanceof JurisdictionError ? new Error(err.english) : err;
  }
  // An import whose process was killed with the previous server (or a CLI) is marked failed now.
  const orphaned = failOrphanedImports(handle);
  const admin = await ensureFirstAdmin(handle, config);
  if (admin?.generated) {
    // Printed once, on the console only: the password is not kept anywhere else.
    console.log(
      `\n首次启动：已创建管理员账号 admin，初始密码 ${admin.password}（请登录后立即修改）\nFirst start: created user "admin" with password ${admin.password}\n`,
    );
  }
  // Off the request thread: each copy runs in a worker thread with its own connection.
  const backups = config.backupDir
    ? new BackupSchedule({
        databasePath: config.databasePath,
        dir: config.backupDir,
        everyMs: config.backupEveryMs,
        keep: config.backupKeep,
        logger,
      })
    : null;
  const app = createApp({ db: handle, config, logger, backups, warmDashboard: true });
  // The badges' kept counts, before the first request rather than during it; again when the day changes.
  const stopWarm = startNavWarmTimer(handle.db, { log: logger });
  // Finalises last month's coverage snapshot at month change (checked at start, then hourly).
  const stopSnapshots = startSnapshotTimer(handle.db, { log: logger });
  // Freezes the official tables of a period that closed last month (checked at start, then hourly).
  const stopTablesFreeze = startTablesFreezeTimer(handle.db, { log: logger });
  const server: Server = app.listen(config.port, config.host, () => {
    const address = server.address();
    const port = typeof address === "object" && address ? address.port : config.port;
    const url = `http://${config.host}:${port}`;
    logger.info({ url, database: config.databasePath }, "listening");
    if (orphaned > 0) logger.warn({ imports: orphaned }, "imports interrupted by a crash marked failed");
    backups?.start();
    opts.onListening?.(url);
  });
  let closing = false;
  const shutdown = (signal: string) => {
    if (closing) return;
    closing = true;
    logger.info({ signal }, "shutting down");
    stopSnapshots();
    stopTablesFreeze();
    stopWarm();
    // An import can take minutes: rather than cut it off at the forced exit below, each one is
    // stopped now, its transaction rolled back and its record marked failed (with a message
    // saying to import again); a web page polling it shows that, an API batch waiting on it is
    // answered 503. (Killed outright, the next start marks it failed: failOrphanedImports.)
    const imports = stopImportThreads().then((n) => {
      if (n > 0) logger.warn({ imports: n }, "running imports stopped and marked failed");
    });
    const backup = backups?.stop() ?? Promise.resolve();
    server.close(() => {
      void Promise.allSettled([imports, backup]).finally(() => {
        handle.close();
        process.exit(0);
      });
    });
    server.closeIdleConnections();
    setTimeout(() => {
      logger.warn("forced shutdown after 10 s");
      handle.close();
      process.exit(1);
    }, 10_000).unref();
  };
  process.on("SIGTERM", () => shutdown("SIGTERM"));
  process.on("SIGINT", () => shutdown("SIGINT"));
  return { server, handle, config, backups };
}

const isMain = process.argv[1] && import.meta.url === new URL(`file://${process.argv[1]}`).href;
if (isMain) {
  startServer().catch((err) => {
    console.error(`Failed to start: ${err instanceof Error ? err.message : String(err)}`);
    process.exit(1);
  });
}

import type { Passport } from "passport";
import type { Logger } from "pino";
import type { Db, DbHandle } from "../db/client.js";
import type { Config } from "./config.js";
import type { BackupStatus } from "./services/backup/schedule.js";

/** What route files receive: services get `db` from here; route files never import drizzle. */
export type Deps = {
  db: Db;
  handle: DbHandle;
  config: Readonly<Config>;
  logger: Logger;
  passport: InstanceType<typeof Passport>;
  /** The server's backup schedule, when BACKUP_DIR is set: its state is shown to administrators. */
  backups: { status(): BackupStatus } | null;
};

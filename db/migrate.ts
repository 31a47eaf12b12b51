import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { MIGRATIONS_DIR } from "../server/paths.js";
import type { DbHandle } from "./client.js";

export const MIGRATIONS_FOLDER = MIGRATIONS_DIR;

/** Applies the committed drizzle-kit migrations that this database has not seen yet. */
export function runMigrations(handle: DbHandle): void {
  migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER });
}

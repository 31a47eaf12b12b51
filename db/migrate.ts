import path from "node:path";
import { fileURLToPath } from "node:url";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import type { DbHandle } from "./client.js";

export const MIGRATIONS_FOLDER = path.join(path.dirname(fileURLToPath(import.meta.url)), "migrations");

/** Applies the committed drizzle-kit migrations that this database has not seen yet. */
export function runMigrations(handle: DbHandle): void {
  migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER });
}

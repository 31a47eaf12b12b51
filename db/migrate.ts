import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { MIGRATIONS_DIR } from "../server/paths.js";
import type { DbHandle } from "./client.js";

export const MIGRATIONS_FOLDER = MIGRATIONS_DIR;

/** Applies the committed drizzle-kit migrations that this database has not seen yet. */
export function runMigrations(handle: DbHandle): void {
  refuseUsernamesDifferingOnlyInCase(handle);
  migrate(handle.db, { migrationsFolder: MIGRATIONS_FOLDER });
}

/**
 * Migration 0011 makes usernames unique whatever their case. Accounts that already differ only in
 * case (`admin` and `Admin`) would make it fail with a bare constraint error, or, renamed
 * automatically, leave a person unable to sign in under the name they know: the operator decides
 * which to rename, so the migration is refused with the names and the way to do it.
 */
function refuseUsernamesDifferingOnlyInCase({ sqlite }: DbHandle): void {
  const hasUsers = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'users'").get();
  const migrated = sqlite.prepare("SELECT 1 FROM sqlite_master WHERE type = 'index' AND name = 'users_username_lower_uq'").get();
  if (!hasUsers || migrated) return;
  const clashing = sqlite
    .prepare(
      `SELECT lower(username) AS key, username FROM users
       WHERE lower(username) IN (SELECT lower(username) FROM users GROUP BY lower(username) HAVING count(*) > 1)
       ORDER BY lower(username), id`,
    )
    .all() as { key: string; username: string }[];
  if (clashing.length === 0) return;
  const byKey = new Map<string, string[]>();
  for (const c of clashing) byKey.set(c.key, [...(byKey.get(c.key) ?? []), c.username]);
  const groups = [...byKey.values()].map((names) => names.join(", "));
  throw new Error(
    `cannot make usernames case-insensitive (migration 0011): these accounts differ only in case: ${groups.map((g) => `[${g}]`).join(" ")}. ` +
      "Rename all but one of each group, e.g. sqlite3 DATABASE_PATH \"UPDATE users SET username = 'admin2' WHERE username = 'Admin'\", tell those people their new name, and start again.",
  );
}

import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import type { DbHandle } from "../../db/client.js";
import * as schema from "../../db/schema.js";

/**
 * An in-memory database restored from `handle.sqlite.serialize()`: the same rows (sessions
 * included) at a fraction of the cost of building them again (the argon2 hashes of the small
 * city's accounts take most of createTestApp's time). Same pragmas as db/client.ts openDb.
 */
export function restoreMemoryDb(image: Buffer): DbHandle {
  const sqlite = new Database(image);
  sqlite.pragma("foreign_keys = ON");
  sqlite.pragma("busy_timeout = 10000");
  sqlite.pragma("temp_store = MEMORY");
  return {
    db: drizzle(sqlite, { schema }),
    sqlite,
    path: ":memory:",
    close() {
      if (sqlite.open) sqlite.close();
    },
  };
}

import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import type { BaseSQLiteDatabase } from "drizzle-orm/sqlite-core";
import * as schema from "./schema.js";

/** The database or a transaction on it: services accept either, so they compose inside one transaction. */
export type Db = BaseSQLiteDatabase<"sync", Database.RunResult, typeof schema>;

export type DbHandle = {
  db: Db;
  sqlite: Database.Database;
  path: string;
  close(): void;
};

/**
 * Opens the database with the pragmas every connection needs. ":memory:" gives a private
 * in-memory database (tests).
 */
export function openDb(file: string): DbHandle {
  if (file !== ":memory:") fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  return handleOver(new Database(file), file);
}

/**
 * The handle over an open connection, with the pragmas every connection needs: openDb's, and the
 * tests' in-memory databases restored from an image (`new Database(buffer)`), so both get the same.
 */
export function handleOver(sqlite: Database.Database, file: string): DbHandle {
  sqlite.pragma("foreign_keys = ON");
  if (file !== ":memory:") sqlite.pragma("journal_mode = WAL");
  // Imports hold the write lock for seconds; readers and small writers wait instead of failing.
  sqlite.pragma("busy_timeout = 10000");
  sqlite.pragma("synchronous = NORMAL");
  sqlite.pragma("cache_size = -65536");
  sqlite.pragma("temp_store = MEMORY");
  const db = drizzle(sqlite, { schema });
  return {
    db,
    sqlite,
    path: file,
    close() {
      if (sqlite.open) {
        try {
          sqlite.pragma("optimize");
        } catch {
          // optimize is advisory; a read-only or busy database must still close
        }
        sqlite.close();
      }
    },
  };
}

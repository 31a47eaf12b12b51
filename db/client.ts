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

/** Statements kept per connection (most recently used last). */
const KEPT_STATEMENTS = 500;
const keptByConnection = new WeakMap<Database.Database, Map<string, Database.Statement>>();

/**
 * The statement for `source` on `sqlite`, prepared the first time and handed out again after: drizzle
 * prepares every query it runs, and a page runs dozens (a member's page ~40: preparing them was a
 * third of its CPU). A kept statement comes back with its raw mode off (drizzle turns it on for the
 * runs that want arrays and never off; nobody using this sets another mode), and not while it is
 * iterating (another is prepared then). Code that prepares on the connection itself and keeps its
 * statements, with their own modes, does not come here.
 */
export function preparedOnce(sqlite: Database.Database, source: string): Database.Statement {
  let kept = keptByConnection.get(sqlite);
  if (!kept) {
    kept = new Map();
    keptByConnection.set(sqlite, kept);
  }
  const hit = kept.get(source);
  if (hit && !hit.busy) {
    kept.delete(source);
    kept.set(source, hit);
    if (hit.reader) hit.raw(false);
    return hit;
  }
  const st = sqlite.prepare(source);
  if (!hit) {
    kept.set(source, st);
    if (kept.size > KEPT_STATEMENTS) kept.delete(kept.keys().next().value as string);
  }
  return st;
}

/** The connection as drizzle sees it: its `prepare` is preparedOnce's. */
function keepingStatements(sqlite: Database.Database): Database.Database {
  const prepare = (source: string) => preparedOnce(sqlite, source);
  return new Proxy(sqlite, {
    get(target, prop) {
      if (prop === "prepare") return prepare;
      const value = Reflect.get(target, prop, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
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
  const db = drizzle(keepingStatements(sqlite), { schema });
  // What code outside drizzle reaches through `db.$client` (read-connection, org-parts: one set of
  // kept parts per connection, keyed by it) is the connection itself, not drizzle's view of it.
  (db as unknown as { $client: Database.Database }).$client = sqlite;
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

// A ledger export reads its rows through a connection of its own: read-only, a small page cache,
// and one read transaction for the whole export. Why: the rows of a large ledger (a million
// workers) pass through the page cache once; through the app's connection they filled its 64 MB
// cache (the export's largest memory cost, and the hot pages of every other request evicted), and
// each keyset page, read between the awaits that let the zip stream drain, could see a write
// committed meanwhile. A snapshot keeps the file's pages from being checkpointed past it while the
// export runs (the WAL grows meanwhile, as during a backup).
//
// An in-memory database (tests) cannot be opened twice, and a connection inside a transaction has
// writes another connection would not see: both are read as before, through the caller's.

import Database from "better-sqlite3";
import { drizzle } from "drizzle-orm/better-sqlite3";
import type { Db } from "../../../db/client.js";
import * as schema from "../../../db/schema.js";

/** The reader's page cache, KiB: its pages are read once, in order. */
const READER_CACHE_KIB = 2048;

export type ExportReader = { db: Db; close(): void };

/**
 * The database file a second connection can read as this one sees it, or null: an in-memory database
 * cannot be opened twice, and a connection inside a transaction has writes another would not see.
 */
export function readableFile(db: Db): string | null {
  const client = (db as { $client?: Database.Database }).$client;
  if (!client?.open || client.memory || client.inTransaction || client.name === "" || client.name === ":memory:") return null;
  return client.name;
}

export function openExportReader(db: Db): ExportReader {
  const file = readableFile(db);
  if (!file) return { db, close() {} };
  const sqlite = new Database(file, { readonly: true, fileMustExist: true });
  try {
    sqlite.pragma("busy_timeout = 10000");
    sqlite.pragma(`cache_size = -${READER_CACHE_KIB}`);
    sqlite.exec("BEGIN");
  } catch (e) {
    sqlite.close();
    throw e;
  }
  return {
    db: drizzle(sqlite, { schema }) as unknown as Db,
    close() {
      if (!sqlite.open) return;
      try {
        sqlite.exec("COMMIT");
      } catch {
        // nothing was written; closing ends the snapshot either way
      }
      sqlite.close();
    },
  };
}

import Database from "better-sqlite3";
import { type DbHandle, handleOver } from "../../db/client.js";

/**
 * An in-memory database restored from `handle.sqlite.serialize()`: the same rows (sessions
 * included) at a fraction of the cost of building them again (the argon2 hashes of the small
 * city's accounts take most of createTestApp's time). Same pragmas as db/client.ts openDb.
 */
export function restoreMemoryDb(image: Buffer): DbHandle {
  return handleOver(new Database(image), ":memory:");
}

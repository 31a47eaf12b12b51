// A member-list page's rows by id and their enterprises' names are statements whose text is the
// same for every page (the ids are one JSON parameter): built once here instead of by drizzle on
// every page, and run on the connection's kept statement (db/client.ts preparedOnce).

import type Database from "better-sqlite3";
import type { SQLWrapper } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import { type Db, preparedOnce } from "../../../db/client.js";

const dialect = new SQLiteSyncDialect();
const texts = new WeakMap<(param: string) => SQLWrapper, string>();

/**
 * The rows of a statement whose text is the same for any value of its one parameter (`build` makes
 * it around the value, as a bound parameter), as arrays: built once, page after page. Keyed by
 * `build` itself, so each call site passes one function defined once.
 */
export function keptValuesOf<T extends unknown[]>(db: Db, build: (param: string) => SQLWrapper, param: string): T[] {
  // The better-sqlite3 connection drizzle runs on; a transaction's handle has none: drizzle's own way.
  const client = (db as unknown as { $client?: Database.Database }).$client;
  if (!client) return db.values(build(param).getSQL()) as T[];
  let text = texts.get(build);
  if (text === undefined) {
    const q = dialect.sqlToQuery(build(param).getSQL());
    if (q.params.length !== 1) throw new Error(`keptValuesOf: a statement of one parameter, not ${q.params.length}`);
    text = q.sql;
    texts.set(build, text);
  }
  return preparedOnce(client, text).raw(true).all(param) as T[];
}

// A member-list page runs three statements: its ids (a few texts, one per filter and sort), its
// rows and their enterprises' names (one text each, the ids as one JSON parameter). Preparing them
// on every page was 5% of a province page's CPU (0.16 ms; drizzle prepares each query it runs), so
// they are prepared once per connection and text here, in raw (array) mode, kept to a small number.

import type Database from "better-sqlite3";
import type { SQLWrapper } from "drizzle-orm";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "../../../db/client.js";

const KEPT_PER_CONNECTION = 64;
const dialect = new SQLiteSyncDialect();
const kept = new WeakMap<Database.Database, Map<string, Database.Statement>>();

function statement(client: Database.Database, text: string): Database.Statement {
  let byText = kept.get(client);
  if (!byText) {
    byText = new Map();
    kept.set(client, byText);
  }
  let st = byText.get(text);
  if (!st) {
    st = client.prepare(text);
    if (byText.size >= KEPT_PER_CONNECTION) byText.delete(byText.keys().next().value as string);
    byText.set(text, st);
  }
  return st;
}

/**
 * The rows of a statement whose text is the same for any value of its one parameter (`build` makes
 * it around the value, as a bound parameter): built and prepared once per connection, page after
 * page. Keyed by `build` itself, so each call site passes one function defined once.
 */
export function keptValuesOf<T extends unknown[]>(db: Db, build: (param: string) => SQLWrapper, param: string): T[] {
  const client = (db as unknown as { $client?: Database.Database }).$client;
  if (!client) return db.values(build(param).getSQL()) as T[];
  let text = texts.get(build);
  if (text === undefined) {
    const q = dialect.sqlToQuery(build(param).getSQL());
    if (q.params.length !== 1) throw new Error(`keptValuesOf: a statement of one parameter, not ${q.params.length}`);
    text = q.sql;
    texts.set(build, text);
  }
  return statement(client, text).raw(true).all(param) as T[];
}

const texts = new WeakMap<(param: string) => SQLWrapper, string>();

/** The rows of a select (a query builder's, or an SQL fragment) as arrays, its statement kept. */
export function keptValues<T extends unknown[]>(db: Db, query: SQLWrapper): T[] {
  // The better-sqlite3 connection drizzle runs on; a transaction's handle has none: drizzle's own way.
  const client = (db as unknown as { $client?: Database.Database }).$client;
  if (!client) return db.values(query.getSQL()) as T[];
  const q = dialect.sqlToQuery(query.getSQL());
  return statement(client, q.sql)
    .raw(true)
    .all(...q.params) as T[];
}

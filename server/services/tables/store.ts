// The snapshot store of the official tables: a closed period's tables frozen per scope organization
// (table, lists and all), gzipped. Written by the snapshot job (`npm run snapshot`, the server's
// timer), never by a page or a download; never updated or deleted (triggers of the migration).

import { gunzipSync, gzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import type { ComputedTable, RowRef } from "../../domain/official-tables/table.js";

/**
 * A list as stored: columns, and a column whose values are all the same as that one value. The city's
 * table 1 holds two lists of every member (start and end): as objects, reading it back would cost a
 * second; as columns, a few milliseconds.
 */
type Column<T> = { same: T } | { each: T[] };
type StoredList = {
  kind: Column<RowRef["kind"]>;
  id: number[];
  on: Column<string | null>;
  note: Column<string | null>;
  /** A sum cell's amounts (table 27's worker counts as they stood); absent for a list that has none. */
  amount?: Column<number | null>;
};

function column<T>(values: T[]): Column<T> {
  return values.length > 0 && values.every((v) => v === values[0]) ? { same: values[0]! } : { each: values };
}
function at<T>(c: Column<T>, i: number): T {
  return "same" in c ? c.same : c.each[i]!;
}

function encodeLists(lists: Record<string, RowRef[]>): Record<string, StoredList> {
  const out: Record<string, StoredList> = {};
  for (const [key, l] of Object.entries(lists)) {
    out[key] = {
      kind: column(l.map((r) => r.kind)),
      id: l.map((r) => r.id),
      on: column(l.map((r) => r.on ?? null)),
      note: column(l.map((r) => r.note ?? null)),
    };
    if (l.some((r) => r.amount !== undefined)) out[key].amount = column(l.map((r) => r.amount ?? null));
  }
  return out;
}

function decodeLists(stored: Record<string, StoredList>): Record<string, RowRef[]> {
  const out: Record<string, RowRef[]> = {};
  for (const [key, l] of Object.entries(stored)) {
    const amount = l.amount;
    out[key] = l.id.map((id, i) => {
      const r: RowRef = { kind: at(l.kind, i), id, on: at(l.on, i), note: at(l.note, i) };
      if (amount) r.amount = at(amount, i);
      return r;
    });
  }
  return out;
}

export type StoredTable = ComputedTable & { reconstructed: boolean; takenAt: string };

export function readFrozen(db: Db, tableId: string, period: string, orgId: number): StoredTable | null {
  const row = db.get<{ payload: Buffer; reconstructed: number; created_at: string }>(
    sql`SELECT payload, reconstructed, created_at FROM official_table_snapshots
      WHERE table_id = ${tableId} AND period = ${period} AND scope_org_id = ${orgId}`,
  );
  if (!row) return null;
  const parsed = JSON.parse(gunzipSync(row.payload).toString("utf8")) as {
    table: ComputedTable["table"];
    lists: Record<string, StoredList>;
  };
  return { table: parsed.table, lists: decodeLists(parsed.lists), reconstructed: row.reconstructed === 1, takenAt: row.created_at };
}

export function hasFrozen(db: Db, tableId: string, period: string, orgId: number): boolean {
  return !!db.get(
    sql`SELECT 1 AS x FROM official_table_snapshots WHERE table_id = ${tableId} AND period = ${period} AND scope_org_id = ${orgId}`,
  );
}

/** Stores a frozen table; a second freeze of the same table, period and scope keeps the first. */
export function storeFrozen(db: Pick<Db, "run">, orgId: number, t: ComputedTable, reconstructed: boolean): void {
  const payload = gzipSync(Buffer.from(JSON.stringify({ table: t.table, lists: encodeLists(t.lists) }), "utf8"));
  db.run(sql`INSERT INTO official_table_snapshots (table_id, period, scope_org_id, reconstructed, payload, created_at)
    VALUES (${t.table.id}, ${t.table.period.id}, ${orgId}, ${reconstructed ? 1 : 0}, ${payload}, ${t.table.source.takenAt})
    ON CONFLICT (table_id, period, scope_org_id) DO NOTHING`);
}

/** The periods frozen for a scope organization (any table), newest first. */
export function frozenPeriods(db: Db, orgId: number): { period: string; tableId: string; reconstructed: boolean; takenAt: string }[] {
  return db
    .all<{ period: string; table_id: string; reconstructed: number; created_at: string }>(
      sql`SELECT period, table_id, reconstructed, created_at FROM official_table_snapshots WHERE scope_org_id = ${orgId} ORDER BY period DESC, table_id`,
    )
    .map((r) => ({ period: r.period, tableId: r.table_id, reconstructed: r.reconstructed === 1, takenAt: r.created_at }));
}

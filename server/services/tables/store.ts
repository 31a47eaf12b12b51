// The snapshot store of the official tables: a closed period's tables frozen per scope organization
// (table, lists and all), gzipped. Written by the snapshot job (`npm run snapshot`, the server's
// timer), never by a page or a download; never updated or deleted (triggers of the migration).

import { gunzipSync, gzipSync } from "node:zlib";
import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import type { ComputedTable } from "../../domain/official-tables/table.js";

export type StoredTable = ComputedTable & { reconstructed: boolean; takenAt: string };

export function readFrozen(db: Db, tableId: string, period: string, orgId: number): StoredTable | null {
  const row = db.get<{ payload: Buffer; reconstructed: number; created_at: string }>(
    sql`SELECT payload, reconstructed, created_at FROM official_table_snapshots
      WHERE table_id = ${tableId} AND period = ${period} AND scope_org_id = ${orgId}`,
  );
  if (!row) return null;
  const parsed = JSON.parse(gunzipSync(row.payload).toString("utf8")) as ComputedTable;
  return { ...parsed, reconstructed: row.reconstructed === 1, takenAt: row.created_at };
}

export function hasFrozen(db: Db, tableId: string, period: string, orgId: number): boolean {
  return !!db.get(
    sql`SELECT 1 AS x FROM official_table_snapshots WHERE table_id = ${tableId} AND period = ${period} AND scope_org_id = ${orgId}`,
  );
}

/** Stores a frozen table; a second freeze of the same table, period and scope keeps the first. */
export function storeFrozen(db: Pick<Db, "run">, orgId: number, t: ComputedTable, reconstructed: boolean): void {
  const payload = gzipSync(Buffer.from(JSON.stringify(t), "utf8"));
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

import { blob, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./columns.js";
import { organizations } from "./orgs.js";

// The official tables (党内统计) frozen when their period closes: one row per table, period and scope
// organization, holding the computed table and the list behind every cell (gzipped JSON). A frozen
// period is read from here and never recomputed, so a past report regenerates identically whatever
// the records say later (services/tables/store.ts).

export const officialTableSnapshots = sqliteTable(
  "official_table_snapshots",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    tableId: text("table_id").notNull(),
    period: text("period").notNull(), // 2026 | 2026-H1
    scopeOrgId: integer("scope_org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    /** Frozen after the fact (a backfill), from the records as they stood then, not at the period's close. */
    reconstructed: integer("reconstructed", { mode: "boolean" }).notNull().default(false),
    payload: blob("payload", { mode: "buffer" }).notNull(),
    takenAt: createdAt(),
  },
  (t) => [
    uniqueIndex("official_table_snapshots_uq").on(t.tableId, t.period, t.scopeOrgId),
    index("official_table_snapshots_period_idx").on(t.period, t.tableId),
  ],
);

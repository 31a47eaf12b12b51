import { integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { createdAt } from "./columns.js";
import { organizations } from "./orgs.js";

// Statistics history

export const coverageSnapshots = sqliteTable(
  "coverage_snapshots",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    month: text("month").notNull(), // YYYY-MM
    scopeOrgId: integer("scope_org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    takenAt: createdAt(),
    figures: text("figures", { mode: "json" }).notNull(),
  },
  (t) => [uniqueIndex("coverage_snapshots_month_scope_uq").on(t.month, t.scopeOrgId)],
);

/**
 * A counter per kind of data, bumped by triggers in the same transaction as the change, whichever
 * connection or process writes it: a cached result keyed on the counter is exactly as fresh as the
 * data it counted. 'workers' moves when a worker is inserted or deleted, or its organization,
 * enterprise, first-seen or left date changes (what the statistics count), not on the member link
 * or last-seen date (migration 0008 holds the triggers). 'org:<id>' moves when a row that organization
 * holds changes in a way the statistics read, and 'coverage' when a write can change every
 * organization's part (migration 0019; coverage/partitions.ts).
 */

export const dataVersions = sqliteTable("data_versions", {
  name: text("name").primaryKey(),
  version: integer("version").notNull().default(0),
});

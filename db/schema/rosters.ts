import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import {
  DISCOVERY_CHANNELS,
  IMPORT_KINDS,
  IMPORT_SOURCES,
  IMPORT_STATUSES,
  LEAD_STATUSES,
  OCCUPATIONS,
  POLITICAL_STATUSES,
} from "../../server/domain/codes.js";
import { createdAt, updatedAt } from "./columns.js";
import { organizations } from "./orgs.js";
import { enterprises } from "./enterprises.js";
import { members } from "./members.js";
import { users } from "./accounts.js";

// Rosters and imports (数据交互线上找 · 平台公司实时找), self-report links

export const imports = sqliteTable(
  "imports",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    kind: text("kind", { enum: IMPORT_KINDS }).notNull(),
    platform: text("platform"),
    orgId: integer("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    source: text("source", { enum: IMPORT_SOURCES }).notNull().default("web"),
    reference: integer("reference", { mode: "boolean" }).notNull().default(false),
    dryRun: integer("dry_run", { mode: "boolean" }).notNull().default(false),
    originalName: text("original_name"), // shown to the user only, never used as a path
    storedPath: text("stored_path"),
    sha256: text("sha256"),
    sizeBytes: integer("size_bytes"),
    encoding: text("encoding"),
    delimiter: text("delimiter"),
    mapping: text("mapping", { mode: "json" }),
    status: text("status", { enum: IMPORT_STATUSES }).notNull().default("pending"),
    rowsDone: integer("rows_done").notNull().default(0),
    bytesDone: integer("bytes_done").notNull().default(0),
    summary: text("summary", { mode: "json" }),
    error: text("error"),
    startedAt: text("started_at"),
    // Refreshed while an import runs; a running import whose heartbeat is old died (kill, crash)
    // and no longer holds the platform's lock.
    heartbeatAt: text("heartbeat_at"),
    finishedAt: text("finished_at"),
    createdAt: createdAt(),
  },
  (t) => [
    index("imports_org_idx").on(t.orgId, t.id),
    index("imports_platform_idx").on(t.platform, t.status),
    index("imports_sha_idx").on(t.sha256),
  ],
);

export const importIssues = sqliteTable(
  "import_issues",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    importId: integer("import_id")
      .notNull()
      .references(() => imports.id, { onDelete: "cascade" }),
    rowNumber: integer("row_number").notNull(),
    outcome: text("outcome", { enum: ["rejected", "corrected", "duplicate"] }).notNull(),
    column: text("column"),
    value: text("value"),
    reason: text("reason").notNull(),
  },
  (t) => [index("import_issues_import_idx").on(t.importId, t.rowNumber)],
);

export const columnMappings = sqliteTable(
  "column_mappings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    kind: text("kind", { enum: IMPORT_KINDS }).notNull(),
    platform: text("platform"),
    orgId: integer("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    mapping: text("mapping", { mode: "json" }).notNull(),
    updatedAt: updatedAt(),
  },
  (t) => [uniqueIndex("column_mappings_org_name_uq").on(t.orgId, t.name)],
);

/** One row per person per platform. */

export const workers = sqliteTable(
  "workers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    platform: text("platform").notNull(),
    idNumber: text("id_number").notNull(),
    name: text("name").notNull(),
    phone: text("phone"),
    orgId: integer("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    enterpriseId: integer("enterprise_id").references(() => enterprises.id, { onDelete: "set null" }),
    station: text("station"),
    franchisee: text("franchisee"),
    occupation: text("occupation", { enum: OCCUPATIONS }),
    politicalStatus: text("political_status", { enum: POLITICAL_STATUSES }),
    hiredOn: text("hired_on"),
    firstSeenOn: text("first_seen_on").notNull(),
    lastSeenOn: text("last_seen_on").notNull(),
    // The last import that inserted or changed the row (one that only saw it again moves last_seen_on).
    lastImportId: integer("last_import_id").references(() => imports.id, { onDelete: "set null" }),
    leftOn: text("left_on"),
    memberId: integer("member_id").references(() => members.id, { onDelete: "set null" }),
    // The person (the ID number) has a row on another platform too: set by a trigger when such a row
    // is inserted (migration identity-person-key), never cleared. The statistics count a person once
    // (domain/person-rules.ts); only these rows need the look-up of the person's other rows.
    multiPlatform: integer("multi_platform", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    // One person's row per platform, and every look-up by ID number (a person's rows, a member's
    // workers, a roster's upsert): led by the ID number, one index does both. A province's roster
    // of new people lands on nearly every leaf page of such an index; two of them (a unique
    // (platform, id_number) and an (id_number) beside it) cost a 1,000,000-row import into
    // 5,000,000 workers several seconds more (docs/PERFORMANCE.md, issue 17 §4).
    uniqueIndex("workers_id_number_platform_uq").on(t.idNumber, t.platform),
    // Covering for the statistics: workers on the roll at a date, counted per organization and
    // enterprise, read from the index alone (the table is ten times its size).
    // Single-platform people are counted from it alone; multi_platform tells them apart.
    index("workers_org_cover_idx").on(t.orgId, t.enterpriseId, t.firstSeenOn, t.leftOn, t.multiPlatform),
    // The rows of people on several platforms, the few whose attribution is looked up.
    index("workers_multi_platform_idx").on(t.orgId, t.enterpriseId).where(sql`multi_platform = 1`),
    // The same rows by person, with what ranks them (person-rules.ts) and where they count: the
    // statistics rank each person's rows in one pass over it (identity/sql.ts peopleGroupsSql).
    index("workers_multi_person_idx")
      .on(t.idNumber, t.firstSeenOn, t.leftOn, t.lastSeenOn, t.orgId, t.enterpriseId)
      .where(sql`multi_platform = 1`),
    index("workers_member_idx").on(t.memberId),
  ],
);

/**
 * A member list used only for matching (e.g. exchanged with the organization department). Each
 * organization keeps its own list (one row per person per holder): an import writes only the list
 * of the organization it goes into, and a list is matched against the workers of its holder's
 * subtree (docs/ARCHITECTURE.md, "Imports and rows held by others").
 */

export const referenceMembers = sqliteTable(
  "reference_members",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    idNumber: text("id_number").notNull(),
    name: text("name").notNull(),
    orgId: integer("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    homeOrgName: text("home_org_name"),
    importId: integer("import_id").references(() => imports.id, { onDelete: "set null" }),
  },
  (t) => [
    uniqueIndex("reference_members_org_id_number_uq").on(t.orgId, t.idNumber),
    index("reference_members_id_number_idx").on(t.idNumber),
  ],
);

/** A possible member found by one of the four finds, waiting for a clerk to verify (摸排线索). */

export const leads = sqliteTable(
  "leads",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    idNumber: text("id_number").notNull(),
    name: text("name").notNull(),
    phone: text("phone"),
    channel: text("channel", { enum: DISCOVERY_CHANNELS }).notNull(),
    committeeId: integer("committee_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    workerId: integer("worker_id").references(() => workers.id, { onDelete: "set null" }),
    importId: integer("import_id").references(() => imports.id, { onDelete: "set null" }),
    selfReportLinkId: integer("self_report_link_id").references(() => selfReportLinks.id, {
      onDelete: "set null",
    }),
    enterpriseId: integer("enterprise_id").references(() => enterprises.id, { onDelete: "set null" }),
    occupation: text("occupation", { enum: OCCUPATIONS }),
    platform: text("platform"),
    homeOrgName: text("home_org_name"),
    joinedOn: text("joined_on"),
    note: text("note"),
    status: text("status", { enum: LEAD_STATUSES }).notNull().default("open"),
    memberId: integer("member_id").references(() => members.id, { onDelete: "set null" }),
    foundOn: text("found_on").notNull(),
    decidedOn: text("decided_on"),
    decidedBy: integer("decided_by").references(() => users.id, { onDelete: "set null" }),
    rejectReason: text("reject_reason"),
    createdAt: createdAt(),
  },
  (t) => [
    uniqueIndex("leads_id_number_uq").on(t.idNumber),
    // Also covering the statistics' four finds (coverage/sources.ts, foundLeads) and the drift-risk
    // count of open leads: after a verification the lead's committee is counted again, 5,000 leads
    // at a city, read from this index alone instead of each lead's row (32 -> 17.5 ms CPU).
    index("leads_committee_status_idx").on(t.committeeId, t.status, t.foundOn, t.decidedOn, t.channel, t.enterpriseId, t.idNumber),
    index("leads_channel_idx").on(t.channel),
    // The leads of a self-report link (its page, the leads filter, the links' counts).
    index("leads_self_report_link_idx").on(t.selfReportLinkId),
  ],
);

export const selfReportLinks = sqliteTable(
  "self_report_links",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    token: text("token").notNull(),
    label: text("label").notNull(),
    committeeId: integer("committee_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    enterpriseId: integer("enterprise_id").references(() => enterprises.id, { onDelete: "set null" }),
    expiresAt: text("expires_at"),
    closedAt: text("closed_at"),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex("self_report_links_token_uq").on(t.token), index("self_report_links_committee_idx").on(t.committeeId)],
);

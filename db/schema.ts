import { sql } from "drizzle-orm";
import { check, index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import {
  DISCOVERY_CHANNELS,
  EDUCATION_LEVELS,
  ENTERPRISE_KINDS,
  GENDERS,
  IMPORT_KINDS,
  IMPORT_SOURCES,
  IMPORT_STATUSES,
  INSTRUCTOR_KINDS,
  LEAD_STATUSES,
  LEAVE_REASONS,
  LOST_CONTACT_REASONS,
  MEMBER_CATEGORIES,
  OCCUPATIONS,
  ORG_FORMATIONS,
  ORG_KINDS,
  POLITICAL_STATUSES,
  RELATION_STATUSES,
  ROLES,
  TRANSFER_KINDS,
  TRANSFER_STATES,
} from "../server/domain/codes.js";

// Conventions: dates are ISO strings ("YYYY-MM-DD"), timestamps are ISO strings with time
// ("YYYY-MM-DDTHH:mm:ss.sssZ"), counts are integers, code lists are text enums checked by
// the database too. Nothing here is ever deleted by cascade unless it is pure derived data.

const createdAt = () => text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);
const updatedAt = () => text("updated_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);

function inList(column: string, values: readonly string[]) {
  return sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(",")})`);
}

// ---------------------------------------------------------------------------------------------
// Reference data
// ---------------------------------------------------------------------------------------------

export const regions = sqliteTable(
  "regions",
  {
    code: text("code").primaryKey(), // 6-digit administrative division code (行政区划代码)
    name: text("name").notNull(),
    parentCode: text("parent_code").references((): any => regions.code, { onDelete: "restrict" }),
    level: text("level", { enum: ["province", "city", "county"] }).notNull(),
  },
  (t) => [index("regions_parent_idx").on(t.parentCode)],
);

export const industries = sqliteTable("industries", {
  code: text("code").primaryKey(), // road_transport, online_delivery, express_delivery, live_streaming
  name: text("name").notNull(),
  sortOrder: integer("sort_order").notNull().default(0),
});

export const settings = sqliteTable("settings", {
  key: text("key").primaryKey(),
  value: text("value").notNull(),
});

// ---------------------------------------------------------------------------------------------
// Organization tree (党组织)
// ---------------------------------------------------------------------------------------------

export const organizations = sqliteTable(
  "organizations",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    code: text("code").notNull(),
    name: text("name").notNull(), // full name as on the seal: 中共…支部委员会
    shortName: text("short_name"),
    kind: text("kind", { enum: ORG_KINDS }).notNull(),
    formation: text("formation", { enum: ORG_FORMATIONS }), // branches only: standalone | joint
    parentId: integer("parent_id").references((): any => organizations.id, { onDelete: "restrict" }),
    // Materialised path of ancestor ids, "/1/5/23/": scope checks are one LIKE on an index.
    path: text("path").notNull(),
    depth: integer("depth").notNull().default(0),
    industryCode: text("industry_code").references(() => industries.code, { onDelete: "restrict" }),
    regionCode: text("region_code")
      .notNull()
      .references(() => regions.code, { onDelete: "restrict" }),
    foundedOn: text("founded_on"),
    secretaryName: text("secretary_name"),
    secretaryPhone: text("secretary_phone"),
    termStartOn: text("term_start_on"),
    termEndOn: text("term_end_on"),
    status: text("status", { enum: ["active", "dissolved"] })
      .notNull()
      .default("active"),
    dissolvedOn: text("dissolved_on"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("organizations_code_uq").on(t.code),
    index("organizations_parent_idx").on(t.parentId),
    index("organizations_path_idx").on(t.path),
    index("organizations_industry_idx").on(t.industryCode),
    index("organizations_region_idx").on(t.regionCode),
    check("organizations_kind_ck", inList("kind", ORG_KINDS)),
  ],
);

// ---------------------------------------------------------------------------------------------
// Enterprises and coverage (两个覆盖)
// ---------------------------------------------------------------------------------------------

export const enterprises = sqliteTable(
  "enterprises",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    creditCode: text("credit_code").notNull(), // 统一社会信用代码, GB 32100
    kind: text("kind", { enum: ENTERPRISE_KINDS }).notNull(),
    industryCode: text("industry_code")
      .notNull()
      .references(() => industries.code, { onDelete: "restrict" }),
    regionCode: text("region_code")
      .notNull()
      .references(() => regions.code, { onDelete: "restrict" }),
    // The committee responsible for Party work in this enterprise: decides who may see it.
    committeeId: integer("committee_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    address: text("address"),
    workerCount: integer("worker_count").notNull().default(0),
    legalRepIsMember: integer("legal_rep_is_member", { mode: "boolean" }).notNull().default(false),
    legalRepIsSecretary: integer("legal_rep_is_secretary", { mode: "boolean" }).notNull().default(false),
    status: text("status", { enum: ["active", "closed"] })
      .notNull()
      .default("active"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("enterprises_credit_code_uq").on(t.creditCode),
    index("enterprises_committee_idx").on(t.committeeId),
    index("enterprises_region_idx").on(t.regionCode),
    index("enterprises_industry_idx").on(t.industryCode),
    index("enterprises_name_idx").on(t.name),
  ],
);

/** Which organization covers which enterprise: a standalone branch covers one, a joint branch several. */
export const organizationEnterprises = sqliteTable(
  "organization_enterprises",
  {
    organizationId: integer("organization_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "cascade" }),
    enterpriseId: integer("enterprise_id")
      .notNull()
      .references(() => enterprises.id, { onDelete: "cascade" }),
    since: text("since"),
  },
  (t) => [
    primaryKey({ name: "organization_enterprises_pk", columns: [t.organizationId, t.enterpriseId] }),
    index("organization_enterprises_enterprise_idx").on(t.enterpriseId),
  ],
);

export const instructors = sqliteTable(
  "instructors",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    kind: text("kind", { enum: INSTRUCTOR_KINDS }).notNull().default("instructor"),
    phone: text("phone"),
    workUnit: text("work_unit"),
    // The committee that dispatched the instructor (scope).
    committeeId: integer("committee_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    status: text("status", { enum: ["active", "inactive"] })
      .notNull()
      .default("active"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [index("instructors_committee_idx").on(t.committeeId)],
);

export const instructorAssignments = sqliteTable(
  "instructor_assignments",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    instructorId: integer("instructor_id")
      .notNull()
      .references(() => instructors.id, { onDelete: "cascade" }),
    enterpriseId: integer("enterprise_id")
      .notNull()
      .references(() => enterprises.id, { onDelete: "cascade" }),
    assignedOn: text("assigned_on").notNull(),
    endedOn: text("ended_on"),
  },
  (t) => [
    index("instructor_assignments_instructor_idx").on(t.instructorId),
    index("instructor_assignments_enterprise_idx").on(t.enterpriseId),
  ],
);

// ---------------------------------------------------------------------------------------------
// Members (党员)
// ---------------------------------------------------------------------------------------------

export const members = sqliteTable(
  "members",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    gender: text("gender", { enum: GENDERS }).notNull(),
    ethnicity: text("ethnicity").notNull().default("01"), // GB 3304 code, 01 = 汉族
    birthDate: text("birth_date").notNull(),
    idNumber: text("id_number").notNull(),
    idLast4: text("id_last4").notNull(), // for search by the last four digits without scanning
    phone: text("phone"),
    phoneLast4: text("phone_last4"),
    education: text("education", { enum: EDUCATION_LEVELS }),
    category: text("category", { enum: MEMBER_CATEGORIES }).notNull(),
    joinedOn: text("joined_on"),
    fullOn: text("full_on"),
    occupation: text("occupation", { enum: OCCUPATIONS }),
    enterpriseId: integer("enterprise_id").references(() => enterprises.id, { onDelete: "set null" }),
    // The organization that manages the record: the branch once filed (纳管), else the committee
    // that found the member. Scope filters on this column.
    orgId: integer("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    relationStatus: text("relation_status", { enum: RELATION_STATUSES }).notNull(),
    // Where the organizational relationship sits when not here (home village, former employer).
    relationOrgName: text("relation_org_name"),
    discoveryChannel: text("discovery_channel", { enum: DISCOVERY_CHANNELS }),
    discoveredOn: text("discovered_on"),
    verifiedOn: text("verified_on"),
    managedOn: text("managed_on"),
    lostContactOn: text("lost_contact_on"),
    lostContactReason: text("lost_contact_reason", { enum: LOST_CONTACT_REASONS }),
    leftOn: text("left_on"),
    leftReason: text("left_reason", { enum: LEAVE_REASONS }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    uniqueIndex("members_id_number_uq").on(t.idNumber),
    index("members_org_name_idx").on(t.orgId, t.name),
    index("members_org_id_idx").on(t.orgId, t.id),
    index("members_name_idx").on(t.name),
    index("members_id_last4_idx").on(t.idLast4),
    index("members_phone_last4_idx").on(t.phoneLast4),
    // An enterprise's members; covering for the statistics' count of an enterprise's present (and
    // full) members at a date (coverage/sources.ts, enterpriseSource), read from the index alone.
    index("members_enterprise_cover_idx").on(t.enterpriseId, t.relationStatus, t.leftOn, t.discoveredOn, t.category, t.fullOn),
    index("members_relation_idx").on(t.relationStatus),
    // The member list (server/services/members/list.ts; `npm run bench:members` measures it at
    // 100,000 members). Each sort order has two covering indexes: one by organization, for a scope
    // given as org_id IN (…) (SQLite walks each org in order and stops early), one for the whole
    // city. They carry id, so that (key, id) is the keyset order, and the columns the default
    // "current members" condition and the code filters test, so that a page and its count never
    // read the table however selective the filters are. The joined-date key has no comma on
    // purpose (drizzle-kit splits index expressions on commas); queries repeat it exactly.
    index("members_org_name_cover_idx").on(t.orgId, t.name, t.id, t.relationStatus, t.leftOn, t.occupation, t.category, t.discoveryChannel),
    index("members_org_joined_cover_idx").on(
      t.orgId,
      sql`(CASE WHEN joined_on IS NULL THEN '' ELSE joined_on END)`,
      t.id,
      t.relationStatus,
      t.leftOn,
      t.occupation,
      t.category,
      t.discoveryChannel,
    ),
    index("members_name_cover_idx").on(t.name, t.id, t.relationStatus, t.leftOn, t.occupation, t.category, t.discoveryChannel),
    index("members_joined_cover_idx").on(
      sql`(CASE WHEN joined_on IS NULL THEN '' ELSE joined_on END)`,
      t.id,
      t.relationStatus,
      t.leftOn,
      t.occupation,
      t.category,
      t.discoveryChannel,
    ),
    // The statistics' sums (coverage/sources.ts, memberGroups): members counted per (organization,
    // enterprise[, channel]) from this index alone, in its order, before the attribution joins.
    index("members_stats_cover_idx").on(
      t.orgId,
      t.enterpriseId,
      t.discoveryChannel,
      t.relationStatus,
      t.category,
      t.fullOn,
      t.managedOn,
      t.lostContactOn,
      t.leftOn,
      t.discoveredOn,
      t.verifiedOn,
      t.idNumber,
    ),
    index("members_lost_contact_idx").on(t.lostContactOn).where(sql`lost_contact_on IS NOT NULL`),
    check("members_category_ck", inList("category", MEMBER_CATEGORIES)),
    check("members_relation_ck", inList("relation_status", RELATION_STATUSES)),
  ],
);

/** The member's timeline: every change, never edited or deleted. */
export const memberEvents = sqliteTable(
  "member_events",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    memberId: integer("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "restrict" }),
    at: createdAt(),
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    kind: text("kind").notNull(), // created, updated, verified, filed, transfer_*, mobile_*, lost_contact …
    summary: text("summary").notNull(), // Chinese one-liner for the timeline
    details: text("details", { mode: "json" }),
  },
  (t) => [index("member_events_member_idx").on(t.memberId, t.id)],
);

// ---------------------------------------------------------------------------------------------
// Accounts, sessions, audit
// ---------------------------------------------------------------------------------------------

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    username: text("username").notNull(),
    displayName: text("display_name").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    orgId: integer("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    status: text("status", { enum: ["active", "disabled"] })
      .notNull()
      .default("active"),
    lastLoginAt: text("last_login_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // Usernames are one account whatever their case: `Admin` is `admin` (sign-in folds case too).
  (t) => [uniqueIndex("users_username_lower_uq").on(sql`lower(${t.username})`), check("users_role_ck", inList("role", ROLES))],
);

export const sessions = sqliteTable(
  "sessions",
  {
    sid: text("sid").primaryKey(),
    userId: integer("user_id").references(() => users.id, { onDelete: "cascade" }),
    data: text("data").notNull(),
    expiresAt: integer("expires_at").notNull(), // epoch ms: idle expiry
    createdAt: integer("created_at").notNull(), // epoch ms: absolute expiry counts from here
  },
  (t) => [index("sessions_expires_idx").on(t.expiresAt), index("sessions_user_idx").on(t.userId)],
);

/** rate-limiter-flexible's table (RateLimiterSQLite), created here so it lives under our migrations. */
export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  points: integer("points").notNull().default(0),
  expire: integer("expire"),
});

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: createdAt(),
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    username: text("username"),
    action: text("action").notNull(), // create, update, delete, login, login_failed, logout, unmask, export …
    entity: text("entity"),
    entityId: text("entity_id"),
    before: text("before", { mode: "json" }),
    after: text("after", { mode: "json" }),
    details: text("details", { mode: "json" }),
    ip: text("ip"),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at),
    index("audit_log_user_idx").on(t.userId, t.at),
    index("audit_log_entity_idx").on(t.entity, t.entityId),
    index("audit_log_action_idx").on(t.action, t.at),
  ],
);

// ---------------------------------------------------------------------------------------------
// Rosters and imports (数据交互线上找 · 平台公司实时找)
// ---------------------------------------------------------------------------------------------

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
  },
  (t) => [
    uniqueIndex("workers_platform_id_number_uq").on(t.platform, t.idNumber),
    index("workers_id_number_idx").on(t.idNumber),
    // Covering for the statistics: workers on the roll at a date, counted per organization and
    // enterprise, read from the index alone (the table is ten times its size).
    index("workers_org_cover_idx").on(t.orgId, t.enterpriseId, t.firstSeenOn, t.leftOn),
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
    index("leads_committee_status_idx").on(t.committeeId, t.status),
    index("leads_channel_idx").on(t.channel),
    // The leads of a self-report link (its page, the leads filter, the links' counts).
    index("leads_self_report_link_idx").on(t.selfReportLinkId),
  ],
);

// ---------------------------------------------------------------------------------------------
// Transfers and mobile members (流动不流失)
// ---------------------------------------------------------------------------------------------

export const transfers = sqliteTable(
  "transfers",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    memberId: integer("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "restrict" }),
    kind: text("kind", { enum: TRANSFER_KINDS }).notNull(),
    fromOrgId: integer("from_org_id").references(() => organizations.id, { onDelete: "restrict" }),
    toOrgId: integer("to_org_id").references(() => organizations.id, { onDelete: "restrict" }),
    externalOrgName: text("external_org_name"),
    letterNumber: text("letter_number").notNull(),
    issuedOn: text("issued_on").notNull(),
    validDays: integer("valid_days").notNull(),
    deadlineOn: text("deadline_on").notNull(),
    duesPaidTo: text("dues_paid_to"), // YYYY-MM
    reason: text("reason"),
    state: text("state", { enum: TRANSFER_STATES }).notNull().default("pending"),
    receiptOn: text("receipt_on"),
    returnReason: text("return_reason"),
    correctsTransferId: integer("corrects_transfer_id").references((): any => transfers.id, {
      onDelete: "restrict",
    }),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    decidedBy: integer("decided_by").references(() => users.id, { onDelete: "set null" }),
    decidedAt: text("decided_at"),
    createdAt: createdAt(),
  },
  (t) => [
    // A member has at most one pending transfer.
    uniqueIndex("transfers_one_pending_uq").on(t.memberId).where(sql`state = 'pending'`),
    uniqueIndex("transfers_letter_uq").on(t.letterNumber),
    index("transfers_member_idx").on(t.memberId),
    index("transfers_from_idx").on(t.fromOrgId, t.state),
    index("transfers_to_idx").on(t.toOrgId, t.state),
    index("transfers_state_deadline_idx").on(t.state, t.deadlineOn),
  ],
);

export const mobileSpells = sqliteTable(
  "mobile_spells",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    memberId: integer("member_id")
      .notNull()
      .references(() => members.id, { onDelete: "restrict" }),
    direction: text("direction", { enum: ["in", "out"] }).notNull(),
    orgId: integer("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    homeOrgName: text("home_org_name"),
    certificateNumber: text("certificate_number"),
    certificateValidUntil: text("certificate_valid_until"),
    destination: text("destination"),
    contactPerson: text("contact_person"),
    expectedReturnOn: text("expected_return_on"),
    startedOn: text("started_on").notNull(),
    endedOn: text("ended_on"),
    endReason: text("end_reason", { enum: ["returned", "transferred", "left"] }),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
  },
  (t) => [
    index("mobile_spells_member_idx").on(t.memberId),
    index("mobile_spells_org_idx").on(t.orgId, t.endedOn),
    uniqueIndex("mobile_spells_one_open_uq").on(t.memberId).where(sql`ended_on IS NULL`),
  ],
);

// ---------------------------------------------------------------------------------------------
// Statistics history, self-report links, platform API keys
// ---------------------------------------------------------------------------------------------

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
 * or last-seen date (migration 0008 holds the triggers).
 */
export const dataVersions = sqliteTable("data_versions", {
  name: text("name").primaryKey(),
  version: integer("version").notNull().default(0),
});

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

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    prefix: text("prefix").notNull(), // the first characters, shown in lists to tell keys apart
    keyHash: text("key_hash").notNull(), // sha256 of the whole key: the key has 256 random bits
    label: text("label").notNull(),
    platform: text("platform").notNull(),
    committeeId: integer("committee_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    revokedAt: text("revoked_at"),
    lastUsedAt: text("last_used_at"),
  },
  (t) => [uniqueIndex("api_keys_hash_uq").on(t.keyHash)],
);

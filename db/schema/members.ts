import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import {
  DISCOVERY_CHANNELS,
  EDUCATION_LEVELS,
  GENDERS,
  LEAVE_REASONS,
  LOST_CONTACT_REASONS,
  MEMBER_CATEGORIES,
  OCCUPATIONS,
  RELATION_STATUSES,
} from "../../server/domain/codes.js";
import { createdAt, updatedAt, inList } from "./columns.js";
import { organizations } from "./orgs.js";
import { enterprises } from "./enterprises.js";
import { users } from "./accounts.js";

// Members (党员)

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

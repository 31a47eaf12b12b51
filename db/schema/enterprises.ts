import { index, integer, primaryKey, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ENTERPRISE_KINDS, INSTRUCTOR_KINDS } from "../../server/domain/codes.js";
import { createdAt, updatedAt } from "./columns.js";
import { regions, industries } from "./reference.js";
import { organizations } from "./orgs.js";

// Enterprises and coverage (两个覆盖)

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

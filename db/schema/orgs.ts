import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ORG_FORMATIONS, ORG_KINDS } from "../../server/domain/codes.js";
import { createdAt, updatedAt, inList } from "./columns.js";
import { regions, industries } from "./reference.js";

// Organization tree (党组织)

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

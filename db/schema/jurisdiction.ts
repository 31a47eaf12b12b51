import { sql } from "drizzle-orm";
import { check, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { JURISDICTION_LEVELS } from "../../server/domain/jurisdiction.js";
import { createdAt, inList } from "./columns.js";
import { organizations } from "./orgs.js";
import { regions } from "./reference.js";

// The installation's jurisdiction (辖区): the province, city or county chosen at install
// (`npm run setup -- --region CODE`). One row; everything that names the place reads it.

export const jurisdiction = sqliteTable(
  "jurisdiction",
  {
    id: integer("id").primaryKey(),
    regionCode: text("region_code")
      .notNull()
      .references(() => regions.code, { onDelete: "restrict" }),
    level: text("level", { enum: JURISDICTION_LEVELS }).notNull(),
    rootOrgId: integer("root_org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    /** The division list the regions were built from: a newer package adds what it adds at the next start. */
    divisionSource: text("division_source").notNull(),
    createdAt: createdAt(),
  },
  (t) => [check("jurisdiction_one_row_ck", sql`${t.id} = 1`), check("jurisdiction_level_ck", inList("level", JURISDICTION_LEVELS))],
);

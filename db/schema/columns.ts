import { sql } from "drizzle-orm";
import { text } from "drizzle-orm/sqlite-core";

// Conventions: dates are ISO strings ("YYYY-MM-DD"), timestamps are ISO strings with time
// ("YYYY-MM-DDTHH:mm:ss.sssZ"), counts are integers, code lists are text enums checked by
// the database too. Nothing here is ever deleted by cascade unless it is pure derived data.

export const createdAt = () => text("created_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);
export const updatedAt = () => text("updated_at").notNull().default(sql`(strftime('%Y-%m-%dT%H:%M:%fZ','now'))`);

export function inList(column: string, values: readonly string[]) {
  return sql.raw(`${column} IN (${values.map((v) => `'${v}'`).join(",")})`);
}

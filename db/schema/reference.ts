import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Reference data

export const regions = sqliteTable(
  "regions",
  {
    // GB/T 2260 code: 6 digits for a province, city or county; 9 for a street or township (乡镇、街道).
    code: text("code").primaryKey(),
    name: text("name").notNull(),
    parentCode: text("parent_code").references((): any => regions.code, { onDelete: "restrict" }),
    level: text("level", { enum: ["province", "city", "county", "town"] }).notNull(),
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

import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

// Reference data

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

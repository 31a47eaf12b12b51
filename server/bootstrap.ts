import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { DbHandle } from "../db/client.js";
import { runMigrations } from "../db/migrate.js";
import { industries, organizations, regions } from "../db/schema.js";
import type { Config } from "./config.js";
import { CITY, COUNTIES, INDUSTRIES, PROVINCE, ROOT_ORG } from "./domain/reference-data.js";
import { remaskStoredAudit } from "./services/admin/audit.js";
import { migrateMobileRegions } from "./services/members/mobile-regions.js";
import { getSetting, setSetting } from "./services/settings.service.js";
import { countUsers, createUser } from "./services/admin/users.js";

/** Migrations, reference data and the root organization: idempotent, run at every start and by every CLI. */
export function prepareDatabase(handle: DbHandle): void {
  runMigrations(handle);
  const { db } = handle;
  db.transaction((tx) => {
    tx.insert(regions)
      .values({ code: PROVINCE.code, name: PROVINCE.name, parentCode: null, level: "province" })
      .onConflictDoNothing()
      .run();
    tx.insert(regions).values({ code: CITY.code, name: CITY.name, parentCode: PROVINCE.code, level: "city" }).onConflictDoNothing().run();
    for (const c of COUNTIES)
      tx.insert(regions)
        .values({ ...c, parentCode: CITY.code, level: "county" })
        .onConflictDoNothing()
        .run();
    for (const i of INDUSTRIES) tx.insert(industries).values(i).onConflictDoNothing().run();
    const orgCount = tx.select({ n: sql<number>`count(*)` }).from(organizations).get()!.n;
    if (orgCount === 0) {
      const root = tx
        .insert(organizations)
        .values({ ...ROOT_ORG, path: "/", depth: 0 })
        .returning()
        .get();
      tx.update(organizations)
        .set({ path: `/${root.id}/` })
        .where(sql`id = ${root.id}`)
        .run();
    }
  });
  migrateMobileRegions(db);
  if (getSetting(db, "audit_remasked") !== "1") {
    remaskStoredAudit(db);
    setSetting(db, "audit_remasked", "1");
  }
}

/**
 * On an empty accounts table, creates `admin` with ADMIN_PASSWORD or a random password that is
 * returned once for printing. There is no default password in the code.
 */
export async function ensureFirstAdmin(
  handle: DbHandle,
  config: Pick<Config, "adminPassword">,
): Promise<{ username: string; password: string; generated: boolean } | null> {
  if (countUsers(handle.db) > 0) return null;
  const root = handle.db.select().from(organizations).where(sql`parent_id IS NULL`).orderBy(organizations.id).get();
  if (!root) throw new Error("no root organization: run prepareDatabase first");
  const generated = !config.adminPassword;
  const password = config.adminPassword ?? `${randomBytes(9).toString("base64url")}7a`;
  await createUser(handle.db, null, { username: "admin", displayName: "系统管理员", role: "admin", orgId: root.id, password });
  return { username: "admin", password, generated };
}

import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import type { DbHandle } from "../db/client.js";
import { runMigrations } from "../db/migrate.js";
import { industries, organizations } from "../db/schema.js";
import type { Config } from "./config.js";
import { INDUSTRIES } from "./domain/reference-data.js";
import { remaskStoredAudit } from "./services/admin/audit.js";
import { migrateMobileRegions } from "./services/members/mobile-regions.js";
import { getSetting, setSetting } from "./services/settings.service.js";
import { countUsers, createUser } from "./services/admin/users.js";
import {
  type InstallResult,
  type JurisdictionChoice,
  installJurisdiction,
  refreshRegions,
} from "./services/jurisdiction/jurisdiction.service.js";

/**
 * Migrations, the industries, and the jurisdiction: idempotent, run at every start and by every CLI.
 * With `jurisdiction` (setup, REGION_CODE at the server's start, the demo) it is installed, or kept when
 * it is the installed one (installJurisdiction refuses to change a database that holds data);
 * without, an installed one only gains what a newer division list adds.
 */
export function prepareDatabase(handle: DbHandle, opts: { jurisdiction?: JurisdictionChoice | null } = {}): InstallResult | null {
  runMigrations(handle);
  const { db } = handle;
  db.transaction((tx) => {
    for (const i of INDUSTRIES) tx.insert(industries).values(i).onConflictDoNothing().run();
  });
  const installed = opts.jurisdiction ? installJurisdiction(db, opts.jurisdiction) : null;
  if (!installed) refreshRegions(db);
  migrateMobileRegions(db);
  if (getSetting(db, "audit_remasked") !== "1") {
    remaskStoredAudit(db);
    setSetting(db, "audit_remasked", "1");
  }
  return installed;
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
  if (!root) throw new Error(NO_JURISDICTION);
  const generated = !config.adminPassword;
  const password = config.adminPassword ?? `${randomBytes(9).toString("base64url")}7a`;
  await createUser(handle.db, null, { username: "admin", displayName: "系统管理员", role: "admin", orgId: root.id, password });
  return { username: "admin", password, generated };
}

export const NO_JURISDICTION =
  "no jurisdiction installed: run `npm run setup -- --region CODE` (a GB/T 2260 code, e.g. 210300 for Anshan), or set REGION_CODE for the first start";

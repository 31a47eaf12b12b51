import { randomBytes } from "node:crypto";
import { eq } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { settings } from "../../db/schema.js";

export function getSetting(db: Db, key: string): string | null {
  return db.select().from(settings).where(eq(settings.key, key)).get()?.value ?? null;
}

export function setSetting(db: Db, key: string, value: string): void {
  db.insert(settings).values({ key, value }).onConflictDoUpdate({ target: settings.key, set: { value } }).run();
}

/** The session signing secret: from config, else generated once and kept in the database. */
export function sessionSecret(db: Db, configured: string | undefined): string {
  if (configured) return configured;
  const existing = getSetting(db, "session_secret");
  if (existing) return existing;
  const secret = randomBytes(32).toString("hex");
  setSetting(db, "session_secret", secret);
  return secret;
}

export function isDemoDatabase(db: Db): boolean {
  return getSetting(db, "demo") === "1";
}

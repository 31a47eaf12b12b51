// API keys for platform companies (平台公司实时找). A key is 256 random bits, shown once when issued
// and stored only as its SHA-256 (a key that random needs no slow hash: nothing to guess). Each
// key is bound to one platform and one committee, and can be revoked; revocation is immediate.

import { createHash, randomBytes } from "node:crypto";
import { desc, eq } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { apiKeys, organizations, users } from "../../../db/schema.js";
import { AppError } from "../../errors.js";
import { type Actor, assertRole } from "../../policy/actor.js";
import type { ApiKeyInput } from "../../schemas/finds.schema.js";
import { recordAudit } from "./audit.js";
import { resolveCommittee } from "../finds/scope.js";

export type ApiKey = typeof apiKeys.$inferSelect;

const KEY_PREFIX = "pck_";
/** Characters of the key kept in clear to tell keys apart in lists ("pck_" + 8). */
const SHOWN_CHARS = 12;

export function hashKey(key: string): string {
  return createHash("sha256").update(key, "utf8").digest("hex");
}

/** Platform names compare after collapsing white space, as the roster import stores them. */
export function normalisePlatformName(p: string): string {
  return p.replace(/\s+/g, " ").trim();
}

/** Issues a key; the returned `key` is the only time anyone sees it. */
export function issueApiKey(db: Db, actor: Actor, input: ApiKeyInput): { key: string; row: ApiKey } {
  assertRole(actor, "admin");
  const committee = resolveCommittee(db, actor, input.committeeId);
  const key = KEY_PREFIX + randomBytes(32).toString("base64url");
  const platform = normalisePlatformName(input.platform);
  const row = db.transaction((tx) => {
    const r = tx
      .insert(apiKeys)
      .values({
        prefix: key.slice(0, SHOWN_CHARS),
        keyHash: hashKey(key),
        label: input.label,
        platform,
        committeeId: committee.id,
        createdBy: actor.id > 0 ? actor.id : null,
      })
      .returning()
      .get();
    recordAudit(tx, actor, {
      action: "create",
      entity: "api_key",
      entityId: r.id,
      after: { prefix: r.prefix, label: r.label, platform, committeeId: committee.id },
    });
    return r;
  });
  return { key, row };
}

export type ApiKeyRow = ApiKey & { committeeName: string; createdByName: string | null };

export function listApiKeys(db: Db, actor: Actor): ApiKeyRow[] {
  assertRole(actor, "admin");
  return db
    .select({ k: apiKeys, committeeName: organizations.name, createdByName: users.displayName })
    .from(apiKeys)
    .innerJoin(organizations, eq(organizations.id, apiKeys.committeeId))
    .leftJoin(users, eq(users.id, apiKeys.createdBy))
    .orderBy(desc(apiKeys.id))
    .all()
    .map((r) => ({ ...r.k, committeeName: r.committeeName, createdByName: r.createdByName }));
}

export function revokeApiKey(db: Db, actor: Actor, id: number, now: Date): void {
  assertRole(actor, "admin");
  const k = db.select().from(apiKeys).where(eq(apiKeys.id, id)).get();
  if (!k) throw AppError.notFound("API 密钥");
  if (k.revokedAt) return;
  db.transaction((tx) => {
    tx.update(apiKeys).set({ revokedAt: now.toISOString() }).where(eq(apiKeys.id, id)).run();
    recordAudit(tx, actor, { action: "revoke", entity: "api_key", entityId: id, details: { prefix: k.prefix, platform: k.platform } });
  });
}

/** Who a valid key speaks for: a platform, inside one committee. */
export type PlatformPrincipal = {
  keyId: number;
  prefix: string;
  platform: string;
  /** The import pipeline's actor: a clerk of the key's committee, attributed to no user. */
  actor: Actor;
};

const unauthorized = (message: string) => new AppError(401, message, { code: "unauthorized" });

/**
 * Reads `Authorization: Bearer <key>`. Missing, malformed, unknown and revoked keys all fail with
 * code `unauthorized`; only the message differs for a revoked key (its owner needs to know).
 */
export function authenticateApiKey(db: Db, authorization: string | undefined): PlatformPrincipal {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  if (!m) throw unauthorized("缺少 API 密钥：请在 Authorization 请求头中以 Bearer 方式提供。");
  const key = m[1]!;
  if (!key.startsWith(KEY_PREFIX) || key.length > 100) throw unauthorized("API 密钥无效。");
  const row = db
    .select({ k: apiKeys, orgName: organizations.name, orgPath: organizations.path, orgStatus: organizations.status })
    .from(apiKeys)
    .innerJoin(organizations, eq(organizations.id, apiKeys.committeeId))
    .where(eq(apiKeys.keyHash, hashKey(key)))
    .get();
  if (!row) throw unauthorized("API 密钥无效。");
  if (row.k.revokedAt) throw unauthorized("该 API 密钥已被吊销，请联系系统管理员。");
  if (row.orgStatus !== "active") throw unauthorized("该 API 密钥所属党委已撤销，请联系系统管理员。");
  return {
    keyId: row.k.id,
    prefix: row.k.prefix,
    platform: row.k.platform,
    actor: {
      id: 0,
      username: `api:${row.k.prefix}`,
      displayName: `${row.k.platform}（API）`,
      role: "clerk",
      orgId: row.k.committeeId,
      orgPath: row.orgPath,
      orgName: row.orgName,
    },
  };
}

/** Records that a key was used for a request it was allowed to make. */
export function touchApiKey(db: Db, keyId: number, now: Date): void {
  db.update(apiKeys).set({ lastUsedAt: now.toISOString() }).where(eq(apiKeys.id, keyId)).run();
}

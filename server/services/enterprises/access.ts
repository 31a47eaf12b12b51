// Who reads and who changes an enterprise. An actor reads an enterprise when its responsible
// committee is inside the actor's subtree, or when an organization inside the subtree covers it (so
// a branch secretary reads exactly the enterprises their branch covers). Only clerks and admins
// change enterprises, and only those whose committee is inside their scope.

import { and, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, organizations } from "../../../db/schema.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite, orgIdInScope, orgPathInScope, scopePath } from "../../policy/actor.js";

export type Enterprise = typeof enterprises.$inferSelect;

/**
 * SQL: the enterprise with alias `alias` is readable by the actor. Both parts are uncorrelated
 * lists SQLite builds once per query (a correlated EXISTS here probed every in-scope organization
 * for every enterprise: seconds at 20,000 enterprises).
 */
export function enterpriseReadableSql(actor: Actor, alias = "e"): SQL {
  if (scopePath(actor) === "/") return sql`1 = 1`;
  const a = sql.raw(alias);
  return sql`(${orgIdInScope(actor, sql`${a}.committee_id`)}
    OR ${a}.id IN (SELECT sx.enterprise_id FROM organization_enterprises sx WHERE ${orgIdInScope(actor, sql.raw("sx.organization_id"))}))`;
}

export function getEnterprise(db: Db, actor: Actor, id: number): Enterprise {
  const e = db
    .select()
    .from(enterprises)
    .where(and(eq(enterprises.id, id), enterpriseReadableSql(actor, "enterprises")))
    .get();
  if (!e) throw AppError.notFound("企业");
  return e;
}

function isWriter(actor: Actor): boolean {
  return actor.role === "admin" || actor.role === "clerk";
}

export function assertWriter(actor: Actor): void {
  assertCanWrite(actor);
  if (!isWriter(actor)) throw AppError.forbidden("只有行业党委工作人员和系统管理员可以维护企业信息。");
}

function committeeInScope(db: Db, actor: Actor, committeeId: number): boolean {
  const c = db.select({ path: organizations.path }).from(organizations).where(eq(organizations.id, committeeId)).get();
  return !!c && orgPathInScope(actor, c.path);
}

/** Whether the actor may change this enterprise (clerk or admin, and its committee in their scope). */
export function canEditEnterprise(db: Db, actor: Actor, e: Enterprise): boolean {
  return isWriter(actor) && committeeInScope(db, actor, e.committeeId);
}

/** Loads an enterprise the actor may change: 404 when out of reading scope, 403 when read-only. */
export function getWritableEnterprise(db: Db, actor: Actor, id: number): Enterprise {
  assertWriter(actor);
  // Its committee in scope makes it readable too: only the others need the reading check, whose list
  // of covered enterprises grows with the table (per row of an onboarding import, it was the O(n²)).
  const e = db.select().from(enterprises).where(eq(enterprises.id, id)).get();
  if (e && committeeInScope(db, actor, e.committeeId)) return e;
  getEnterprise(db, actor, id);
  throw AppError.forbidden("该企业由其他党委负责，您只能查看，不能修改。");
}

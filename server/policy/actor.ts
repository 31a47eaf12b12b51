import { type SQL, sql } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Role } from "../domain/codes.js";
import { AppError } from "../errors.js";

// Who may do what, and the scope filter every service applies. Roles and scope as in DOMAIN.md:
// every account is bound to a node of the organization tree and sees that node's subtree.

export type Actor = {
  id: number;
  username: string;
  displayName: string;
  role: Role;
  orgId: number;
  /** Materialised path of the actor's organization, e.g. "/1/5/". The scope is every org whose path starts with it. */
  orgPath: string;
  orgName: string;
};

/** A system actor for CLIs and background jobs: unrestricted, attributed to no user. */
export function systemActor(name = "system"): Actor {
  return { id: 0, username: name, displayName: name, role: "admin", orgId: 0, orgPath: "/", orgName: "系统" };
}

export function isAdmin(actor: Actor): boolean {
  return actor.role === "admin";
}

/** Path prefix that bounds what the actor sees; "/" for admins (everything). */
export function scopePath(actor: Actor): string {
  return actor.role === "admin" ? "/" : actor.orgPath;
}

export function orgPathInScope(actor: Actor, path: string): boolean {
  return path.startsWith(scopePath(actor));
}

/**
 * SQL condition: `orgIdColumn` names an organization inside the actor's scope.
 * Organizations are few (hundreds), so the subquery is cheap and SQLite turns it into an index probe.
 */
export function orgIdInScope(actor: Actor, orgIdColumn: AnySQLiteColumn | SQL): SQL {
  const prefix = scopePath(actor);
  if (prefix === "/") return sql`1 = 1`;
  return sql`${orgIdColumn} IN (SELECT id FROM organizations WHERE substr(path, 1, ${prefix.length}) = ${prefix})`;
}

/** Supervisors read; the others write within their scope. */
export function canWrite(actor: Actor): boolean {
  return actor.role !== "supervisor";
}

export function assertCanWrite(actor: Actor): void {
  if (!canWrite(actor)) throw AppError.forbidden("监督管理账号只能查看和导出，不能修改数据。");
}

/** Roles that may see whole ID numbers and phones (each unmasking is audited). Secretaries may not. */
export function canUnmask(actor: Actor): boolean {
  return actor.role === "admin" || actor.role === "clerk" || actor.role === "supervisor";
}

export function assertRole(actor: Actor, ...roles: Role[]): void {
  if (!roles.includes(actor.role)) throw AppError.forbidden();
}

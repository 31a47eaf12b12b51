// Which ledgers an actor reaches: a branch (or general branch) in scope; writing as for members
// (secretaries their own branch, clerks their subtree, supervisors read only).

import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { duesEntries, organizations } from "../../../db/schema.js";
import { AppError } from "../../errors.js";
import { type Actor, orgPathInScope } from "../../policy/actor.js";

export type LedgerOrg = typeof organizations.$inferSelect;
export const LEDGER_KINDS: readonly string[] = ["branch", "general_branch"];

/** A ledger-keeping organization inside the actor's scope, or 404 (an id outside says nothing). */
export function ledgerOrg(db: Db, actor: Actor, orgId: number): LedgerOrg {
  const org = db.select().from(organizations).where(eq(organizations.id, orgId)).get();
  if (!org || !orgPathInScope(actor, org.path) || !LEDGER_KINDS.includes(org.kind)) throw AppError.notFound("党组织");
  return org;
}

/** Whether the branch's month is closed. */
export function isClosed(db: Db, orgId: number, month: string): boolean {
  return !!db.get(sql`SELECT 1 FROM dues_month_closings WHERE org_id = ${orgId} AND month = ${month}`);
}

/** An entry inside the actor's scope (by the organization that keeps it), or 404. */
export function entryInScope(db: Db, actor: Actor, id: number) {
  const row = db
    .select({ e: duesEntries, path: organizations.path })
    .from(duesEntries)
    .innerJoin(organizations, eq(organizations.id, duesEntries.orgId))
    .where(and(eq(duesEntries.id, id)))
    .get();
  if (!row || !orgPathInScope(actor, row.path)) throw AppError.notFound("党费记录");
  return row.e;
}

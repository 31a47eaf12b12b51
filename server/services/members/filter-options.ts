// The members list's filter choices (committees, organizations, enterprises), all inside the actor's scope.
import { and, asc, eq, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, organizationEnterprises } from "../../../db/schema.js";
import { COMMITTEE_KINDS, MEMBER_HOLDING_KINDS } from "../../domain/codes.js";
import { type Actor, scopePath } from "../../policy/actor.js";
import { loadOrgs, type OrgLite } from "./list.js";

/** Select options for the list's filters, all inside the scope. */
export function memberFilterOptions(db: Db, actor: Actor) {
  const prefix = scopePath(actor);
  const orgs = loadOrgs(db)
    .filter((o) => o.path.startsWith(prefix) && o.status === "active")
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const depthOf = (o: OrgLite) => o.path.split("/").filter(Boolean).length - prefix.split("/").filter(Boolean).length;
  return {
    committees: orgs.filter((o) => (COMMITTEE_KINDS as string[]).includes(o.kind)).map((o) => ({ id: o.id, name: o.shortName ?? o.name })),
    orgs: orgs
      .filter((o) => (MEMBER_HOLDING_KINDS as string[]).includes(o.kind))
      .map((o) => ({ id: o.id, name: o.shortName ?? o.name, depth: Math.max(0, depthOf(o)) })),
    enterprises: visibleEnterprises(db, actor),
  };
}

/**
 * Enterprises the actor may attach members to: those whose committee is in scope, and those
 * covered by an organization in scope (a secretary's branch covers enterprises owned by its committee).
 */
export function visibleEnterprises(db: Db, actor: Actor, opts: { includeId?: number | null } = {}) {
  const prefix = scopePath(actor);
  const inScope = (col: SQL) =>
    prefix === "/" ? sql`1 = 1` : sql`${col} IN (SELECT id FROM organizations WHERE substr(path, 1, ${prefix.length}) = ${prefix})`;
  return db
    .select({ id: enterprises.id, name: enterprises.name, status: enterprises.status })
    .from(enterprises)
    .where(
      and(
        or(
          inScope(sql`${enterprises.committeeId}`),
          sql`${enterprises.id} IN (SELECT ${organizationEnterprises.enterpriseId} FROM ${organizationEnterprises} WHERE ${inScope(sql`${organizationEnterprises.organizationId}`)})`,
        ),
        opts.includeId != null
          ? or(eq(enterprises.status, "active"), eq(enterprises.id, opts.includeId))
          : eq(enterprises.status, "active"),
      ),
    )
    .orderBy(asc(enterprises.name))
    .all();
}

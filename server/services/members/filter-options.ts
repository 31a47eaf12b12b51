// The members list's filter choices (committees, organizations, enterprises), all inside the actor's scope.
import { and, asc, eq, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, organizationEnterprises } from "../../../db/schema.js";
import { COMMITTEE_KINDS, MEMBER_HOLDING_KINDS } from "../../domain/codes.js";
import { type Actor, scopePath } from "../../policy/actor.js";
import { loadOrgs, type OrgLite } from "./list.js";

/**
 * A filter's select longer than this is of no use to anyone scrolling it, and costly on every page
 * (a province's 2,388 organizations and 2,000 enterprises were 140 KB of each member-list page):
 * over it, the organizations and enterprises offered are those of the committee chosen.
 */
export const FILTER_SELECT_MAX = 300;

type Option = { id: number; name: string; depth?: number };
export type MemberFilterOptions = {
  committees: Option[];
  orgs: Option[];
  enterprises: Option[];
  /** The scope holds too many organizations or enterprises: those of the chosen committee are offered. */
  byCommittee: boolean;
};

/**
 * Select options for the list's filters, all inside the scope; when the scope holds more than
 * FILTER_SELECT_MAX organizations or enterprises, those under `committeeId` (none before one is chosen).
 */
export function memberFilterOptions(db: Db, actor: Actor, committeeId: number | null = null): MemberFilterOptions {
  const prefix = scopePath(actor);
  const inScope = loadOrgs(db)
    .filter((o) => o.path.startsWith(prefix) && o.status === "active")
    .sort((a, b) => (a.path < b.path ? -1 : 1));
  const committees = inScope.filter((o) => (COMMITTEE_KINDS as string[]).includes(o.kind));
  const holding = inScope.filter((o) => (MEMBER_HOLDING_KINDS as string[]).includes(o.kind));
  const enterprises = enterprisesUnder(db, prefix);
  const byCommittee = holding.length > FILTER_SELECT_MAX || enterprises.length > FILTER_SELECT_MAX;
  const committee = byCommittee ? (committees.find((c) => c.id === committeeId) ?? null) : null;
  // Indented below the scope's level, or below the committee's when only its subtree is listed.
  const base = (committee?.path ?? prefix).split("/").filter(Boolean).length;
  const depthOf = (o: OrgLite) => Math.max(0, o.path.split("/").filter(Boolean).length - base);
  return {
    committees: committees.map((o) => ({ id: o.id, name: o.shortName ?? o.name })),
    orgs: (byCommittee ? (committee ? holding.filter((o) => o.path.startsWith(committee.path)) : []) : holding).map((o) => ({
      id: o.id,
      name: o.shortName ?? o.name,
      depth: depthOf(o),
    })),
    enterprises: byCommittee ? (committee ? enterprisesUnder(db, committee.path) : []) : enterprises,
    byCommittee,
  };
}

/**
 * The options with the organization and enterprise the list is filtered by, when the committee's
 * lists leave them out (a link from an organization's page: /members?org=…), so that the form shows
 * and keeps them. Only those inside the scope: an id of another committee's names nothing.
 */
export function withChosen(
  db: Db,
  actor: Actor,
  options: MemberFilterOptions,
  chosen: { org?: number | null; enterprise?: number | null },
  orgs: OrgLite[],
): MemberFilterOptions {
  const prefix = scopePath(actor);
  let out = options;
  if (chosen.org != null && !options.orgs.some((o) => o.id === chosen.org)) {
    const o = orgs.find((x) => x.id === chosen.org && x.path.startsWith(prefix) && (MEMBER_HOLDING_KINDS as string[]).includes(x.kind));
    if (o) out = { ...out, orgs: [{ id: o.id, name: o.shortName ?? o.name }, ...out.orgs] };
  }
  if (chosen.enterprise != null && !options.enterprises.some((e) => e.id === chosen.enterprise)) {
    const e = enterprisesUnder(db, prefix, { onlyId: chosen.enterprise });
    if (e.length) out = { ...out, enterprises: [...e, ...out.enterprises] };
  }
  return out;
}

/**
 * Enterprises the actor may attach members to: those whose committee is in scope, and those
 * covered by an organization in scope (a secretary's branch covers enterprises owned by its committee).
 */
export function visibleEnterprises(db: Db, actor: Actor, opts: { includeId?: number | null } = {}) {
  return enterprisesUnder(db, scopePath(actor), opts);
}

/** Active enterprises (and `includeId`) whose committee, or an organization covering them, is under `prefix`. */
function enterprisesUnder(db: Db, prefix: string, opts: { includeId?: number | null; onlyId?: number } = {}) {
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
        opts.onlyId != null ? eq(enterprises.id, opts.onlyId) : undefined,
      ),
    )
    .orderBy(asc(enterprises.name))
    .all();
}

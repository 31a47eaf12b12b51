// The scope a statistic is computed for. Always inside the actor's own scope; narrowed by
//   org:ID        an organization and its subtree (a committee, a branch …)
//   committee:ID  rows attributed to exactly that committee (the rows of the "by committee" breakdown)
//   city:CODE     rows attributed to that city (the rows of the "by city" breakdown, province mode)
//   county:CODE   rows attributed to that county (the rows of the "by county" breakdown)
//   town:CODE     rows attributed to that street or township (9 digits; a county installation)
// A region part names a division at its own level: it covers the division and everything below it.
// Given a division above that level (the breakdown's "…本级" row), it covers the rows attributed to
// exactly that division. Parts combine: "org:5,county:371702". The empty scope is the actor's whole
// scope (the jurisdiction for a supervisor).

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { AppError } from "../../errors.js";
import type { DivisionLevel } from "../../domain/divisions.js";
import { type Actor, orgIdInScope, orgPathInScope, scopePath } from "../../policy/actor.js";
import { type OrgRow, orgRowById, singleRootOrg } from "../orgs/org-rows.js";
import { type RegionNode, regionMap } from "../jurisdiction/jurisdiction.service.js";

export type StatsScope = {
  orgId?: number | null;
  committeeId?: number | null;
  city?: string | null;
  county?: string | null;
  town?: string | null;
};

export const REGION_PARTS = ["city", "county", "town"] as const;
export type RegionPart = (typeof REGION_PARTS)[number];

export function parseScopeParam(raw: unknown): StatsScope | null {
  if (raw === undefined || raw === null || raw === "") return {};
  if (typeof raw !== "string" || raw.length > 100) return null;
  const scope: StatsScope = {};
  for (const part of raw.split(",")) {
    const m = /^(org|committee|city|county|town):([0-9]{1,12})$/.exec(part.trim());
    if (!m) return null;
    const [, kind, value] = m as unknown as [string, "org" | "committee" | RegionPart, string];
    if (kind === "city" || kind === "county" || kind === "town") {
      if (!/^\d{6}$|^\d{9}$/.test(value) || scope[kind]) return null;
      scope[kind] = value;
    } else if (kind === "org") {
      if (scope.orgId) return null;
      scope.orgId = Number(value);
    } else {
      if (scope.committeeId) return null;
      scope.committeeId = Number(value);
    }
  }
  return scope;
}

export function formatScopeParam(scope: StatsScope): string {
  const parts: string[] = [];
  if (scope.orgId) parts.push(`org:${scope.orgId}`);
  if (scope.committeeId) parts.push(`committee:${scope.committeeId}`);
  for (const k of REGION_PARTS) if (scope[k]) parts.push(`${k}:${scope[k]}`);
  return parts.join(",");
}

export type ResolvedScope = {
  actor: Actor;
  /** Path prefix of the organization subtree ("/" = everything the actor sees). */
  orgPrefix: string;
  /** The organization the scope is rooted at (the scope org, else the actor's org), if any. */
  rootOrg: { id: number; code: string; name: string; kind: string; regionCode: string } | null;
  committee: { id: number; name: string } | null;
  county: ScopeRegion | null;
  city: ScopeRegion | null;
  town: ScopeRegion | null;
  /** Human label, e.g. "市网约配送行业党委 · 牡丹区". */
  label: string;
};

/** A region part: the division, and the region codes whose rows it covers. */
export type ScopeRegion = { code: string; name: string; codes: string[] };

/**
 * Whether `committee:ID` may name the organization at `path` for the actor: one inside their scope,
 * or one above it on their own chain (a secretary's committee: the committee breakdown of a branch
 * shows it). Any other is "not found", like `org:ID`: its name is not theirs to read.
 */
export function committeeNameable(actor: Actor, path: string): boolean {
  return orgPathInScope(actor, path) || actor.orgPath.startsWith(path);
}

function rootOrgOf(o: OrgRow): NonNullable<ResolvedScope["rootOrg"]> {
  return { id: o.id, code: o.code, name: o.name, kind: o.kind, regionCode: o.region_code };
}

/** Resolves and checks a scope against the actor: an organization outside the actor's scope is "not found". */
export function resolveScope(db: Db, actor: Actor, scope: StatsScope): ResolvedScope {
  let orgPrefix = scopePath(actor);
  let rootOrg: ResolvedScope["rootOrg"] = null;
  const labels: string[] = [];
  if (scope.orgId) {
    const org = orgRowById(db, scope.orgId);
    if (!org || !orgPathInScope(actor, org.path)) throw AppError.notFound("统计范围");
    orgPrefix = org.path;
    rootOrg = rootOrgOf(org);
  } else if (actor.orgId > 0 && orgPrefix !== "/") {
    const org = orgRowById(db, actor.orgId);
    if (org) rootOrg = rootOrgOf(org);
  } else {
    // Whole database (admin, CLI): the single root organization names it, when there is one.
    const only = singleRootOrg(db);
    if (only) rootOrg = rootOrgOf(only);
  }
  labels.push(rootOrg?.name ?? "全部");
  let committee: ResolvedScope["committee"] = null;
  if (scope.committeeId) {
    const c = orgRowById(db, scope.committeeId);
    if (!c || !committeeNameable(actor, c.path)) throw AppError.notFound("统计范围");
    committee = { id: c.id, name: c.name };
    labels.push(c.name);
  }
  const regionParts: Record<RegionPart, ScopeRegion | null> = { city: null, county: null, town: null };
  if (REGION_PARTS.some((k) => scope[k])) {
    const map = regionMap(db);
    for (const k of REGION_PARTS) {
      const code = scope[k];
      if (!code) continue;
      const r = map.get(code);
      if (!r) throw AppError.notFound("统计范围");
      const own = r.level === (k as DivisionLevel);
      regionParts[k] = { code: r.code, name: own ? r.name : `${r.name}本级`, codes: own ? subtreeCodes(map, r.code) : [r.code] };
      labels.push(regionParts[k].name);
    }
  }
  return { actor, orgPrefix, rootOrg, committee, ...regionParts, label: labels.join(" · ") };
}

function subtreeCodes(map: Map<string, RegionNode>, code: string): string[] {
  const out = [code];
  for (let i = 0; i < out.length; i++) for (const r of childrenIn(map, out[i]!)) out.push(r.code);
  return out;
}

// Children by parent, built once per region map (the map is replaced when the regions change).
const childIndex = new WeakMap<Map<string, RegionNode>, Map<string, RegionNode[]>>();
function childrenIn(map: Map<string, RegionNode>, code: string): RegionNode[] {
  let idx = childIndex.get(map);
  if (!idx) {
    idx = new Map();
    for (const r of map.values()) if (r.parentCode) idx.set(r.parentCode, [...(idx.get(r.parentCode) ?? []), r]);
    childIndex.set(map, idx);
  }
  return idx.get(code) ?? [];
}

/** SQL: the organization id in `col` is inside both the actor's scope and the scope's subtree. */
export function orgInScope(rs: ResolvedScope, col: string): SQL {
  const c = sql.raw(col);
  const actorCond = orgIdInScope(rs.actor, c);
  if (rs.orgPrefix === "/" || rs.orgPrefix === scopePath(rs.actor)) return actorCond;
  return sql`(${actorCond} AND ${c} IN (SELECT id FROM organizations WHERE substr(path, 1, ${rs.orgPrefix.length}) = ${rs.orgPrefix}))`;
}

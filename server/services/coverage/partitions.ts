// The sums of the sources that grow with the data and that ordinary writes touch (enterprises,
// members, the four finds), kept in parts: after a clerk verifies a lead, only the parts
// whose rows the write could change are counted again, and the sums fold over the kept parts.
//
// A part is the rows one organization holds (an enterprise: its committee_id; a member: its org_id; a
// lead: its committee_id), inside the actor's scope, grouped by committee and region as the
// dashboard groups them, so the parts add up to the sums. It is kept under 'coverage' and that
// organization's counter: migration 0019's triggers bump, in the writing transaction, every
// organization whose rows a write can change (a verification: the lead's committee, the new
// member's branch, the committee of the member's enterprise). The attribution filters of a scope
// (committee:, city:, county:, town:) select whole groups, so they apply over the kept groups.
//
// A part of an organization inside the scope is every row it holds, whoever counts it: such parts
// are kept once for every scope (a province's supervisors, its administrators, each city's and
// county's users read the same 2,388), under the date alone. Kept per scope, the administrators'
// parts and the root supervisors' had been two sets of 2,388, more than the cache held: each view
// of one evicted the other's (1.3 s counting again after the count ahead, issue 17). Only the
// committees outside the scope that hold an enterprise linked into it have a part that depends on
// the scope (those enterprises alone), kept under the scope's key.

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { scopePath } from "../../policy/actor.js";
import { FIGURE_KEYS, FIGURES, type Figures, type SourceName } from "./figures.js";
import type { SourceCtx } from "./sources.js";
import { orgInScope, type ResolvedScope } from "./scope.js";
import type { StatsCache } from "./stats-cache.js";

/** The sources kept in parts; the others are cheap (organizations, transfers) or kept whole (workers). */
export const PARTITIONED_SOURCES: readonly SourceName[] = ["enterprise", "member", "found"];

/** Sums grouped by "committee\0county" (SEP-joined, "" for null), as coverage.service's sumsBySource keys them. */
export type GroupedSums = Map<string, Figures>;

/** Sums grouped as GroupedSums, per holding organization. */
export type HolderSums = Map<number, GroupedSums>;

/**
 * The sums of PARTITIONED_SOURCES for the scope of `ctx`, from kept parts where their counters are
 * unchanged; `count` counts one source for the parts of `ctx.part`, per holding organization. The
 * parts missing are counted together, one query a source: a province's 2,388 parts counted one by
 * one cost three queries each. Null inside a transaction (the caller counts everything live).
 */
export function partitionedSums(
  db: Db,
  ctx: SourceCtx,
  cache: StatsCache,
  sep: string,
  count: (ctx: SourceCtx, source: SourceName) => HolderSums,
): Map<SourceName, GroupedSums> | null {
  // Read before counting: each part is at least as new as the counters it is kept under.
  const versions = cache.coverageVersions();
  if (!versions) return null;
  const { rs } = ctx;
  const rows = db.all<{ id: number; inside: number }>(partsInScope(rs));
  const ids = rows.map((r) => r.id);
  const whole = { ...rs, committee: null, city: null, county: null, town: null };
  const dateKey = `${ctx.asOf}${sep}${ctx.periodFrom}`;
  const scopeKey = `${scopePath(rs.actor)}${sep}${rs.orgPrefix}${sep}${dateKey}`;
  const inside = new Set(rows.filter((r) => r.inside).map((r) => r.id));
  const keyOf = (id: number) => (inside.has(id) ? `${dateKey}${sep}${id}` : `${scopeKey}${sep}${id}`);
  // Every part of the scope must fit at once: a scope with more parts than the cache holds would
  // evict its own first parts while keeping its last, and count them all again at every view.
  cache.holdParts(ids.length);
  const versionOf = (id: number) => `${versions.coverage}:${versions.orgs.get(id) ?? 0}`;
  const parts = new Map<number, GroupedSums[]>();
  const missing: number[] = [];
  for (const id of ids) {
    const kept = cache.keptPart<GroupedSums[]>(keyOf(id), versionOf(id));
    if (kept) parts.set(id, kept);
    else missing.push(id);
  }
  if (missing.length) {
    const counted = PARTITIONED_SOURCES.map((source) => count({ ...ctx, rs: whole, part: { orgIds: missing } }, source));
    for (const id of missing) {
      const part = counted.map((byHolder) => byHolder.get(id) ?? new Map<string, Figures>());
      cache.keepPart(keyOf(id), versionOf(id), part);
      parts.set(id, part);
    }
  }
  const out = new Map<SourceName, GroupedSums>(PARTITIONED_SOURCES.map((s) => [s, new Map()]));
  // A group's sum starts as the first part's figures (kept, shared: never written) and becomes a
  // copy of its own at the second, which the next parts add to. A part holds its source's figures
  // only (the others are zero, and the caller reads only these): only they are added.
  const own = new Set<Figures>();
  PARTITIONED_SOURCES.forEach((source, i) => {
    const into = out.get(source)!;
    const keys = FIGURE_KEYS.filter((k) => FIGURES[k].source === source);
    for (const id of ids) {
      for (const [key, f] of parts.get(id)![i]!) {
        if (!attributed(ctx, key, sep)) continue;
        let acc = into.get(key);
        if (!acc) {
          into.set(key, f);
          continue;
        }
        if (!own.has(acc)) {
          acc = { ...acc };
          own.add(acc);
          into.set(key, acc);
        }
        for (const k of keys) acc[k] += f[k];
      }
    }
  });
  return out;
}

/**
 * The organizations whose parts can hold rows in the scope: those inside it (every source scopes
 * its rows by the holder; `inside` 1), and the committees holding an enterprise linked to an
 * organization inside it (an enterprise is in a scope its covering organization is in; `inside` 0
 * for those outside it). The others' parts are empty: at a province, a county clerk's 20 instead
 * of 2,388 (3 queries each when counted).
 */
function partsInScope(rs: ResolvedScope): SQL {
  return sql`SELECT id, max(inside) AS inside FROM (
      SELECT o.id AS id, 1 AS inside FROM organizations o WHERE ${orgInScope(rs, "o.id")}
      UNION ALL
      SELECT e.committee_id, 0 FROM organization_enterprises x JOIN enterprises e ON e.id = x.enterprise_id
      WHERE e.committee_id IS NOT NULL AND ${orgInScope(rs, "x.organization_id")})
    GROUP BY id ORDER BY id`;
}

/** The scope's attribution filters (sources.ts, withAttribution) over a group's key. */
function attributed({ rs }: SourceCtx, key: string, sep: string): boolean {
  const [committee, county] = key.split(sep) as [string, string];
  if (rs.committee && committee !== String(rs.committee.id)) return false;
  for (const region of [rs.city, rs.county, rs.town]) if (region && !region.codes.includes(county)) return false;
  return true;
}

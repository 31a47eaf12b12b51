// The sums of the sources that grow with the data and that ordinary writes touch (enterprises,
// members, the four finds), kept per committee: after a clerk verifies a lead, only the committees
// whose rows the write could change are counted again, and the sums fold over the kept parts.
//
// A part is the rows attributed to one committee (an enterprise to its committee_id; a member, a
// lead to the committee of their organization), inside the actor's scope, grouped by committee and
// region as the dashboard groups them. It is kept under 'coverage' and the counters of the
// organizations attributed to the committee (and of the committee itself): migration 0019's triggers
// bump, in the writing transaction, every organization whose committee's rows a write can change.
// Counters only grow, so their sum moves whenever one of them does. The attribution filters of a
// scope (committee:, city:, county:, town:) select whole groups, so they apply over the kept groups.

import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { scopePath } from "../../policy/actor.js";
import type { Figures, SourceName } from "./figures.js";
import { ORG_COMMITTEE_CTE, type SourceCtx } from "./sources.js";
import type { StatsCache } from "./stats-cache.js";

/** The sources kept per committee; the others are cheap (organizations, transfers) or kept whole (workers). */
export const PARTITIONED_SOURCES: readonly SourceName[] = ["enterprise", "member", "found"];

/** Sums grouped by "committee\0county" (SEP-joined, "" for null), as coverage.service's sumsBySource keys them. */
export type GroupedSums = Map<string, Figures>;

type Part = { committeeId: number | null; orgIds: number[] };

/**
 * The sums of PARTITIONED_SOURCES for the scope of `ctx`, from kept parts where their counters are
 * unchanged; `count` counts one source for one part. Null inside a transaction (the caller counts
 * everything live).
 */
export function partitionedSums(
  db: Db,
  ctx: SourceCtx,
  cache: StatsCache,
  sep: string,
  count: (ctx: SourceCtx, source: SourceName) => GroupedSums,
): Map<SourceName, GroupedSums> | null {
  // Read before counting: each part is at least as new as the counters it is kept under.
  const versions = cache.coverageVersions();
  if (!versions) return null;
  const parts = partsOf(db);
  const { rs } = ctx;
  const whole = { ...rs, committee: null, city: null, county: null, town: null };
  const scopeKey = `${scopePath(rs.actor)}${sep}${rs.orgPrefix}${sep}${ctx.asOf}${sep}${ctx.periodFrom}`;
  const out = new Map<SourceName, GroupedSums>(PARTITIONED_SOURCES.map((s) => [s, new Map()]));
  for (const part of parts) {
    let sum = 0;
    for (const id of new Set(part.committeeId == null ? part.orgIds : [part.committeeId, ...part.orgIds]))
      sum += versions.orgs.get(id) ?? 0;
    const partCtx: SourceCtx = { ...ctx, rs: whole, part };
    const kept = cache.part(`${scopeKey}${sep}${part.committeeId ?? ""}`, `${versions.coverage}:${sum}`, () =>
      PARTITIONED_SOURCES.map((source) => count(partCtx, source)),
    );
    PARTITIONED_SOURCES.forEach((source, i) => {
      const into = out.get(source)!;
      for (const [key, f] of kept[i]!) if (attributed(ctx, key, sep)) into.set(key, f);
    });
  }
  return out;
}

/** The scope's attribution filters (sources.ts, withAttribution) over a group's key. */
function attributed({ rs }: SourceCtx, key: string, sep: string): boolean {
  const [committee, county] = key.split(sep) as [string, string];
  if (rs.committee && committee !== String(rs.committee.id)) return false;
  for (const region of [rs.city, rs.county, rs.town]) if (region && !region.codes.includes(county)) return false;
  return true;
}

/**
 * Every committee rows can be attributed to, with the organizations attributed to it: the committees
 * of the organizations (null for those under none) and every enterprise's committee_id.
 */
function partsOf(db: Db): Part[] {
  const parts = new Map<number | null, Part>();
  const partOf = (id: number | null) => {
    let p = parts.get(id);
    if (!p) {
      p = { committeeId: id, orgIds: [] };
      parts.set(id, p);
    }
    return p;
  };
  for (const r of db.all<{ org_id: number; committee_id: number | null }>(
    sql`WITH ${ORG_COMMITTEE_CTE} SELECT org_id, committee_id FROM oc ORDER BY org_id`,
  ))
    partOf(r.committee_id).orgIds.push(r.org_id);
  for (const id of db.all<{ c: number }>(sql`SELECT DISTINCT committee_id AS c FROM enterprises`)) partOf(id.c);
  return [...parts.values()];
}

// The row sources the statistics count. Each is one SELECT yielding one row per counted thing with
//   id, committee_id (the committee it is attributed to), county (region code it is attributed to)
// (the grouped forms and the four finds also `holder`: the organization whose subtree scopes the row,
// for the monthly snapshots' pass over every organization at once, month-pass.ts)
// and the 0/1 columns the figures' flags read (figures.ts). Counts, breakdowns and lists all read
// these same SELECTs, filtered by the actor's scope inside (orgInScope) and by attribution outside.

import { type SQL, sql } from "drizzle-orm";
import { DISCOVERY_CHANNELS, MANAGING_KINDS } from "../../domain/codes.js";
import { lostContactLimitSql, memberFullSql, memberPresentSql } from "../members/sql.js";
import { onRollSql, peopleGroupsSql, personCountedSql } from "../identity/sql.js";
import { committeeOfSql, kindListSql } from "../orgs/sql.js";
import type { SourceName } from "./figures.js";
import { type ResolvedScope, orgInScope } from "./scope.js";
import { enterpriseFactColumnsSql, orgActiveSql } from "./sql.js";

export type SourceCtx = {
  rs: ResolvedScope;
  asOf: string;
  periodFrom: string;
  /** The city's worker groups at asOf (JSON of [org_id, enterprise_id, n], stats-cache.ts), when kept. */
  workerGroupsJson?: string | null;
  /**
   * Parts of the sums (partitions.ts): only the rows held by the organizations `orgIds` (an
   * enterprise's holder is its committee_id). Sums only; the attribution filters of `rs` are
   * applied by the caller over the groups.
   */
  part?: { orgIds: readonly number[] };
};

/** The rows of an organization column in the part's organizations (nothing when there is no part). */
function inPart({ part }: SourceCtx, col: string): SQL {
  if (!part) return sql``;
  if (!part.orgIds.length) return sql`AND 0`;
  return sql`AND ${sql.raw(col)} IN (${sql.join(
    part.orgIds.map((id) => sql`${id}`),
    sql`, `,
  )})`;
}

const MANAGING_KINDS_SQL = kindListSql(MANAGING_KINDS);

/** CTE `oc`: every organization with its region and the committee it belongs to (null when none). */
export const ORG_COMMITTEE_CTE = sql`oc AS MATERIALIZED (
  SELECT o.id AS org_id, o.region_code AS org_region, ${committeeOfSql("o", "id")} AS committee_id
  FROM organizations o)`;

/** A member (alias `a`, organization alias `o`) is managed: local or mobile_in, in a branch. */
function memberManaged(a: string, o: string, asOf: string): SQL {
  const x = sql.raw(a);
  const y = sql.raw(o);
  return sql`(${x}.relation_status IN ('local','mobile_in') AND ${y}.kind IN ${MANAGING_KINDS_SQL}
    AND (${x}.managed_on IS NULL OR ${x}.managed_on <= ${asOf}))`;
}

// The OFFSET keeps SQLite from flattening the source into the sums, where each flag reading a member
// count (full_m, all_m: six of them) would count the enterprise's members again: two member scans an
// enterprise instead of six (0.44 → 0.22 s for the city at 100,000 members).
function enterpriseSource(ctx: SourceCtx): SQL {
  const { rs, asOf } = ctx;
  // An enterprise is attributed to its committee_id itself (not to that organization's committee),
  // which holds it.
  return sql`SELECT id, committee_id, county, holder, own_level, in_joint, has_instr, full_m, all_m FROM (
    SELECT e.id AS id, e.committee_id AS committee_id, e.region_code AS county, e.committee_id AS holder, ${enterpriseFactColumnsSql(asOf)}
    FROM enterprises e
    WHERE e.status = 'active' ${inPart(ctx, "e.committee_id")}
      AND (${orgInScope(rs, "e.committee_id")}
        OR EXISTS (SELECT 1 FROM organization_enterprises x WHERE x.enterprise_id = e.id AND ${orgInScope(rs, "x.organization_id")}))
    LIMIT -1 OFFSET 0
  )`;
}

function orgSource({ rs, asOf }: SourceCtx): SQL {
  return sql`SELECT o.id AS id, oc.committee_id AS committee_id, o.region_code AS county, o.kind AS kind,
      (coalesce(o.formation, 'standalone') <> 'joint') AS formation_std, (o.formation = 'joint') AS is_joint
    FROM organizations o JOIN oc ON oc.org_id = o.id
    WHERE ${orgActiveSql("o", asOf)} AND ${orgInScope(rs, "o.id")}`;
}

function memberSource({ rs, asOf }: SourceCtx): SQL {
  return sql`SELECT m.id AS id, oc.committee_id AS committee_id, coalesce(e.region_code, oc.org_region) AS county,
      m.relation_status AS relation_status,
      ${memberFullSql("m", asOf)} AS is_full,
      ${memberManaged("m", "o", asOf)} AS is_managed,
      (NOT ${memberManaged("m", "o", asOf)} AND m.relation_status <> 'mobile_out') AS is_unmanaged,
      ${lostContactLimitSql("m", asOf)} AS is_lost
    FROM members m JOIN organizations o ON o.id = m.org_id JOIN oc ON oc.org_id = m.org_id
      LEFT JOIN enterprises e ON e.id = m.enterprise_id
    WHERE ${memberPresentSql("m", asOf)} AND ${orgInScope(rs, "m.org_id")}`;
}

/**
 * The four finds: every lead (whatever became of it) plus every member recorded with a discovery
 * channel and no lead (entered directly, e.g. after a field visit). A lead and a member are the same
 * person when they share the ID number.
 */
function foundSource(ctx: SourceCtx): SQL {
  const { asOf } = ctx;
  return sql`${foundLeads(ctx)}
    UNION ALL
    SELECT 'member' AS src, m.id AS id, m.discovery_channel AS channel, oc.committee_id AS committee_id,
      coalesce(e.region_code, oc.org_region) AS county, m.org_id AS holder,
      (m.verified_on IS NULL OR m.verified_on <= ${asOf}) AS is_verified,
      ((m.verified_on IS NULL OR m.verified_on <= ${asOf}) AND ${memberPresentSql("m", asOf)} AND ${memberManaged("m", "mo", asOf)}) AS is_managed
    FROM members m JOIN organizations mo ON mo.id = m.org_id JOIN oc ON oc.org_id = m.org_id
      LEFT JOIN enterprises e ON e.id = m.enterprise_id
    WHERE ${foundMemberFilter(ctx)}`;
}

/** The leads half of the four finds: one row per lead. */
function foundLeads(ctx: SourceCtx): SQL {
  const { rs, asOf } = ctx;
  return sql`SELECT 'lead' AS src, l.id AS id, l.channel AS channel, oc.committee_id AS committee_id,
      coalesce(e.region_code, oc.org_region) AS county, l.committee_id AS holder,
      (l.status = 'verified' AND (l.decided_on IS NULL OR l.decided_on <= ${asOf})) AS is_verified,
      (l.status = 'verified' AND (l.decided_on IS NULL OR l.decided_on <= ${asOf}) AND m.id IS NOT NULL
        AND ${memberPresentSql("m", asOf)} AND ${memberManaged("m", "mo", asOf)}) AS is_managed
    FROM leads l JOIN oc ON oc.org_id = l.committee_id
      LEFT JOIN enterprises e ON e.id = l.enterprise_id
      LEFT JOIN members m ON m.id_number = l.id_number
      LEFT JOIN organizations mo ON mo.id = m.org_id
    WHERE l.found_on <= ${asOf} AND ${orgInScope(rs, "l.committee_id")} ${inPart(ctx, "l.committee_id")}`;
}

/** Which members (alias m) are finds of their own: recorded with a channel, found by the date, with no lead. */
function foundMemberFilter(ctx: SourceCtx): SQL {
  const { rs, asOf } = ctx;
  return sql`m.discovery_channel IS NOT NULL AND (m.discovered_on IS NULL OR m.discovered_on <= ${asOf})
      AND NOT EXISTS (SELECT 1 FROM leads l2 WHERE l2.id_number = m.id_number)
      AND ${orgInScope(rs, "m.org_id")} ${inPart(ctx, "m.org_id")}`;
}

function workerSource({ rs, asOf }: SourceCtx): SQL {
  return sql`SELECT w.id AS id, oc.committee_id AS committee_id, coalesce(e.region_code, oc.org_region) AS county
    FROM workers w JOIN oc ON oc.org_id = w.org_id LEFT JOIN enterprises e ON e.id = w.enterprise_id
    WHERE ${onRollSql("w", asOf)} AND ${personCountedSql("w", asOf)} AND ${orgInScope(rs, "w.org_id")}`;
}

function transferSource({ rs, asOf, periodFrom }: SourceCtx): SQL {
  const pending = sql`(t.state = 'pending' OR (t.state <> 'pending' AND substr(coalesce(t.receipt_on, t.decided_at, ''), 1, 10) > ${asOf}))`;
  return sql`SELECT t.id AS id, oc.committee_id AS committee_id, oc.org_region AS county,
      ${pending} AS is_pending,
      (${pending} AND t.deadline_on < ${asOf}) AS is_overdue,
      (t.state = 'completed' AND t.receipt_on >= ${periodFrom} AND t.receipt_on <= ${asOf}) AS is_completed
    FROM transfers t JOIN oc ON oc.org_id = coalesce(t.from_org_id, t.to_org_id)
    WHERE t.issued_on <= ${asOf}
      AND ((t.from_org_id IS NOT NULL AND ${orgInScope(rs, "t.from_org_id")}) OR (t.to_org_id IS NOT NULL AND ${orgInScope(rs, "t.to_org_id")}))`;
}

/**
 * The worker source for sums, grouped before the attribution joins: one row per (organization,
 * enterprise) with `n` people (each counted once, on the row of identity/sql.ts's rule), instead of a million rows each joined and then grouped. The same
 * filter and the same attribution as workerSource, so each sum is the same count. The grouping reads
 * workers_org_cover_idx alone, in its order.
 */
function workerGroups({ rs, asOf, workerGroupsJson }: SourceCtx): SQL {
  if (workerGroupsJson != null) {
    // The same groups for the whole city, counted earlier (workerGroupCounts) and kept while the
    // workers have not changed: the scope applies to them here, as it does in the scan below.
    return sql`SELECT oc.committee_id AS committee_id, coalesce(e.region_code, oc.org_region) AS county, g.org_id AS holder, g.n AS n
      FROM (SELECT json_extract(j.value, '$[0]') AS org_id, json_extract(j.value, '$[1]') AS enterprise_id,
          json_extract(j.value, '$[2]') AS n FROM json_each(${workerGroupsJson}) j) g
      JOIN oc ON oc.org_id = g.org_id LEFT JOIN enterprises e ON e.id = g.enterprise_id
      WHERE ${orgInScope(rs, "g.org_id")}`;
  }
  return sql`SELECT oc.committee_id AS committee_id, coalesce(e.region_code, oc.org_region) AS county, g.org_id AS holder, g.n AS n
    FROM (${peopleGroupsSql(asOf, (col) => orgInScope(rs, col))}) g
    JOIN oc ON oc.org_id = g.org_id LEFT JOIN enterprises e ON e.id = g.enterprise_id`;
}

/** The city's people on the roll at `asOf` per (organization, enterprise), what workerGroups counts, for keeping. */
export function workerGroupCounts(asOf: string): SQL {
  return peopleGroupsSql(asOf, () => null);
}

/**
 * The member source for sums, grouped before the attribution joins: one row per (organization,
 * enterprise) with `n` members and how many of them each per-member condition holds for, read from
 * members_stats_cover_idx alone in its order (no table rows, no sorting), instead of 100,000 rows
 * each joined to its organization, committee and enterprise. The same filter as memberSource; the
 * conditions that also read the organization (managed: its kind) are completed per group, where the
 * organization is one (MEMBER_GROUP_COUNTS).
 */
function memberGroups(ctx: SourceCtx): SQL {
  const { rs, asOf } = ctx;
  return sql`SELECT oc.committee_id AS committee_id, coalesce(e.region_code, oc.org_region) AS county, g.org_id AS holder,
      (o.kind IN ${MANAGING_KINDS_SQL}) AS managing, g.n, g.n_full, g.n_managed, g.n_not_out, g.n_in, g.n_out, g.n_lost
    FROM (SELECT m.org_id AS org_id, m.enterprise_id AS enterprise_id, COUNT(*) AS n,
        sum(${memberFullSql("m", asOf)}) AS n_full,
        sum(m.relation_status IN ('local','mobile_in') AND (m.managed_on IS NULL OR m.managed_on <= ${asOf})) AS n_managed,
        sum(m.relation_status <> 'mobile_out') AS n_not_out,
        sum(m.relation_status = 'mobile_in') AS n_in,
        sum(m.relation_status = 'mobile_out') AS n_out,
        sum(${lostContactLimitSql("m", asOf)}) AS n_lost
      FROM members m WHERE ${memberPresentSql("m", asOf)} AND ${orgInScope(rs, "m.org_id")} ${inPart(ctx, "m.org_id")}
      GROUP BY m.org_id, m.enterprise_id) g
    JOIN organizations o ON o.id = g.org_id JOIN oc ON oc.org_id = g.org_id LEFT JOIN enterprises e ON e.id = g.enterprise_id`;
}

/**
 * Each member figure's count over memberGroups' rows: the number of the group's members its flag
 * (figures.ts, over memberSource's columns) holds for. is_managed is memberManaged: a member's
 * status and date (n_managed) in an organization of a managing kind; is_unmanaged is not managed
 * and not mobile_out, and every managed member is not mobile_out, so it is n_not_out − managed.
 * Both forms are counted against each other (tests/unit/coverage: the rows listed for every figure).
 */
const MEMBER_GROUP_COUNTS: Record<string, string> = {
  members: "s.n",
  membersFull: "s.n_full",
  managed: "(CASE WHEN s.managing THEN s.n_managed ELSE 0 END)",
  unmanaged: "(s.n_not_out - CASE WHEN s.managing THEN s.n_managed ELSE 0 END)",
  mobileIn: "s.n_in",
  mobileOut: "s.n_out",
  lostContact6m: "s.n_lost",
};

/**
 * The four finds for sums: the leads one row each (n = 1, their flags complete), the members of
 * their own grouped per (organization, enterprise, channel) from members_stats_cover_idx alone, in
 * its order, before the attribution joins; managed completed per group by the organization's kind
 * (`managing`, always 1 for a lead's row). Counts in FOUND_GROUP_COUNTS.
 */
function foundGroups(ctx: SourceCtx): SQL {
  const { asOf } = ctx;
  return sql`SELECT committee_id, county, holder, channel, 1 AS managing, 1 AS n, is_verified AS n_verified, is_managed AS n_managed
      FROM (${foundLeads(ctx)})
    UNION ALL
    SELECT oc.committee_id AS committee_id, coalesce(e.region_code, oc.org_region) AS county, g.org_id AS holder, g.channel AS channel,
      (o.kind IN ${MANAGING_KINDS_SQL}) AS managing, g.n AS n, g.n_verified AS n_verified, g.n_managed AS n_managed
    FROM (SELECT m.org_id AS org_id, m.enterprise_id AS enterprise_id, m.discovery_channel AS channel, COUNT(*) AS n,
        sum(m.verified_on IS NULL OR m.verified_on <= ${asOf}) AS n_verified,
        sum((m.verified_on IS NULL OR m.verified_on <= ${asOf}) AND ${memberPresentSql("m", asOf)}
          AND m.relation_status IN ('local','mobile_in') AND (m.managed_on IS NULL OR m.managed_on <= ${asOf})) AS n_managed
      FROM members m WHERE ${foundMemberFilter(ctx)}
      GROUP BY m.org_id, m.enterprise_id, m.discovery_channel) g
    JOIN organizations o ON o.id = g.org_id JOIN oc ON oc.org_id = g.org_id LEFT JOIN enterprises e ON e.id = g.enterprise_id`;
}

/**
 * Each four-finds figure's count over foundGroups' rows (figures.ts: found, verified, foundManaged,
 * and each of them for one channel).
 */
const FOUND_GROUP_COUNTS: Record<string, string> = {
  found: "s.n",
  verified: "s.n_verified",
  foundManaged: "(CASE WHEN s.managing THEN s.n_managed ELSE 0 END)",
  ...Object.fromEntries(
    DISCOVERY_CHANNELS.flatMap((ch) => [
      [`found.${ch}`, `(CASE WHEN s.channel = '${ch}' THEN s.n ELSE 0 END)`],
      [`verified.${ch}`, `(CASE WHEN s.channel = '${ch}' THEN s.n_verified ELSE 0 END)`],
      [`foundManaged.${ch}`, `(CASE WHEN s.channel = '${ch}' AND s.managing THEN s.n_managed ELSE 0 END)`],
    ]),
  ),
};

/**
 * Sources that sums may read grouped, each row standing for `n` rows of the source. The worker
 * source's figures are all plain counts (flag "1"): a flag that read a per-row column would fail
 * loudly (no such column), never count wrong. The member and four-finds sources' figures each have
 * their count over the groups (groupedCount).
 */
const GROUPED: Partial<Record<SourceName, (ctx: SourceCtx) => SQL>> = { worker: workerGroups, member: memberGroups, found: foundGroups };
const GROUP_COUNTS: Partial<Record<SourceName, Record<string, string>>> = { member: MEMBER_GROUP_COUNTS, found: FOUND_GROUP_COUNTS };

/** Whether sums over `source` read it grouped (`n` rows a row): see sumSource. */
export const isGroupedSource = (source: SourceName): boolean => GROUPED[source] !== undefined;

/**
 * The SQL expression summed for `key` over the grouped form of its source, or null when the source
 * has no per-figure counts (then its flag weighs each row by `n`). A figure of such a source without
 * its count throws: never a figure counted by the wrong rule.
 */
export function groupedCount(source: SourceName, key: string): string | null {
  const counts = GROUP_COUNTS[source];
  if (!counts) return null;
  const c = counts[key];
  if (c === undefined) throw new Error(`no grouped count for figure ${key} of source ${source}`);
  return c;
}

/** Like fromSource, over the grouped form of the source when it has one (for sums only). */
export function sumSource(ctx: SourceCtx, source: SourceName, select: SQL, rest: SQL = sql``): SQL {
  const grouped = GROUPED[source];
  return grouped ? withAttribution(ctx, grouped(ctx), select, null, rest) : fromSource(ctx, source, select, null, rest);
}

const SOURCES: Record<SourceName, (ctx: SourceCtx) => SQL> = {
  enterprise: enterpriseSource,
  org: orgSource,
  member: memberSource,
  found: foundSource,
  worker: workerSource,
  transfer: transferSource,
};

/** `WITH oc AS (…) <select> FROM (<source>) s WHERE <attribution filter> <rest>`. */
export function fromSource(ctx: SourceCtx, source: SourceName, select: SQL, where: SQL | null, rest: SQL = sql``): SQL {
  return withAttribution(ctx, SOURCES[source](ctx), select, where, rest);
}

function withAttribution(ctx: SourceCtx, source: SQL, select: SQL, where: SQL | null, rest: SQL): SQL {
  const attribution = [];
  if (ctx.rs.committee) attribution.push(sql`s.committee_id = ${ctx.rs.committee.id}`);
  for (const part of [ctx.rs.city, ctx.rs.county, ctx.rs.town])
    if (part)
      attribution.push(
        part.codes.length === 1
          ? sql`s.county = ${part.code}`
          : sql`s.county IN (${sql.join(
              part.codes.map((c) => sql`${c}`),
              sql`, `,
            )})`,
      );
  if (where) attribution.push(where);
  const cond = attribution.length ? sql`WHERE ${sql.join(attribution, sql` AND `)}` : sql``;
  // A part reads the committees of its own organizations only (a row of a part joins oc on them).
  const oc = ctx.part
    ? sql`oc AS MATERIALIZED (SELECT o.id AS org_id, o.region_code AS org_region, ${committeeOfSql("o", "id")} AS committee_id
        FROM organizations o WHERE 1 ${inPart(ctx, "o.id")})`
    : ORG_COMMITTEE_CTE;
  return sql`WITH ${oc} SELECT ${select} FROM (${source}) s ${cond} ${rest}`;
}

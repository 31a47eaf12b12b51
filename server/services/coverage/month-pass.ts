// The month-change job's reports, every organization's at once. A report per organization
// (buildCoverageReport) counts its subtree's rows again: a province's 2,388 organizations read every
// row once per level above it, 2,388 times over. Here each source is counted once, grouped by the
// organization that holds each row (its `holder`, sources.ts) beside the committee and county the
// breakdowns group by, and each group is added to the organization and to every organization above
// it: a subtree's sums are the sums of its organizations' own. The sheets' rows are listed once and
// handed down the same way, the other areas' figures likewise. The reports are the ones
// buildCoverageReport writes, byte for byte (tests/unit/coverage/month-pass.test.ts).

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { systemActor } from "../../policy/actor.js";
import type { RecruitmentFigure } from "../../schemas/recruitment.schema.js";
import { duesFiguresByOrg } from "../dues/summary.js";
import { readJurisdiction } from "../jurisdiction/jurisdiction.service.js";
import { FIGURE_KEYS as MEETING_KEYS, type MeetingFigures, meetingFiguresByOrg } from "../meetings/meetings.service.js";
import { FIGURE_LABEL as RECRUITMENT_LABEL, recruitmentFiguresByOrg } from "../recruitment/queries.js";
import {
  countExpr,
  figuresAndBreakdownsOf,
  keysOf,
  listFigureRows,
  resolveScope,
  type ScopeOrg,
  SEP,
  SOURCE_NAMES,
  statsDates,
} from "./coverage.service.js";
import { emptyFigures, type Figures, type FigureKey, type SourceName } from "./figures.js";
import { assembleReport, type CoverageReport, type UnmanagedRow } from "./report.js";
import type { EnterpriseRow } from "./rows.js";
import { type SourceCtx, sumSource } from "./sources.js";

export type PassOptions = { asOf: string; final?: boolean; reconstructed?: boolean; now?: Date };

/** Each organization's id → the ids of the scopes it is in: itself and every organization above it (its path). */
function scopesByOrg(db: Db): Map<number, number[]> {
  return new Map(
    db
      .all<{ id: number; path: string }>(sql`SELECT id, path FROM organizations`)
      .map((r) => [r.id, r.path.split("/").filter(Boolean).map(Number)]),
  );
}

/**
 * The coverage reports of the organizations `orgIds` (each its subtree's, as takeSnapshot takes it),
 * from one count of each source. `pause` runs between the counts (the server's timer yields there).
 */
export async function buildCoverageReports(
  db: Db,
  orgIds: readonly number[],
  opts: PassOptions,
  pause: () => Promise<void> = async () => {},
): Promise<Map<number, CoverageReport>> {
  const actor = systemActor("snapshot");
  const { asOf, periodFrom } = statsDates({ asOf: opts.asOf });
  const ctx: SourceCtx = { rs: resolveScope(db, actor, {}), asOf, periodFrom };
  const ancestors = scopesByOrg(db);
  const wanted = new Set(orgIds);
  /** The scopes (among those wanted) of a row held by `holders`. */
  const scopesOf = (holders: readonly (number | null)[]): number[] => {
    const out = new Set<number>();
    for (const h of holders) if (h != null) for (const a of ancestors.get(h) ?? []) if (wanted.has(a)) out.add(a);
    return [...out];
  };

  const both = new Map<number, Map<string, Figures>>(orgIds.map((id) => [id, new Map()]));
  const enterpriseScopes = new Map<number, number[]>();
  const links = new Map<number, number[]>();
  for (const l of db.all<{ e: number; o: number }>(sql`SELECT enterprise_id AS e, organization_id AS o FROM organization_enterprises`))
    links.set(l.e, [...(links.get(l.e) ?? []), l.o]);
  const transfers = new Map(
    db
      .all<{ id: number; f: number | null; t: number | null }>(sql`SELECT id, from_org_id AS f, to_org_id AS t FROM transfers`)
      .map((r) => [r.id, [r.f, r.t]]),
  );
  for (const source of SOURCE_NAMES) {
    const keys = keysOf(source);
    for (const row of db.all<Record<string, number | string | null>>(holderSums(ctx, source, keys))) {
      const id = Number(row.holder);
      const holders =
        source === "enterprise"
          ? [row.grp as number | null, ...(links.get(id) ?? [])]
          : source === "transfer"
            ? (transfers.get(id) ?? [])
            : [row.holder as number | null];
      const scopes = scopesOf(holders);
      if (source === "enterprise") enterpriseScopes.set(id, scopes);
      const part = (v: unknown) => (v == null ? "" : String(v));
      const key = `${part(row.grp)}${SEP}${part(row.grp2)}`;
      for (const s of scopes) {
        const groups = both.get(s)!;
        let f = groups.get(key);
        if (!f) {
          f = emptyFigures();
          groups.set(key, f);
        }
        for (const k of keys) f[k] += Number(row[k] ?? 0);
      }
    }
    await pause();
  }

  // The sheets' rows: listed once over everything, in their order, and handed to each scope of each row.
  const o = { asOf, periodFrom, pageSize: null };
  const lists = new Map(
    orgIds.map((id) => [id, { shouldForm: [] as EnterpriseRow[], uncovered: [] as EnterpriseRow[], unmanaged: [] as UnmanagedRow[] }]),
  );
  for (const key of ["shouldForm", "uncovered"] as const) {
    const l = listFigureRows(db, actor, {}, key, o);
    if (l.source === "enterprise") for (const r of l.rows) for (const s of enterpriseScopes.get(r.id) ?? []) lists.get(s)![key].push(r);
  }
  const unmanaged = listFigureRows(db, actor, {}, "unmanaged", o);
  if (unmanaged.source === "member") {
    const orgOf = memberOrgs(
      db,
      unmanaged.rows.map((r) => r.id),
    );
    for (const { idMasked: _drop, ...r } of unmanaged.rows)
      for (const s of scopesOf([orgOf.get(r.id) ?? null])) lists.get(s)!.unmanaged.push(r);
  }
  await pause();

  const month = asOf.slice(0, 7);
  const recruitment = rollUp(recruitmentFiguresByOrg(db, asOf), Object.keys(RECRUITMENT_LABEL) as RecruitmentFigure[], scopesOf);
  const dues = rollUp(duesFiguresByOrg(db, month), ["members", "paid", "delayed", "dueFen", "collectedFen"] as const, scopesOf);
  const meetingCounts = meetingFiguresByOrg(db, actor, asOf);
  const meetingKeys = [...MEETING_KEYS, "managed"] as const;
  const meetings = rollUp(
    new Map(
      [...ancestors.keys()].map((id) => [id, Object.fromEntries(meetingKeys.map((k) => [k, meetingCounts.get(k)?.get(id) ?? 0]))]),
    ) as Map<number, Record<(typeof meetingKeys)[number], number>>,
    meetingKeys,
    scopesOf,
  );
  await pause();

  // Each scope's active organizations, for its breakdowns' rows (read once, not once a scope).
  const subtrees = new Map<number, ScopeOrg[]>(orgIds.map((id) => [id, []]));
  for (const o of db.all<ScopeOrg>(sql`SELECT id, name, depth, region_code, code, path, kind FROM organizations WHERE status = 'active'`))
    for (const s of scopesOf([o.id])) subtrees.get(s)!.push(o);

  const jurisdiction = readJurisdiction(db);
  const out = new Map<number, CoverageReport>();
  for (const id of orgIds) {
    const scope = { orgId: id };
    const fb = figuresAndBreakdownsOf(db, { ...ctx, rs: resolveScope(db, actor, scope) }, scope, both.get(id)!, {
      orgs: subtrees.get(id),
      jurisdiction,
    });
    const rest = lists.get(id)!;
    out.set(
      id,
      assembleReport(
        fb,
        {
          ...rest,
          recruitment: recruitment(id),
          dues: { month, ...dues(id) },
          meetings: { ...meetings(id), month } as MeetingFigures,
        },
        opts,
      ),
    );
  }
  return out;
}

/** One source's sums grouped by holder, committee and county (one row an enterprise, organization or transfer: their holders are several, found here). */
function holderSums(ctx: SourceCtx, source: SourceName, keys: FigureKey[]): SQL {
  const cols = sql.join(keys.map(countExpr), sql`, `);
  const perRow = source === "enterprise" || source === "org" || source === "transfer";
  return perRow
    ? sumSource(ctx, source, sql`s.id AS holder, s.committee_id AS grp, s.county AS grp2, ${cols}`, sql.raw("GROUP BY s.id"))
    : sumSource(
        ctx,
        source,
        sql`s.holder AS holder, s.committee_id AS grp, s.county AS grp2, ${cols}`,
        sql.raw("GROUP BY s.holder, s.committee_id, s.county"),
      );
}

function memberOrgs(db: Db, ids: number[]): Map<number, number> {
  const out = new Map<number, number>();
  for (let i = 0; i < ids.length; i += 500) {
    const list = sql.join(
      ids.slice(i, i + 500).map((id) => sql`${id}`),
      sql`, `,
    );
    for (const r of db.all<{ id: number; org_id: number }>(sql`SELECT id, org_id FROM members WHERE id IN (${list})`))
      out.set(r.id, r.org_id);
  }
  return out;
}

/** Figures kept per organization, added up into each scope above it: a function from scope to its figures (zeros when none), in `keys` order. */
function rollUp<K extends string>(
  byOrg: Map<number, Record<K, number>>,
  keys: readonly K[],
  scopesOf: (holders: number[]) => number[],
): (scope: number) => Record<K, number> {
  const sums = new Map<number, Record<K, number>>();
  for (const [org, f] of byOrg) {
    for (const s of scopesOf([org])) {
      let acc = sums.get(s);
      if (!acc) {
        acc = Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>;
        sums.set(s, acc);
      }
      for (const k of keys) acc[k] += f[k];
    }
  }
  return (scope) => sums.get(scope) ?? (Object.fromEntries(keys.map((k) => [k, 0])) as Record<K, number>);
}

// The one statistics service of the "two coverages" (两个覆盖): every figure of issue 5 for any scope
// and as-of date, the breakdowns by committee and by county, and for each figure the rows it counted.
// Rules live in coverage/figures.ts (flags) over the row sources of coverage/sources.ts.

import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { DISCOVERY_CHANNEL, DISCOVERY_CHANNELS, type DiscoveryChannel, isCommitteeKind } from "../../domain/codes.js";
import { rate } from "../../domain/coverage-rules.js";
import type { Actor } from "../../policy/actor.js";
import { COMMITTEE_KINDS_SQL } from "../orgs/sql.js";
import { FIGURE_KEYS, type Figures, RATE_DEFS, type RateKey, emptyFigures } from "./figures.js";
import { type Jurisdiction, type RegionNode, readJurisdiction, regionAtLevel, regionMap } from "../jurisdiction/jurisdiction.service.js";
import { committeeNameable, type RegionPart, type ResolvedScope, type StatsScope, orgInScope } from "./scope.js";
import type { SourceCtx } from "./sources.js";
import { ctxFor, type StatsOptions } from "./stats-context.js";
import { fold, sumsBySource } from "./sums.js";

export { FIGURES, FIGURE_KEYS, RATE_DEFS, isFigureKey } from "./figures.js";
export type { FigureKey, Figures, RateKey } from "./figures.js";
export { formatScopeParam, parseScopeParam, resolveScope } from "./scope.js";
export type { ResolvedScope, StatsScope } from "./scope.js";
export { type StatsOptions, statsDates } from "./stats-context.js";
export { countExpr, keysOf, SEP, SOURCE_NAMES } from "./sums.js";
export { type FigureList, listFigureRows } from "./figure-rows.js";

export type FiguresResult = { asOf: string; periodFrom: string; scope: ResolvedScope; figures: Figures };

/** Every figure for the scope at the as-of date. */
export function computeFigures(db: Db, actor: Actor, scope: StatsScope = {}, opts: StatsOptions = {}): FiguresResult {
  const ctx = ctxFor(db, actor, scope, opts);
  const figures = sumsBySource(db, ctx, null).get("") ?? emptyFigures();
  return { asOf: ctx.asOf, periodFrom: ctx.periodFrom, scope: ctx.rs, figures };
}

export function rateOf(figures: Figures, key: RateKey): number | null {
  const d = RATE_DEFS[key];
  return rate(figures[d.numerator], figures[d.denominator]);
}

export type BreakdownRow = {
  /** "committee:ID", "county:CODE", or "committee:none" for rows attributed to no committee. */
  key: string;
  /** The scope parameter that lists this row's figures, or null when it cannot be narrowed to. */
  scope: StatsScope | null;
  label: string;
  figures: Figures;
};

function hasAny(f: Figures): boolean {
  return FIGURE_KEYS.some((k) => f[k] !== 0);
}

/**
 * The figures split by committee (the committee an enterprise, member, lead … is attributed to) or by
 * county. The rows add up to the scope's figures: each counted row falls in exactly one group.
 */
export function computeBreakdown(
  db: Db,
  actor: Actor,
  scope: StatsScope,
  by: "committee" | RegionPart,
  opts: StatsOptions = {},
): BreakdownRow[] {
  const ctx = ctxFor(db, actor, scope, opts);
  return breakdownRows(db, ctx, scope, by, sumsBySource(db, ctx, by === "committee" ? "committee_id" : "county"));
}

/**
 * The figures and both breakdowns (the dashboard, the coverage report) in one pass over the row
 * sources instead of three: over a million workers each pass takes seconds.
 */
export function computeFiguresAndBreakdowns(
  db: Db,
  actor: Actor,
  scope: StatsScope = {},
  opts: StatsOptions = {},
): FiguresResult & {
  byCommittee: BreakdownRow[];
  byCity: BreakdownRow[];
  byCounty: BreakdownRow[];
  byTown: BreakdownRow[];
  breakdowns: readonly RegionPart[];
} {
  const ctx = ctxFor(db, actor, scope, opts);
  return figuresAndBreakdownsOf(db, ctx, scope, sumsBySource(db, ctx, "both", opts.cache));
}

/**
 * The figures and breakdowns from the sums grouped by committee and county (keyed as sumsBySource
 * keys them, SEP-joined): computeFiguresAndBreakdowns's, or the monthly snapshots' (month-pass.ts),
 * which count every organization's sums at once.
 */
export function figuresAndBreakdownsOf(
  db: Db,
  ctx: SourceCtx,
  scope: StatsScope,
  both: Map<string, Figures>,
  given: Given = {},
): ReturnType<typeof computeFiguresAndBreakdowns> {
  const byRegion = fold(both, "county");
  // Which region breakdowns the jurisdiction shows (domain/jurisdiction.ts); by county is always
  // computed (snapshots keep it for the trend of a county's scope).
  const known: Given = { ...given, jurisdiction: given.jurisdiction === undefined ? readJurisdiction(db) : given.jurisdiction };
  const breakdowns = known.jurisdiction?.breakdowns ?? (["county"] as const);
  const rows = (level: RegionPart) => (breakdowns.includes(level) ? breakdownRows(db, ctx, scope, level, byRegion, known) : []);
  return {
    asOf: ctx.asOf,
    periodFrom: ctx.periodFrom,
    scope: ctx.rs,
    figures: fold(both, null).get("") ?? emptyFigures(),
    byCommittee: breakdownRows(db, ctx, scope, "committee", fold(both, "committee"), known),
    byCity: rows("city"),
    byCounty: breakdownRows(db, ctx, scope, "county", byRegion, known),
    byTown: rows("town"),
    breakdowns,
  };
}

/**
 * An active organization of a scope's subtree, as the breakdowns list them: given by a caller that
 * has them all at hand (the monthly snapshots, for a scope the actor sees whole) instead of read
 * for each scope.
 */
export type ScopeOrg = { id: number; name: string; depth: number; region_code: string; code: string; path: string; kind: string };
/** What a caller may give the breakdowns instead of their reading it: the scope's organizations, the jurisdiction (null: none). */
export type Given = { orgs?: ScopeOrg[]; jurisdiction?: Jurisdiction | null };

function breakdownRows(
  db: Db,
  ctx: SourceCtx,
  scope: StatsScope,
  by: "committee" | RegionPart,
  sums: Map<string, Figures>,
  given: Given = {},
): BreakdownRow[] {
  const { orgs } = given;
  const { rs } = ctx;
  if (by === "committee") {
    type C = { id: number; name: string; depth: number; region_code: string; code: string; path: string };
    const listed = rs.committee
      ? db.all<C>(sql`SELECT id, name, depth, region_code, code, path FROM organizations WHERE id = ${rs.committee.id}`)
      : orgs
        ? orgs.filter((o) => isCommitteeKind(o.kind))
        : db.all<C>(sql`SELECT id, name, depth, region_code, code, path FROM organizations o
          WHERE kind IN ${COMMITTEE_KINDS_SQL} AND status = 'active' AND ${orgInScope(rs, "o.id")}`);
    const extraIds = [...sums.keys()].filter((k) => k !== "" && !listed.some((c) => String(c.id) === k)).map(Number);
    const extra = extraIds.length
      ? db.all<C>(
          sql`SELECT id, name, depth, region_code, code, path FROM organizations WHERE id IN (${sql.join(
            extraIds.map((i) => sql`${i}`),
            sql`, `,
          )})`,
        )
      : [];
    const all = [...listed, ...extra].sort(
      (a, b) => a.depth - b.depth || a.region_code.localeCompare(b.region_code) || a.code.localeCompare(b.code),
    );
    const rows: BreakdownRow[] = all.map((c) => ({
      key: `committee:${c.id}`,
      // Rows attributed to another scope's committee (an enterprise of theirs covered by a branch in
      // this scope) are counted here but cannot be narrowed to: resolveScope refuses that committee.
      scope: committeeNameable(rs.actor, c.path) ? { ...regionParts(scope), orgId: scope.orgId ?? null, committeeId: c.id } : null,
      label: c.name,
      figures: sums.get(String(c.id)) ?? emptyFigures(),
    }));
    const none = sums.get("");
    if (none && hasAny(none)) rows.push({ key: "committee:none", scope: null, label: "其他（未归属行业党委）", figures: none });
    return rows;
  }
  return regionRows(db, rs, scope, by, sums, given);
}

/**
 * The rows by city, county or town: each row's region code folded up to that level; rows attributed to
 * a division above it (members held by the jurisdiction's own committees, with no enterprise) come
 * after them as "…本级". Listed: the divisions of the scope's active organizations, even at zero.
 */
function regionRows(
  db: Db,
  rs: ResolvedScope,
  scope: StatsScope,
  level: RegionPart,
  sums: Map<string, Figures>,
  given: Given = {},
): BreakdownRow[] {
  const { orgs } = given;
  const map = regionMap(db);
  const folded = new Map<string, Figures>();
  const foldTo = (code: string) => regionAtLevel(map, code, level)?.code ?? code;
  for (const [code, f] of sums) {
    if (code === "") continue;
    const key = foldTo(code);
    const acc = folded.get(key) ?? emptyFigures();
    for (const k of FIGURE_KEYS) acc[k] += f[k];
    folded.set(key, acc);
  }
  const narrowed = rs[level];
  const listed = narrowed
    ? [narrowed.code]
    : (orgs
        ? [...new Set(orgs.map((o) => o.region_code))]
        : db
            .all<{ code: string }>(
              sql`SELECT DISTINCT o.region_code AS code FROM organizations o WHERE o.status = 'active' AND ${orgInScope(rs, "o.id")}`,
            )
            .map((r) => r.code)
      )
        .map((code) => foldTo(code))
        .filter((code) => map.get(code)?.level === level);
  const codes = [...new Set([...listed, ...folded.keys()])];
  // Province mode: counties are named with their city (济南市市中区, 枣庄市市中区).
  const province =
    level === "county" && (given.jurisdiction === undefined ? readJurisdiction(db) : given.jurisdiction)?.level === "province";
  const prefix = (r: RegionNode) => (province ? (regionAtLevel(map, r.code, "city")?.name ?? "") : "");
  const rank = (code: string) => (map.get(code)?.level === level ? 0 : 1);
  return codes
    .sort((a, b) => rank(a) - rank(b) || a.localeCompare(b))
    .map((code) => {
      const r = map.get(code);
      const label = !r ? code : r.level === level ? `${prefix(r)}${r.name}` : `${r.name}本级`;
      return {
        key: `${level}:${code}`,
        scope: { ...regionParts(scope), orgId: scope.orgId ?? null, committeeId: scope.committeeId ?? null, [level]: code },
        label,
        figures: folded.get(code) ?? emptyFigures(),
      };
    });
}

const regionParts = (scope: StatsScope): StatsScope => ({
  city: scope.city ?? null,
  county: scope.county ?? null,
  town: scope.town ?? null,
});

export type FunnelRow = {
  channel: DiscoveryChannel | "all";
  label: string;
  workers: number | null;
  found: number;
  verified: number;
  managed: number;
};

/** The four-finds funnel (workers → leads → verified → managed), overall and per channel. */
export function funnel(figures: Figures): FunnelRow[] {
  return [
    {
      channel: "all",
      label: "合计",
      workers: figures.workers,
      found: figures.found,
      verified: figures.verified,
      managed: figures.foundManaged,
    },
    ...DISCOVERY_CHANNELS.map((ch) => ({
      channel: ch,
      label: DISCOVERY_CHANNEL.label[ch],
      // Rosters feed every channel at once; they are the top of the overall funnel only.
      workers: null,
      found: figures[`found.${ch}`],
      verified: figures[`verified.${ch}`],
      managed: figures[`foundManaged.${ch}`],
    })),
  ];
}

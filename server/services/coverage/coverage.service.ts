// The one statistics service of the "two coverages" (两个覆盖): every figure of issue 5 for any scope
// and as-of date, the breakdowns by committee and by county, and for each figure the rows it counted.
// Rules live in coverage/figures.ts (flags) over the row sources of coverage/sources.ts.

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { DISCOVERY_CHANNEL, DISCOVERY_CHANNELS, type DiscoveryChannel, isCommitteeKind } from "../../domain/codes.js";
import { rate } from "../../domain/coverage-rules.js";
import { parseLooseDate, todayIso } from "../../domain/dates.js";
import { AppError } from "../../errors.js";
import type { Actor } from "../../policy/actor.js";
import { COMMITTEE_KINDS_SQL } from "../orgs/sql.js";
import { FIGURE_KEYS, FIGURES, type FigureKey, type Figures, RATE_DEFS, type RateKey, type SourceName, emptyFigures } from "./figures.js";
import {
  type EnterpriseSourceRow,
  type ListedRows,
  hydrateEnterprises,
  hydrateFound,
  hydrateMembers,
  hydrateOrgs,
  hydrateTransfers,
  hydrateWorkers,
} from "./rows.js";
import { type Jurisdiction, type RegionNode, readJurisdiction, regionAtLevel, regionMap } from "../jurisdiction/jurisdiction.service.js";
import { committeeNameable, type RegionPart, type ResolvedScope, type StatsScope, orgInScope, resolveScope } from "./scope.js";
import { type SourceCtx, fromSource, groupedCount, isGroupedSource, sumSource, workerGroupCounts } from "./sources.js";
import type { StatsCache, WorkerGroupRow } from "./stats-cache.js";
import { type HolderSums, partitionedSums } from "./partitions.js";

export { FIGURES, FIGURE_KEYS, RATE_DEFS, isFigureKey } from "./figures.js";
export type { FigureKey, Figures, RateKey } from "./figures.js";
export { formatScopeParam, parseScopeParam, resolveScope } from "./scope.js";
export type { ResolvedScope, StatsScope } from "./scope.js";

export type StatsOptions = {
  asOf?: string | null;
  periodFrom?: string | null;
  /** Keeps the worker counts while the workers have not changed (stats-cache.ts): same figures, counted sooner. */
  cache?: StatsCache | null;
};

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The as-of date (default today, China time) and the period for "completed in period" (default: the as-of month). */
export function statsDates(opts: StatsOptions = {}): { asOf: string; periodFrom: string } {
  const asOf = opts.asOf ?? todayIso();
  if (!ISO_DATE.test(asOf) || parseLooseDate(asOf) !== asOf)
    throw AppError.invalid({ asOf: "统计截止日期格式应为 YYYY-MM-DD" }, "统计截止日期格式应为 YYYY-MM-DD。");
  const periodFrom = opts.periodFrom ?? `${asOf.slice(0, 7)}-01`;
  if (!ISO_DATE.test(periodFrom) || parseLooseDate(periodFrom) !== periodFrom || periodFrom > asOf)
    throw AppError.invalid({ periodFrom: "统计期开始日期应不晚于截止日期" }, "统计期开始日期应不晚于截止日期。");
  return { asOf, periodFrom };
}

function ctxFor(db: Db, actor: Actor, scope: StatsScope, opts: StatsOptions): SourceCtx {
  const ctx: SourceCtx = { rs: resolveScope(db, actor, scope), ...statsDates(opts) };
  if (opts.cache) {
    ctx.workerGroupsJson = opts.cache.workerGroups(ctx.asOf, () =>
      db
        .all<{ org_id: number; enterprise_id: number | null; n: number }>(workerGroupCounts(ctx.asOf))
        .map((r): WorkerGroupRow => [r.org_id, r.enterprise_id, r.n]),
    );
  }
  return ctx;
}

export const SOURCE_NAMES: SourceName[] = ["enterprise", "org", "member", "found", "worker", "transfer"];
export const keysOf = (source: SourceName) => FIGURE_KEYS.filter((k) => FIGURES[k].source === source);
/** A figure's count; over a grouped source each row stands for `n` rows (sources.ts, sumSource). */
export const countExpr = (k: FigureKey) => {
  const grouped = groupedCount(FIGURES[k].source, k);
  if (grouped) return sql.raw(`coalesce(sum(${grouped}), 0) AS "${k}"`);
  return sql.raw(
    `coalesce(sum(CASE WHEN ${FIGURES[k].flag} THEN ${isGroupedSource(FIGURES[k].source) ? "s.n" : "1"} ELSE 0 END), 0) AS "${k}"`,
  );
};

/** Separates committee and county in the keys of sums grouped by both. */
export const SEP = "\u0000";

type GroupBy = "committee_id" | "county" | "both" | null;

/** One source's sums per group (only its own figures are set). */
function sourceSums(db: Db, ctx: SourceCtx, source: SourceName, groupBy: GroupBy): Map<string, Figures> {
  const out = new Map<string, Figures>();
  const keys = keysOf(source);
  const cols = sql.join(keys.map(countExpr), sql`, `);
  const select =
    groupBy === "both"
      ? sql`s.committee_id AS grp, s.county AS grp2, ${cols}`
      : groupBy
        ? sql`${sql.raw(`s.${groupBy}`)} AS grp, ${cols}`
        : sql`'' AS grp, ${cols}`;
  const rest = groupBy === "both" ? sql.raw("GROUP BY s.committee_id, s.county") : groupBy ? sql.raw(`GROUP BY s.${groupBy}`) : sql``;
  for (const row of db.all<Record<string, number | string | null>>(sumSource(ctx, source, select, rest))) {
    const part = (v: unknown) => (v == null ? "" : String(v));
    const f = emptyFigures();
    for (const k of keys) f[k] = Number(row[k] ?? 0);
    out.set(groupBy === "both" ? `${part(row.grp)}${SEP}${part(row.grp2)}` : part(row.grp), f);
  }
  return out;
}

/** One source's sums per holding organization, each grouped by both (partitions.ts counts parts with it). */
function holderSums(db: Db, ctx: SourceCtx, source: SourceName): HolderSums {
  const out: HolderSums = new Map();
  const keys = keysOf(source);
  const cols = sql.join(keys.map(countExpr), sql`, `);
  const select = sql`s.holder AS holder, s.committee_id AS grp, s.county AS grp2, ${cols}`;
  const rest = sql.raw("GROUP BY s.holder, s.committee_id, s.county");
  for (const row of db.all<Record<string, number | string | null>>(sumSource(ctx, source, select, rest))) {
    const part = (v: unknown) => (v == null ? "" : String(v));
    const f = emptyFigures();
    for (const k of keys) f[k] = Number(row[k] ?? 0);
    const holder = Number(row.holder);
    const sums = out.get(holder) ?? new Map<string, Figures>();
    out.set(holder, sums);
    sums.set(`${part(row.grp)}${SEP}${part(row.grp2)}`, f);
  }
  return out;
}

/**
 * Every source's sums per group. Grouped by both, with a cache, the sources that ordinary writes
 * touch come from the parts kept per organization (partitions.ts), counted again only where a write
 * touched them: the same groups and numbers as counting them here.
 */
function sumsBySource(db: Db, ctx: SourceCtx, groupBy: GroupBy, cache?: StatsCache | null): Map<string, Figures> {
  const out = new Map<string, Figures>();
  const kept = groupBy === "both" && cache ? partitionedSums(db, ctx, cache, SEP, (c, source) => holderSums(db, c, source)) : null;
  for (const source of SOURCE_NAMES) {
    const keys = keysOf(source);
    for (const [grp, sums] of kept?.get(source) ?? sourceSums(db, ctx, source, groupBy)) {
      let f = out.get(grp);
      if (!f) {
        f = emptyFigures();
        out.set(grp, f);
      }
      for (const k of keys) f[k] = sums[k];
    }
  }
  return out;
}

/**
 * Sums grouped by committee and county folded into one of the two (or into the total): every figure
 * is a count, so the groups add up exactly to what grouping by that column alone counts.
 */
function fold(both: Map<string, Figures>, by: "committee" | "county" | null): Map<string, Figures> {
  const out = new Map<string, Figures>();
  for (const [k, f] of both) {
    const [committee, county] = k.split(SEP) as [string, string];
    const grp = by === "committee" ? committee : by === "county" ? county : "";
    let acc = out.get(grp);
    if (!acc) {
      acc = emptyFigures();
      out.set(grp, acc);
    }
    for (const key of FIGURE_KEYS) acc[key] += f[key];
  }
  return out;
}

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

export type FigureList = ListedRows & {
  key: FigureKey;
  label: string;
  definition: string;
  total: number;
  page: number;
  pageSize: number | null;
  asOf: string;
  scope: ResolvedScope;
};

/**
 * The rows a figure counted: `total` is the same number `computeFigures` gives. pageSize null lists all.
 */
export function listFigureRows(
  db: Db,
  actor: Actor,
  scope: StatsScope,
  key: FigureKey,
  opts: StatsOptions & { page?: number; pageSize?: number | null } = {},
): FigureList {
  const def = FIGURES[key];
  if (!def) throw AppError.notFound("统计项");
  const ctx = ctxFor(db, actor, scope, opts);
  const page = Math.max(1, Math.floor(opts.page ?? 1));
  const pageSize = opts.pageSize === undefined ? 50 : opts.pageSize;
  const flag = sql.raw(`(${def.flag})`);
  const total = Number(db.get<{ n: number }>(fromSource(ctx, def.source, sql`count(*) AS n`, flag))?.n ?? 0);
  const order = def.source === "found" ? sql.raw("ORDER BY s.src, s.id") : sql.raw("ORDER BY s.id");
  const limit: SQL = pageSize === null ? sql`` : sql`LIMIT ${pageSize} OFFSET ${(page - 1) * pageSize}`;
  const rows = db.all<Record<string, unknown>>(fromSource(ctx, def.source, sql`s.*`, flag, sql`${order} ${limit}`));
  const base = { key, label: def.label, definition: def.definition, total, page, pageSize, asOf: ctx.asOf, scope: ctx.rs };
  const ids = rows.map((r) => Number(r.id));
  switch (def.source) {
    case "enterprise":
      return { ...base, source: "enterprise", rows: hydrateEnterprises(db, rows as unknown as EnterpriseSourceRow[], ctx.asOf) };
    case "org":
      return { ...base, source: "org", rows: hydrateOrgs(db, ids) };
    case "member":
      return { ...base, source: "member", rows: hydrateMembers(db, ids) };
    case "found":
      return {
        ...base,
        source: "found",
        rows: hydrateFound(db, rows as unknown as { src: "lead" | "member"; id: number; is_verified: number; is_managed: number }[]),
      };
    case "worker":
      return { ...base, source: "worker", rows: hydrateWorkers(db, ids) };
    case "transfer":
      return { ...base, source: "transfer", rows: hydrateTransfers(db, ids) };
  }
}

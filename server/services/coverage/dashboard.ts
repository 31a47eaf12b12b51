// The dashboard at "/": the figures of the actor's scope as cards (each linking to its list), the two
// coverage rates by committee and by county, the four-finds funnel and the 12-month trend, each chart
// with the numbers it draws. Everything comes from the one statistics service.

import type { Db } from "../../../db/client.js";
import { formatRate } from "../../domain/coverage-rules.js";
import { todayIso } from "../../domain/dates.js";
import type { Actor } from "../../policy/actor.js";
import { type Chart, chartDataUri, coverageRateBars, fourFindsChart, trendChart } from "./charts.js";
import {
  type BreakdownRow,
  computeFiguresAndBreakdowns,
  FIGURES,
  type FigureKey,
  type Figures,
  formatScopeParam,
  type FunnelRow,
  funnel,
  type RateKey,
  rateOf,
  type ResolvedScope,
  type StatsScope,
} from "./coverage.service.js";
import { BREAKDOWN_COLUMN, BREAKDOWN_TITLE } from "../../domain/jurisdiction.js";
import { RECRUITMENT_NOTE } from "./figures.js";
import { FIGURE_LABEL, recruitmentFigures } from "../recruitment/queries.js";
import type { RecruitmentFigure } from "../../schemas/recruitment.schema.js";
import type { RegionPart } from "./scope.js";
import type { StatsCache } from "./stats-cache.js";
import { type TrendPoint, trend } from "./snapshots.js";

export type ChartImage = { src: string; alt: string; width: number; height: number };
const image = (c: Chart): ChartImage => ({ src: chartDataUri(c), alt: c.alt, width: c.width, height: c.height });

export type Card = {
  key: FigureKey | null;
  label: string;
  value: number | null;
  text?: string;
  rate?: { label: string; value: string };
  href: string | null;
  warn?: boolean;
};
export type CardGroup = { title: string; cards: Card[] };

/** A breakdown of the scope's figures (by committee, or by a level of region): all its rows, and the
 *  rows the dashboard shows (its chart draws the same ones). */
export type Breakdown = {
  level: BreakdownLevel;
  heading: string;
  nameHeader: string;
  rows: DashboardRow[];
  shown: DashboardRow[];
  chart: ChartImage | null;
};
export type BreakdownLevel = "committee" | RegionPart;
export const BREAKDOWN_LEVELS = ["committee", "city", "county", "town"] as const satisfies readonly BreakdownLevel[];

export type DashboardRow = BreakdownRow & { href: string | null; hrefs: Record<string, string | null>; orgRate: string; workRate: string };

export type Dashboard = {
  asOf: string;
  scope: ResolvedScope;
  scopeParam: string;
  figures: Figures;
  groups: CardGroup[];
  byCommittee: DashboardRow[];
  byCounty: DashboardRow[];
  /** By committee, then the region breakdowns the jurisdiction shows (by city and county for a
   *  province, by county for a city, by street and township for a county), rows or none (the
   *  dashboard shows those with rows; the whole page answers for any). */
  breakdowns: Breakdown[];
  funnel: FunnelRow[];
  trend: (TrendPoint & { orgRate: string; workRate: string })[];
  charts: { funnel: ChartImage; trend: ChartImage };
  recruitmentNote: string;
};

/** The 发展党员 cards, each linking to the people it counts (the same condition: recruitment/queries.ts). */
function recruitmentCards(db: Db, rs: ResolvedScope, scope: StatsScope, asOf: string): CardGroup {
  const f = recruitmentFigures(db, rs, asOf);
  const s = formatScopeParam(scope);
  const href = (k: RecruitmentFigure) => `/recruitment/people?figure=${k}${s ? `&scope=${encodeURIComponent(s)}` : ""}`;
  return {
    title: "发展党员",
    cards: (Object.keys(FIGURE_LABEL) as RecruitmentFigure[]).map((k) => ({
      key: null,
      label: FIGURE_LABEL[k],
      value: f[k],
      href: href(k),
    })),
  };
}

export function figureHref(key: FigureKey, scope: StatsScope, asOf?: string): string {
  const p = new URLSearchParams();
  const s = formatScopeParam(scope);
  if (s) p.set("scope", s);
  if (asOf) p.set("asOf", asOf);
  const q = p.toString();
  return `/reports/figures/${encodeURIComponent(key)}${q ? `?${q}` : ""}`;
}

/**
 * A breakdown on the dashboard shows at most this many rows, in its chart and in its table: a
 * province breaks down into 150 counties and 200 committees, a picture of them all is unreadable
 * (and took seconds to draw), and their tables made the province's dashboard half a megabyte. The
 * whole breakdown is a page of its own (/breakdowns/:level), linked from the shortened table.
 */
export const CHART_MAX_BARS = 20;

/** The rows a breakdown shows on the dashboard: all of them, or the CHART_MAX_BARS with the most enterprises, in the table's order. */
export function barsShown<T extends { figures: { enterprises: number } }>(rows: T[]): T[] {
  if (rows.length <= CHART_MAX_BARS) return rows;
  const kept = new Set(
    rows
      .map((r, i) => ({ i, n: r.figures.enterprises }))
      .sort((a, b) => b.n - a.n || a.i - b.i)
      .slice(0, CHART_MAX_BARS)
      .map((x) => x.i),
  );
  return rows.filter((_, i) => kept.has(i));
}

/** The columns a whole breakdown sorts by: the counts most first, the two rates lowest first (where coverage is thinnest). */
export const BREAKDOWN_SORTS = ["enterprises", "orgCoverage", "orgRate", "workCoverage", "workRate", "shouldForm", "uncovered"] as const;
export type BreakdownSort = (typeof BREAKDOWN_SORTS)[number];
const SORT_RATE = { orgRate: "orgCoverageRate", workRate: "workCoverageRate" } as const;
/** The counts, sorted most first (the rates, lowest first). */
export const SORT_DESCENDING: ReadonlySet<BreakdownSort> = new Set(BREAKDOWN_SORTS.filter((k) => !(k in SORT_RATE)));

/** A breakdown's rows sorted by a column ("" keeps its own order); ties, and rates of no enterprises (last), in its own order. */
export function sortBreakdownRows(rows: DashboardRow[], sort: BreakdownSort | ""): DashboardRow[] {
  if (!sort) return rows;
  const value = (r: DashboardRow): number | null =>
    sort === "orgRate" || sort === "workRate" ? rateOf(r.figures, SORT_RATE[sort]) : r.figures[sort];
  const sign = SORT_DESCENDING.has(sort) ? -1 : 1;
  return rows
    .map((r, i) => ({ r, i, v: value(r) }))
    .sort((a, b) => (a.v == null ? (b.v == null ? a.i - b.i : 1) : b.v == null ? -1 : sign * (a.v - b.v) || a.i - b.i))
    .map((x) => x.r);
}

export function buildDashboard(db: Db, actor: Actor, scope: StatsScope = {}, opts: { now?: Date; cache?: StatsCache } = {}): Dashboard {
  const asOf = todayIso(opts.now);
  // One pass over the row sources for the figures and both breakdowns; the worker counts kept by
  // `cache` while the workers are unchanged.
  const all = computeFiguresAndBreakdowns(db, actor, scope, { asOf, cache: opts.cache });
  const { figures: f, scope: rs } = all;
  const card = (key: FigureKey, extra: Partial<Card> = {}): Card => ({
    key,
    label: FIGURES[key].label,
    value: f[key],
    href: figureHref(key, scope),
    ...extra,
  });
  const withRate = (key: FigureKey, rateKey: RateKey, label: string): Card =>
    card(key, { rate: { label, value: formatRate(rateOf(f, rateKey)) } });
  const groups: CardGroup[] = [
    {
      title: "两个覆盖",
      cards: [
        card("enterprises"),
        withRate("orgCoverage", "orgCoverageRate", "组织覆盖率"),
        withRate("workCoverage", "workCoverageRate", "工作覆盖率"),
        card("uncovered", { warn: f.uncovered > 0 }),
        card("shouldForm", { warn: f.shouldForm > 0 }),
        card("branchesJoint"),
      ],
    },
    {
      title: "“四找”摸排纳管",
      cards: [card("workers"), card("found"), card("verified"), withRate("foundManaged", "managementRate", "纳管率")],
    },
    {
      title: "党员与流动",
      cards: [
        card("members"),
        card("managed"),
        card("unmanaged", { warn: f.unmanaged > 0 }),
        card("lostContact6m", { warn: f.lostContact6m > 0 }),
        card("transfersPending"),
        card("transfersOverdue", { warn: f.transfersOverdue > 0 }),
        card("transfersCompleted", { label: "本月完成的转接" }),
      ],
    },
    recruitmentCards(db, rs, scope, asOf),
  ];
  const LINKED: FigureKey[] = ["enterprises", "orgCoverage", "workCoverage", "shouldForm", "uncovered", "members", "managed"];
  const decorate = (rows: BreakdownRow[]) =>
    rows.map((r) => ({
      ...r,
      href: r.scope ? figureHref("enterprises", r.scope) : null,
      hrefs: Object.fromEntries(LINKED.map((k) => [k, r.scope ? figureHref(k, r.scope) : null])) as Record<string, string | null>,
      orgRate: formatRate(rateOf(r.figures, "orgCoverageRate")),
      workRate: formatRate(rateOf(r.figures, "workCoverageRate")),
    }));
  const byCommittee = decorate(all.byCommittee).filter((r) => r.figures.enterprises > 0 || r.figures.members > 0);
  const byCounty = decorate(all.byCounty).filter((r) => r.figures.enterprises > 0);
  const regionRows = { city: all.byCity, county: all.byCounty, town: all.byTown };
  const funnelRows = funnel(f);
  const points = trend(db, actor, scope, { months: 12, now: opts.now, live: f, cache: opts.cache }).map((p) => ({
    ...p,
    orgRate: formatRate(p.orgCoverageRate),
    workRate: formatRate(p.workCoverageRate),
  }));
  const breakdown = (level: BreakdownLevel, rows: DashboardRow[]): Breakdown => {
    const heading = level === "committee" ? "按行业党委" : BREAKDOWN_TITLE[level];
    const shown = barsShown(rows);
    const title = shown.length < rows.length ? `${heading}（企业最多的 ${shown.length} 个）` : heading;
    const chart = shown.length
      ? image(
          coverageRateBars(
            shown.map((r) => ({
              label: r.label,
              orgCoverageRate: rateOf(r.figures, "orgCoverageRate"),
              workCoverageRate: rateOf(r.figures, "workCoverageRate"),
            })),
            { title },
          ),
        )
      : null;
    return { level, heading, nameHeader: level === "committee" ? "行业党委" : BREAKDOWN_COLUMN[level], rows, shown, chart };
  };
  const breakdowns = [
    breakdown("committee", byCommittee),
    ...all.breakdowns.map((level) =>
      breakdown(level, level === "county" ? byCounty : decorate(regionRows[level]).filter((r) => r.figures.enterprises > 0)),
    ),
  ];
  return {
    asOf,
    scope: rs,
    scopeParam: formatScopeParam(scope),
    figures: f,
    groups,
    byCommittee,
    byCounty,
    breakdowns,
    funnel: funnelRows,
    trend: points,
    charts: {
      funnel: image(fourFindsChart(funnelRows)),
      trend: image(trendChart(points)),
    },
    recruitmentNote: RECRUITMENT_NOTE,
  };
}

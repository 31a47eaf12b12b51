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

export type RegionBreakdown = { level: RegionPart; heading: string; nameHeader: string; rows: DashboardRow[]; chart: ChartImage | null };

export type DashboardRow = BreakdownRow & { href: string | null; hrefs: Record<string, string | null>; orgRate: string; workRate: string };

export type Dashboard = {
  asOf: string;
  scope: ResolvedScope;
  scopeParam: string;
  figures: Figures;
  groups: CardGroup[];
  byCommittee: DashboardRow[];
  byCounty: DashboardRow[];
  /** The region breakdowns the jurisdiction shows (by city and county for a province, by county for a
   *  city, by street and township for a county), each with its heading and chart. */
  byRegion: RegionBreakdown[];
  funnel: FunnelRow[];
  trend: (TrendPoint & { orgRate: string; workRate: string })[];
  charts: { byCommittee: ChartImage | null; byCounty: ChartImage | null; funnel: ChartImage; trend: ChartImage };
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
 * A chart shows at most this many bars: a province breaks down into 150 counties and 200 committees,
 * a picture of them all is unreadable and took seconds to draw. The table below it lists them all.
 */
export const CHART_MAX_BARS = 20;

/** The rows a bar chart draws: all of them, or the CHART_MAX_BARS with the most enterprises, in the table's order. */
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
  const bars = (all: typeof byCommittee, heading: string) => {
    const rows = barsShown(all);
    const title = rows.length < all.length ? `${heading}（企业最多的 ${rows.length} 个，全部见下表）` : heading;
    return rows.length
      ? image(
          coverageRateBars(
            rows.map((r) => ({
              label: r.label,
              orgCoverageRate: rateOf(r.figures, "orgCoverageRate"),
              workCoverageRate: rateOf(r.figures, "workCoverageRate"),
            })),
            { title },
          ),
        )
      : null;
  };
  return {
    asOf,
    scope: rs,
    scopeParam: formatScopeParam(scope),
    figures: f,
    groups,
    byCommittee,
    byCounty,
    byRegion: all.breakdowns.map((level) => {
      const rows = level === "county" ? byCounty : decorate(regionRows[level]).filter((r) => r.figures.enterprises > 0);
      return {
        level,
        heading: BREAKDOWN_TITLE[level],
        nameHeader: BREAKDOWN_COLUMN[level],
        rows,
        chart: bars(rows, BREAKDOWN_TITLE[level]),
      };
    }),
    funnel: funnelRows,
    trend: points,
    charts: {
      byCommittee: bars(byCommittee, "按行业党委"),
      byCounty: bars(byCounty, "按县（区）"),
      funnel: image(fourFindsChart(funnelRows)),
      trend: image(trendChart(points)),
    },
    recruitmentNote: RECRUITMENT_NOTE,
  };
}

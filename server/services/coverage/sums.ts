// The statistics' sums: each source counted per group (committee, county, both), or per holding
// organization for the parts kept between writes (partitions.ts), folded to the groups a page asks for.

import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { FIGURE_KEYS, FIGURES, type FigureKey, type Figures, type SourceName, emptyFigures } from "./figures.js";
import { type HolderSums, partitionedSums } from "./partitions.js";
import { type SourceCtx, groupedCount, isGroupedSource, sumSource } from "./sources.js";
import type { StatsCache } from "./stats-cache.js";

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
export function sumsBySource(db: Db, ctx: SourceCtx, groupBy: GroupBy, cache?: StatsCache | null): Map<string, Figures> {
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
export function fold(both: Map<string, Figures>, by: "committee" | "county" | null): Map<string, Figures> {
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

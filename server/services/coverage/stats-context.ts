// What every count of the statistics starts from: the dates (as of, the period's start) and the
// actor's resolved scope, with the province's worker groups when a cache keeps them.

import type { Db } from "../../../db/client.js";
import { parseLooseDate, todayIso } from "../../domain/dates.js";
import { AppError } from "../../errors.js";
import type { Actor } from "../../policy/actor.js";
import { resolveScope, type StatsScope } from "./scope.js";
import { type SourceCtx, workerGroupCounts } from "./sources.js";
import type { StatsCache, WorkerGroupRow } from "./stats-cache.js";

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

export function ctxFor(db: Db, actor: Actor, scope: StatsScope, opts: StatsOptions): SourceCtx {
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

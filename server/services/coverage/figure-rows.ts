// The rows behind a figure: the same source and flag the figure counts, paged and hydrated for the
// list page and the workbook.

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { AppError } from "../../errors.js";
import type { Actor } from "../../policy/actor.js";
import { ctxFor, type StatsOptions } from "./stats-context.js";
import { FIGURES, type FigureKey } from "./figures.js";
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
import type { ResolvedScope, StatsScope } from "./scope.js";
import { fromSource } from "./sources.js";

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

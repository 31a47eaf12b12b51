// What a table module receives to compute one table for one scope and period, and the scope helpers
// every module shares (so no module spells the subtree condition its own way).

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import {
  type BuildInput,
  buildTable,
  type ComputedTable,
  type CrossCheck,
  type RowRef,
  type RowSpec,
  type TableDef,
  type TableSource,
} from "../../domain/official-tables/table.js";
import type { Period } from "../../domain/official-tables/periods.js";
import type { Actor } from "../../policy/actor.js";

/** The organization a table is computed for: its subtree is the scope (填报单位 = its name). */
export type ScopeOrg = { id: number; code: string; name: string; kind: string; path: string; regionCode: string };

export type TableContext = {
  db: Db;
  /** Who asked (the system for a frozen snapshot); the scope org is already checked against it. */
  actor: Actor;
  org: ScopeOrg;
  period: Period;
  /** The date the end-of-period figures are taken at: the period's last day, or today while it runs. */
  asOf: string;
  today: string;
  source: TableSource;
};

/** A table of the official statistics: its definition and its computation (pure over the database). */
export type TableModule = {
  def: TableDef;
  /** What the rows behind its cells are (the rows page and its workbook pick their columns by it). */
  rowKind: "member" | "enterprise";
  compute(ctx: TableContext): ComputedTable;
};

/** SQL: `column` names an organization in the scope org's subtree. */
export function inScopeSql(ctx: Pick<TableContext, "org">, column: SQL | string): SQL {
  const col = typeof column === "string" ? sql.raw(column) : column;
  const prefix = ctx.org.path;
  return sql`${col} IN (SELECT id FROM organizations WHERE substr(path, 1, ${prefix.length}) = ${prefix})`;
}

/** The ids of the scope org's subtree (for checks in memory). */
export function scopeOrgIds(ctx: Pick<TableContext, "db" | "org">): Set<number> {
  const prefix = ctx.org.path;
  return new Set(
    ctx.db.all<{ id: number }>(sql`SELECT id FROM organizations WHERE substr(path, 1, ${prefix.length}) = ${prefix}`).map((r) => r.id),
  );
}

/** buildTable with the context's unit, period, date and source filled in. */
export function buildFor(
  ctx: TableContext,
  def: TableDef,
  rows: RowSpec[],
  lists: Record<string, RowRef[]>,
  crossChecks: CrossCheck[] = [],
): ComputedTable {
  const input: BuildInput = {
    def,
    unit: { name: ctx.org.name, code: ctx.org.code },
    period: ctx.period,
    asOf: ctx.asOf,
    rows,
    lists,
    crossChecks,
    source: ctx.source,
  };
  return buildTable(input);
}

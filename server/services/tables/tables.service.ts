// The official tables (党内统计): the registry of table modules, the scope and period a page or an
// export asks for, the table itself (frozen for a closed period, else computed from today's records),
// the list behind each cell, and freezing closed periods (the snapshot job).
//
// A table module (one file per table beside this one) exports a TableModule; adding a table is one
// line in TABLES. Every caller — page, workbook, CLI, snapshot job, tests — goes through getTable, so a
// cell's number is always the length of the list cellRows returns.

import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { STATS_SCOPE_KINDS } from "../../domain/codes.js";
import { todayIso } from "../../domain/dates.js";
import {
  asOfDate,
  hasStarted,
  isClosed,
  type Period,
  parsePeriod,
  currentPeriod,
  periodsEndingIn,
} from "../../domain/official-tables/periods.js";
import {
  type CellSum,
  type ComputedTable,
  listNumber,
  type RowKind,
  type RowRef,
  type TableSource,
} from "../../domain/official-tables/table.js";
import { AppError } from "../../errors.js";
import { type Actor, orgPathInScope, scopePath, systemActor } from "../../policy/actor.js";
import type { ReadCache } from "../read-cache.js";
import { type OrgRow, orgRowByCode, orgRowById, orgRowsWhere, singleRootOrg } from "../orgs/org-rows.js";
import { kindListSql } from "../orgs/sql.js";
import type { ScopeOrg, TableContext, TableModule } from "./context.js";
import { type HourlyJobLog, startHourlyJob } from "../hourly-job.js";
import { hasFrozen, readFrozen, storeFrozen } from "./store.js";
import { table1 } from "./table1.js";
import { table27 } from "./table27.js";
import { table43 } from "./table43.js";
import { table33, table34 } from "./mobile.js";

export type { ScopeOrg, TableContext, TableModule } from "./context.js";

/** The tables, in the order of the index page. One line per table module. */
export const TABLES: readonly TableModule[] = [table1, table27, table33, table34, table43];

export function tableModule(id: string): TableModule {
  const m = TABLES.find((t) => t.def.id === id);
  if (!m) throw AppError.notFound("统计表");
  return m;
}

export function isTableId(id: string): boolean {
  return TABLES.some((t) => t.def.id === id);
}

function toScopeOrg(o: OrgRow): ScopeOrg {
  return { id: o.id, code: o.code, name: o.name, kind: o.kind, path: o.path, regionCode: o.region_code };
}

/**
 * The organization a table is computed for: `code` (an organization inside the actor's scope; any
 * other — another committee's, or none — is "not found"), else the actor's own, else the root.
 */
export function resolveTableOrg(db: Db, actor: Actor, code: string | null | undefined): ScopeOrg {
  if (code) {
    const o = orgRowByCode(db, code);
    if (!o || !orgPathInScope(actor, o.path)) throw AppError.notFound("统计范围");
    return toScopeOrg(o);
  }
  if (actor.orgId > 0) {
    const o = orgRowById(db, actor.orgId);
    if (o && orgPathInScope(actor, o.path)) return toScopeOrg(o);
  }
  const root = singleRootOrg(db);
  if (!root) throw AppError.notFound("统计范围");
  return toScopeOrg(root);
}

/** The period an id names (default: this year); one not yet begun is "not found". */
export function resolvePeriod(id: string | null | undefined, today: string): Period {
  const p = id ? parsePeriod(id) : currentPeriod(today);
  if (!p || !hasStarted(p, today)) throw AppError.notFound("统计期");
  return p;
}

/** The live tables kept until the data changes (deps.ts `caches.tables`; read-cache.ts decides when). */
export type TablesCache = ReadCache<ComputedTable>;

export type TableRequest = { org?: string | null; period?: string | null; now?: Date; cache?: TablesCache };

function liveSource(p: Period, today: string, now: Date): TableSource {
  const closed = isClosed(p, today);
  return {
    kind: "live",
    takenAt: now.toISOString(),
    note: closed
      ? `该统计期已结束，但没有期末冻结的快照：以下按今天（${today}）的记录计算，记录此后再变动时结果会随之改变。`
      : `统计期尚未结束：截至 ${today} 按当前记录实时计算。`,
  };
}

/** Computes a table from the records as they stand (the snapshot job freezes exactly this). */
export function computeTable(
  db: Db,
  actor: Actor,
  m: TableModule,
  org: ScopeOrg,
  period: Period,
  opts: { now?: Date; source?: TableSource } = {},
): ComputedTable {
  const now = opts.now ?? new Date();
  const today = todayIso(now);
  const ctx: TableContext = {
    db,
    actor,
    org,
    period,
    asOf: asOfDate(period, today),
    today,
    source: opts.source ?? liveSource(period, today, now),
  };
  return m.compute(ctx);
}

/**
 * The table for a scope and period as a page or workbook shows it: a closed period's frozen snapshot
 * when there is one, else computed from today's records (its source says which).
 */
export function getTable(db: Db, actor: Actor, tableId: string, req: TableRequest = {}): ComputedTable & { org: ScopeOrg; period: Period } {
  const m = tableModule(tableId);
  const now = req.now ?? new Date();
  const today = todayIso(now);
  const org = resolveTableOrg(db, actor, req.org);
  const period = resolvePeriod(req.period, today);
  if (isClosed(period, today)) {
    const frozen = readFrozen(db, m.def.id, period.id, org.id);
    if (frozen) return { table: frozen.table, lists: frozen.lists, org, period };
  }
  if (!req.cache) return { ...computeTable(db, actor, m, org, period, { now }), org, period };
  // A live table is the same for everyone with the same scope on the same day until the data changes
  // (the city's table 1 costs ~1.5 s CPU at 100,000 members); computed again after any write. The
  // role and scope are in the key because a cross-check reads the actor's own member list.
  const key = [m.def.id, org.id, period.id, today, actor.role, scopePath(actor)].join("\0");
  return { ...req.cache.get(key, () => computeTable(db, actor, m, org, period, { now })), org, period };
}

export type CellList = {
  table: ComputedTable["table"];
  org: ScopeOrg;
  period: Period;
  rowKind: TableModule["rowKind"];
  /** What the list holds (the cell's kind, else the module's rowKind). */
  kind: RowKind;
  key: string;
  /** The row and column the cell sits in, e.g. "发展党员 · 人数". */
  label: string;
  /** How many records the list holds. */
  total: number;
  /** A sum cell: the sum of the list's amounts (the cell's number) and how many have none. */
  sum: (CellSum & { value: number }) | null;
  refs: RowRef[];
};

/** The whole list behind one cell (the cell's number is listNumber of it). An unknown key is "not found". */
export function cellList(db: Db, actor: Actor, tableId: string, req: TableRequest & { key: string }): CellList {
  const m = tableModule(tableId);
  const t = getTable(db, actor, tableId, req);
  const refs = t.lists[req.key];
  if (!refs) throw AppError.notFound("统计项");
  // A list that is no cell (a cross-check's) is named by the cross-check linking to it.
  let label = t.table.crossChecks.find((x) => x.link?.includes(`key=${req.key}&`) || x.link?.endsWith(`key=${req.key}`))?.label ?? req.key;
  // A cell says what its list holds; else its records do (table 34's receiving organizations), else the module.
  let kind: RowKind = refs[0]?.kind ?? m.rowKind;
  let sum: CellList["sum"] = null;
  for (const row of t.table.rows) {
    const i = row.cells.findIndex((c) => c.key === req.key);
    const cell = row.cells[i];
    if (cell) {
      const col = t.table.columns[i];
      label = t.table.columns.length > 1 && col ? `${row.label.trim()} · ${col}` : row.label.trim();
      kind = cell.kind ?? kind;
      if (cell.sum) sum = { of: cell.sum.of, ...listNumber(refs, true) };
      break;
    }
  }
  return { table: t.table, org: t.org, period: t.period, rowKind: m.rowKind, kind, key: req.key, label, total: refs.length, sum, refs };
}

// -- Freezing closed periods ------------------------------------------------------------------------

/** Organizations a closed period's tables are frozen for: the statistics' scopes, down to branches. */
function freezeOrgs(db: Db): ScopeOrg[] {
  return orgRowsWhere(db, sql`kind IN ${kindListSql(STATS_SCOPE_KINDS)} AND status = 'active'`, sql`length(path), id`).map(toScopeOrg);
}

export type FreezeResult = { period: string; tables: number; scopes: number; written: number; kept: number; ms: number };

/**
 * Freezes every table of `period` for every scope organization that has no snapshot of it yet (a
 * snapshot is never replaced). `reconstructed` marks a freeze made after the fact. Yields to the event
 * loop between organizations so a running server keeps answering.
 */
export async function freezePeriod(db: Db, period: Period, opts: { now?: Date; reconstructed?: boolean } = {}): Promise<FreezeResult> {
  const now = opts.now ?? new Date();
  const today = todayIso(now);
  if (!isClosed(period, today)) throw AppError.invalid({ period: `${period.label}尚未结束，不能冻结` });
  const started = Date.now();
  const orgs = freezeOrgs(db);
  const actor = systemActor("tables-snapshot");
  const source: TableSource = { kind: "snapshot", takenAt: now.toISOString(), reconstructed: opts.reconstructed ?? false };
  let written = 0;
  let kept = 0;
  for (const org of orgs) {
    const fresh: ComputedTable[] = [];
    for (const m of TABLES) {
      if (hasFrozen(db, m.def.id, period.id, org.id)) kept++;
      else fresh.push(computeTable(db, actor, m, org, period, { now, source }));
    }
    if (fresh.length)
      db.transaction((tx) => {
        for (const t of fresh) storeFrozen(tx, org.id, t, source.reconstructed ?? false);
      });
    written += fresh.length;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return { period: period.id, tables: TABLES.length, scopes: orgs.length, written, kept, ms: Date.now() - started };
}

/** The periods that closed in the previous month (June: the half-year; December: the year). */
export function periodsJustClosed(now: Date = new Date()): Period[] {
  const today = todayIso(now);
  const [y, m] = today.slice(0, 7).split("-").map(Number) as [number, number];
  const prev = m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
  return periodsEndingIn(prev).filter((p) => isClosed(p, today));
}

/** Freezes the periods that closed last month (the snapshot job's part; safe to call any number of times). */
export async function freezeClosedPeriods(db: Db, now: Date = new Date()): Promise<FreezeResult[]> {
  const out: FreezeResult[] = [];
  const hasOrg = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM organizations`);
  if (!hasOrg?.n) return out;
  for (const p of periodsJustClosed(now)) out.push(await freezePeriod(db, p, { now }));
  return out;
}

/**
 * The server's check for a closed period (hourly, at once at start): freezes the periods that closed
 * last month. Returns a function that stops it; the timer does not keep the process alive.
 */
export function startTablesFreezeTimer(db: Db, opts: { intervalMs?: number; now?: () => Date; log?: HourlyJobLog } = {}): () => void {
  return startHourlyJob(
    async (now) => {
      for (const r of await freezeClosedPeriods(db, now))
        if (r.written) opts.log?.info({ tables: r }, `official tables: froze ${r.period} (${r.written} tables)`);
    },
    { ...opts, failure: "official tables: failed to freeze the closed period" },
  );
}

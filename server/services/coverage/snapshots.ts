// Monthly snapshots of the coverage figures (coverage_snapshots): one row per month and scope
// organization, holding the whole coverage report as JSON. Taken by `npm run snapshot` and by the
// server's timer at month change; never by a download (a GET writes nothing, whoever asks). The
// current month's snapshot is provisional (each new take replaces it); a past month's is final and
// never changes, so a past report regenerates identically.

import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { STATS_SCOPE_KINDS } from "../../domain/codes.js";
import { addDays, todayIso } from "../../domain/dates.js";
import { AppError } from "../../errors.js";
import { type Actor, systemActor } from "../../policy/actor.js";
import { kindListSql } from "../orgs/sql.js";
import { computeFigures, type Figures, rateOf, resolveScope, type StatsScope } from "./coverage.service.js";
import { startHourlyJob } from "../hourly-job.js";
import { buildCoverageReports } from "./month-pass.js";
import { buildCoverageReport, type CoverageReport } from "./report.js";
import type { StatsCache } from "./stats-cache.js";

export type { CoverageReport } from "./report.js";

/** Kinds of organization that get a monthly snapshot: those the statistics are read for. */
const SNAPSHOT_KINDS = kindListSql(STATS_SCOPE_KINDS);

export function monthOf(iso: string): string {
  return iso.slice(0, 7);
}

export function previousMonth(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return m === 1 ? `${y - 1}-12` : `${y}-${String(m - 1).padStart(2, "0")}`;
}

export function lastDayOfMonth(month: string): string {
  const [y, m] = month.split("-").map(Number) as [number, number];
  return addDays(m === 12 ? `${y + 1}-01-01` : `${y}-${String(m + 1).padStart(2, "0")}-01`, -1);
}

type SnapshotRow = { id: number; month: string; final: number | null };

function existing(db: Db, month: string, orgId: number): SnapshotRow | undefined {
  return db.get<SnapshotRow>(
    sql`SELECT id, month, json_extract(figures, '$.final') AS final FROM coverage_snapshots WHERE month = ${month} AND scope_org_id = ${orgId}`,
  );
}

function store(db: Pick<Db, "run">, orgId: number, report: CoverageReport): void {
  const json = JSON.stringify(report);
  db.run(sql`INSERT INTO coverage_snapshots (month, scope_org_id, figures, created_at) VALUES (${report.month}, ${orgId}, ${json}, ${report.takenAt})
    ON CONFLICT (month, scope_org_id) DO UPDATE SET figures = excluded.figures, created_at = excluded.created_at`);
}

export type TakeOptions = { asOf?: string; final?: boolean; reconstructed?: boolean; now?: Date };

/**
 * Takes (or retakes) the snapshot of one organization's scope for the month of `asOf`. Idempotent per
 * month and scope: a provisional snapshot is replaced, a final one is kept and returned unchanged.
 */
export function takeSnapshot(db: Db, orgId: number, opts: TakeOptions = {}): { report: CoverageReport; written: boolean } {
  const r = snapshotToTake(db, orgId, opts);
  if (r.written) store(db, orgId, r.report);
  return r;
}

/** The report a take would store (`written`), or the final one already stored. Reads only. */
function snapshotToTake(db: Db, orgId: number, opts: TakeOptions): { report: CoverageReport; written: boolean } {
  const asOf = opts.asOf ?? todayIso(opts.now);
  const month = monthOf(asOf);
  const prior = existing(db, month, orgId);
  if (prior?.final === 1) {
    const stored = readSnapshot(db, orgId, month);
    if (stored) return { report: stored, written: false };
  }
  const report = buildCoverageReport(
    db,
    systemActor("snapshot"),
    { orgId },
    { asOf, final: opts.final ?? false, reconstructed: opts.reconstructed ?? false, now: opts.now },
  );
  return { report, written: true };
}

export function readSnapshot(db: Db, orgId: number, month: string): CoverageReport | null {
  const row = db.get<{ figures: string }>(sql`SELECT figures FROM coverage_snapshots WHERE month = ${month} AND scope_org_id = ${orgId}`);
  return row ? (JSON.parse(row.figures) as CoverageReport) : null;
}

function snapshotOrgIds(db: Db): number[] {
  return db
    .all<{ id: number }>(sql`SELECT id FROM organizations WHERE kind IN ${SNAPSHOT_KINDS} AND status = 'active' ORDER BY length(path), id`)
    .map((r) => r.id);
}

export type MonthlyResult = { month: string; asOf: string; scopes: number; written: number; kept: number };

/**
 * Snapshots every organization (down to branches) for one month: the reports takeSnapshot would
 * store, all counted in one pass (month-pass.ts) instead of one report per organization (a
 * province's 2,388 took 40 minutes). Yields to the event loop between the pass's counts so a
 * running server keeps answering.
 */
export async function takeMonthlySnapshots(db: Db, opts: TakeOptions = {}): Promise<MonthlyResult> {
  const asOf = opts.asOf ?? todayIso(opts.now);
  const ids = snapshotOrgIds(db);
  const month = monthOf(asOf);
  // A final snapshot is kept as it is (takeSnapshot's rule); the others are taken.
  const toTake = ids.filter((id) => existing(db, month, id)?.final !== 1);
  const reports = await buildCoverageReports(
    db,
    toTake,
    { asOf, final: opts.final ?? false, reconstructed: opts.reconstructed ?? false, now: opts.now },
    () => new Promise<void>((resolve) => setImmediate(resolve)),
  );
  // Stored together: a month is final for all its scopes or for none (monthIsFinal reads the root,
  // so a job that died half-way must not have written it alone), and the server's read caches see
  // one change instead of one per organization.
  db.transaction((tx) => {
    for (const id of toTake) store(tx, id, reports.get(id)!);
  });
  return { month, asOf, scopes: ids.length, written: toTake.length, kept: ids.length - toTake.length };
}

/** Whether a month has its final snapshot (checked on the root organizations). */
export function monthIsFinal(db: Db, month: string): boolean {
  const r = db.get<{ n: number }>(
    sql`SELECT count(*) AS n FROM coverage_snapshots s JOIN organizations o ON o.id = s.scope_org_id
      WHERE s.month = ${month} AND o.parent_id IS NULL AND json_extract(s.figures, '$.final') = 1`,
  );
  return (r?.n ?? 0) > 0;
}

/**
 * Finalises the previous month when it has no final snapshot yet: the figures as of its last day.
 * Called by the timer; safe to call any number of times.
 */
export async function finalisePreviousMonth(db: Db, now: Date = new Date()): Promise<MonthlyResult | null> {
  const prev = previousMonth(monthOf(todayIso(now)));
  if (monthIsFinal(db, prev)) return null;
  const hasAnyOrg = db.get<{ n: number }>(sql`SELECT count(*) AS n FROM organizations`);
  if (!hasAnyOrg?.n) return null;
  return takeMonthlySnapshots(db, { asOf: lastDayOfMonth(prev), final: true, now });
}

/**
 * Reconstructs the final snapshots of the `months` months before the current one that have none,
 * from the recorded dates (flagged `reconstructed`). For a new installation or a freshly seeded database.
 */
export async function backfillSnapshots(db: Db, months: number, now: Date = new Date()): Promise<MonthlyResult[]> {
  const out: MonthlyResult[] = [];
  let month = monthOf(todayIso(now));
  for (let i = 0; i < months; i++) {
    month = previousMonth(month);
    if (monthIsFinal(db, month)) continue;
    out.push(await takeMonthlySnapshots(db, { asOf: lastDayOfMonth(month), final: true, reconstructed: true, now }));
  }
  return out;
}

export type SnapshotTimerOptions = {
  /** How often to check for a month change; default one hour. */
  intervalMs?: number;
  now?: () => Date;
  log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
};

/**
 * Starts the month-change timer: checks at once and then every `intervalMs` whether last month has
 * its final snapshot, and takes it if not. Returns a function that stops the timer. The timer does
 * not keep the process alive.
 */
export function startSnapshotTimer(db: Db, opts: SnapshotTimerOptions = {}): () => void {
  return startHourlyJob(
    async (now) => {
      const r = await finalisePreviousMonth(db, now);
      if (r) opts.log?.info({ snapshot: r }, `coverage snapshot: finalised ${r.month} (${r.written} scopes written)`);
    },
    { ...opts, failure: "coverage snapshot: failed to finalise the previous month" },
  );
}

/**
 * The coverage report a workbook shows for the actor's scope (or `scope.orgId`) as of `asOf`:
 * a past month reads that month's snapshot, or, when it has none, is reconstructed from the recorded
 * dates as a final snapshot would be; the current month is computed live. Reads only: a download
 * (any role, read-only ones included) stores nothing. Snapshots are the timer's and the CLI's.
 */
export function reportForExport(db: Db, actor: Actor, scope: StatsScope, opts: { asOf?: string | null; now?: Date } = {}): CoverageReport {
  const today = todayIso(opts.now);
  const asOf = opts.asOf ?? today;
  if (asOf > today) throw AppError.invalid({ asOf: "统计截止日期不能晚于今天" }, "统计截止日期不能晚于今天。");
  const rs = resolveScope(db, actor, scope);
  const orgId = scope.orgId ?? rs.rootOrg?.id ?? null;
  const snapshotable = orgId !== null && !scope.committeeId && !scope.county && !scope.city && !scope.town;
  if (!snapshotable) return buildCoverageReport(db, actor, scope, { asOf, now: opts.now });
  const month = monthOf(asOf);
  if (month < monthOf(today)) {
    const stored = readSnapshot(db, orgId, month);
    if (stored) return { ...stored, scope: { ...stored.scope, label: rs.label } };
    return snapshotToTake(db, orgId, { asOf: lastDayOfMonth(month), final: true, reconstructed: true, now: opts.now }).report;
  }
  return snapshotToTake(db, orgId, { asOf, now: opts.now }).report;
}

export type TrendPoint = {
  month: string;
  /** Where the point comes from: a stored snapshot, the live figures (current month), or none. */
  from: "snapshot" | "live" | "none";
  enterprises: number | null;
  orgCoverage: number | null;
  workCoverage: number | null;
  orgCoverageRate: number | null;
  workCoverageRate: number | null;
  managed: number | null;
  foundManaged: number | null;
  verified: number | null;
};

function point(month: string, from: TrendPoint["from"], f: Figures | null): TrendPoint {
  if (!f)
    return {
      month,
      from,
      enterprises: null,
      orgCoverage: null,
      workCoverage: null,
      orgCoverageRate: null,
      workCoverageRate: null,
      managed: null,
      foundManaged: null,
      verified: null,
    };
  return {
    month,
    from,
    enterprises: f.enterprises,
    orgCoverage: f.orgCoverage,
    workCoverage: f.workCoverage,
    orgCoverageRate: rateOf(f, "orgCoverageRate"),
    workCoverageRate: rateOf(f, "workCoverageRate"),
    managed: f.managed,
    foundManaged: f.foundManaged,
    verified: f.verified,
  };
}

/**
 * The last `months` months for a scope: past months from the snapshots (the scope's own, or the
 * committee/county row of its organization's snapshot), the current month live.
 */
export function trend(
  db: Db,
  actor: Actor,
  scope: StatsScope,
  opts: { months?: number; now?: Date; live?: Figures; cache?: StatsCache } = {},
): TrendPoint[] {
  const months = opts.months ?? 12;
  const today = todayIso(opts.now);
  const current = monthOf(today);
  const rs = resolveScope(db, actor, scope);
  const orgId = scope.orgId ?? rs.rootOrg?.id ?? null;
  const list: string[] = [current];
  while (list.length < months) list.unshift(previousMonth(list[0]!));
  // A snapshot holds its organization's rows by committee and by county, not by both at once.
  const parts = [scope.committeeId, scope.city, scope.county, scope.town].filter(Boolean).length;
  const derivable = parts <= 1;
  const first = list[0]!;
  const past = () => pastMonths(db, scope, orgId, first, current);
  // The past months change only with the snapshots (migration 0023 counts their writes): kept, they
  // are not parsed again on every count (a city's snapshot is ~3 MB of JSON).
  const byMonth =
    orgId === null || !derivable
      ? new Map<string, Figures>()
      : opts.cache
        ? opts.cache.underCounter(`trend\u0000${JSON.stringify([orgId, scope, first, current])}`, "snapshots", past)
        : past();
  const live = opts.live ?? computeFigures(db, actor, scope, { asOf: today }).figures;
  return list.map((m) =>
    m === current ? point(m, "live", live) : byMonth.has(m) ? point(m, "snapshot", byMonth.get(m)!) : point(m, "none", null),
  );
}

/** The scope's figures of the months from `first` to before `current`, from the snapshots of `orgId`. */
function pastMonths(db: Db, scope: StatsScope, orgId: number | null, first: string, current: string): Map<string, Figures> {
  const byMonth = new Map<string, Figures>();
  const path = scope.committeeId
    ? "$.byCommittee"
    : scope.city
      ? "$.byCity"
      : scope.county
        ? "$.byCounty"
        : scope.town
          ? "$.byTown"
          : "$.figures";
  const rows = db.all<{ month: string; part: string | null }>(
    sql`SELECT month, json_extract(figures, ${path}) AS part FROM coverage_snapshots WHERE scope_org_id = ${orgId} AND month >= ${first} AND month < ${current}`,
  );
  const wanted = scope.committeeId
    ? `committee:${scope.committeeId}`
    : scope.city
      ? `city:${scope.city}`
      : scope.county
        ? `county:${scope.county}`
        : scope.town
          ? `town:${scope.town}`
          : null;
  for (const r of rows) {
    if (!r.part) continue;
    const parsed = JSON.parse(r.part) as Figures | { key: string; figures: Figures }[];
    if (wanted === null) byMonth.set(r.month, parsed as Figures);
    else {
      const hit = (parsed as { key: string; figures: Figures }[]).find((x) => x.key === wanted);
      if (hit) byMonth.set(r.month, hit.figures);
    }
  }
  return byMonth;
}

export type SnapshotInfo = { month: string; asOf: string; final: boolean; reconstructed: boolean; takenAt: string };

/** The snapshots stored for the scope's organization, newest first (for the reports page). */
export function listSnapshots(db: Db, actor: Actor, scope: StatsScope = {}, limit = 24): SnapshotInfo[] {
  const rs = resolveScope(db, actor, scope);
  const orgId = scope.orgId ?? rs.rootOrg?.id ?? null;
  if (orgId === null) return [];
  return db
    .all<{ month: string; as_of: string; final: number | null; reconstructed: number | null; taken_at: string }>(
      sql`SELECT month, json_extract(figures, '$.asOf') AS as_of, json_extract(figures, '$.final') AS final,
        json_extract(figures, '$.reconstructed') AS reconstructed, created_at AS taken_at
        FROM coverage_snapshots WHERE scope_org_id = ${orgId} ORDER BY month DESC LIMIT ${limit}`,
    )
    .map((r) => ({ month: r.month, asOf: r.as_of, final: r.final === 1, reconstructed: r.reconstructed === 1, takenAt: r.taken_at }));
}

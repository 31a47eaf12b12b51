// The coverage report: everything the coverage workbook shows, as one plain object. Computed live for
// the current month and stored as the monthly snapshot, so a past month's report is read back and
// regenerates identically.

import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import type { Actor } from "../../policy/actor.js";
import type { RecruitmentFigure } from "../../schemas/recruitment.schema.js";
import { recruitmentFigures } from "../recruitment/queries.js";
import { type DuesFigures, duesFigures } from "../dues/summary.js";
import { computeFiguresAndBreakdowns, listFigureRows, type StatsOptions } from "./coverage.service.js";
import type { Figures } from "./figures.js";
import type { EnterpriseRow, MemberRow } from "./rows.js";
import type { StatsScope } from "./scope.js";
import { type MeetingFigures, meetingFiguresUnder } from "../meetings/meetings.service.js";

export type ReportBreakdownRow = { key: string; label: string; figures: Figures };
/** Sheet 4 rows; ID numbers are not stored here: the export reads them by member id and masks them per reader. */
export type UnmanagedRow = Omit<MemberRow, "idMasked">;

export type CoverageReport = {
  version: 1;
  month: string;
  asOf: string;
  periodFrom: string;
  takenAt: string;
  /** A month-end snapshot: never overwritten. */
  final: boolean;
  /** Computed after the fact from the recorded dates (no snapshot was taken at the time). */
  reconstructed: boolean;
  scope: { orgId: number | null; code: string | null; name: string; label: string };
  figures: Figures;
  byCommittee: ReportBreakdownRow[];
  byCounty: ReportBreakdownRow[];
  /** Province mode (absent from reports made before it). */
  byCity?: ReportBreakdownRow[];
  /** A county installation: by street and township. */
  byTown?: ReportBreakdownRow[];
  /** The region breakdowns the workbook shows, in order (absent before: by county). */
  breakdowns?: readonly ("city" | "county" | "town")[];
  shouldForm: EnterpriseRow[];
  uncovered: EnterpriseRow[];
  unmanaged: UnmanagedRow[];
  /** 发展党员 figures (absent from snapshots taken before recruitment was recorded). */
  recruitment?: Record<RecruitmentFigure, number>;
  /** Dues of the report's month: collected and the share paid (absent from snapshots taken before the ledger). */
  dues?: DuesFigures;
  /** Organizational life at `asOf` (meetings.service FIGURES); absent in snapshots taken before it was kept. */
  meetings?: MeetingFigures;
};

type ReportOptions = StatsOptions & { final?: boolean; reconstructed?: boolean; now?: Date };
type FiguresAndBreakdowns = ReturnType<typeof computeFiguresAndBreakdowns>;
/** What a report holds besides its figures and breakdowns: the sheets' rows and the other areas' figures. */
export type ReportRest = Pick<CoverageReport, "shouldForm" | "uncovered" | "unmanaged" | "recruitment" | "dues" | "meetings">;

export function buildCoverageReport(db: Db, actor: Actor, scope: StatsScope, opts: ReportOptions = {}): CoverageReport {
  // One pass over the row sources for the figures and both breakdowns.
  const fb = computeFiguresAndBreakdowns(db, actor, scope, opts);
  const { asOf, periodFrom, scope: rs } = fb;
  const o = { asOf, periodFrom };
  const enterprises = (key: "shouldForm" | "uncovered") => {
    const l = listFigureRows(db, actor, scope, key, { ...o, pageSize: null });
    return l.source === "enterprise" ? l.rows : [];
  };
  const unmanagedList = listFigureRows(db, actor, scope, "unmanaged", { ...o, pageSize: null });
  const unmanaged = unmanagedList.source === "member" ? unmanagedList.rows.map(({ idMasked: _drop, ...r }) => r) : [];
  return assembleReport(
    fb,
    {
      shouldForm: enterprises("shouldForm"),
      uncovered: enterprises("uncovered"),
      unmanaged,
      recruitment: recruitmentFigures(db, rs, asOf),
      dues: duesFigures(db, actor, asOf.slice(0, 7), rs.rootOrg?.id ?? null),
      // The organization subtree only: organizational life is not broken down by county.
      meetings: meetingFiguresUnder(db, actor, rs.rootOrg ? { id: rs.rootOrg.id, path: rs.orgPrefix } : null, asOf),
    },
    opts,
  );
}

/**
 * The report from its parts, in the one order its JSON is written in: buildCoverageReport's, and the
 * monthly snapshots' (month-pass.ts), which must store byte for byte what it would.
 */
export function assembleReport(fb: FiguresAndBreakdowns, rest: ReportRest, opts: ReportOptions): CoverageReport {
  const { asOf, periodFrom, figures, scope: rs, byCommittee, byCounty, byCity, byTown, breakdowns } = fb;
  const strip = (rows: { key: string; label: string; figures: Figures }[]) =>
    rows.map(({ key, label, figures }) => ({ key, label, figures }));
  return {
    version: 1,
    month: asOf.slice(0, 7),
    asOf,
    periodFrom,
    takenAt: (opts.now ?? new Date()).toISOString(),
    final: opts.final ?? false,
    reconstructed: opts.reconstructed ?? false,
    scope: { orgId: rs.rootOrg?.id ?? null, code: rs.rootOrg?.code ?? null, name: rs.rootOrg?.name ?? "全部", label: rs.label },
    figures,
    byCommittee: strip(byCommittee),
    byCounty: strip(byCounty),
    byCity: strip(byCity),
    byTown: strip(byTown),
    breakdowns,
    shouldForm: rest.shouldForm,
    uncovered: rest.uncovered,
    unmanaged: rest.unmanaged,
    recruitment: rest.recruitment,
    dues: rest.dues,
    meetings: rest.meetings,
  };
}

/** ID numbers of the given members, by id (for sheet 4). */
export function memberIdNumbers(db: Db, ids: number[]): Map<number, string> {
  const out = new Map<number, string>();
  for (let i = 0; i < ids.length; i += 500) {
    const list = sql.join(
      ids.slice(i, i + 500).map((id) => sql`${id}`),
      sql`, `,
    );
    for (const r of db.all<{ id: number; id_number: string }>(sql`SELECT id, id_number FROM members WHERE id IN (${list})`))
      out.set(r.id, r.id_number);
  }
  return out;
}

// What the pages read: a branch's pipeline (the open applications per stage with what is due next
// and what is overdue), the inbox's items, and the statistics — each figure with the list of people
// behind it, counted by the same condition, so a figure always equals its list.

import { and, asc, eq, gte, inArray, isNotNull, lte, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, organizations, recruitments } from "../../../db/schema.js";
import { OCCUPATION } from "../../domain/codes.js";
import { maskIdNumber } from "../../domain/masking.js";
import { type DueItem, dueItems, inInbox } from "../../domain/recruitment-due.js";
import { OPEN_STAGES, PIPELINE_STAGES, type RecruitmentStage } from "../../domain/recruitment-rules.js";
import { type Actor, orgIdInScope } from "../../policy/actor.js";
import type { RecruitmentFigure } from "../../schemas/recruitment.schema.js";
import type { ResolvedScope } from "../coverage/scope.js";

export type PipelineRow = {
  id: number;
  name: string;
  idMasked: string;
  orgId: number;
  orgName: string;
  stage: RecruitmentStage;
  stageOn: string;
  occupation: string | null;
  pending: boolean;
  due: DueItem[];
  overdue: boolean;
};

function openRows(db: Db, where: SQL | undefined) {
  return db
    .select({ r: recruitments, orgName: organizations.name })
    .from(recruitments)
    .innerJoin(organizations, eq(organizations.id, recruitments.orgId))
    .where(and(inArray(recruitments.stage, [...OPEN_STAGES]), where))
    .orderBy(asc(recruitments.appliedOn), asc(recruitments.id))
    .all();
}

const stageDate = (r: typeof recruitments.$inferSelect): string =>
  ({
    applicant: r.appliedOn,
    activist: r.activistOn,
    candidate: r.candidateOn,
    planned: r.plannedOn,
    probationary: r.joinedOn,
    full: r.fullOn,
    removed: r.closedOn,
    cancelled: r.closedOn,
  })[r.stage] ?? r.appliedOn;

/** The open applications in scope (optionally one organization's subtree), grouped by stage, with their due items. */
export function pipeline(db: Db, actor: Actor, filters: { org?: number | null; stage?: string | null; overdue?: boolean }, today: string) {
  const orgCond = filters.org
    ? sql`${recruitments.orgId} IN (SELECT id FROM organizations WHERE substr(path, 1, length((SELECT path FROM organizations WHERE id = ${filters.org}))) = (SELECT path FROM organizations WHERE id = ${filters.org}))`
    : undefined;
  const rows: PipelineRow[] = openRows(db, and(orgIdInScope(actor, recruitments.orgId), orgCond)).map(({ r, orgName }) => {
    const due = dueItems(r, today);
    return {
      id: r.id,
      name: r.name,
      idMasked: maskIdNumber(r.idNumber),
      orgId: r.orgId,
      orgName,
      stage: r.stage,
      stageOn: stageDate(r),
      occupation: r.occupation,
      pending: r.pendingStepId != null,
      due,
      overdue: due.some((d) => d.overdue),
    };
  });
  const shown = rows.filter((r) => (!filters.stage || r.stage === filters.stage) && (!filters.overdue || r.overdue));
  return {
    columns: PIPELINE_STAGES.map((stage) => ({ stage, rows: shown.filter((r) => r.stage === stage) })),
    total: rows.length,
    overdue: rows.filter((r) => r.overdue).length,
    pending: rows.filter((r) => r.pending).length,
  };
}

/** Inbox items: a secretary's due and overdue steps; a committee's proposals to check and late approvals. */
export function recruitmentInbox(db: Db, actor: Actor, today: string) {
  if (actor.role === "supervisor") return [];
  const committee = actor.role !== "secretary";
  const out: { id: number; name: string; orgName: string; stage: RecruitmentStage; item: DueItem }[] = [];
  for (const { r, orgName } of openRows(db, orgIdInScope(actor, recruitments.orgId))) {
    for (const item of dueItems(r, today)) {
      if (!inInbox(item)) continue;
      if (committee !== (item.kind === "committeeCheck" || item.kind === "approval")) continue;
      out.push({ id: r.id, name: r.name, orgName, stage: r.stage, item });
    }
  }
  return out.sort((a, b) => Number(b.item.overdue) - Number(a.item.overdue) || (a.item.dueOn ?? "").localeCompare(b.item.dueOn ?? ""));
}

// -- Statistics -------------------------------------------------------------------------------------

export const FIGURE_LABEL: Record<RecruitmentFigure, string> = {
  applicants: "入党申请人",
  activists: "入党积极分子",
  candidates: "发展对象",
  recruited: "本年发展党员",
  madeFull: "本年转正",
};

export const FIGURE_DEFINITION: Record<RecruitmentFigure, string> = {
  applicants: "正在办理、处于入党申请人阶段的人数。",
  activists: "正在办理、处于入党积极分子阶段的人数。",
  candidates: "处于发展对象阶段（含已列入发展计划）的人数。",
  recruited: "统计年度内经支部大会接收为预备党员的人数（按入党日期计，含此后已转正的）。",
  madeFull: "统计年度内预备党员转为正式党员的人数（按转正日期计）。",
};

/** The one condition of each figure, for its count and its list alike. */
function figureCond(figure: RecruitmentFigure, asOf: string): SQL {
  const year = asOf.slice(0, 4);
  switch (figure) {
    case "applicants":
      return eq(recruitments.stage, "applicant");
    case "activists":
      return eq(recruitments.stage, "activist");
    case "candidates":
      return inArray(recruitments.stage, ["candidate", "planned"]);
    case "recruited":
      return and(isNotNull(recruitments.joinedOn), gte(recruitments.joinedOn, `${year}-01-01`), lte(recruitments.joinedOn, asOf))!;
    case "madeFull":
      return and(eq(recruitments.stage, "full"), gte(recruitments.fullOn, `${year}-01-01`), lte(recruitments.fullOn, asOf))!;
  }
}

/** The statistics' scope as SQL: the subtree, narrowed to a committee or a county (the organization's region). */
function scopeCond(rs: ResolvedScope): SQL {
  const parts: SQL[] = [
    sql`${recruitments.orgId} IN (SELECT id FROM organizations WHERE substr(path, 1, ${rs.orgPrefix.length}) = ${rs.orgPrefix})`,
  ];
  if (rs.committee)
    parts.push(
      sql`${recruitments.orgId} IN (SELECT o.id FROM organizations o, organizations c WHERE c.id = ${rs.committee.id} AND substr(o.path, 1, length(c.path)) = c.path)`,
    );
  if (rs.county) parts.push(sql`${recruitments.orgId} IN (SELECT id FROM organizations WHERE region_code = ${rs.county.code})`);
  return and(...parts)!;
}

export function recruitmentFigures(db: Db, rs: ResolvedScope, asOf: string): Record<RecruitmentFigure, number> {
  const out = {} as Record<RecruitmentFigure, number>;
  for (const f of Object.keys(FIGURE_LABEL) as RecruitmentFigure[]) {
    out[f] = db
      .select({ n: sql<number>`count(*)` })
      .from(recruitments)
      .where(and(scopeCond(rs), figureCond(f, asOf)))
      .get()!.n;
  }
  return out;
}

/**
 * Each figure over each organization's own rows (not its subtree's), by organization id: the
 * monthly snapshots (coverage/month-pass.ts) add them up the tree instead of counting each subtree.
 */
export function recruitmentFiguresByOrg(db: Db, asOf: string): Map<number, Record<RecruitmentFigure, number>> {
  const figures = Object.keys(FIGURE_LABEL) as RecruitmentFigure[];
  const cols = Object.fromEntries(figures.map((f) => [f, sql<number>`sum(CASE WHEN ${figureCond(f, asOf)} THEN 1 ELSE 0 END)`]));
  const rows = db
    .select({ orgId: recruitments.orgId, ...cols })
    .from(recruitments)
    .groupBy(recruitments.orgId)
    .all() as ({ orgId: number | null } & Record<RecruitmentFigure, number>)[];
  const out = new Map<number, Record<RecruitmentFigure, number>>();
  for (const r of rows) {
    if (r.orgId == null) continue;
    out.set(r.orgId, Object.fromEntries(figures.map((f) => [f, Number(r[f] ?? 0)])) as Record<RecruitmentFigure, number>);
  }
  return out;
}

/** Each figure per organization and per occupation. */
export function recruitmentBreakdown(db: Db, rs: ResolvedScope, asOf: string) {
  const figures = Object.keys(FIGURE_LABEL) as RecruitmentFigure[];
  const cols = Object.fromEntries(figures.map((f) => [f, sql<number>`sum(CASE WHEN ${figureCond(f, asOf)} THEN 1 ELSE 0 END)`]));
  const byOrg = db
    .select({ orgId: recruitments.orgId, orgName: organizations.name, ...cols })
    .from(recruitments)
    .innerJoin(organizations, eq(organizations.id, recruitments.orgId))
    .where(scopeCond(rs))
    .groupBy(recruitments.orgId)
    .orderBy(asc(organizations.path))
    .all() as ({ orgId: number; orgName: string } & Record<RecruitmentFigure, number>)[];
  const byOccupation = (
    db
      .select({ occupation: recruitments.occupation, ...cols })
      .from(recruitments)
      .where(scopeCond(rs))
      .groupBy(recruitments.occupation)
      .all() as ({ occupation: string | null } & Record<RecruitmentFigure, number>)[]
  ).map((r) => ({
    ...r,
    key: r.occupation ?? "none",
    label: r.occupation ? (OCCUPATION.label as Record<string, string>)[r.occupation] : "未登记职业",
  }));
  return { byOrg, byOccupation };
}

/** The people behind a figure (optionally one organization or one occupation): the drill-down list. */
export function figurePeople(
  db: Db,
  rs: ResolvedScope,
  figure: RecruitmentFigure,
  asOf: string,
  opts: { org?: number | null; occupation?: string | null } = {},
) {
  const occ =
    opts.occupation === "none"
      ? sql`${recruitments.occupation} IS NULL`
      : opts.occupation
        ? eq(recruitments.occupation, opts.occupation as never)
        : undefined;
  return db
    .select({
      id: recruitments.id,
      name: recruitments.name,
      idNumber: recruitments.idNumber,
      stage: recruitments.stage,
      orgName: organizations.name,
      occupation: recruitments.occupation,
      enterpriseName: enterprises.name,
      appliedOn: recruitments.appliedOn,
      activistOn: recruitments.activistOn,
      candidateOn: recruitments.candidateOn,
      joinedOn: recruitments.joinedOn,
      fullOn: recruitments.fullOn,
    })
    .from(recruitments)
    .innerJoin(organizations, eq(organizations.id, recruitments.orgId))
    .leftJoin(enterprises, eq(enterprises.id, recruitments.enterpriseId))
    .where(and(scopeCond(rs), figureCond(figure, asOf), opts.org ? eq(recruitments.orgId, opts.org) : undefined, occ))
    .orderBy(asc(organizations.path), asc(recruitments.name), asc(recruitments.id))
    .all()
    .map(({ idNumber, ...r }) => ({ ...r, idMasked: maskIdNumber(idNumber) }));
}

/** Who a training class can enrol: activists, candidates and planned ones in scope, those without training first. */
export function trainees(db: Db, actor: Actor) {
  return db
    .select({
      id: recruitments.id,
      name: recruitments.name,
      stage: recruitments.stage,
      orgName: organizations.name,
      activistOn: recruitments.activistOn,
      trainingEndedOn: recruitments.trainingEndedOn,
    })
    .from(recruitments)
    .innerJoin(organizations, eq(organizations.id, recruitments.orgId))
    .where(and(orgIdInScope(actor, recruitments.orgId), inArray(recruitments.stage, ["activist", "candidate", "planned"])))
    .orderBy(sql`${recruitments.trainingEndedOn} IS NOT NULL`, asc(organizations.path), asc(recruitments.name))
    .all();
}

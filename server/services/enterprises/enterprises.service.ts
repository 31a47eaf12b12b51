import { and, asc, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, industries, instructorAssignments, instructors, members, organizationEnterprises, organizations, regions } from "../../../db/schema.js";
import { COMMITTEE_KINDS, type OrgKind } from "../../domain/codes.js";
import {
  COVERAGE_CLASS_LABEL,
  type CoverageClass,
  classifyEnterprise,
  type EnterpriseCoverageFacts,
  FULL_MEMBERS_TO_FORM,
  type OwnOrgLevel,
  shouldFormButHasNot,
} from "../../domain/coverage-rules.js";
import { toHalfWidth } from "../../domain/id-number.js";
import { maskIdNumber, maskPhone } from "../../domain/masking.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite, orgIdInScope, orgPathInScope, scopePath } from "../../policy/actor.js";
import type { CoverageInput, EnterpriseInput, EnterpriseListQuery } from "../../schemas/enterprises.schema.js";
import { recordAudit } from "../admin/audit.js";
import { JOINT_BRANCH_MAX_UNITS, listIndustries, listRegions, orgOptions } from "../orgs/orgs.service.js";

// Enterprises (企业) and which organization covers which (organization_enterprises).
//
// Scope: an actor reads an enterprise when its responsible committee is inside the actor's subtree,
// or when an organization inside the subtree covers it (so a branch secretary reads exactly the
// enterprises their branch covers). Only clerks and admins change enterprises, and only those whose
// committee is inside their scope.
//
// Coverage classification: the facts (own organization level, joint branch, instructor, full and
// all members) are computed in SQL by `coverageFactsColumns`, with the same definitions as the
// statistics' enterprise source (services/coverage/sources.ts) at as-of = today; the class and the
// 应建未建 flag come from the pure rules in domain/coverage-rules.ts.

export type Enterprise = typeof enterprises.$inferSelect;

/** Organization kinds that can cover an enterprise: a group or the city department cannot. */
export const COVERING_KINDS: readonly OrgKind[] = ["branch", "general_branch", "industry_committee", "comprehensive_committee"];

const COMMITTEE_KINDS_SQL = sql.raw(`(${COMMITTEE_KINDS.map((k) => `'${k}'`).join(",")})`);
const COVERING_KINDS_SQL = sql.raw(`(${COVERING_KINDS.map((k) => `'${k}'`).join(",")})`);
const LEVEL_BY_RANK: Record<number, OwnOrgLevel> = { 3: "committee", 2: "general_branch", 1: "branch" };

// ---------------------------------------------------------------------------------------------
// Scope
// ---------------------------------------------------------------------------------------------

/**
 * SQL: the enterprise with alias `alias` is readable by the actor. Both parts are uncorrelated
 * lists SQLite builds once per query (a correlated EXISTS here probed every in-scope organization
 * for every enterprise: seconds at 20,000 enterprises).
 */
export function enterpriseReadableSql(actor: Actor, alias = "e"): SQL {
  if (scopePath(actor) === "/") return sql`1 = 1`;
  const a = sql.raw(alias);
  return sql`(${orgIdInScope(actor, sql`${a}.committee_id`)}
    OR ${a}.id IN (SELECT sx.enterprise_id FROM organization_enterprises sx WHERE ${orgIdInScope(actor, sql.raw("sx.organization_id"))}))`;
}

export function getEnterprise(db: Db, actor: Actor, id: number): Enterprise {
  const e = db
    .select()
    .from(enterprises)
    .where(and(eq(enterprises.id, id), enterpriseReadableSql(actor, "enterprises")))
    .get();
  if (!e) throw AppError.notFound("企业");
  return e;
}

function isWriter(actor: Actor): boolean {
  return actor.role === "admin" || actor.role === "clerk";
}

function assertWriter(actor: Actor): void {
  assertCanWrite(actor);
  if (!isWriter(actor)) throw AppError.forbidden("只有行业党委工作人员和系统管理员可以维护企业信息。");
}

function committeeInScope(db: Db, actor: Actor, committeeId: number): boolean {
  const c = db.select({ path: organizations.path }).from(organizations).where(eq(organizations.id, committeeId)).get();
  return !!c && orgPathInScope(actor, c.path);
}

/** Whether the actor may change this enterprise (clerk or admin, and its committee in their scope). */
export function canEditEnterprise(db: Db, actor: Actor, e: Enterprise): boolean {
  return isWriter(actor) && committeeInScope(db, actor, e.committeeId);
}

/** Loads an enterprise the actor may change: 404 when out of reading scope, 403 when read-only. */
export function getWritableEnterprise(db: Db, actor: Actor, id: number): Enterprise {
  assertWriter(actor);
  const e = getEnterprise(db, actor, id);
  if (!committeeInScope(db, actor, e.committeeId)) throw AppError.forbidden("该企业由其他党委负责，您只能查看，不能修改。");
  return e;
}

// ---------------------------------------------------------------------------------------------
// Coverage facts (one SQL expression per fact, correlated on enterprise alias `e`)
// ---------------------------------------------------------------------------------------------

/** An organization (alias `o`) linked through `oe` counts at `asOf`: founded, not dissolved, link started. */
function linkCounts(asOf: string): SQL {
  return sql`(o.founded_on IS NULL OR o.founded_on <= ${asOf}) AND (o.status = 'active' OR o.dissolved_on > ${asOf})
    AND (oe.since IS NULL OR oe.since <= ${asOf})`;
}

/** A member (alias `m`) works there at `asOf`: not left, not transferred out, already found. */
function memberPresent(asOf: string): SQL {
  return sql`((m.left_on IS NULL AND m.relation_status <> 'transferred_out') OR m.left_on > ${asOf})
    AND (m.discovered_on IS NULL OR m.discovered_on <= ${asOf})`;
}

/** The facts, each an SQL expression correlated on the enterprise alias `e`. */
function factExprs(asOf: string) {
  const ownLevel = sql`(SELECT MAX(CASE WHEN o.kind IN ${COMMITTEE_KINDS_SQL} THEN 3 WHEN o.kind = 'general_branch' THEN 2 ELSE 1 END)
        FROM organization_enterprises oe JOIN organizations o ON o.id = oe.organization_id
        WHERE oe.enterprise_id = e.id AND ${linkCounts(asOf)}
          AND coalesce(o.formation, 'standalone') <> 'joint' AND o.kind IN ${COVERING_KINDS_SQL})`;
  const inJoint = sql`EXISTS (SELECT 1 FROM organization_enterprises oe JOIN organizations o ON o.id = oe.organization_id
        WHERE oe.enterprise_id = e.id AND ${linkCounts(asOf)} AND o.formation = 'joint')`;
  const hasInstr = sql`EXISTS (SELECT 1 FROM instructor_assignments ia WHERE ia.enterprise_id = e.id
        AND ia.assigned_on <= ${asOf} AND (ia.ended_on IS NULL OR ia.ended_on > ${asOf}))`;
  const fullM = sql`(SELECT COUNT(*) FROM members m WHERE m.enterprise_id = e.id AND ${memberPresent(asOf)}
        AND m.category = 'full' AND (m.full_on IS NULL OR m.full_on <= ${asOf}))`;
  const allM = sql`(SELECT COUNT(*) FROM members m WHERE m.enterprise_id = e.id AND ${memberPresent(asOf)})`;
  return { ownLevel, inJoint, hasInstr, fullM, allM };
}

/** Columns own_level (3 committee, 2 general branch, 1 branch, null none), in_joint, has_instr, full_m, all_m. */
function coverageFactsColumns(asOf: string): SQL {
  const f = factExprs(asOf);
  return sql`${f.ownLevel} AS own_level, ${f.inJoint} AS in_joint, ${f.hasInstr} AS has_instr, ${f.fullM} AS full_m, ${f.allM} AS all_m`;
}

/**
 * The list's coverage filter, the SQL twin of classifyEnterprise / shouldFormButHasNot (tests hold
 * the two to the same answers). Only the facts a filter needs are evaluated.
 */
function coverageFilterSql(asOf: string, coverage: CoverageClass | null, shouldForm: boolean): SQL | null {
  const f = factExprs(asOf);
  const parts: SQL[] = [];
  if (coverage === "standalone") parts.push(sql`${f.ownLevel} IS NOT NULL`);
  if (coverage === "joint") parts.push(sql`${f.ownLevel} IS NULL AND ${f.inJoint}`);
  if (coverage === "work") parts.push(sql`${f.ownLevel} IS NULL AND NOT ${f.inJoint} AND ${f.hasInstr}`);
  if (coverage === "uncovered") parts.push(sql`${f.ownLevel} IS NULL AND NOT ${f.inJoint} AND NOT ${f.hasInstr}`);
  if (shouldForm) parts.push(sql`${f.ownLevel} IS NULL AND ${f.fullM} >= ${FULL_MEMBERS_TO_FORM}`);
  return parts.length ? sql.join(parts, sql` AND `) : null;
}

type FactsRow = { own_level: number | null; in_joint: number; has_instr: number; full_m: number; all_m: number };

function toFacts(r: FactsRow): EnterpriseCoverageFacts {
  return {
    ownOrgLevel: r.own_level == null ? null : (LEVEL_BY_RANK[r.own_level] ?? "branch"),
    inJointBranch: r.in_joint === 1,
    hasInstructor: r.has_instr === 1,
    fullMembers: r.full_m,
    members: r.all_m,
  };
}

export type CoverageView = { facts: EnterpriseCoverageFacts; coverage: CoverageClass; coverageLabel: string; shouldForm: boolean };

function coverageView(r: FactsRow): CoverageView {
  const facts = toFacts(r);
  const coverage = classifyEnterprise(facts);
  return { facts, coverage, coverageLabel: COVERAGE_CLASS_LABEL[coverage], shouldForm: shouldFormButHasNot(facts) };
}

// ---------------------------------------------------------------------------------------------
// List
// ---------------------------------------------------------------------------------------------

export const ENTERPRISE_PAGE_SIZE = 50;

export type EnterpriseListRow = CoverageView & {
  id: number;
  name: string;
  creditCode: string;
  kind: Enterprise["kind"];
  industryName: string;
  countyName: string;
  committeeName: string;
  workerCount: number;
  status: Enterprise["status"];
  fullMembers: number;
  probationaryMembers: number;
};

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * One page of the enterprises in scope with their coverage facts: one query (correlated
 * subqueries on indexed columns), never one query per row.
 */
export function listEnterprises(db: Db, actor: Actor, q: EnterpriseListQuery, today: string, pageSize = ENTERPRISE_PAGE_SIZE) {
  const inner: SQL[] = [enterpriseReadableSql(actor, "e")];
  if (q.status !== "all") inner.push(sql`e.status = ${q.status}`);
  if (q.committee) inner.push(sql`e.committee_id = ${q.committee}`);
  if (q.county) inner.push(sql`e.region_code = ${q.county}`);
  if (q.industry) inner.push(sql`e.industry_code = ${q.industry}`);
  if (q.kind) inner.push(sql`e.kind = ${q.kind}`);
  const term = toHalfWidth(q.q).trim();
  if (term) {
    const esc = likeEscape(term);
    inner.push(sql`(e.name LIKE ${`%${esc}%`} ESCAPE '\\' OR e.credit_code LIKE ${`${likeEscape(term.toUpperCase())}%`} ESCAPE '\\')`);
  }
  const filter = coverageFilterSql(today, q.coverage, q.shouldForm);
  const where = sql.join(filter ? [...inner, filter] : inner, sql` AND `);
  const offset = (q.page - 1) * pageSize;
  // The page first (evaluating only the facts a filter needs), then every fact for the page's rows only.
  const ids = db.all<{ id: number }>(sql`SELECT e.id FROM enterprises e WHERE ${where} ORDER BY e.name, e.id LIMIT ${pageSize} OFFSET ${offset}`).map((r) => r.id);
  const lastPage = ids.length < pageSize && (ids.length > 0 || offset === 0);
  const total = lastPage ? offset + ids.length : db.get<{ n: number }>(sql`SELECT count(*) AS n FROM enterprises e WHERE ${where}`)!.n;
  type Row = FactsRow & {
    id: number;
    name: string;
    credit_code: string;
    kind: Enterprise["kind"];
    worker_count: number;
    status: Enterprise["status"];
    industry_name: string | null;
    county_name: string | null;
    committee_name: string | null;
  };
  const rows = ids.length
    ? db.all<Row>(sql`SELECT e.id, e.name, e.credit_code, e.kind, e.worker_count, e.status,
          i.name AS industry_name, r.name AS county_name, c.name AS committee_name, ${coverageFactsColumns(today)}
        FROM enterprises e LEFT JOIN industries i ON i.code = e.industry_code LEFT JOIN regions r ON r.code = e.region_code
          LEFT JOIN organizations c ON c.id = e.committee_id
        WHERE e.id IN ${ids}
        ORDER BY e.name, e.id`)
    : [];
  return {
    rows: rows.map(
      (r): EnterpriseListRow => ({
        ...coverageView(r),
        id: r.id,
        name: r.name,
        creditCode: r.credit_code,
        kind: r.kind,
        industryName: r.industry_name ?? "",
        countyName: r.county_name ?? "",
        committeeName: r.committee_name ?? "",
        workerCount: r.worker_count,
        status: r.status,
        fullMembers: r.full_m,
        probationaryMembers: r.all_m - r.full_m,
      }),
    ),
    total,
    page: q.page,
    hasMore: offset + rows.length < total,
  };
}

/** Coverage facts of one enterprise (no scope check: callers load the enterprise first). */
export function enterpriseCoverage(db: Db, enterpriseId: number, today: string): CoverageView {
  const r = db.get<FactsRow>(sql`SELECT ${coverageFactsColumns(today)} FROM enterprises e WHERE e.id = ${enterpriseId}`);
  if (!r) throw AppError.notFound("企业");
  return coverageView(r);
}

// ---------------------------------------------------------------------------------------------
// Detail
// ---------------------------------------------------------------------------------------------

const MEMBERS_SHOWN = 200;

export function enterpriseDetail(db: Db, actor: Actor, id: number, today: string) {
  const enterprise = getEnterprise(db, actor, id);
  const cov = enterpriseCoverage(db, id, today);
  const committee = db.select({ id: organizations.id, name: organizations.name, path: organizations.path }).from(organizations).where(eq(organizations.id, enterprise.committeeId)).get();
  const industry = db.select().from(industries).where(eq(industries.code, enterprise.industryCode)).get();
  const region = db.select().from(regions).where(eq(regions.code, enterprise.regionCode)).get();

  const links = db
    .select({
      id: organizations.id,
      code: organizations.code,
      name: organizations.name,
      kind: organizations.kind,
      formation: organizations.formation,
      status: organizations.status,
      foundedOn: organizations.foundedOn,
      path: organizations.path,
      since: organizationEnterprises.since,
      units: sql<number>`(SELECT COUNT(*) FROM organization_enterprises u WHERE u.organization_id = ${organizations.id})`,
    })
    .from(organizationEnterprises)
    .innerJoin(organizations, eq(organizations.id, organizationEnterprises.organizationId))
    .where(eq(organizationEnterprises.enterpriseId, id))
    .orderBy(asc(organizations.code))
    .all();
  const coveringOrgs = links.map(({ path, ...l }) => ({
    ...l,
    inScope: orgPathInScope(actor, path),
    counts: l.status === "active" && (!l.foundedOn || l.foundedOn <= today) && (!l.since || l.since <= today),
  }));

  const assignments = db
    .select({
      id: instructorAssignments.id,
      instructorId: instructors.id,
      name: instructors.name,
      kind: instructors.kind,
      phone: instructors.phone,
      workUnit: instructors.workUnit,
      assignedOn: instructorAssignments.assignedOn,
      endedOn: instructorAssignments.endedOn,
    })
    .from(instructorAssignments)
    .innerJoin(instructors, eq(instructors.id, instructorAssignments.instructorId))
    .where(eq(instructorAssignments.enterpriseId, id))
    .orderBy(desc(instructorAssignments.assignedOn), desc(instructorAssignments.id))
    .all()
    .map(({ phone, ...a }) => ({ ...a, phoneMasked: maskPhone(phone), active: a.assignedOn <= today && (a.endedOn == null || a.endedOn > today) }));

  // Members working there whom the actor may see (masked); the rest are only counted.
  const memberScope = and(eq(members.enterpriseId, id), orgIdInScope(actor, members.orgId));
  const memberRows = db
    .select({
      id: members.id,
      name: members.name,
      idNumber: members.idNumber,
      phone: members.phone,
      category: members.category,
      relationStatus: members.relationStatus,
      orgId: members.orgId,
      orgName: organizations.name,
    })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.orgId))
    .where(memberScope)
    .orderBy(sql`${members.relationStatus} = 'transferred_out'`, asc(members.name), asc(members.id))
    .limit(MEMBERS_SHOWN)
    .all()
    .map(({ idNumber, phone, ...m }) => ({ ...m, idMasked: maskIdNumber(idNumber), phoneMasked: maskPhone(phone) }));
  const visibleMembers = db.select({ n: sql<number>`count(*)` }).from(members).where(memberScope).get()!.n;
  const presentVisible = db.get<{ n: number }>(
    sql`SELECT count(*) AS n FROM members m WHERE m.enterprise_id = ${id} AND ${memberPresent(today)} AND ${orgIdInScope(actor, sql.raw("m.org_id"))}`,
  )!.n;

  const activeInstructors = assignments.filter((a) => a.active);
  const standaloneOrgs = coveringOrgs.filter((o) => o.counts && o.formation !== "joint");
  const jointOrgs = coveringOrgs.filter((o) => o.counts && o.formation === "joint");
  const names = (xs: { name: string }[]) => xs.map((x) => `“${x.name}”`).join("、");

  let explanation: string;
  switch (cov.coverage) {
    case "standalone":
      explanation = `本企业单独建立了党组织（${names(standaloneOrgs)}），属于党的组织覆盖。`;
      break;
    case "joint":
      explanation = `本企业未单独建立党组织，由联合党支部${names(jointOrgs)}覆盖，属于党的组织覆盖。`;
      break;
    case "work":
      explanation = `本企业尚无党组织覆盖，由党建工作指导员（联络员）${names(activeInstructors)}联系，属于党的工作覆盖。`;
      break;
    case "uncovered":
      explanation = "本企业既没有党组织覆盖，也没有党建工作指导员（联络员）联系，尚未覆盖。";
      break;
  }

  const warnings: string[] = [];
  if (cov.shouldForm) {
    warnings.push(
      `应建未建：本企业有正式党员 ${cov.facts.fullMembers} 名（${FULL_MEMBERS_TO_FORM} 名以上，预备党员不计），按党章规定应单独建立党组织，目前尚未单独建立${cov.coverage === "joint" ? "（现由联合党支部覆盖）" : ""}。`,
    );
  }
  for (const o of jointOrgs) {
    if (o.units > JOINT_BRANCH_MAX_UNITS) warnings.push(`联合党支部“${o.name}”覆盖 ${o.units} 个单位，一般不超过 ${JOINT_BRANCH_MAX_UNITS} 个。`);
  }
  for (const o of standaloneOrgs) {
    if (o.kind === "branch" && o.units > 1) warnings.push(`单独组建的党支部“${o.name}”覆盖了 ${o.units} 个企业，单独组建的支部只应覆盖 1 个企业，宜改为联合党支部。`);
  }
  if (enterprise.status === "closed") warnings.push("该企业已注销，不计入覆盖统计。");

  const canEdit = canEditEnterprise(db, actor, enterprise);
  const linked = new Set(links.map((l) => l.id));
  const coverOptions = canEdit ? orgOptions(db, actor, COVERING_KINDS).filter((o) => !linked.has(o.id)) : [];

  return {
    enterprise,
    committee: committee ? { id: committee.id, name: committee.name, inScope: orgPathInScope(actor, committee.path) } : null,
    industry,
    region,
    ...cov,
    explanation,
    warnings,
    coveringOrgs,
    assignments,
    members: memberRows,
    visibleMembers,
    hiddenMembers: Math.max(0, cov.facts.members - presentVisible),
    canEdit,
    coverOptions,
  };
}

// ---------------------------------------------------------------------------------------------
// Create and update
// ---------------------------------------------------------------------------------------------

/** Select options for the enterprise form and the list's filters. */
export function enterpriseFormOptions(db: Db, actor: Actor) {
  return {
    committees: orgOptions(db, actor, COMMITTEE_KINDS),
    industries: listIndustries(db),
    counties: listRegions(db).filter((r) => r.level === "county"),
  };
}

/** Checks the references the form names; field errors in Chinese. */
function checkReferences(db: Db, actor: Actor, input: EnterpriseInput, currentCommitteeId: number | null): void {
  const errors: Record<string, string> = {};
  if (!db.select().from(industries).where(eq(industries.code, input.industryCode)).get()) errors.industryCode = "请选择有效的行业";
  const region = db.select().from(regions).where(eq(regions.code, input.regionCode)).get();
  if (region?.level !== "county") errors.regionCode = "请选择企业所在的县（区）";
  if (input.committeeId !== currentCommitteeId) {
    const c = db.select().from(organizations).where(eq(organizations.id, input.committeeId)).get();
    if (!c || !orgPathInScope(actor, c.path) || !(COMMITTEE_KINDS as string[]).includes(c.kind)) errors.committeeId = "请选择您管辖范围内的行业党委或综合党委";
    else if (c.status !== "active") errors.committeeId = "所选党委已撤销";
  }
  if (Object.keys(errors).length) throw AppError.invalid(errors);
}

function checkCreditCodeFree(db: Db, actor: Actor, creditCode: string, selfId: number | null): void {
  const other = db.select().from(enterprises).where(eq(enterprises.creditCode, creditCode)).get();
  if (!other || other.id === selfId) return;
  const visible = !!db
    .select({ id: enterprises.id })
    .from(enterprises)
    .where(and(eq(enterprises.id, other.id), enterpriseReadableSql(actor, "enterprises")))
    .get();
  throw AppError.invalid({ creditCode: visible ? `该统一社会信用代码已登记为企业“${other.name}”，请勿重复登记` : "该统一社会信用代码已被其他党委登记的企业使用，请核对或联系上级党委" });
}

function row(input: EnterpriseInput) {
  return {
    name: input.name,
    creditCode: input.creditCode,
    kind: input.kind,
    industryCode: input.industryCode,
    regionCode: input.regionCode,
    committeeId: input.committeeId,
    address: input.address,
    workerCount: input.workerCount,
    legalRepIsMember: input.legalRepIsMember,
    legalRepIsSecretary: input.legalRepIsSecretary,
    status: input.status,
  };
}

export function createEnterprise(db: Db, actor: Actor, input: EnterpriseInput): Enterprise {
  assertWriter(actor);
  return db.transaction((tx) => {
    checkReferences(tx, actor, input, null);
    checkCreditCodeFree(tx, actor, input.creditCode, null);
    const created = tx.insert(enterprises).values(row(input)).returning().get();
    recordAudit(tx, actor, { action: "create", entity: "enterprise", entityId: created.id, after: created });
    return created;
  });
}

export function updateEnterprise(db: Db, actor: Actor, id: number, input: EnterpriseInput): Enterprise {
  return db.transaction((tx) => {
    const before = getWritableEnterprise(tx, actor, id);
    checkReferences(tx, actor, input, before.committeeId);
    checkCreditCodeFree(tx, actor, input.creditCode, id);
    const updated = tx
      .update(enterprises)
      .set({ ...row(input), updatedAt: new Date().toISOString() })
      .where(eq(enterprises.id, id))
      .returning()
      .get();
    recordAudit(tx, actor, { action: "update", entity: "enterprise", entityId: id, before, after: updated });
    return updated;
  });
}

// ---------------------------------------------------------------------------------------------
// Coverage links
// ---------------------------------------------------------------------------------------------

/**
 * Links an organization in scope to the enterprise. A standalone branch covers one enterprise only
 * (refused); a joint branch over JOINT_BRANCH_MAX_UNITS units is allowed with a warning, returned.
 */
export function attachCoverage(db: Db, actor: Actor, enterpriseId: number, input: CoverageInput, today: string): { warning: string | null; orgName: string } {
  return db.transaction((tx) => {
    const e = getWritableEnterprise(tx, actor, enterpriseId);
    if (e.status !== "active") throw AppError.invalid({ organizationId: "该企业已注销，不能再关联党组织" });
    const org = tx.select().from(organizations).where(eq(organizations.id, input.organizationId)).get();
    if (!org || !orgPathInScope(actor, org.path)) throw AppError.invalid({ organizationId: "所选党组织不存在或不在您的管辖范围内" });
    if (org.status !== "active") throw AppError.invalid({ organizationId: "所选党组织已撤销" });
    if (!COVERING_KINDS.includes(org.kind)) throw AppError.invalid({ organizationId: "只有党委、党总支或党支部可以覆盖企业" });
    const since = input.since ?? today;
    if (since > today) throw AppError.invalid({ since: "覆盖起始日期不能晚于今天" });
    const existing = tx
      .select({ enterpriseId: organizationEnterprises.enterpriseId, name: enterprises.name })
      .from(organizationEnterprises)
      .innerJoin(enterprises, eq(enterprises.id, organizationEnterprises.enterpriseId))
      .where(eq(organizationEnterprises.organizationId, org.id))
      .all();
    if (existing.some((x) => x.enterpriseId === enterpriseId)) throw AppError.invalid({ organizationId: "该党组织已覆盖本企业" });
    if (org.kind === "branch" && org.formation !== "joint" && existing.length > 0) {
      throw AppError.invalid({
        organizationId: `“${org.name}”是单独组建的党支部，已覆盖企业“${existing[0]!.name}”。单独组建的党支部只能覆盖一个企业；需要覆盖多家企业的，应为联合党支部。`,
      });
    }
    tx.insert(organizationEnterprises).values({ organizationId: org.id, enterpriseId, since }).run();
    recordAudit(tx, actor, { action: "create", entity: "enterprise_coverage", entityId: enterpriseId, after: { enterpriseId, organizationId: org.id, organizationName: org.name, since } });
    const units = existing.length + 1;
    const warning = org.formation === "joint" && units > JOINT_BRANCH_MAX_UNITS ? `联合党支部“${org.name}”现覆盖 ${units} 个单位，一般不超过 ${JOINT_BRANCH_MAX_UNITS} 个，请考虑分设。` : null;
    return { warning, orgName: org.name };
  });
}

export function removeCoverage(db: Db, actor: Actor, enterpriseId: number, organizationId: number): void {
  db.transaction((tx) => {
    getWritableEnterprise(tx, actor, enterpriseId);
    const link = tx
      .select({ since: organizationEnterprises.since, name: organizations.name, path: organizations.path })
      .from(organizationEnterprises)
      .innerJoin(organizations, eq(organizations.id, organizationEnterprises.organizationId))
      .where(and(eq(organizationEnterprises.enterpriseId, enterpriseId), eq(organizationEnterprises.organizationId, organizationId)))
      .get();
    if (!link || !orgPathInScope(actor, link.path)) throw AppError.notFound("覆盖关系");
    tx.delete(organizationEnterprises)
      .where(and(eq(organizationEnterprises.enterpriseId, enterpriseId), eq(organizationEnterprises.organizationId, organizationId)))
      .run();
    recordAudit(tx, actor, { action: "delete", entity: "enterprise_coverage", entityId: enterpriseId, before: { enterpriseId, organizationId, organizationName: link.name, since: link.since } });
  });
}

// An enterprise's page: its coverage and why, the organizations and instructors covering it, the
// members working there whom the actor may see, and what needs attention.

import { and, asc, desc, eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import {
  industries,
  instructorAssignments,
  instructors,
  members,
  organizationEnterprises,
  organizations,
  regions,
} from "../../../db/schema.js";
import { COVERING_KINDS } from "../../domain/codes.js";
import { FULL_MEMBERS_TO_FORM } from "../../domain/coverage-rules.js";
import { maskIdNumber, maskPhone } from "../../domain/masking.js";
import { JOINT_BRANCH_MAX_UNITS } from "../../domain/org-size-rules.js";
import { type Actor, orgIdInScope, orgPathInScope } from "../../policy/actor.js";
import { memberPresentSql } from "../members/sql.js";
import { orgOptions } from "../orgs/orgs.service.js";
import { canEditEnterprise, getEnterprise } from "./access.js";
import { enterpriseCoverage } from "./coverage.js";

const MEMBERS_SHOWN = 200;

export function enterpriseDetail(db: Db, actor: Actor, id: number, today: string) {
  const enterprise = getEnterprise(db, actor, id);
  const cov = enterpriseCoverage(db, id, today);
  const committee = db
    .select({ id: organizations.id, name: organizations.name, path: organizations.path })
    .from(organizations)
    .where(eq(organizations.id, enterprise.committeeId))
    .get();
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
    .map(({ phone, ...a }) => ({
      ...a,
      phoneMasked: maskPhone(phone),
      active: a.assignedOn <= today && (a.endedOn == null || a.endedOn > today),
    }));

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
    sql`SELECT count(*) AS n FROM members m WHERE m.enterprise_id = ${id} AND ${memberPresentSql("m", today)} AND ${orgIdInScope(actor, sql.raw("m.org_id"))}`,
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
    if (o.units > JOINT_BRANCH_MAX_UNITS)
      warnings.push(`联合党支部“${o.name}”覆盖 ${o.units} 个单位，一般不超过 ${JOINT_BRANCH_MAX_UNITS} 个。`);
  }
  for (const o of standaloneOrgs) {
    if (o.kind === "branch" && o.units > 1)
      warnings.push(`单独组建的党支部“${o.name}”覆盖了 ${o.units} 个企业，单独组建的支部只应覆盖 1 个企业，宜改为联合党支部。`);
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

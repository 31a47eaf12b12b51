// The tree's rules and the checks every save (create and update) goes through.

import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { industries, members, organizations, regions, users } from "../../../db/schema.js";
import { COMMITTEE_KINDS, MEMBER_HOLDING_KINDS, ORG_KIND, type OrgKind } from "../../domain/codes.js";
import { AppError, type FieldErrors } from "../../errors.js";
import { type Actor, isAdmin, orgPathInScope } from "../../policy/actor.js";
import type { OrgInput } from "../../schemas/orgs.schema.js";
import { roleOrgProblem } from "../admin/users.js";
import { memberStillHereSql } from "../members/sql.js";
import type { Org } from "./queries.js";

/** Which kinds may sit under which parent. */
export const ALLOWED_PARENTS: Record<OrgKind, OrgKind[]> = {
  city_department: [],
  industry_committee: ["city_department", "industry_committee"],
  comprehensive_committee: ["city_department"],
  general_branch: ["industry_committee", "comprehensive_committee"],
  branch: ["industry_committee", "comprehensive_committee", "general_branch"],
  group: ["branch"],
};

/** Kinds only administrators may set up, by creating one or by turning an organization into one. */
const ADMIN_ONLY_KINDS: readonly OrgKind[] = ["city_department"];

/** The kinds the org form offers: admin-only kinds to administrators, or when the form shows the kind fixed. */
export function offeredOrgKinds(actor: Actor, kindFixed: boolean): [OrgKind, string][] {
  const kinds = Object.entries(ORG_KIND.label) as [OrgKind, string][];
  return kinds.filter(([k]) => !ADMIN_ONLY_KINDS.includes(k) || isAdmin(actor) || kindFixed);
}

/**
 * Why an existing organization cannot become `kind`, or null: what hangs on it must still fit
 * (sub-organizations, members, what a committee is responsible for, the accounts bound to it).
 */
function kindChangeProblem(db: Db, org: Org, kind: OrgKind): string | null {
  const label = ORG_KIND.label[kind];
  const kids = db
    .select({ kind: organizations.kind })
    .from(organizations)
    .where(and(eq(organizations.parentId, org.id), eq(organizations.status, "active")))
    .all();
  const misfit = kids.find((k) => !ALLOWED_PARENTS[k.kind].includes(kind));
  if (misfit) return `该组织下设有${ORG_KIND.label[misfit.kind]}，不能改为${label}`;
  if (!MEMBER_HOLDING_KINDS.includes(kind)) {
    const n = db
      .select({ n: sql<number>`count(*)` })
      .from(members)
      .where(and(eq(members.orgId, org.id), memberStillHereSql(members)))
      .get()!.n;
    if (n > 0) return `该组织还管理 ${n} 名党员，${label}不能直接管理党员`;
  }
  if (COMMITTEE_KINDS.includes(org.kind) && !COMMITTEE_KINDS.includes(kind)) {
    const refs = db.get<{ n: number }>(sql`SELECT
      (SELECT count(*) FROM enterprises WHERE committee_id = ${org.id}) + (SELECT count(*) FROM instructors WHERE committee_id = ${org.id})
      + (SELECT count(*) FROM leads WHERE committee_id = ${org.id}) + (SELECT count(*) FROM self_report_links WHERE committee_id = ${org.id})
      + (SELECT count(*) FROM api_keys WHERE committee_id = ${org.id}) AS n`);
    if (refs && refs.n > 0) return `该党委还负责企业、指导员、摸排线索或登记链接，不能改为${label}`;
  }
  const account = db
    .select({ role: users.role })
    .from(users)
    .where(and(eq(users.orgId, org.id), eq(users.status, "active")))
    .all();
  const problem = account.map((u) => roleOrgProblem(u.role, kind)).find((p) => p !== null);
  if (problem) return `该组织有启用的账号（${problem}），不能改为${label}`;
  return null;
}

/**
 * The tree's rules, on every save (create and update), not only on a move. The kind may sit under
 * the parent; the actor may set up that kind; a parent chosen anew lies inside the actor's scope
 * and is active (an unchanged one may lie above the scope: the node that defines a clerk's scope, a
 * secretary's branch); what hangs on a reclassified organization still fits; nobody but an
 * administrator changes the kind or the place of the node that defines their own scope, and a
 * secretary neither of their branch. Refusals are field errors on the field that carries them.
 * Returns the parent.
 */
export function checkTree(db: Db, actor: Actor, input: OrgInput, before: Org | null): Org | null {
  const kindChanged = before !== null && input.kind !== before.kind;
  const parentChanged = before === null || input.parentId !== before.parentId;
  const errors: FieldErrors = {};
  if (before && actor.role === "secretary") {
    if (kindChanged) errors.kind = "党支部书记不能修改本支部的组织类别";
    if (parentChanged) errors.parentId = "党支部书记不能调整本支部的上级党组织";
    if (input.code !== before.code) errors.code = "党支部书记不能修改本支部的组织编码";
  }
  if (before && before.id === actor.orgId && !isAdmin(actor)) {
    if (kindChanged) errors.kind ??= "不能修改自己所属组织的类别";
    if (parentChanged) errors.parentId ??= "不能移动自己所属的组织";
  }
  if ((before === null || kindChanged) && ADMIN_ONLY_KINDS.includes(input.kind) && !isAdmin(actor)) {
    errors.kind ??= `只有系统管理员可以设立${ORG_KIND.label[input.kind]}`;
  }
  if (Object.keys(errors).length) throw AppError.invalid(errors);

  let parent: Org | null = null;
  if (input.parentId != null) {
    parent = db.select().from(organizations).where(eq(organizations.id, input.parentId)).get() ?? null;
    if (!parent || (parentChanged && !orgPathInScope(actor, parent.path)))
      throw AppError.invalid({ parentId: "上级党组织不存在或不在您的管辖范围内" });
    if (parentChanged && parent.status !== "active") throw AppError.invalid({ parentId: "上级党组织已撤销" });
    if (before && parent.path.startsWith(before.path)) throw AppError.invalid({ parentId: "不能把组织移到它自己的下级之下" });
  }
  // On a reclassification under the same parent the kind is what the user changed: the error goes there.
  const field = parentChanged ? "parentId" : "kind";
  if (input.kind === "city_department") {
    if (parent) throw AppError.invalid({ [field]: `${ORG_KIND.label.city_department}不能有上级组织` });
  } else if (!parent) throw AppError.invalid({ parentId: "请选择上级党组织" });
  else if (!ALLOWED_PARENTS[input.kind].includes(parent.kind)) {
    throw AppError.invalid({ [field]: `${ORG_KIND.label[input.kind]}不能隶属于${ORG_KIND.label[parent.kind]}` });
  }
  if (before && kindChanged) {
    const problem = kindChangeProblem(db, before, input.kind);
    if (problem) throw AppError.invalid({ kind: problem });
  }
  return parent;
}

/**
 * The industry and region the form names must be rows of the reference tables: anything else (a
 * made-up code, an inherited key like `constructor`) is a field error, not a foreign-key failure.
 */
export function checkCodes(db: Db, input: OrgInput): void {
  const errors: Record<string, string> = {};
  if (input.industryCode !== null && !db.select().from(industries).where(eq(industries.code, input.industryCode)).get())
    errors.industryCode = "请选择有效的行业";
  if (!db.select().from(regions).where(eq(regions.code, input.regionCode)).get()) errors.regionCode = "请选择有效的行政区划";
  if (Object.keys(errors).length) throw AppError.invalid(errors);
}

/**
 * What the edit form lets this user change. The fields checkTree would refuse are shown fixed (and
 * sent back unchanged), and the current parent is named even where it lies above the user's scope:
 * the node that defines a clerk's scope, a secretary's branch.
 */
export function orgEditLimits(db: Db, actor: Actor, org: Pick<Org, "id" | "parentId">) {
  const own = org.id === actor.orgId && !isAdmin(actor);
  const secretary = actor.role === "secretary";
  const currentParent = org.parentId
    ? (db.select({ id: organizations.id, name: organizations.name }).from(organizations).where(eq(organizations.id, org.parentId)).get() ??
      null)
    : null;
  return { fixed: { kind: own || secretary, parentId: own || secretary, code: secretary }, currentParent };
}

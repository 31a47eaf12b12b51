import { and, asc, eq, inArray, like, ne, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, industries, members, organizationEnterprises, organizations, regions, users } from "../../../db/schema.js";
import { COMMITTEE_KINDS, committeeInChain, MEMBER_HOLDING_KINDS, ORG_KIND, type OrgKind } from "../../domain/codes.js";
import { addMonths } from "../../domain/dates.js";
import { maskPhone, PHONE_ALTERED, resolveKept } from "../../domain/masking.js";
import { AppError, type FieldErrors } from "../../errors.js";
import { type Actor, assertCanWrite, canUnmask, isAdmin, orgIdInScope, orgPathInScope, scopePath } from "../../policy/actor.js";
import type { OrgInput } from "../../schemas/orgs.schema.js";
import { recordAudit } from "../admin/audit.js";
import { roleOrgProblem } from "../admin/users.js";
import { memberStillHereSql } from "../members/sql.js";

export type Org = typeof organizations.$inferSelect;

/** Size rules (DOMAIN.md): warnings, never refusals — the committee decides. */
export const BRANCH_MAX_MEMBERS = 50;
export const BRANCH_COMMITTEE_MIN_FULL = 7;
export const GENERAL_BRANCH_MAX_MEMBERS = 100;
export const JOINT_BRANCH_MAX_UNITS = 5;

/** Which kinds may sit under which parent. */
const ALLOWED_PARENTS: Record<OrgKind, OrgKind[]> = {
  city_department: [],
  industry_committee: ["city_department", "industry_committee"],
  comprehensive_committee: ["city_department"],
  general_branch: ["industry_committee", "comprehensive_committee"],
  branch: ["industry_committee", "comprehensive_committee", "general_branch"],
  group: ["branch"],
};

export function getOrg(db: Db, actor: Actor, id: number): Org {
  const org = db.select().from(organizations).where(eq(organizations.id, id)).get();
  if (!org || !orgPathInScope(actor, org.path)) throw AppError.notFound("党组织");
  return org;
}

export function getOrgByCode(db: Db, code: string): Org | null {
  return db.select().from(organizations).where(eq(organizations.code, code)).get() ?? null;
}

export type OrgTreeNode = Org & { memberCount: number; enterpriseCount: number; children: OrgTreeNode[] };

/**
 * The organization tree inside the actor's scope, each node with the members it manages and the
 * enterprises it covers, both summed over its subtree.
 */
export function orgTree(db: Db, actor: Actor, opts: { includeDissolved?: boolean } = {}): OrgTreeNode[] {
  const prefix = scopePath(actor);
  const rows = db
    .select()
    .from(organizations)
    .where(
      and(
        prefix === "/" ? undefined : like(organizations.path, `${prefix}%`),
        opts.includeDissolved ? undefined : ne(organizations.status, "dissolved"),
      ),
    )
    .orderBy(asc(organizations.depth), asc(organizations.code))
    .all();
  const memberCounts = new Map(
    db
      .select({ orgId: members.orgId, n: sql<number>`count(*)` })
      .from(members)
      .where(and(orgIdInScope(actor, members.orgId), memberStillHereSql(members)))
      .groupBy(members.orgId)
      .all()
      .map((r) => [r.orgId, r.n]),
  );
  const coverCounts = new Map(
    db
      .select({ orgId: organizationEnterprises.organizationId, n: sql<number>`count(*)` })
      .from(organizationEnterprises)
      .where(orgIdInScope(actor, organizationEnterprises.organizationId))
      .groupBy(organizationEnterprises.organizationId)
      .all()
      .map((r) => [r.orgId, r.n]),
  );
  const byId = new Map<number, OrgTreeNode>();
  const roots: OrgTreeNode[] = [];
  for (const r of rows) {
    const node: OrgTreeNode = { ...r, memberCount: memberCounts.get(r.id) ?? 0, enterpriseCount: coverCounts.get(r.id) ?? 0, children: [] };
    byId.set(r.id, node);
    const parent = r.parentId == null ? undefined : byId.get(r.parentId);
    if (parent) parent.children.push(node);
    else roots.push(node);
  }
  // Sum counts bottom-up (rows are ordered by depth, so walk them in reverse).
  for (let i = rows.length - 1; i >= 0; i--) {
    const node = byId.get(rows[i]!.id)!;
    const parent = node.parentId == null ? undefined : byId.get(node.parentId);
    if (parent) {
      parent.memberCount += node.memberCount;
      parent.enterpriseCount += node.enterpriseCount;
    }
  }
  return roots;
}

/** Flat list of organizations in scope, for select boxes. */
export function orgOptions(db: Db, actor: Actor, kinds?: readonly OrgKind[]) {
  const prefix = scopePath(actor);
  return db
    .select({
      id: organizations.id,
      code: organizations.code,
      name: organizations.name,
      kind: organizations.kind,
      depth: organizations.depth,
      path: organizations.path,
    })
    .from(organizations)
    .where(
      and(
        prefix === "/" ? undefined : like(organizations.path, `${prefix}%`),
        eq(organizations.status, "active"),
        kinds ? sql`${organizations.kind} IN ${kinds}` : undefined,
      ),
    )
    .orderBy(asc(organizations.path))
    .all();
}

/** The committee an organization belongs to (leads, enterprises and instructors belong to committees). */
export function committeeOf(db: Db, orgId: number): Org | null {
  const org = db.select().from(organizations).where(eq(organizations.id, orgId)).get();
  if (!org) return null;
  const ids = org.path.split("/").filter(Boolean).map(Number);
  return committeeInChain(db.select().from(organizations).where(inArray(organizations.id, ids)).all());
}

/** What the detail page shows. `reveal` only from unmaskOrg, which checks the role and audits. */
function detailOf(db: Db, actor: Actor, id: number, today: string, reveal: boolean) {
  const stored = getOrg(db, actor, id);
  const org = { ...stored, secretaryPhone: reveal ? stored.secretaryPhone : maskPhone(stored.secretaryPhone) || null };
  const parent = org.parentId ? (db.select().from(organizations).where(eq(organizations.id, org.parentId)).get() ?? null) : null;
  const children = db.select().from(organizations).where(eq(organizations.parentId, id)).orderBy(asc(organizations.code)).all();
  const covered = db
    .select({
      id: enterprises.id,
      name: enterprises.name,
      creditCode: enterprises.creditCode,
      workerCount: enterprises.workerCount,
      since: organizationEnterprises.since,
    })
    .from(organizationEnterprises)
    .innerJoin(enterprises, eq(enterprises.id, organizationEnterprises.enterpriseId))
    .where(eq(organizationEnterprises.organizationId, id))
    .orderBy(asc(enterprises.name))
    .all();
  const counts = db
    .select({
      total: sql<number>`count(*)`,
      full: sql<number>`sum(case when ${members.category} = 'full' then 1 else 0 end)`,
    })
    .from(members)
    .where(and(eq(members.orgId, id), memberStillHereSql(members)))
    .get()!;
  const industry = org.industryCode ? db.select().from(industries).where(eq(industries.code, org.industryCode)).get() : null;
  const region = db.select().from(regions).where(eq(regions.code, org.regionCode)).get();
  const canHaveChildren = Object.values(ALLOWED_PARENTS).some((parents) => parents.includes(org.kind));
  return {
    org,
    revealed: reveal,
    parent,
    children,
    canHaveChildren,
    covered,
    memberCount: counts.total,
    fullCount: counts.full ?? 0,
    industry,
    region,
    warnings: orgWarnings(stored, counts.total, counts.full ?? 0, covered.length, today),
  };
}

export type OrgDetail = ReturnType<typeof detailOf>;

/** The detail page with the secretary's phone masked. */
export function orgDetail(db: Db, actor: Actor, id: number, today: string): OrgDetail {
  return detailOf(db, actor, id, today, false);
}

/** The detail page with the secretary's whole phone; written to the audit log. Secretaries may not. */
export function unmaskOrg(db: Db, actor: Actor, id: number, today: string, ctx: { ip?: string | null } = {}): OrgDetail {
  if (!canUnmask(actor)) throw AppError.forbidden("您的角色不能查看完整的手机号。");
  return db.transaction((tx) => {
    const detail = detailOf(tx, actor, id, today, true);
    recordAudit(tx, actor, {
      action: "unmask",
      entity: "organization",
      entityId: id,
      details: { fields: ["secretaryPhone"], name: detail.org.name },
      ip: ctx.ip ?? null,
    });
    return detail;
  });
}

/** The edit form's starting values: the stored organization with the secretary's phone masked. */
export function orgFormValues(db: Db, actor: Actor, id: number): Org {
  const org = getOrg(db, actor, id);
  return { ...org, secretaryPhone: maskPhone(org.secretaryPhone) || null };
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

export function orgWarnings(org: Org, memberCount: number, fullCount: number, coveredCount: number, today: string): string[] {
  const w: string[] = [];
  if (org.termEndOn && org.termEndOn < today) w.push(`本届任期已于 ${org.termEndOn} 届满，应按期换届。`);
  else if (org.termEndOn && org.termEndOn <= addMonths(today, 3)) w.push(`本届任期将于 ${org.termEndOn} 届满，请提前做好换届准备。`);
  if (org.kind === "branch") {
    if (memberCount > BRANCH_MAX_MEMBERS) w.push(`党员 ${memberCount} 名，超过 ${BRANCH_MAX_MEMBERS} 名，宜按规定分设支部或成立党总支。`);
    if (fullCount >= BRANCH_COMMITTEE_MIN_FULL)
      w.push(`正式党员 ${fullCount} 名（${BRANCH_COMMITTEE_MIN_FULL} 名以上），应设立支部委员会。`);
    if (org.formation === "joint" && coveredCount > JOINT_BRANCH_MAX_UNITS)
      w.push(`联合党支部覆盖 ${coveredCount} 个单位，一般不超过 ${JOINT_BRANCH_MAX_UNITS} 个。`);
    if (org.formation === "standalone" && coveredCount > 1) w.push(`单独组建的党支部只应覆盖 1 个企业，现覆盖 ${coveredCount} 个。`);
  }
  if (org.kind === "general_branch" && memberCount > GENERAL_BRANCH_MAX_MEMBERS)
    w.push(`党员超过 ${GENERAL_BRANCH_MAX_MEMBERS} 名，宜成立党委。`);
  return w;
}

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
function checkTree(db: Db, actor: Actor, input: OrgInput, before: Org | null): Org | null {
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

/** The secretary's phone to store: the edit form shows it masked, and the masked text sent back keeps it. */
function secretaryPhoneOf(input: OrgInput, before: Org | null): string | null {
  const kept = resolveKept(input.secretaryPhone, before?.secretaryPhone ?? null, maskPhone);
  if (kept.altered) throw AppError.invalid({ secretaryPhone: PHONE_ALTERED });
  return kept.value;
}

/**
 * The industry and region the form names must be rows of the reference tables: anything else (a
 * made-up code, an inherited key like `constructor`) is a field error, not a foreign-key failure.
 */
function checkCodes(db: Db, input: OrgInput): void {
  const errors: Record<string, string> = {};
  if (input.industryCode !== null && !db.select().from(industries).where(eq(industries.code, input.industryCode)).get())
    errors.industryCode = "请选择有效的行业";
  if (!db.select().from(regions).where(eq(regions.code, input.regionCode)).get()) errors.regionCode = "请选择有效的行政区划";
  if (Object.keys(errors).length) throw AppError.invalid(errors);
}

export function createOrg(db: Db, actor: Actor, input: OrgInput): Org {
  assertCanWrite(actor);
  if (actor.role === "secretary") throw AppError.forbidden("党支部书记不能新建党组织。");
  return db.transaction((tx) => {
    checkCodes(tx, input);
    const parent = checkTree(tx, actor, input, null);
    if (getOrgByCode(tx, input.code)) throw AppError.invalid({ code: "该组织编码已被使用" });
    const values = { ...input, secretaryPhone: secretaryPhoneOf(input, null), formation: input.kind === "branch" ? input.formation : null };
    const created = tx
      .insert(organizations)
      .values({ ...values, path: "/", depth: parent ? parent.depth + 1 : 0 })
      .returning()
      .get();
    const path = `${parent ? parent.path : "/"}${created.id}/`;
    tx.update(organizations).set({ path }).where(eq(organizations.id, created.id)).run();
    recordAudit(tx, actor, { action: "create", entity: "organization", entityId: created.id, after: values });
    return { ...created, path };
  });
}

export function updateOrg(db: Db, actor: Actor, id: number, input: OrgInput): Org {
  assertCanWrite(actor);
  return db.transaction((tx) => {
    const before = getOrg(tx, actor, id);
    checkCodes(tx, input);
    const parent = checkTree(tx, actor, input, before);
    const other = getOrgByCode(tx, input.code);
    if (other && other.id !== id) throw AppError.invalid({ code: "该组织编码已被使用" });
    const secretaryPhone = secretaryPhoneOf(input, before);
    let path = before.path;
    let depth = before.depth;
    if (input.parentId !== before.parentId) {
      path = `${parent ? parent.path : "/"}${id}/`;
      depth = parent ? parent.depth + 1 : 0;
      // Re-root the subtree's materialised paths.
      tx.run(
        sql`UPDATE organizations SET path = ${path} || substr(path, ${before.path.length + 1}), depth = depth + ${depth - before.depth} WHERE substr(path, 1, ${before.path.length}) = ${before.path} AND id != ${id}`,
      );
    }
    const updated = tx
      .update(organizations)
      .set({
        ...input,
        secretaryPhone,
        formation: input.kind === "branch" ? input.formation : null,
        path,
        depth,
        updatedAt: new Date().toISOString(),
      })
      .where(eq(organizations.id, id))
      .returning()
      .get();
    recordAudit(tx, actor, { action: "update", entity: "organization", entityId: id, before, after: updated });
    return updated;
  });
}

/** An organization that still has members, sub-organizations or accounts cannot be dissolved. */
export function dissolveOrg(db: Db, actor: Actor, id: number, dissolvedOn: string): void {
  assertCanWrite(actor);
  if (actor.role === "secretary") throw AppError.forbidden("党支部书记不能撤销党组织。");
  db.transaction((tx) => {
    const org = getOrg(tx, actor, id);
    if (org.id === actor.orgId) throw AppError.forbidden("不能撤销自己所属的组织。");
    if (org.status === "dissolved") throw AppError.conflict("该组织已撤销。");
    const n = tx
      .select({ n: sql<number>`count(*)` })
      .from(members)
      .where(and(eq(members.orgId, id), memberStillHereSql(members)))
      .get()!.n;
    if (n > 0) throw AppError.conflict(`该组织还有 ${n} 名党员，须先将党员组织关系转出或转入其他支部，才能撤销。`);
    const kids = tx
      .select({ n: sql<number>`count(*)` })
      .from(organizations)
      .where(and(eq(organizations.parentId, id), eq(organizations.status, "active")))
      .get()!.n;
    if (kids > 0) throw AppError.conflict(`该组织还有 ${kids} 个下级组织，须先撤销或调整下级组织。`);
    const accounts = tx
      .select({ n: sql<number>`count(*)` })
      .from(users)
      .where(and(eq(users.orgId, id), eq(users.status, "active")))
      .get()!.n;
    if (accounts > 0) throw AppError.conflict(`还有 ${accounts} 个启用的账号属于该组织，须先停用或调整这些账号。`);
    tx.update(organizations)
      .set({ status: "dissolved", dissolvedOn, updatedAt: new Date().toISOString() })
      .where(eq(organizations.id, id))
      .run();
    tx.delete(organizationEnterprises).where(eq(organizationEnterprises.organizationId, id)).run();
    recordAudit(tx, actor, {
      action: "dissolve",
      entity: "organization",
      entityId: id,
      before: { status: org.status },
      after: { status: "dissolved", dissolvedOn },
    });
  });
}

export function listIndustries(db: Db) {
  return db.select().from(industries).orderBy(asc(industries.sortOrder)).all();
}

export function listRegions(db: Db) {
  return db.select().from(regions).orderBy(asc(regions.code)).all();
}

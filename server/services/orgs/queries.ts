// The organizations' reads: one, the tree, the options, the detail page, the edit form's values.

import { and, asc, eq, inArray, like, ne, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, industries, members, organizationEnterprises, organizations, regions } from "../../../db/schema.js";
import { readJurisdiction } from "../jurisdiction/jurisdiction.service.js";
import { committeeInChain, type OrgKind } from "../../domain/codes.js";
import { maskPhone } from "../../domain/masking.js";
import { orgWarnings } from "../../domain/org-size-rules.js";
import { AppError } from "../../errors.js";
import { type Actor, canUnmask, orgIdInScope, orgPathInScope, scopePath } from "../../policy/actor.js";
import { recordAudit } from "../admin/audit.js";
import { memberStillHereSql } from "../members/sql.js";
import { ALLOWED_PARENTS } from "./tree-rules.js";

export type Org = typeof organizations.$inferSelect;

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

export function listIndustries(db: Db) {
  return db.select().from(industries).orderBy(asc(industries.sortOrder)).all();
}

/**
 * Every region in code order, each with the label a select shows: a street or township with its
 * county (海城市 海州街道), and in a province's installation a county with its city (济南市市中区,
 * 枣庄市市中区: names repeat between cities).
 */
export function listRegions(db: Db) {
  const all = db.select().from(regions).orderBy(asc(regions.code)).all();
  const byCode = new Map(all.map((r) => [r.code, r]));
  const province = readJurisdiction(db)?.level === "province";
  return all.map((r) => {
    const parent = r.parentCode ? byCode.get(r.parentCode) : undefined;
    const label =
      r.level === "town" && parent
        ? `${parent.name} ${r.name}`
        : province && r.level === "county" && parent?.level === "city"
          ? `${parent.name}${r.name}`
          : r.name;
    return { ...r, label };
  });
}

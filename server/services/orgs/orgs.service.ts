// The organizations area's entry: the writes (create, update, dissolve); the reads and the form's rules are re-exported.

import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { members, organizationEnterprises, organizations, users } from "../../../db/schema.js";
import { maskPhone, PHONE_ALTERED, resolveKept } from "../../domain/masking.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite } from "../../policy/actor.js";
import type { OrgInput } from "../../schemas/orgs.schema.js";
import { recordAudit } from "../admin/audit.js";
import { memberStillHereSql } from "../members/sql.js";
import { getOrg, getOrgByCode, type Org } from "./queries.js";
import { checkCodes, checkTree } from "./tree-rules.js";

export {
  committeeOf,
  getOrg,
  getOrgByCode,
  listIndustries,
  listRegions,
  type Org,
  type OrgDetail,
  type OrgTreeNode,
  orgDetail,
  orgFormValues,
  orgOptions,
  orgTree,
  unmaskOrg,
} from "./queries.js";
export { offeredOrgKinds, orgEditLimits } from "./tree-rules.js";

/** The secretary's phone to store: the edit form shows it masked, and the masked text sent back keeps it. */
function secretaryPhoneOf(input: OrgInput, before: Org | null): string | null {
  const kept = resolveKept(input.secretaryPhone, before?.secretaryPhone ?? null, maskPhone);
  if (kept.altered) throw AppError.invalid({ secretaryPhone: PHONE_ALTERED });
  return kept.value;
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

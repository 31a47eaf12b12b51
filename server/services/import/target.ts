// Where an import may go: the organization it is read into, within the importer's scope, and
// which kinds of organization take which kind of list.

import { and, eq, isNull } from "drizzle-orm";
import type { DbHandle } from "../../../db/client.js";
import { organizations } from "../../../db/schema.js";
import { isOnboardingKind } from "../../domain/onboarding-codes.js";
import { COMMITTEE_KINDS, MEMBER_HOLDING_KINDS, type OrgKind } from "../../domain/codes.js";
import { AppError } from "../../errors.js";
import { type Actor, orgIdInScope, orgPathInScope } from "../../policy/actor.js";
import type { ImportKind } from "./types.js";

export type OrgRow = { id: number; path: string; kind: OrgKind; name: string };

export function loadOrg(handle: DbHandle, actor: Actor, orgId: number): OrgRow {
  const org = handle.db
    .select({ id: organizations.id, path: organizations.path, kind: organizations.kind, name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, orgId))
    .get();
  // Named by a select box in the form: answered there, like every form's out-of-scope choice.
  if (!org || !orgPathInScope(actor, org.path)) throw AppError.invalid({ orgId: "所选党组织不存在或不在您的管辖范围内" });
  return org;
}

/** Finds an organization by code within the actor's scope (CLI). */
export function orgIdByCode(handle: DbHandle, actor: Actor, code: string): number {
  const org = handle.db
    .select({ id: organizations.id, path: organizations.path })
    .from(organizations)
    .where(eq(organizations.code, code))
    .get();
  if (!org || !orgPathInScope(actor, org.path)) throw AppError.notFound("党组织");
  return org.id;
}

/** The root of the tree (the city department): where an onboarding file from the CLI is filed by default. */
export function rootOrgId(handle: DbHandle): number {
  const root = handle.db
    .select({ id: organizations.id })
    .from(organizations)
    .where(isNull(organizations.parentId))
    .orderBy(organizations.id)
    .get();
  if (!root) throw AppError.notFound("根组织");
  return root.id;
}

/** Rosters (and reference lists) go to a committee or the city department: the organizations that hold workers. */
const isRosterTarget = (kind: OrgKind): boolean => COMMITTEE_KINDS.includes(kind) || kind === "city_department";

export function checkTarget(kind: ImportKind, reference: boolean, org: OrgRow, platform: string | null): void {
  const committeeLike = isRosterTarget(org.kind);
  // Onboarding files name their organizations row by row; the import's organization is the committee
  // (or the city department) it is filed under, and the default committee of enterprises and instructors.
  if (isOnboardingKind(kind)) {
    if (!committeeLike) throw AppError.invalid({ orgId: "党组织、企业和指导员应导入到社会工作部、行业党委或综合党委" });
  } else if (kind === "roster") {
    if (!platform) throw AppError.invalid({ platform: "请填写平台名称" });
    if (platform.length > 50) throw AppError.invalid({ platform: "平台名称不能超过 50 个字" });
    if (!committeeLike) throw AppError.invalid({ orgId: "花名册应导入到行业党委或综合党委" });
  } else if (reference) {
    if (!committeeLike) throw AppError.invalid({ orgId: "比对用党员名单应导入到行业党委、综合党委或社会工作部" });
  } else if (!MEMBER_HOLDING_KINDS.includes(org.kind)) {
    throw AppError.invalid({ orgId: "党员名单应导入到党委、党总支或党支部" });
  }
}

export function normalisePlatform(p: string | null | undefined): string | null {
  const s = (p ?? "").replace(/\s+/g, " ").trim();
  return s === "" ? null : s;
}

/** Organizations of the actor's scope an import can go into: committees for rosters and reference lists, any member-holding org for member lists. */
export function importTargets(handle: DbHandle, actor: Actor) {
  return handle.db
    .select({
      id: organizations.id,
      code: organizations.code,
      name: organizations.name,
      kind: organizations.kind,
      depth: organizations.depth,
    })
    .from(organizations)
    .where(and(orgIdInScope(actor, organizations.id), eq(organizations.status, "active")))
    .orderBy(organizations.path)
    .all()
    .filter((o) => o.kind !== "group")
    .map((o) => ({ ...o, rosterTarget: isRosterTarget(o.kind) }));
}

// What the finds' forms let a clerk choose: the committee a find belongs to, and the enterprise or
// station it happened at — both inside the clerk's scope.

import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, organizations } from "../../../db/schema.js";
import { COMMITTEE_KINDS } from "../../domain/codes.js";
import { AppError } from "../../errors.js";
import { type Actor, orgIdInScope, orgPathInScope } from "../../policy/actor.js";
import { committeeOf, orgOptions } from "../orgs/orgs.service.js";

export type CommitteeRef = { id: number; name: string; path: string };

/** Committees (industry or comprehensive) the actor may file finds under. */
export function committeeOptions(db: Db, actor: Actor): { id: number; name: string }[] {
  return orgOptions(db, actor, COMMITTEE_KINDS).map((o) => ({ id: o.id, name: o.name }));
}

/** The committee a clerk works for by default: the nearest committee at or above their organization. */
export function defaultCommitteeId(db: Db, actor: Actor): number | null {
  const own = committeeOf(db, actor.orgId);
  return own && orgPathInScope(actor, own.path) ? own.id : null;
}

/**
 * Resolves the committee of a new find: the one chosen if given, else the actor's own. It must be
 * an active committee inside the actor's scope.
 */
export function resolveCommittee(db: Db, actor: Actor, chosen: number | null): CommitteeRef {
  const id = chosen ?? defaultCommitteeId(db, actor);
  if (id === null) throw AppError.invalid({ committeeId: "请选择所属党委" });
  const org = db
    .select({
      id: organizations.id,
      name: organizations.name,
      path: organizations.path,
      kind: organizations.kind,
      status: organizations.status,
    })
    .from(organizations)
    .where(eq(organizations.id, id))
    .get();
  if (!org || !orgPathInScope(actor, org.path) || org.status !== "active" || !COMMITTEE_KINDS.includes(org.kind)) {
    throw AppError.invalid({ committeeId: "所属党委不存在或不在您的管辖范围内" });
  }
  return { id: org.id, name: org.name, path: org.path };
}

/** Active enterprises whose committee is in the actor's scope, for select boxes. */
export function enterpriseOptions(db: Db, actor: Actor): { id: number; name: string }[] {
  return db
    .select({ id: enterprises.id, name: enterprises.name })
    .from(enterprises)
    .where(and(eq(enterprises.status, "active"), orgIdInScope(actor, enterprises.committeeId)))
    .orderBy(asc(enterprises.name))
    .all();
}

/** Checks that an enterprise belongs to the committee (or an organization below it). */
export function checkEnterprise(db: Db, committee: CommitteeRef, enterpriseId: number | null, field = "enterpriseId"): number | null {
  if (enterpriseId === null) return null;
  const e = db
    .select({ id: enterprises.id })
    .from(enterprises)
    .where(
      and(
        eq(enterprises.id, enterpriseId),
        sql`${enterprises.committeeId} IN (SELECT id FROM organizations WHERE substr(path, 1, ${committee.path.length}) = ${committee.path})`,
      ),
    )
    .get();
  if (!e) throw AppError.invalid({ [field]: "该企业或站点不存在，或不属于所选党委" });
  return e.id;
}

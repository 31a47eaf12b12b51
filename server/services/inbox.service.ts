// What waits for a secretary or clerk (/inbox): transfers addressed to them, letters they sent
// that are overdue, mobile members whose certificate expires, members out of contact for six
// months or more, membership changes waiting for the committee's approval. The navigation badge counts the same items.

import { and, asc, eq, inArray, isNotNull, isNull, lt, lte, sql } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../../db/client.js";
import { members, mobileSpells, organizations, transfers } from "../../db/schema.js";
import { daysBetween, todayIso } from "../domain/dates.js";
import { certificateWarningUntil } from "../domain/membership-rules.js";
import { type Actor, orgIdInScope } from "../policy/actor.js";
import { lostContactLimitSql, memberStillHereSql } from "./members/sql.js";
import { pendingApprovalCount, pendingApprovals } from "./membership/membership.service.js";
import { registerNavCounts } from "./nav.service.js";
import { recruitmentInbox } from "./recruitment/queries.js";

const fromOrgT = alias(organizations, "from_org");
const toOrgT = alias(organizations, "to_org");

/** Pending transfers the actor must accept or return (their side receives). */
function incomingCond(actor: Actor) {
  return and(eq(transfers.state, "pending"), inArray(transfers.kind, ["internal", "incoming"]), orgIdInScope(actor, transfers.toOrgId));
}

/** Letters the actor's side sent that are past their deadline and still pending. */
function overdueCond(actor: Actor, today: string) {
  return and(
    eq(transfers.state, "pending"),
    lt(transfers.deadlineOn, today),
    inArray(transfers.kind, ["internal", "outgoing"]),
    orgIdInScope(actor, transfers.fromOrgId),
  );
}

function expiringCond(actor: Actor, today: string) {
  return and(
    isNull(mobileSpells.endedOn),
    eq(mobileSpells.direction, "in"),
    isNotNull(mobileSpells.certificateValidUntil),
    lte(mobileSpells.certificateValidUntil, certificateWarningUntil(today)),
    orgIdInScope(actor, mobileSpells.orgId),
  );
}

function lostCond(actor: Actor, today: string) {
  return and(lostContactLimitSql(members, today), memberStillHereSql(members), orgIdInScope(actor, members.orgId));
}

const count = (q: { get(): { n: number } | undefined }) => q.get()?.n ?? 0;

export function inboxCounts(db: Db, actor: Actor, today = todayIso()) {
  const n = sql<number>`count(*)`;
  const incoming = count(db.select({ n }).from(transfers).where(incomingCond(actor)));
  const overdue = count(db.select({ n }).from(transfers).where(overdueCond(actor, today)));
  const expiring = count(db.select({ n }).from(mobileSpells).where(expiringCond(actor, today)));
  const lost = count(db.select({ n }).from(members).where(lostCond(actor, today)));
  const recruitment = recruitmentInbox(db, actor, today).length;
  const membership = pendingApprovalCount(db, actor);
  return {
    incoming,
    overdue,
    expiring,
    lost,
    recruitment,
    membership,
    total: incoming + overdue + expiring + lost + recruitment + membership,
  };
}

export function inbox(db: Db, actor: Actor, today = todayIso(), limit = 50) {
  const transferCols = {
    id: transfers.id,
    kind: transfers.kind,
    letterNumber: transfers.letterNumber,
    issuedOn: transfers.issuedOn,
    deadlineOn: transfers.deadlineOn,
    externalOrgName: transfers.externalOrgName,
    memberName: members.name,
    fromOrgName: fromOrgT.name,
    toOrgName: toOrgT.name,
  };
  const transferQuery = () =>
    db
      .select(transferCols)
      .from(transfers)
      .innerJoin(members, eq(members.id, transfers.memberId))
      .leftJoin(fromOrgT, eq(fromOrgT.id, transfers.fromOrgId))
      .leftJoin(toOrgT, eq(toOrgT.id, transfers.toOrgId));
  const withDays = <T extends { deadlineOn: string }>(r: T) => ({ ...r, daysLeft: daysBetween(today, r.deadlineOn) });

  const incoming = transferQuery()
    .where(incomingCond(actor))
    .orderBy(asc(transfers.deadlineOn), asc(transfers.id))
    .limit(limit)
    .all()
    .map(withDays);
  const overdue = transferQuery()
    .where(overdueCond(actor, today))
    .orderBy(asc(transfers.deadlineOn), asc(transfers.id))
    .limit(limit)
    .all()
    .map(withDays);
  const expiring = db
    .select({
      spellId: mobileSpells.id,
      memberId: members.id,
      memberName: members.name,
      certificateNumber: mobileSpells.certificateNumber,
      certificateValidUntil: mobileSpells.certificateValidUntil,
      homeOrgName: mobileSpells.homeOrgName,
      orgName: organizations.name,
    })
    .from(mobileSpells)
    .innerJoin(members, eq(members.id, mobileSpells.memberId))
    .innerJoin(organizations, eq(organizations.id, mobileSpells.orgId))
    .where(expiringCond(actor, today))
    .orderBy(asc(mobileSpells.certificateValidUntil), asc(mobileSpells.id))
    .limit(limit)
    .all()
    .map((r) => ({ ...r, daysLeft: daysBetween(today, r.certificateValidUntil!) }));
  const lost = db
    .select({
      memberId: members.id,
      memberName: members.name,
      lostContactOn: members.lostContactOn,
      lostContactReason: members.lostContactReason,
      orgName: organizations.name,
    })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.orgId))
    .where(lostCond(actor, today))
    .orderBy(asc(members.lostContactOn), asc(members.id))
    .limit(limit)
    .all()
    .map((r) => ({ ...r, days: daysBetween(r.lostContactOn!, today) }));
  const recruitment = recruitmentInbox(db, actor, today).slice(0, limit);
  const membership = pendingApprovals(db, actor, limit);
  return { incoming, overdue, expiring, lost, recruitment, membership, counts: inboxCounts(db, actor, today), limit };
}

// The navigation badge: supervisors only read, so nothing waits for them.
registerNavCounts((db, actor): Record<string, number> => (actor.role === "supervisor" ? {} : { inbox: inboxCounts(db, actor).total }));

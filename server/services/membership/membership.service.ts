// Membership ending and restored by the rules: a branch (or whoever holds the member) proposes
// 停止党籍, 恢复党籍, 出党 or death; a clerk of the committee above approves or refuses. Only an
// approval touches the member, in the same transaction: `left_on`/`left_reason` (which every count
// and list reads through isStillMember and its SQL), the open mobile spell, the timeline. Steps are
// never edited or deleted (the migration's triggers hold the table to that).

import { and, asc, desc, eq, inArray, isNull, ne, or } from "drizzle-orm";
import { alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../../../db/client.js";
import { members, membershipChanges, mobileSpells, organizations, users } from "../../../db/schema.js";
import { committeeInChain } from "../../domain/codes.js";
import { todayIso } from "../../domain/dates.js";
import {
  changesAllowedFrom,
  endsMembership,
  LEFT_REASON_OF,
  MEMBERSHIP_CHANGE,
  type MembershipChangeKind,
  refuseChange,
  STANDING_LABEL,
  standingOf,
} from "../../domain/membership-changes.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite, canWrite, orgIdInScope, orgPathInScope } from "../../policy/actor.js";
import type { ApproveChangeInput, ProposeChangeInput, RejectChangeInput } from "../../schemas/membership.schema.js";
import { recordAudit } from "../admin/audit.js";
import { getMember, type Member } from "../members/record.js";
import { addTimelineEntries } from "../members/timeline.js";
import { pendingTransferOf } from "../transfers/transfers.service.js";

export type MembershipChange = typeof membershipChanges.$inferSelect;
type Org = typeof organizations.$inferSelect;

/**
 * The committee above the organization holding the member, which approves: the nearest committee
 * among its ancestors (itself when a committee holds the member directly); the city department when
 * there is none.
 */
export function approvingOrgOf(db: Db, orgId: number): Org {
  const org = db.select().from(organizations).where(eq(organizations.id, orgId)).get();
  if (!org) throw AppError.notFound("党组织");
  const ids = org.path.split("/").filter(Boolean).map(Number);
  const chain = db.select().from(organizations).where(inArray(organizations.id, ids)).all();
  const committee = committeeInChain(chain);
  if (committee) return committee;
  return chain.reduce((top, o) => (o.path.length < top.path.length ? o : top), org);
}

/** Clerks and administrators whose scope holds the approving committee; never the proposer. */
function mayApprove(actor: Actor, approvalOrgPath: string, change: Pick<MembershipChange, "proposedBy">): boolean {
  if (actor.role !== "clerk" && actor.role !== "admin") return false;
  if (actor.id > 0 && change.proposedBy === actor.id) return false;
  return orgPathInScope(actor, approvalOrgPath);
}

function pendingOf(db: Db, memberId: number): MembershipChange | undefined {
  return db
    .select()
    .from(membershipChanges)
    .where(and(eq(membershipChanges.memberId, memberId), eq(membershipChanges.state, "pending")))
    .get();
}

const factsOf = (m: Member) => ({ standing: standingOf(m), lostContactOn: m.lostContactOn, joinedOn: m.joinedOn, leftOn: m.leftOn });

function describe(c: Pick<MembershipChange, "kind" | "effectiveOn" | "reason" | "decisionBody">): string {
  return `${MEMBERSHIP_CHANGE.label[c.kind]}（${c.effectiveOn}）${c.decisionBody ? `，决定机关：${c.decisionBody}` : ""}，原因：${c.reason}`;
}

/** Records the proposal; the member does not change until the committee approves. */
export function proposeChange(db: Db, actor: Actor, memberId: number, input: ProposeChangeInput, today = todayIso()): MembershipChange {
  assertCanWrite(actor);
  return db.transaction(
    (tx) => {
      const m = getMember(tx, actor, memberId);
      const errors = refuseChange(factsOf(m), input, today);
      if (Object.keys(errors).length) throw AppError.invalid(errors);
      if (input.kind !== "suspension" && (input.searchedOn || input.searchNote))
        throw AppError.invalid({ searchNote: "查找情况只在停止党籍时填写" });
      if (input.kind !== "death" && !input.decisionBody)
        throw AppError.invalid({ decisionBody: "请填写决定机关（如：某某党支部支部大会）" });
      if (input.decidedOn && input.decidedOn > today) throw AppError.invalid({ decidedOn: "决定日期不能晚于今天" });
      const pending = pendingOf(tx, memberId);
      if (pending) throw AppError.conflict(`该党员已有待审批的“${MEMBERSHIP_CHANGE.label[pending.kind]}”，审批后才能再办理。`);
      if (endsMembership(input.kind)) {
        const transfer = pendingTransferOf(tx, memberId);
        if (transfer) throw AppError.invalid({ kind: `该党员有待接收的转接（介绍信 ${transfer.letterNumber}），请先撤销或退回` });
      }
      const approvalOrg = approvingOrgOf(tx, m.orgId);
      const change = tx
        .insert(membershipChanges)
        .values({
          memberId,
          kind: input.kind,
          fromStanding: standingOf(m),
          effectiveOn: input.effectiveOn,
          reason: input.reason,
          decisionBody: input.decisionBody,
          decidedOn: input.decidedOn,
          searchedOn: input.kind === "suspension" ? input.searchedOn : null,
          searchNote: input.kind === "suspension" ? input.searchNote : null,
          orgId: m.orgId,
          approvalOrgId: approvalOrg.id,
          proposedBy: actor.id > 0 ? actor.id : null,
        })
        .returning()
        .get();
      addTimelineEntries(tx, actor, [
        {
          memberId,
          kind: "membership_proposed",
          summary: `提出${describe(change)}；报 ${approvalOrg.name} 审批`,
          details: { changeId: change.id },
        },
      ]);
      recordAudit(tx, actor, { action: "create", entity: "membership_change", entityId: change.id, after: change });
      return change;
    },
    { behavior: "immediate" },
  );
}

/** A change of a member in the actor's scope, or 404 (also when the id belongs to another member). */
function loadChange(db: Db, actor: Actor, memberId: number, changeId: number) {
  const m = getMember(db, actor, memberId);
  const change = db.select().from(membershipChanges).where(eq(membershipChanges.id, changeId)).get();
  if (!change || change.memberId !== m.id) throw AppError.notFound("党籍处理记录");
  const approvalOrg = db.select().from(organizations).where(eq(organizations.id, change.approvalOrgId)).get()!;
  return { m, change, approvalOrg };
}

function decide(db: Db, actor: Actor, memberId: number, changeId: number, today: string, approve: boolean, input: ApproveChangeInput) {
  assertCanWrite(actor);
  return db.transaction(
    (tx) => {
      const { m, change, approvalOrg } = loadChange(tx, actor, memberId, changeId);
      if (!mayApprove(actor, approvalOrg.path, change)) {
        if (change.proposedBy === actor.id) throw AppError.forbidden("提出人不能审批自己提出的事项，须由上级党委审批。");
        throw AppError.forbidden(`该事项须由 ${approvalOrg.name} 审批。`);
      }
      if (change.state !== "pending") throw AppError.conflict("该事项已审批，不能再次审批。");
      if (input.approvedOn > today) throw AppError.invalid({ approvedOn: "审批日期不能晚于今天" });
      if (input.approvedOn < change.effectiveOn) throw AppError.invalid({ approvedOn: `审批日期不能早于生效日期 ${change.effectiveOn}` });
      const approver = actor.displayName;
      if (approve) {
        // The member may have changed since the proposal (contact restored, transferred): ask again.
        if (standingOf(m) !== change.fromStanding)
          throw AppError.conflict(`该党员现在${STANDING_LABEL[standingOf(m)]}，与提出时不同，请退回后重新办理。`);
        const errors = refuseChange(factsOf(m), change, today);
        if (Object.keys(errors).length) throw AppError.invalid({ approvedOn: Object.values(errors).join("；") });
        applyToMember(tx, m, change);
      }
      const decided = tx
        .update(membershipChanges)
        .set({
          state: approve ? "approved" : "rejected",
          approvedBy: actor.id > 0 ? actor.id : null,
          approverName: approver,
          approvedOn: input.approvedOn,
          approvalNote: input.approvalNote,
          decidedAt: new Date().toISOString(),
        })
        .where(and(eq(membershipChanges.id, change.id), eq(membershipChanges.state, "pending")))
        .returning()
        .get();
      if (!decided) throw AppError.conflict("该事项刚刚已被他人审批，请刷新页面。");
      const label = MEMBERSHIP_CHANGE.label[change.kind];
      addTimelineEntries(tx, actor, [
        {
          memberId,
          kind: approve ? "membership_approved" : "membership_rejected",
          summary: approve
            ? `${approvalOrg.name} 批准${label}（${input.approvedOn}，审批人 ${approver}）：${STANDING_LABEL[standingOf(m)]} → ${STANDING_LABEL[change.kind === "restoration" ? "active" : (LEFT_REASON_OF[change.kind] as keyof typeof STANDING_LABEL)]}，自 ${change.effectiveOn} 起`
            : `${approvalOrg.name} 不予批准${label}（${input.approvedOn}，审批人 ${approver}）：${input.approvalNote}`,
          details: { changeId: change.id },
        },
      ]);
      recordAudit(tx, actor, {
        action: "update",
        entity: "membership_change",
        entityId: change.id,
        before: { state: "pending" },
        after: { state: decided.state, approvedOn: input.approvedOn, approvalNote: input.approvalNote },
      });
      return decided;
    },
    { behavior: "immediate" },
  );
}

/** The member's columns follow the approved change; an ending closes the open mobile spell. */
function applyToMember(tx: Db, m: Member, change: MembershipChange): void {
  const now = new Date().toISOString();
  if (change.kind === "restoration") {
    const afterSuspension = change.fromStanding === "suspended";
    // A restored member is back where they were held; a mobile status whose spell ended with the
    // membership does not come back by itself.
    const relationStatus = m.relationStatus === "mobile_out" ? "local" : m.relationStatus === "mobile_in" ? "unattached" : m.relationStatus;
    tx.update(members)
      .set({
        leftOn: null,
        leftReason: null,
        relationStatus,
        // Found again: the out-of-contact mark that led to the suspension ends with it.
        ...(afterSuspension ? { lostContactOn: null, lostContactReason: null } : {}),
        updatedAt: now,
      })
      .where(eq(members.id, m.id))
      .run();
    return;
  }
  const open = tx
    .select()
    .from(mobileSpells)
    .where(and(eq(mobileSpells.memberId, m.id), isNull(mobileSpells.endedOn)))
    .get();
  if (open) tx.update(mobileSpells).set({ endedOn: change.effectiveOn, endReason: "left" }).where(eq(mobileSpells.id, open.id)).run();
  tx.update(members)
    .set({
      leftOn: change.effectiveOn,
      leftReason: LEFT_REASON_OF[change.kind as Exclude<MembershipChangeKind, "restoration">],
      updatedAt: now,
    })
    .where(eq(members.id, m.id))
    .run();
}

export function approveChange(db: Db, actor: Actor, memberId: number, changeId: number, input: ApproveChangeInput, today = todayIso()) {
  return decide(db, actor, memberId, changeId, today, true, input);
}

export function rejectChange(db: Db, actor: Actor, memberId: number, changeId: number, input: RejectChangeInput, today = todayIso()) {
  return decide(db, actor, memberId, changeId, today, false, input);
}

const proposer = alias(users, "proposer");

/** The member's membership page: standing, the steps, what may be proposed, what the actor may approve. */
export function membershipOf(db: Db, actor: Actor, memberId: number) {
  const member = getMember(db, actor, memberId);
  const standing = standingOf(member);
  const changes = db
    .select({ c: membershipChanges, orgName: organizations.name, proposerName: proposer.displayName })
    .from(membershipChanges)
    .innerJoin(organizations, eq(organizations.id, membershipChanges.approvalOrgId))
    .leftJoin(proposer, eq(proposer.id, membershipChanges.proposedBy))
    .where(eq(membershipChanges.memberId, memberId))
    .orderBy(desc(membershipChanges.id))
    .all()
    .map((r) => ({ ...r.c, approvalOrgName: r.orgName, proposerName: r.proposerName }));
  const pending = changes.find((c) => c.state === "pending") ?? null;
  const approvalOrg = pending ? null : approvingOrgOf(db, member.orgId);
  const pendingOrgPath = pending ? db.select().from(organizations).where(eq(organizations.id, pending.approvalOrgId)).get()!.path : null;
  return {
    member,
    standing,
    changes,
    pending,
    approvalOrg,
    proposable: canWrite(actor) && !pending ? changesAllowedFrom(standing) : [],
    canDecide: pending != null && pendingOrgPath != null && canWrite(actor) && mayApprove(actor, pendingOrgPath, pending),
  };
}

/** Proposals waiting for the actor's committee (the inbox): clerks and administrators only. */
export function pendingApprovalCount(db: Db, actor: Actor): number {
  return pendingApprovals(db, actor, -1).length;
}

export function pendingApprovals(db: Db, actor: Actor, limit = 50) {
  if (actor.role !== "clerk" && actor.role !== "admin") return [];
  return db
    .select({
      changeId: membershipChanges.id,
      memberId: members.id,
      memberName: members.name,
      kind: membershipChanges.kind,
      effectiveOn: membershipChanges.effectiveOn,
      proposedAt: membershipChanges.proposedAt,
      orgName: organizations.name,
    })
    .from(membershipChanges)
    .innerJoin(members, eq(members.id, membershipChanges.memberId))
    .innerJoin(organizations, eq(organizations.id, membershipChanges.orgId))
    .where(
      and(
        eq(membershipChanges.state, "pending"),
        orgIdInScope(actor, membershipChanges.approvalOrgId),
        or(isNull(membershipChanges.proposedBy), ne(membershipChanges.proposedBy, actor.id)),
      ),
    )
    .orderBy(asc(membershipChanges.id))
    .limit(limit)
    .all();
}

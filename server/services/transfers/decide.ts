// Deciding a pending transfer: accept, return or cancel. Each is one transition of the state machine
// (domain/transfer-state.ts), made by a conditional UPDATE so that of two people deciding at once
// only the first wins; accepting moves the member in the same transaction.

import { and, eq, inArray, isNull, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { members, mobileSpells, transfers } from "../../../db/schema.js";
import { todayIso } from "../../domain/dates.js";
import { decide, RECEIVABLE_STATUSES, SENDABLE_STATUSES, type TransferAction } from "../../domain/transfer-state.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite } from "../../policy/actor.js";
import type { AcceptInput, CancelInput, ReturnInput } from "../../schemas/transfers.schema.js";
import { recordAudit } from "../admin/audit.js";
import type { Member } from "../members/members.service.js";
import { addTimelineEntries } from "../members/timeline.js";
import { type Org, orgById, sidesOf, type Transfer, visibleTo } from "./queries.js";

type Decided = { transfer: Transfer; member: Member | null };

/**
 * Runs one transition in an immediate transaction: loads the transfer in scope, asks the state
 * machine, then moves it with `UPDATE … WHERE state = 'pending'`. If someone else moved it first,
 * the update changes no row and the caller gets a 409 that says so.
 */
function transition(
  db: Db,
  actor: Actor,
  id: number,
  action: TransferAction,
  apply: (
    t: Transfer,
    fromOrg: Org | null,
    toOrg: Org | null,
  ) => { set: Partial<typeof transfers.$inferInsert>; after?: (tx: Db) => Member | null },
): Decided {
  assertCanWrite(actor);
  return db.transaction(
    (tx) => {
      const t = tx
        .select()
        .from(transfers)
        .where(and(eq(transfers.id, id), visibleTo(actor)))
        .get();
      if (!t) throw AppError.notFound("转接记录");
      const fromOrg = orgById(tx, t.fromOrgId);
      const toOrg = orgById(tx, t.toOrgId);
      const d = decide(t.kind, t.state, action, sidesOf(actor, fromOrg, toOrg));
      if (!d.ok) {
        if (d.status === 403) throw AppError.forbidden(d.message);
        throw AppError.conflict(d.message);
      }
      const { set, after } = apply(t, fromOrg, toOrg);
      const moved = tx
        .update(transfers)
        .set({ ...set, state: d.to, decidedBy: actor.id > 0 ? actor.id : null, decidedAt: new Date().toISOString() })
        .where(and(eq(transfers.id, id), eq(transfers.state, "pending")))
        .returning()
        .get();
      if (!moved)
        throw AppError.conflict(
          `该转接刚刚已被他人处理，您的“${action === "accept" ? "接收" : action === "return" ? "退回" : "撤销"}”没有生效。请刷新页面查看最新状态。`,
        );
      const member = after ? after(tx) : null;
      recordAudit(tx, actor, {
        action: `transfer_${action}`,
        entity: "transfer",
        entityId: id,
        before: { state: t.state },
        after: { ...set, state: d.to },
      });
      return { transfer: moved, member };
    },
    { behavior: "immediate" },
  );
}

function endOpenSpell(tx: Db, memberId: number, endedOn: string, reason: "transferred" | "left" | "returned") {
  return tx
    .update(mobileSpells)
    .set({ endedOn, endReason: reason })
    .where(and(eq(mobileSpells.memberId, memberId), isNull(mobileSpells.endedOn)))
    .returning()
    .get();
}

/**
 * The receiving side accepts (or, out of the system, the sending side records the receipt):
 * the member moves in one statement guarded by where they were, so they are never in two
 * branches or in none.
 */
export function acceptTransfer(db: Db, actor: Actor, id: number, input: AcceptInput, today = todayIso()): Decided {
  return transition(db, actor, id, "accept", (t, fromOrg, toOrg) => {
    if (input.receiptOn > today) throw AppError.invalid({ receiptOn: "回执日期不能晚于今天" });
    if (input.receiptOn < t.issuedOn) throw AppError.invalid({ receiptOn: `回执日期不能早于介绍信签发日期 ${t.issuedOn}` });
    if (toOrg && toOrg.status !== "active") throw AppError.conflict(`接收党组织“${toOrg.name}”已撤销，不能接收，请退回该转接。`);
    return {
      set: { receiptOn: input.receiptOn },
      after: (tx2) => {
        const now = new Date().toISOString();
        let moved: Member | undefined;
        let summary: string;
        if (t.kind === "internal") {
          moved = tx2
            .update(members)
            .set({
              orgId: toOrg!.id,
              relationStatus: "local",
              managedOn: sql`coalesce(${members.managedOn}, ${input.receiptOn})`,
              updatedAt: now,
            })
            .where(
              and(eq(members.id, t.memberId), eq(members.orgId, t.fromOrgId!), inArray(members.relationStatus, [...SENDABLE_STATUSES])),
            )
            .returning()
            .get();
          summary = `组织关系转接完成（${t.letterNumber}）：由 ${fromOrg!.name} 转入 ${toOrg!.name}，回执日期 ${input.receiptOn}`;
        } else if (t.kind === "outgoing") {
          moved = tx2
            .update(members)
            .set({
              relationStatus: "transferred_out",
              relationOrgName: t.externalOrgName,
              leftOn: input.receiptOn,
              leftReason: "transferred_out",
              updatedAt: now,
            })
            .where(
              and(eq(members.id, t.memberId), eq(members.orgId, t.fromOrgId!), inArray(members.relationStatus, [...SENDABLE_STATUSES])),
            )
            .returning()
            .get();
          summary = `组织关系已转出系统（${t.letterNumber}）：转往 ${t.externalOrgName}，回执日期 ${input.receiptOn}`;
        } else {
          moved = tx2
            .update(members)
            .set({
              orgId: toOrg!.id,
              relationStatus: "local",
              relationOrgName: null,
              managedOn: input.receiptOn,
              leftOn: null,
              leftReason: null,
              updatedAt: now,
            })
            .where(and(eq(members.id, t.memberId), inArray(members.relationStatus, [...RECEIVABLE_STATUSES])))
            .returning()
            .get();
          summary = `组织关系转入完成（${t.letterNumber}）：由 ${t.externalOrgName}（系统外）转入 ${toOrg!.name}，回执日期 ${input.receiptOn}`;
        }
        // The member moved elsewhere since the letter was issued (e.g. left): undo everything.
        if (!moved) throw AppError.conflict("该党员的组织关系状态已发生变化，不能接收该转接。请刷新页面查看，必要时退回或撤销。");
        const spell = endOpenSpell(tx2, t.memberId, input.receiptOn, "transferred");
        addTimelineEntries(tx2, actor, [
          {
            memberId: t.memberId,
            kind: "transfer_completed",
            summary: spell ? `${summary}；流动党员登记随之结束` : summary,
            details: { transferId: t.id, kind: t.kind, receiptOn: input.receiptOn, endedSpellId: spell?.id ?? null },
          },
        ]);
        return moved;
      },
    };
  });
}

export function returnTransfer(db: Db, actor: Actor, id: number, input: ReturnInput): Decided {
  return transition(db, actor, id, "return", (t) => ({
    set: { returnReason: input.returnReason },
    after: (tx2) => {
      const who = t.kind === "outgoing" ? `${t.externalOrgName}退回` : "接收方退回";
      addTimelineEntries(tx2, actor, [
        {
          memberId: t.memberId,
          kind: "transfer_returned",
          summary: `介绍信 ${t.letterNumber} 被${who}：${input.returnReason}`,
          details: { transferId: t.id, reason: input.returnReason },
        },
      ]);
      return null;
    },
  }));
}

/** The sending side withdraws a pending letter. The reason is kept in return_reason (退回/撤销原因). */
export function cancelTransfer(db: Db, actor: Actor, id: number, input: CancelInput): Decided {
  return transition(db, actor, id, "cancel", (t) => ({
    set: { returnReason: input.cancelReason },
    after: (tx2) => {
      addTimelineEntries(tx2, actor, [
        {
          memberId: t.memberId,
          kind: "transfer_cancelled",
          summary: `转出方撤销介绍信 ${t.letterNumber}：${input.cancelReason}`,
          details: { transferId: t.id, reason: input.cancelReason },
        },
      ]);
      return null;
    },
  }));
}

// Contact (失联): marking a member out of contact and restoring contact. The member stays where they
// are; six months out of contact is what the status page, the list and the inbox flag.

import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { members } from "../../../db/schema.js";
import { LOST_CONTACT_REASON } from "../../domain/codes.js";
import { daysBetween, todayIso } from "../../domain/dates.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite } from "../../policy/actor.js";
import type { LostContactInput, RestoreContactInput } from "../../schemas/transfers.schema.js";
import { recordAudit } from "../admin/audit.js";
import { assertNotFuture, assertStillMember, getMember } from "./record.js";
import { addTimelineEntries } from "./timeline.js";

export function markLostContact(db: Db, actor: Actor, memberId: number, input: LostContactInput, today = todayIso()): void {
  assertCanWrite(actor);
  db.transaction((tx) => {
    const m = getMember(tx, actor, memberId);
    assertStillMember(m);
    if (m.lostContactOn) throw AppError.conflict(`该党员已于 ${m.lostContactOn} 标记为失联。`);
    assertNotFuture("lostContactOn", input.lostContactOn, today, "失联日期");
    const n = tx
      .update(members)
      .set({ lostContactOn: input.lostContactOn, lostContactReason: input.lostContactReason, updatedAt: new Date().toISOString() })
      .where(and(eq(members.id, memberId), isNull(members.lostContactOn)))
      .run().changes;
    if (n !== 1) throw AppError.conflict("该党员刚刚已被他人标记为失联，请刷新页面。");
    addTimelineEntries(tx, actor, [
      {
        memberId,
        kind: "lost_contact",
        summary: `标记为失联：自 ${input.lostContactOn} 起，原因：${LOST_CONTACT_REASON.label[input.lostContactReason]}`,
        details: { ...input },
      },
    ]);
    recordAudit(tx, actor, { action: "update", entity: "member", entityId: memberId, before: { lostContactOn: null }, after: input });
  });
}

export function restoreContact(db: Db, actor: Actor, memberId: number, input: RestoreContactInput, today = todayIso()): void {
  assertCanWrite(actor);
  db.transaction((tx) => {
    const m = getMember(tx, actor, memberId);
    assertStillMember(m);
    if (!m.lostContactOn) throw AppError.conflict("该党员没有失联记录。");
    assertNotFuture("restoredOn", input.restoredOn, today, "恢复联系日期");
    if (input.restoredOn < m.lostContactOn) throw AppError.invalid({ restoredOn: `恢复联系日期不能早于失联日期 ${m.lostContactOn}` });
    tx.update(members)
      .set({ lostContactOn: null, lostContactReason: null, updatedAt: new Date().toISOString() })
      .where(eq(members.id, memberId))
      .run();
    const days = daysBetween(m.lostContactOn, input.restoredOn);
    addTimelineEntries(tx, actor, [
      {
        memberId,
        kind: "contact_restored",
        summary: `恢复联系（${input.restoredOn}）：此前自 ${m.lostContactOn} 起失联 ${days} 天`,
        details: { lostContactOn: m.lostContactOn, lostContactReason: m.lostContactReason, restoredOn: input.restoredOn },
      },
    ]);
    recordAudit(tx, actor, {
      action: "update",
      entity: "member",
      entityId: memberId,
      before: { lostContactOn: m.lostContactOn, lostContactReason: m.lostContactReason },
      after: { lostContactOn: null, restoredOn: input.restoredOn },
    });
  });
}

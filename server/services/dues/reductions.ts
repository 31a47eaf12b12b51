// Reductions and exemptions of dues (减交、免交), each with its approval. Recorded, never edited: a
// later reduction for the same months takes precedence (the newest covering a month counts).

import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { duesReductions } from "../../../db/schema.js";
import { todayIso } from "../../domain/dates.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite } from "../../policy/actor.js";
import type { ReductionInput } from "../../schemas/dues.schema.js";
import { recordAudit } from "../admin/audit.js";
import { getMember } from "../members/members.service.js";

export type Reduction = typeof duesReductions.$inferSelect;

/** The reduction or exemption that covers the member's month, if any (the newest). */
export function reductionFor(db: Db, memberId: number, month: string): Reduction | null {
  return (
    db.get<Reduction>(
      sql`SELECT id, member_id AS memberId, kind, amount_fen AS amountFen, from_month AS fromMonth, to_month AS toMonth, reason,
          approved_by AS approvedBy, approved_on AS approvedOn, created_by AS createdBy, created_at AS createdAt
        FROM dues_reductions WHERE member_id = ${memberId} AND from_month <= ${month} AND (to_month IS NULL OR to_month >= ${month})
        ORDER BY id DESC LIMIT 1`,
    ) ?? null
  );
}

export function listReductions(db: Db, memberId: number): Reduction[] {
  return db.select().from(duesReductions).where(sql`${duesReductions.memberId} = ${memberId}`).orderBy(sql`id DESC`).all();
}

export function addReduction(db: Db, actor: Actor, memberId: number, input: ReductionInput, today = todayIso()): Reduction {
  assertCanWrite(actor);
  return db.transaction((tx) => {
    const member = getMember(tx, actor, memberId);
    const errors: Record<string, string> = {};
    if (input.kind === "reduced" && (input.amount == null || input.amount <= 0)) errors.amount = "减交请填写批准后每月应交的金额";
    if (input.toMonth && input.toMonth < input.fromMonth) errors.toMonth = "截止月份不能早于起始月份";
    if (input.approvedOn > today) errors.approvedOn = "批准日期不能晚于今天";
    if (Object.keys(errors).length) throw AppError.invalid(errors);
    const created = tx
      .insert(duesReductions)
      .values({
        memberId: member.id,
        kind: input.kind,
        amountFen: input.kind === "exempt" ? 0 : input.amount!,
        fromMonth: input.fromMonth,
        toMonth: input.toMonth,
        reason: input.reason,
        approvedBy: input.approvedBy,
        approvedOn: input.approvedOn,
        createdBy: actor.id > 0 ? actor.id : null,
      })
      .returning()
      .get();
    recordAudit(tx, actor, { action: "create", entity: "dues_reduction", entityId: created.id, after: created });
    return created;
  });
}

// The printable letter (介绍信: stub, letter and receipt). Reading it writes nothing; the whole ID
// number is shown only through unmaskLetter, which checks the role and writes the audit entry.

import { eq } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { members } from "../../../db/schema.js";
import { todayIso } from "../../domain/dates.js";
import { maskIdNumber } from "../../domain/masking.js";
import { AppError } from "../../errors.js";
import { type Actor, canUnmask } from "../../policy/actor.js";
import { recordAudit } from "../admin/audit.js";
import { transferDetail } from "./queries.js";

function letterOf(db: Db, actor: Actor, id: number, unmasked: boolean, today: string) {
  const detail = transferDetail(db, actor, id, today);
  const t = detail.transfer;
  const m = db.select().from(members).where(eq(members.id, t.memberId)).get()!;
  const age = ageOn(m.birthDate, t.issuedOn);
  return {
    ...detail,
    member: {
      id: m.id,
      name: m.name,
      gender: m.gender,
      ethnicity: m.ethnicity,
      age,
      category: m.category,
      idNumber: unmasked ? m.idNumber : maskIdNumber(m.idNumber),
    },
    unmasked,
    canUnmask: canUnmask(actor),
  };
}

/** What the three-part letter prints, the ID number masked. A GET page: it writes nothing. */
export function letterView(db: Db, actor: Actor, id: number, today = todayIso()) {
  return letterOf(db, actor, id, false, today);
}

/**
 * The letter with the whole ID number, for the roles that may see it (asked for by a POST, as on the
 * member page), audited. Refused by role before the id is looked at: a 403 says nothing about it.
 */
export function unmaskLetter(db: Db, actor: Actor, id: number, today = todayIso(), ctx: { ip?: string | null } = {}) {
  if (!canUnmask(actor)) throw AppError.forbidden("您的角色不能查看完整的身份证号。");
  return db.transaction((tx) => {
    const v = letterOf(tx, actor, id, true, today);
    recordAudit(tx, actor, {
      action: "unmask",
      entity: "member",
      entityId: v.member.id,
      details: { field: "idNumber", via: "transfer_letter", transferId: v.transfer.id },
      ip: ctx.ip ?? null,
    });
    return v;
  });
}

function ageOn(birthDate: string, on: string): number {
  const [by, bm, bd] = birthDate.split("-").map(Number) as [number, number, number];
  const [y, mo, d] = on.split("-").map(Number) as [number, number, number];
  return y - by - (mo < bm || (mo === bm && d < bd) ? 1 : 0);
}

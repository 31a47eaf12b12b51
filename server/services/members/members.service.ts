// Members (党员): one record and its forms; the area's entry, which callers import from. The record's
// reads (lookup, detail, unmask, search, form options) live in record.ts, the form's resolution and
// checks in form.ts, the list in list.ts, the timeline in timeline.ts, mobile spells and leaving in
// mobile.ts, contact in contact.ts; the cross-field rules in domain/member-rules.ts. Every change
// writes a timeline event and an audit entry in the same transaction.
// Members are never deleted: there is no function for it.

import { eq, inArray } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, members, organizations } from "../../../db/schema.js";
import { changeSummary, diffMember, maskedSnapshot } from "../../domain/member-rules.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite } from "../../policy/actor.js";
import type { MemberCreateInput, MemberUpdateInput } from "../../schemas/members.schema.js";
import { recordAudit } from "../admin/audit.js";
import { resolve, valuesOf } from "./form.js";
import { getMember, type Member } from "./record.js";
import { addTimelineEntries } from "./timeline.js";

export { FORM_RELATION_STATUSES } from "./form.js";
export {
  assertNotFuture,
  assertStillMember,
  getMember,
  type Member,
  type MemberDetail,
  memberDetail,
  memberFormOptions,
  memberFormValues,
  type NumberSearchResult,
  relationPlace,
  searchByNumber,
  unmaskMember,
} from "./record.js";

function namesFor(db: Db, orgIds: (number | null)[], enterpriseIds: (number | null)[]) {
  const o = orgIds.filter((x): x is number => x != null);
  const e = enterpriseIds.filter((x): x is number => x != null);
  return {
    org: new Map(
      o.length
        ? db
            .select({ id: organizations.id, name: organizations.name })
            .from(organizations)
            .where(inArray(organizations.id, o))
            .all()
            .map((r) => [r.id, r.name])
        : [],
    ),
    enterprise: new Map(
      e.length
        ? db
            .select({ id: enterprises.id, name: enterprises.name })
            .from(enterprises)
            .where(inArray(enterprises.id, e))
            .all()
            .map((r) => [r.id, r.name])
        : [],
    ),
  };
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

export function createMember(db: Db, actor: Actor, input: MemberCreateInput, today: string): Member {
  assertCanWrite(actor);
  try {
    return db.transaction((tx) => {
      const v = resolve(tx, actor, input, null, today);
      const created = tx
        .insert(members)
        .values({ ...v, idLast4: v.idNumber.slice(-4), phoneLast4: v.phone ? v.phone.slice(-4) : null })
        .returning()
        .get();
      const names = namesFor(tx, [v.orgId], [v.enterpriseId]);
      addTimelineEntries(tx, actor, [
        {
          memberId: created.id,
          kind: "created",
          summary: `登记党员信息，编入“${names.org.get(v.orgId) ?? ""}”`,
          details: maskedSnapshot(v),
        },
      ]);
      recordAudit(tx, actor, { action: "create", entity: "member", entityId: created.id, after: maskedSnapshot(v) });
      return created;
    });
  } catch (err) {
    // Two clerks saving the same person at once: the UNIQUE index decides, the user gets the field error.
    if (isUniqueViolation(err)) throw AppError.invalid({ idNumber: "该身份证号已登记为党员，请勿重复录入" });
    throw err;
  }
}

export function updateMember(
  db: Db,
  actor: Actor,
  id: number,
  input: MemberUpdateInput,
  today: string,
): { member: Member; changed: number } {
  assertCanWrite(actor);
  try {
    return db.transaction((tx) => {
      const before = getMember(tx, actor, id);
      const v = resolve(tx, actor, input, before, today);
      const changes = diffMember(valuesOf(before), v);
      if (changes.length === 0) return { member: before, changed: 0 };
      const updated = tx
        .update(members)
        .set({ ...v, idLast4: v.idNumber.slice(-4), phoneLast4: v.phone ? v.phone.slice(-4) : null, updatedAt: new Date().toISOString() })
        .where(eq(members.id, id))
        .returning()
        .get();
      const names = namesFor(
        tx,
        changes.filter((c) => c.field === "orgId").flatMap((c) => [c.before as number | null, c.after as number | null]),
        changes.filter((c) => c.field === "enterpriseId").flatMap((c) => [c.before as number | null, c.after as number | null]),
      );
      const beforeSnap: Record<string, unknown> = {};
      const afterSnap: Record<string, unknown> = {};
      for (const c of changes) {
        beforeSnap[c.field] = c.before;
        afterSnap[c.field] = c.after;
      }
      addTimelineEntries(tx, actor, [
        {
          memberId: id,
          kind: "updated",
          summary: changeSummary(changes, names),
          details: { fields: changes.map((c) => c.field), before: maskedSnapshot(beforeSnap), after: maskedSnapshot(afterSnap) },
        },
      ]);
      recordAudit(tx, actor, {
        action: "update",
        entity: "member",
        entityId: id,
        before: maskedSnapshot(beforeSnap),
        after: maskedSnapshot(afterSnap),
      });
      return { member: updated, changed: changes.length };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw AppError.invalid({ idNumber: "该身份证号已登记为党员，请勿重复录入" });
    throw err;
  }
}

// A branch's month of dues: who is listed, what each paid, the bulk entry, closing the month, and
// corrections of a closed month (a new entry linked to the one it corrects; never an edit).

import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { duesEntries, duesMonthClosings } from "../../../db/schema.js";
import { todayIso } from "../../domain/dates.js";
import {
  addMonthsToMonth,
  computeDue,
  type Due,
  type DueInput,
  earliestBackPaymentMonth,
  formatYuan,
  BACK_PAYMENT_MAX_MONTHS,
} from "../../domain/dues-rules.js";
import { AppError, type FieldErrors } from "../../errors.js";
import { type Actor, assertCanWrite } from "../../policy/actor.js";
import type { BulkEntryInput, CorrectionInput, EntryRow } from "../../schemas/dues.schema.js";
import { recordAudit } from "../admin/audit.js";
import { entryInScope, isClosed, ledgerOrg } from "./access.js";
import { reductionFor } from "./reductions.js";
import { effectiveEntrySql, rosterSql } from "./sql.js";

export type Entry = typeof duesEntries.$inferSelect;

export type MonthRow = {
  memberId: number;
  name: string;
  category: string;
  relationStatus: string;
  entry: Entry | null;
  /** The previous month's entry, to prefill the base. */
  previous: Entry | null;
  reduction: { kind: string; amountFen: number } | null;
  state: "paid" | "delayed" | "partial" | "unpaid";
};

function stateOf(e: Entry | null): MonthRow["state"] {
  if (!e) return "unpaid";
  if (e.paidFen >= e.dueFen) return "paid";
  if (e.delayed) return "delayed";
  return e.paidFen > 0 ? "partial" : "unpaid";
}

function effectiveEntries(db: Db, orgId: number, month: string): Map<number, Entry> {
  const rows = db
    .select()
    .from(duesEntries)
    .where(and(eq(duesEntries.orgId, orgId), eq(duesEntries.month, month), sql`${effectiveEntrySql("dues_entries")}`))
    .all();
  return new Map(rows.map((e) => [e.memberId, e]));
}

/** The branch's members for the month with their entries and totals. */
export function branchMonth(db: Db, actor: Actor, orgId: number, month: string) {
  const org = ledgerOrg(db, actor, orgId);
  const roster = db.all<{ member_id: number; name: string; category: string; relation_status: string }>(
    sql`SELECT r.member_id, m.name, m.category, m.relation_status FROM (${rosterSql(sql`o.id = ${org.id}`, month)}) r
      JOIN members m ON m.id = r.member_id ORDER BY m.name, m.id`,
  );
  const entries = effectiveEntries(db, org.id, month);
  const previous = effectiveEntries(db, org.id, addMonthsToMonth(month, -1));
  const rows: MonthRow[] = roster.map((r) => {
    const entry = entries.get(r.member_id) ?? null;
    const red = reductionFor(db, r.member_id, month);
    return {
      memberId: r.member_id,
      name: r.name,
      category: r.category,
      relationStatus: r.relation_status,
      entry,
      previous: previous.get(r.member_id) ?? null,
      reduction: red ? { kind: red.kind, amountFen: red.amountFen } : null,
      state: stateOf(entry),
    };
  });
  const totals = {
    members: rows.length,
    paid: rows.filter((r) => r.state === "paid").length,
    delayed: rows.filter((r) => r.state === "delayed").length,
    unpaid: rows.filter((r) => r.state === "unpaid" || r.state === "partial").length,
    dueFen: rows.reduce((s, r) => s + (r.entry?.dueFen ?? 0), 0),
    paidFen: rows.reduce((s, r) => s + (r.entry?.paidFen ?? 0), 0),
  };
  const closing = db
    .select()
    .from(duesMonthClosings)
    .where(and(eq(duesMonthClosings.orgId, org.id), eq(duesMonthClosings.month, month)))
    .get();
  return { org, month, rows, totals, closing: closing ?? null, closable: !closing && rows.length > 0 && totals.unpaid === 0 };
}

/** The due of a member's month: an approved reduction or exemption first, else the basis typed. */
function dueFor(
  db: Db,
  memberId: number,
  month: string,
  row: Pick<EntryRow, "basis" | "incomeFen">,
  field: string,
  errors: FieldErrors,
): Due | null {
  const red = reductionFor(db, memberId, month);
  if (red) return computeDue(red.kind === "exempt" ? { basis: "exempt" } : { basis: "reduced", amountFen: red.amountFen });
  let input: DueInput;
  if (row.basis === "flat") input = { basis: "flat" };
  else if (row.incomeFen == null) {
    errors[field] = row.basis === "regular" ? "请填写月工资收入（税后，元）" : "请填写上季度纯收入合计（元）";
    return null;
  } else
    input =
      row.basis === "regular" ? { basis: "regular", incomeFen: row.incomeFen } : { basis: "irregular", quarterIncomeFen: row.incomeFen };
  return computeDue(input);
}

type Planned = {
  memberId: number;
  month: string;
  due: Due;
  paidFen: number;
  delayed: boolean;
  delayReason: string | null;
  method: EntryRow["method"];
};

/**
 * Records the month's bulk entry. Every row is checked first (a member not listed by the branch for
 * the month, a closed month, a back payment over six months, an amount without a method); one error
 * and nothing is written.
 */
export function recordMonth(db: Db, actor: Actor, orgId: number, input: BulkEntryInput, today = todayIso()) {
  assertCanWrite(actor);
  return db.transaction(
    (tx) => {
      const org = ledgerOrg(tx, actor, orgId);
      const { month } = input;
      if (month > today.slice(0, 7)) throw AppError.invalid({ month: "不能录入以后月份的党费（预交请在本月录入时填写连交月数）" });
      if (isClosed(tx, org.id, month)) throw AppError.conflict(`${month} 已结账，不能修改；如需更正，请在党员的党费记录中登记更正。`);
      const listed = new Set(
        tx.all<{ member_id: number }>(sql`SELECT member_id FROM (${rosterSql(sql`o.id = ${org.id}`, month)})`).map((r) => r.member_id),
      );
      const errors: FieldErrors = {};
      if (input.paidOn && input.paidOn > today) errors.paidOn = "交纳日期不能晚于今天";
      const plans: Planned[] = [];
      for (const row of input.rows) {
        const id = row.memberId;
        if (!listed.has(id)) {
          errors.ids = "所列党员中有不属于本支部本月党费名单的人员，未录入";
          continue;
        }
        const typed = row.incomeFen != null || row.paidFen != null || row.full || row.delayReason != null;
        if (!typed) continue;
        const paying = row.full || (row.paidFen ?? 0) > 0;
        if (paying) {
          if (!input.paidOn) errors.paidOn = "有党员交纳时请填写交纳日期";
          else if (month < earliestBackPaymentMonth(input.paidOn))
            errors[`paid_${id}`] =
              `补交党费一般不超过 ${BACK_PAYMENT_MAX_MONTHS} 个月：${input.paidOn} 交纳的最早只能补交 ${earliestBackPaymentMonth(input.paidOn)}`;
          if (!row.method) errors[`method_${id}`] = "请选择交纳方式";
        }
        if (row.months > 1 && !row.full) errors[`months_${id}`] = "一次交纳多个月时请勾选“交足”";
        for (let k = 0; k < row.months; k++) {
          const m = addMonthsToMonth(month, k);
          const due = dueFor(tx, id, m, row, `income_${id}`, errors);
          if (!due) break;
          if (k > 0 && isClosed(tx, org.id, m)) {
            errors[`months_${id}`] = `${m} 已结账`;
            break;
          }
          const paidFen = row.full ? due.dueFen : (row.paidFen ?? 0);
          const delayed = !!row.delayReason && paidFen < due.dueFen;
          plans.push({
            memberId: id,
            month: m,
            due,
            paidFen,
            delayed,
            delayReason: delayed ? row.delayReason : null,
            method: paidFen > 0 ? row.method : null,
          });
        }
      }
      if (Object.keys(errors).length) throw AppError.invalid(errors);

      const written: number[] = [];
      for (const p of plans) {
        const values = {
          basis: p.due.basis,
          baseFen: p.due.baseFen,
          rateBp: p.due.rateBp,
          dueFen: p.due.dueFen,
          paidFen: p.paidFen,
          paidOn: p.paidFen > 0 ? input.paidOn : null,
          method: p.method,
          collector: p.paidFen > 0 ? input.collector : null,
          delayed: p.delayed,
          delayReason: p.delayReason,
        };
        const existing = effectiveEntries(tx, org.id, p.month).get(p.memberId);
        if (existing) {
          tx.update(duesEntries)
            .set({ ...values, updatedAt: new Date().toISOString() })
            .where(eq(duesEntries.id, existing.id))
            .run();
          written.push(existing.id);
        } else {
          const e = tx
            .insert(duesEntries)
            .values({ ...values, memberId: p.memberId, orgId: org.id, month: p.month, createdBy: actor.id > 0 ? actor.id : null })
            .returning({ id: duesEntries.id })
            .get();
          written.push(e.id);
        }
      }
      recordAudit(tx, actor, {
        action: "dues_record",
        entity: "dues_month",
        entityId: `${org.id}:${month}`,
        details: { orgId: org.id, month, entries: written.length, entryIds: written, paidFen: plans.reduce((s, p) => s + p.paidFen, 0) },
      });
      return { org, month, entries: written.length, paidFen: plans.reduce((s, p) => s + p.paidFen, 0) };
    },
    { behavior: "immediate" },
  );
}

/** Closes the month: only when every member listed is paid in full or delayed with a reason. */
export function closeMonth(db: Db, actor: Actor, orgId: number, month: string, today = todayIso()) {
  assertCanWrite(actor);
  return db.transaction(
    (tx) => {
      const m = branchMonth(tx, actor, orgId, month);
      if (month > today.slice(0, 7)) throw AppError.invalid({ month: "不能为以后的月份结账" });
      if (m.closing) throw AppError.conflict(`${month} 已于 ${m.closing.closedAt.slice(0, 10)} 结账。`);
      if (!m.rows.length) throw AppError.invalid({ month: "本月没有应交党费的党员，无需结账" });
      const open = m.rows.filter((r) => r.state === "unpaid" || r.state === "partial");
      if (open.length)
        throw AppError.invalid({
          month: `还有 ${open.length} 名党员未交足也未登记缓交原因：${open
            .slice(0, 10)
            .map((r) => r.name)
            .join("、")}${open.length > 10 ? " 等" : ""}`,
        });
      const closing = tx
        .insert(duesMonthClosings)
        .values({
          orgId: m.org.id,
          month,
          members: m.totals.members,
          dueFen: m.totals.dueFen,
          paidFen: m.totals.paidFen,
          closedBy: actor.id > 0 ? actor.id : null,
        })
        .returning()
        .get();
      recordAudit(tx, actor, { action: "dues_close", entity: "dues_month", entityId: `${m.org.id}:${month}`, after: closing });
      return closing;
    },
    { behavior: "immediate" },
  );
}

/** The entry a correction would replace, with its branch's closing (the form's locals). */
export function entryForCorrection(db: Db, actor: Actor, entryId: number) {
  const entry = entryInScope(db, actor, entryId);
  const corrected = db.get<{ id: number }>(sql`SELECT id FROM dues_entries WHERE corrects_entry_id = ${entry.id}`);
  return { entry, closed: isClosed(db, entry.orgId, entry.month), correctedBy: corrected?.id ?? null };
}

/**
 * Corrects an entry of a closed month: a new entry, linked to the one it corrects, which stays as it
 * was. An open month is edited on its entry page instead; an entry already corrected is corrected
 * through its latest correction.
 */
export function correctEntry(db: Db, actor: Actor, entryId: number, input: CorrectionInput, today = todayIso()) {
  assertCanWrite(actor);
  return db.transaction(
    (tx) => {
      const { entry, closed, correctedBy } = entryForCorrection(tx, actor, entryId);
      if (!closed) throw AppError.conflict(`${entry.month} 尚未结账，请在支部的本月党费录入中直接修改。`);
      if (correctedBy) throw AppError.conflict("该记录已被更正过，请更正最新的一条记录。");
      const errors: FieldErrors = {};
      const due = dueFor(tx, entry.memberId, entry.month, { basis: input.basis, incomeFen: input.income }, "income", errors);
      const paidFen = input.paid ?? 0;
      if (paidFen > 0 && !input.paidOn) errors.paidOn = "请填写交纳日期";
      if (input.paidOn && input.paidOn > today) errors.paidOn = "交纳日期不能晚于今天";
      if (paidFen > 0 && !input.method) errors.method = "请选择交纳方式";
      if (!due || Object.keys(errors).length) throw AppError.invalid(errors);
      const delayed = !!input.delay && paidFen < due.dueFen;
      const created = tx
        .insert(duesEntries)
        .values({
          memberId: entry.memberId,
          orgId: entry.orgId,
          month: entry.month,
          basis: due.basis,
          baseFen: due.baseFen,
          rateBp: due.rateBp,
          dueFen: due.dueFen,
          paidFen,
          paidOn: paidFen > 0 ? input.paidOn : null,
          method: paidFen > 0 ? input.method : null,
          collector: paidFen > 0 ? input.collector : null,
          delayed,
          delayReason: delayed ? input.delay : null,
          note: input.note,
          correctsEntryId: entry.id,
          createdBy: actor.id > 0 ? actor.id : null,
        })
        .returning()
        .get();
      recordAudit(tx, actor, {
        action: "dues_correct",
        entity: "dues_entry",
        entityId: created.id,
        before: entry,
        after: created,
        details: { corrects: entry.id, paidBefore: formatYuan(entry.paidFen), paidAfter: formatYuan(paidFen) },
      });
      return created;
    },
    { behavior: "immediate" },
  );
}

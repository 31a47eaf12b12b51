// Transfers of organizational relationship (组织关系转接): issuing, accepting, returning and
// cancelling, all through the one state machine in domain/transfer-state.ts. History is never
// edited: a transfer row changes only once, from pending to a final state, by a conditional UPDATE;
// a mistake is corrected by a new transfer linked to the old one.

import { and, asc, desc, eq, gt, inArray, isNull, like, lt, or, type SQL, sql } from "drizzle-orm";
import { type AnySQLiteColumn, alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../../../db/client.js";
import { memberEvents, members, mobileSpells, organizations, transfers, users } from "../../../db/schema.js";
import { MEMBER_HOLDING_KINDS, RELATION_STATUS, type RelationStatus, TRANSFER_KIND, TRANSFER_STATE } from "../../domain/codes.js";
import { todayIso } from "../../domain/dates.js";
import { maskIdNumber } from "../../domain/masking.js";
import {
  allowedActions,
  decide,
  defaultValidDays,
  formatLetterNumber,
  isOverdue,
  letterDeadline,
  letterNumberPrefix,
  letterSequence,
  type TransferAction,
  type TransferSide,
  validityProblem,
} from "../../domain/transfer-state.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite, canUnmask, orgIdInScope, orgPathInScope, scopePath } from "../../policy/actor.js";
import type { AcceptInput, CancelInput, ReturnInput, TransferFilter, TransferInput } from "../../schemas/transfers.schema.js";
import { recordAudit } from "../admin/audit.js";

export type Transfer = typeof transfers.$inferSelect;
export type Member = typeof members.$inferSelect;
type Org = typeof organizations.$inferSelect;

/** Relationship statuses from which a member's relationship can be sent out of a branch here. */
export const SENDABLE_STATUSES: readonly RelationStatus[] = ["local", "mobile_out"];
/** Relationship statuses from which a member's relationship can come in from outside. */
export const RECEIVABLE_STATUSES: readonly RelationStatus[] = ["unattached", "mobile_in", "transferred_out"];

// ---------------------------------------------------------------------------------------------
// Shared helpers (also used by members/mobile.ts and inbox.service.ts)
// ---------------------------------------------------------------------------------------------

/** A member inside the actor's scope, or 404. */
export function getMemberInScope(db: Db, actor: Actor, memberId: number): Member {
  const m = db
    .select()
    .from(members)
    .where(and(eq(members.id, memberId), orgIdInScope(actor, members.orgId)))
    .get();
  if (!m) throw AppError.notFound("党员");
  return m;
}

/** Appends to the member's timeline (never edited or deleted). */
export function addMemberEvent(db: Db, actor: Actor, memberId: number, kind: string, summary: string, details: Record<string, unknown> = {}): void {
  db.insert(memberEvents)
    .values({ memberId, userId: actor.id > 0 ? actor.id : null, kind, summary, details })
    .run();
}

export function pendingTransferOf(db: Db, memberId: number): Transfer | null {
  return db
    .select()
    .from(transfers)
    .where(and(eq(transfers.memberId, memberId), eq(transfers.state, "pending")))
    .get() ?? null;
}

function orgById(db: Db, id: number | null): Org | null {
  if (id == null) return null;
  return db.select().from(organizations).where(eq(organizations.id, id)).get() ?? null;
}

/** Organizations that can manage members (branches, general branches, committees), active. */
export function memberHoldingOrgs(db: Db, actor: Actor | null) {
  const prefix = actor ? scopePath(actor) : "/";
  return db
    .select({ id: organizations.id, code: organizations.code, name: organizations.name, kind: organizations.kind, depth: organizations.depth })
    .from(organizations)
    .where(
      and(
        eq(organizations.status, "active"),
        inArray(organizations.kind, [...MEMBER_HOLDING_KINDS]),
        prefix === "/" ? undefined : like(organizations.path, `${prefix}%`),
      ),
    )
    .orderBy(asc(organizations.path))
    .all();
}

const userName = (db: Db, id: number | null) => (id == null ? null : (db.select({ n: users.displayName }).from(users).where(eq(users.id, id)).get()?.n ?? null));

// ---------------------------------------------------------------------------------------------
// Reading
// ---------------------------------------------------------------------------------------------

/** A transfer is visible from either end: the sending side and the side it is addressed to. */
function visibleTo(actor: Actor): SQL {
  if (scopePath(actor) === "/") return sql`1 = 1`;
  return or(orgIdInScope(actor, transfers.fromOrgId), orgIdInScope(actor, transfers.toOrgId))!;
}

/** Which sides of the transfer the actor stands on (a clerk above both branches stands on both). */
export function sidesOf(actor: Actor, fromOrg: Pick<Org, "path"> | null, toOrg: Pick<Org, "path"> | null): TransferSide[] {
  const sides: TransferSide[] = [];
  if (fromOrg && orgPathInScope(actor, fromOrg.path)) sides.push("sender");
  if (toOrg && orgPathInScope(actor, toOrg.path)) sides.push("receiver");
  return sides;
}

const fromOrgT = alias(organizations, "from_org");
const toOrgT = alias(organizations, "to_org");
const correctedT = alias(transfers, "corrected");

const listColumns = {
  t: transfers,
  memberName: members.name,
  memberGender: members.gender,
  memberIdNumber: members.idNumber,
  memberCategory: members.category,
  memberRelationStatus: members.relationStatus,
  fromOrgName: fromOrgT.name,
  fromOrgCode: fromOrgT.code,
  toOrgName: toOrgT.name,
  toOrgCode: toOrgT.code,
  correctsLetterNumber: correctedT.letterNumber,
};

export type TransferListRow = Transfer & {
  memberName: string;
  memberGender: string;
  memberIdNumber: string;
  memberCategory: string;
  memberRelationStatus: string;
  fromOrgName: string | null;
  fromOrgCode: string | null;
  toOrgName: string | null;
  toOrgCode: string | null;
  correctsLetterNumber: string | null;
  /** Where it comes from and goes to, in words (system organization or the named outside one). */
  fromLabel: string;
  toLabel: string;
  overdue: boolean;
};

function flatten(r: { t: Transfer } & Omit<TransferListRow, keyof Transfer | "fromLabel" | "toLabel" | "overdue">, today: string): TransferListRow {
  const { t, ...rest } = r;
  return {
    ...t,
    ...rest,
    fromLabel: t.kind === "incoming" ? `${t.externalOrgName ?? "系统外党组织"}（系统外）` : (rest.fromOrgName ?? "—"),
    toLabel: t.kind === "outgoing" ? `${t.externalOrgName ?? "系统外党组织"}（系统外）` : (rest.toOrgName ?? "—"),
    overdue: isOverdue(t, today),
  };
}

function filterConditions(db: Db, actor: Actor, f: Partial<TransferFilter>, today: string): SQL {
  const where: (SQL | undefined)[] = [visibleTo(actor)];
  if (f.kind) where.push(eq(transfers.kind, f.kind));
  if (f.state) where.push(eq(transfers.state, f.state));
  if (f.from) where.push(sql`${transfers.issuedOn} >= ${f.from}`);
  if (f.to) where.push(sql`${transfers.issuedOn} <= ${f.to}`);
  if (f.overdue) where.push(and(eq(transfers.state, "pending"), lt(transfers.deadlineOn, today)));
  if (f.org) {
    // Transfers from or to the chosen organization or any organization below it.
    const org = orgById(db, f.org);
    const prefix = org?.path ?? "/nothing/";
    const inSubtree = (col: AnySQLiteColumn) => sql`${col} IN (SELECT id FROM organizations WHERE substr(path, 1, ${prefix.length}) = ${prefix})`;
    where.push(or(inSubtree(transfers.fromOrgId), inSubtree(transfers.toOrgId)));
  }
  if (f.q) {
    const q = f.q.replace(/[%_\\]/g, (c) => `\\${c}`);
    where.push(sql`(${members.name} LIKE ${`%${q}%`} ESCAPE '\\' OR ${transfers.letterNumber} LIKE ${`%${q}%`} ESCAPE '\\')`);
  }
  return and(...where)!;
}

function baseQuery(db: Db) {
  return db
    .select(listColumns)
    .from(transfers)
    .innerJoin(members, eq(members.id, transfers.memberId))
    .leftJoin(fromOrgT, eq(fromOrgT.id, transfers.fromOrgId))
    .leftJoin(toOrgT, eq(toOrgT.id, transfers.toOrgId))
    .leftJoin(correctedT, eq(correctedT.id, transfers.correctsTransferId));
}

export function listTransfers(db: Db, actor: Actor, f: Partial<TransferFilter>, today = todayIso(), pageSize = 30) {
  const page = f.page ?? 1;
  const cond = filterConditions(db, actor, f, today);
  const rows = baseQuery(db)
    .where(cond)
    .orderBy(desc(transfers.issuedOn), desc(transfers.id))
    .limit(pageSize + 1)
    .offset((page - 1) * pageSize)
    .all();
  const total = db
    .select({ n: sql<number>`count(*)` })
    .from(transfers)
    .innerJoin(members, eq(members.id, transfers.memberId))
    .where(cond)
    .get()!.n;
  return { rows: rows.slice(0, pageSize).map((r) => flatten(r, today)), hasMore: rows.length > pageSize, total, page };
}

/** Every transfer matching the filters, in ledger order, read in chunks (for the export). */
export function* ledgerRows(db: Db, actor: Actor, f: Partial<TransferFilter>, today = todayIso(), chunk = 1000): Generator<TransferListRow> {
  const cond = filterConditions(db, actor, f, today);
  let afterId = 0;
  for (;;) {
    const rows = baseQuery(db)
      .where(and(cond, gt(transfers.id, afterId)))
      .orderBy(asc(transfers.id))
      .limit(chunk)
      .all();
    for (const r of rows) yield flatten(r, today);
    if (rows.length < chunk) return;
    afterId = rows[rows.length - 1]!.t.id;
  }
}

/** Pending and overdue transfers visible to the actor (either side), for dashboards. */
export function transferCounts(db: Db, actor: Actor, today = todayIso()) {
  const row = db
    .select({
      pending: sql<number>`count(*)`,
      overdue: sql<number>`coalesce(sum(case when ${transfers.deadlineOn} < ${today} then 1 else 0 end), 0)`,
    })
    .from(transfers)
    .where(and(eq(transfers.state, "pending"), visibleTo(actor)))
    .get()!;
  return { pending: row.pending, overdue: row.overdue };
}

/** One transfer visible to the actor, or 404. */
export function getTransfer(db: Db, actor: Actor, id: number, today = todayIso()): TransferListRow {
  const r = baseQuery(db)
    .where(and(eq(transfers.id, id), visibleTo(actor)))
    .get();
  if (!r) throw AppError.notFound("转接记录");
  return flatten(r, today);
}

export function transferDetail(db: Db, actor: Actor, id: number, today = todayIso()) {
  const t = getTransfer(db, actor, id, today);
  const fromOrg = orgById(db, t.fromOrgId);
  const toOrg = orgById(db, t.toOrgId);
  const sides = sidesOf(actor, fromOrg, toOrg);
  const actions: TransferAction[] = actor.role === "supervisor" ? [] : allowedActions(t.kind, t.state, sides);
  const corrects = t.correctsTransferId ? (db.select().from(transfers).where(eq(transfers.id, t.correctsTransferId)).get() ?? null) : null;
  const correctedBy = db.select().from(transfers).where(eq(transfers.correctsTransferId, t.id)).orderBy(asc(transfers.id)).all();
  const memberVisible = !!db.select({ id: members.id }).from(members).where(and(eq(members.id, t.memberId), orgIdInScope(actor, members.orgId))).get();
  return {
    transfer: t,
    fromOrg,
    toOrg,
    sides,
    actions,
    corrects,
    correctedBy,
    memberVisible,
    createdByName: userName(db, t.createdBy),
    decidedByName: userName(db, t.decidedBy),
    // Only a final transfer can be corrected, by whoever could have sent it.
    canCorrect: actor.role !== "supervisor" && t.state !== "pending" && memberVisible,
  };
}

/** All transfers of one member, newest first (the member page and the mobile page show them). */
export function transfersOfMember(db: Db, actor: Actor, memberId: number, today = todayIso()): TransferListRow[] {
  return baseQuery(db)
    .where(and(eq(transfers.memberId, memberId), visibleTo(actor)))
    .orderBy(desc(transfers.id))
    .all()
    .map((r) => flatten(r, today));
}

/** Members in scope matching a name or the last four digits of the ID number, to start a transfer. */
export function findMembers(db: Db, actor: Actor, q: string, limit = 20) {
  const term = q.trim();
  if (!term) return [];
  const cond = /^\d{3}[\dXx]$/.test(term)
    ? eq(members.idLast4, term.toUpperCase())
    : sql`${members.name} LIKE ${`%${term.replace(/[%_\\]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`;
  return db
    .select({ id: members.id, name: members.name, idNumber: members.idNumber, relationStatus: members.relationStatus, orgName: organizations.name, leftOn: members.leftOn })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.orgId))
    .where(and(cond, orgIdInScope(actor, members.orgId)))
    .orderBy(asc(members.name), asc(members.id))
    .limit(limit)
    .all();
}

// ---------------------------------------------------------------------------------------------
// Issuing
// ---------------------------------------------------------------------------------------------

/** The next letter number of an issuing organization for the year of the issue date. */
export function nextLetterNumber(db: Db, org: Pick<Org, "code">, issuedOn: string): string {
  const year = issuedOn.slice(0, 4);
  const prefix = letterNumberPrefix(org.code, year);
  const rows = db
    .select({ n: transfers.letterNumber })
    .from(transfers)
    .where(sql`substr(${transfers.letterNumber}, 1, ${prefix.length}) = ${prefix}`)
    .all();
  let max = 0;
  for (const r of rows) max = Math.max(max, letterSequence(r.n, prefix) ?? 0);
  return formatLetterNumber(org.code, year, max + 1);
}

function assertMemberCanMove(m: Member) {
  if (m.leftOn && m.leftReason && m.leftReason !== "transferred_out") {
    const why = m.leftReason === "deceased" ? "去世" : "被开除党籍";
    throw AppError.invalid({ memberId: `该党员已于 ${m.leftOn} ${why}，不能办理组织关系转接` });
  }
}

/** Issues (or, into the system, registers) a transfer. `today` bounds the dates (the demo seed passes its own). */
export function issueTransfer(db: Db, actor: Actor, input: TransferInput, today = todayIso()): Transfer {
  assertCanWrite(actor);
  return db.transaction(
    (tx) => {
      const member = getMemberInScope(tx, actor, input.memberId);
      assertMemberCanMove(member);
      const statusLabel = RELATION_STATUS.label[member.relationStatus];
      const errors: Record<string, string> = {};

      let fromOrg: Org | null = null;
      let toOrg: Org | null = null;
      let externalOrgName: string | null = null;
      if (input.kind === "internal" || input.kind === "outgoing") {
        if (!SENDABLE_STATUSES.includes(member.relationStatus)) {
          throw AppError.invalid({ memberId: `该党员当前为“${statusLabel}”，组织关系不在本系统的党组织，不能转出；组织关系从系统外转来请选“转入系统”` });
        }
        fromOrg = orgById(tx, member.orgId)!;
        // The sending side: the branch's secretary, or a clerk or admin above it.
        if (!orgPathInScope(actor, fromOrg.path)) throw AppError.forbidden("只有转出党组织的书记或其上级党委工作人员才能开具介绍信。");
      } else if (!RECEIVABLE_STATUSES.includes(member.relationStatus)) {
        throw AppError.invalid({ memberId: `该党员当前为“${statusLabel}”，组织关系已在本系统的党组织，请选“系统内转接”` });
      }

      if (input.kind === "internal" || input.kind === "incoming") {
        if (input.toOrgId == null) errors.toOrgId = "请选择接收党组织";
        else {
          toOrg = orgById(tx, input.toOrgId);
          if (toOrg?.status !== "active" || !MEMBER_HOLDING_KINDS.includes(toOrg.kind)) errors.toOrgId = "接收党组织不存在、已撤销或不能直接管理党员";
          else if (input.kind === "internal" && toOrg.id === member.orgId) errors.toOrgId = "接收党组织不能是该党员现在所在的党组织";
          else if (input.kind === "incoming" && !orgPathInScope(actor, toOrg.path)) errors.toOrgId = "只能转入您管辖范围内的党组织";
        }
      }
      if (input.kind === "outgoing" || input.kind === "incoming") {
        externalOrgName = input.externalOrgName;
        if (!externalOrgName) errors.externalOrgName = input.kind === "outgoing" ? "请填写转往的系统外党组织名称" : "请填写转出（开具介绍信）的系统外党组织名称";
      }

      if (input.issuedOn > today) errors.issuedOn = "签发日期不能晚于今天";
      const validDays = input.validDays ?? defaultValidDays(input.kind);
      const vp = validityProblem(input.issuedOn, validDays);
      if (vp) errors.validDays = vp;
      if (input.kind !== "incoming" && !input.duesPaidTo) errors.duesPaidTo = "请填写党费交至的年月（例如 2025-06）";

      let letterNumber: string;
      if (input.kind === "incoming") {
        if (!input.letterNumber) errors.letterNumber = "请填写系统外党组织开具的介绍信编号";
        letterNumber = input.letterNumber ?? "";
      } else if (input.kind === "outgoing" && input.letterNumber) {
        letterNumber = input.letterNumber;
      } else {
        letterNumber = fromOrg ? nextLetterNumber(tx, fromOrg, input.issuedOn) : "";
      }
      if (letterNumber && tx.select({ id: transfers.id }).from(transfers).where(eq(transfers.letterNumber, letterNumber)).get()) {
        errors.letterNumber = `介绍信编号“${letterNumber}”已被使用`;
      }

      let corrects: Transfer | null = null;
      if (input.correctsTransferId != null) {
        corrects = tx.select().from(transfers).where(and(eq(transfers.id, input.correctsTransferId), visibleTo(actor))).get() ?? null;
        if (!corrects || corrects.memberId !== member.id) errors.correctsTransferId = "要更正的转接不存在或不是该党员的";
        else if (corrects.state === "pending") errors.correctsTransferId = "待接收的转接不需要更正：可直接撤销或退回";
      }
      if (Object.keys(errors).length) throw AppError.invalid(errors);

      const pending = pendingTransferOf(tx, member.id);
      if (pending) {
        throw AppError.invalid({ memberId: `该党员已有一条待接收的转接（介绍信 ${pending.letterNumber}），须先办结、退回或撤销，才能再开具` });
      }

      const created = tx
        .insert(transfers)
        .values({
          memberId: member.id,
          kind: input.kind,
          fromOrgId: fromOrg?.id ?? null,
          toOrgId: toOrg?.id ?? null,
          externalOrgName,
          letterNumber,
          issuedOn: input.issuedOn,
          validDays,
          deadlineOn: letterDeadline(input.issuedOn, validDays),
          duesPaidTo: input.duesPaidTo,
          reason: input.reason,
          state: "pending",
          correctsTransferId: corrects?.id ?? null,
          createdBy: actor.id > 0 ? actor.id : null,
        })
        .returning()
        .get();

      const fromLabel = fromOrg?.name ?? `${externalOrgName}（系统外）`;
      const toLabel = toOrg?.name ?? `${externalOrgName}（系统外）`;
      const summary =
        input.kind === "incoming"
          ? `登记转入介绍信（${letterNumber}）：由 ${fromLabel} 转入 ${toLabel}，待接收`
          : `开具组织关系介绍信（${letterNumber}）：由 ${fromLabel} 转往 ${toLabel}，有效期至 ${created.deadlineOn}`;
      addMemberEvent(tx, actor, member.id, input.kind === "incoming" ? "transfer_registered" : "transfer_issued", corrects ? `${summary}（更正介绍信 ${corrects.letterNumber}）` : summary, {
        transferId: created.id,
        kind: input.kind,
        letterNumber,
        correctsTransferId: corrects?.id ?? null,
      });
      recordAudit(tx, actor, { action: "create", entity: "transfer", entityId: created.id, after: created });
      return created;
    },
    { behavior: "immediate" },
  );
}

// ---------------------------------------------------------------------------------------------
// Deciding: accept, return, cancel
// ---------------------------------------------------------------------------------------------

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
  apply: (t: Transfer, fromOrg: Org | null, toOrg: Org | null) => { set: Partial<typeof transfers.$inferInsert>; after?: (tx: Db) => Member | null },
): Decided {
  assertCanWrite(actor);
  return db.transaction(
    (tx) => {
      const t = tx.select().from(transfers).where(and(eq(transfers.id, id), visibleTo(actor))).get();
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
      if (!moved) throw AppError.conflict(`该转接刚刚已被他人处理，您的“${action === "accept" ? "接收" : action === "return" ? "退回" : "撤销"}”没有生效。请刷新页面查看最新状态。`);
      const member = after ? after(tx) : null;
      recordAudit(tx, actor, { action: `transfer_${action}`, entity: "transfer", entityId: id, before: { state: t.state }, after: { ...set, state: d.to } });
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
            .set({ orgId: toOrg!.id, relationStatus: "local", managedOn: sql`coalesce(${members.managedOn}, ${input.receiptOn})`, updatedAt: now })
            .where(and(eq(members.id, t.memberId), eq(members.orgId, t.fromOrgId!), inArray(members.relationStatus, [...SENDABLE_STATUSES])))
            .returning()
            .get();
          summary = `组织关系转接完成（${t.letterNumber}）：由 ${fromOrg!.name} 转入 ${toOrg!.name}，回执日期 ${input.receiptOn}`;
        } else if (t.kind === "outgoing") {
          moved = tx2
            .update(members)
            .set({ relationStatus: "transferred_out", relationOrgName: t.externalOrgName, leftOn: input.receiptOn, leftReason: "transferred_out", updatedAt: now })
            .where(and(eq(members.id, t.memberId), eq(members.orgId, t.fromOrgId!), inArray(members.relationStatus, [...SENDABLE_STATUSES])))
            .returning()
            .get();
          summary = `组织关系已转出系统（${t.letterNumber}）：转往 ${t.externalOrgName}，回执日期 ${input.receiptOn}`;
        } else {
          moved = tx2
            .update(members)
            .set({ orgId: toOrg!.id, relationStatus: "local", relationOrgName: null, managedOn: input.receiptOn, leftOn: null, leftReason: null, updatedAt: now })
            .where(and(eq(members.id, t.memberId), inArray(members.relationStatus, [...RECEIVABLE_STATUSES])))
            .returning()
            .get();
          summary = `组织关系转入完成（${t.letterNumber}）：由 ${t.externalOrgName}（系统外）转入 ${toOrg!.name}，回执日期 ${input.receiptOn}`;
        }
        // The member moved elsewhere since the letter was issued (e.g. left): undo everything.
        if (!moved) throw AppError.conflict("该党员的组织关系状态已发生变化，不能接收该转接。请刷新页面查看，必要时退回或撤销。");
        const spell = endOpenSpell(tx2, t.memberId, input.receiptOn, "transferred");
        addMemberEvent(tx2, actor, t.memberId, "transfer_completed", spell ? `${summary}；流动党员登记随之结束` : summary, { transferId: t.id, kind: t.kind, receiptOn: input.receiptOn, endedSpellId: spell?.id ?? null });
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
      addMemberEvent(tx2, actor, t.memberId, "transfer_returned", `介绍信 ${t.letterNumber} 被${who}：${input.returnReason}`, { transferId: t.id, reason: input.returnReason });
      return null;
    },
  }));
}

/** The sending side withdraws a pending letter. The reason is kept in return_reason (退回/撤销原因). */
export function cancelTransfer(db: Db, actor: Actor, id: number, input: CancelInput): Decided {
  return transition(db, actor, id, "cancel", (t) => ({
    set: { returnReason: input.cancelReason },
    after: (tx2) => {
      addMemberEvent(tx2, actor, t.memberId, "transfer_cancelled", `转出方撤销介绍信 ${t.letterNumber}：${input.cancelReason}`, { transferId: t.id, reason: input.cancelReason });
      return null;
    },
  }));
}

// ---------------------------------------------------------------------------------------------
// Labels for views and the ledger
// ---------------------------------------------------------------------------------------------

export const kindLabel = (k: Transfer["kind"]) => TRANSFER_KIND.label[k];
export const stateLabel = (s: Transfer["state"]) => TRANSFER_STATE.label[s];

// ---------------------------------------------------------------------------------------------
// The printable letter (stub, letter, receipt)
// ---------------------------------------------------------------------------------------------

function letterOf(db: Db, actor: Actor, id: number, unmasked: boolean, today: string) {
  const detail = transferDetail(db, actor, id, today);
  const t = detail.transfer;
  const m = db.select().from(members).where(eq(members.id, t.memberId)).get()!;
  const age = ageOn(m.birthDate, t.issuedOn);
  return { ...detail, member: { id: m.id, name: m.name, gender: m.gender, ethnicity: m.ethnicity, age, category: m.category, idNumber: unmasked ? m.idNumber : maskIdNumber(m.idNumber) }, unmasked, canUnmask: canUnmask(actor) };
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
    recordAudit(tx, actor, { action: "unmask", entity: "member", entityId: v.member.id, details: { field: "idNumber", via: "transfer_letter", transferId: v.transfer.id }, ip: ctx.ip ?? null });
    return v;
  });
}

function ageOn(birthDate: string, on: string): number {
  const [by, bm, bd] = birthDate.split("-").map(Number) as [number, number, number];
  const [y, mo, d] = on.split("-").map(Number) as [number, number, number];
  return y - by - (mo < bm || (mo === bm && d < bd) ? 1 : 0);
}

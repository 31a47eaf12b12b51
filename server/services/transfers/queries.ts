// Reading transfers: the list and its filters, the ledger rows for the export, one transfer with
// what the actor may do to it, a member's transfers and the counts for dashboards. A transfer is
// visible from either end: the sending side and the side it is addressed to.

import { and, asc, desc, eq, gt, inArray, like, lt, or, type SQL, sql } from "drizzle-orm";
import { type AnySQLiteColumn, alias } from "drizzle-orm/sqlite-core";
import type { Db } from "../../../db/client.js";
import { members, organizations, transfers, users } from "../../../db/schema.js";
import { MEMBER_HOLDING_KINDS } from "../../domain/codes.js";
import { todayIso } from "../../domain/dates.js";
import { allowedActions, isOverdue, type TransferAction, type TransferSide } from "../../domain/transfer-state.js";
import { AppError } from "../../errors.js";
import { type Actor, orgIdInScope, orgPathInScope, scopePath } from "../../policy/actor.js";
import type { TransferFilter } from "../../schemas/transfers.schema.js";

export type Transfer = typeof transfers.$inferSelect;
export type Org = typeof organizations.$inferSelect;

/** The member's pending transfer, if any (issuing refuses a second one). */
export function pendingTransferOf(db: Db, memberId: number): Transfer | null {
  return (
    db
      .select()
      .from(transfers)
      .where(and(eq(transfers.memberId, memberId), eq(transfers.state, "pending")))
      .get() ?? null
  );
}

export function orgById(db: Db, id: number | null): Org | null {
  if (id == null) return null;
  return db.select().from(organizations).where(eq(organizations.id, id)).get() ?? null;
}

/** Organizations that can manage members (branches, general branches, committees), active. */
export function memberHoldingOrgs(db: Db, actor: Actor | null) {
  const prefix = actor ? scopePath(actor) : "/";
  return db
    .select({
      id: organizations.id,
      code: organizations.code,
      name: organizations.name,
      kind: organizations.kind,
      depth: organizations.depth,
    })
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

const userName = (db: Db, id: number | null) =>
  id == null ? null : (db.select({ n: users.displayName }).from(users).where(eq(users.id, id)).get()?.n ?? null);

/** A transfer is visible from either end: the sending side and the side it is addressed to. */
export function visibleTo(actor: Actor): SQL {
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

function flatten(
  r: { t: Transfer } & Omit<TransferListRow, keyof Transfer | "fromLabel" | "toLabel" | "overdue">,
  today: string,
): TransferListRow {
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
    const inSubtree = (col: AnySQLiteColumn) =>
      sql`${col} IN (SELECT id FROM organizations WHERE substr(path, 1, ${prefix.length}) = ${prefix})`;
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
export function* ledgerRows(
  db: Db,
  actor: Actor,
  f: Partial<TransferFilter>,
  today = todayIso(),
  chunk = 1000,
): Generator<TransferListRow> {
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
  const memberVisible = !!db
    .select({ id: members.id })
    .from(members)
    .where(and(eq(members.id, t.memberId), orgIdInScope(actor, members.orgId)))
    .get();
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
    .select({
      id: members.id,
      name: members.name,
      idNumber: members.idNumber,
      relationStatus: members.relationStatus,
      orgName: organizations.name,
      leftOn: members.leftOn,
    })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.orgId))
    .where(and(cond, orgIdInScope(actor, members.orgId)))
    .orderBy(asc(members.name), asc(members.id))
    .limit(limit)
    .all();
}

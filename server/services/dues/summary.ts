// The dues figures: per branch and month (the committee's summary and its workbook), collected and
// the share paid for a scope (the dashboard, the statistics, the monthly snapshots), and the rows
// behind each figure. Figures and lists read the same SQL (rosterSql), so they always agree.

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { addMonthsToMonth } from "../../domain/dues-rules.js";
import { type Actor, orgIdInScope } from "../../policy/actor.js";
import { heldBy } from "../org-parts.js";
import { effectiveEntrySql, LEDGER_KINDS_SQL, paidInFullSql, rosterSql } from "./sql.js";

export type DuesFigures = {
  month: string;
  /** Members the ledgers list for the month (branches that keep a ledger). */
  members: number;
  /** Of them, paid in full. */
  paid: number;
  /** Of them, delayed with a reason. */
  delayed: number;
  dueFen: number;
  /** Dues collected: the sum paid. */
  collectedFen: number;
};

/** Organizations that keep a ledger inside a condition on `o`. */
const keepsLedger = sql`EXISTS (SELECT 1 FROM dues_entries k WHERE k.org_id = o.id)`;

function rowsSql(orgCond: SQL, month: string): SQL {
  return sql`SELECT r.member_id, r.org_id, e.id AS entry_id, coalesce(e.due_fen, 0) AS due_fen, coalesce(e.paid_fen, 0) AS paid_fen,
      CASE WHEN e.id IS NOT NULL AND ${paidInFullSql("e")} THEN 1 ELSE 0 END AS paid_full,
      CASE WHEN e.id IS NOT NULL AND e.delayed = 1 AND e.paid_fen < e.due_fen THEN 1 ELSE 0 END AS delayed
    FROM (${rosterSql(sql`${orgCond} AND ${keepsLedger}`, month)}) r
    LEFT JOIN dues_entries e ON e.member_id = r.member_id AND e.org_id = r.org_id AND e.month = ${month} AND ${effectiveEntrySql("e")}`;
}

const scopeCond = (actor: Actor, orgId: number | null): SQL =>
  orgId
    ? sql`${orgIdInScope(actor, sql`o.id`)} AND o.path LIKE (SELECT path FROM organizations WHERE id = ${orgId}) || '%'`
    : orgIdInScope(actor, sql`o.id`);

/** Collected and the share paid for the actor's scope (or an organization's subtree in it) and a month. */
export function duesFigures(db: Db, actor: Actor, month: string, orgId: number | null = null): DuesFigures {
  const r = db.get<{ members: number; paid: number | null; delayed: number | null; due: number | null; collected: number | null }>(
    sql`SELECT count(*) AS members, sum(paid_full) AS paid, sum(delayed) AS delayed, sum(due_fen) AS due, sum(paid_fen) AS collected
      FROM (${rowsSql(scopeCond(actor, orgId), month)})`,
  );
  return {
    month,
    members: r?.members ?? 0,
    paid: r?.paid ?? 0,
    delayed: r?.delayed ?? 0,
    dueFen: r?.due ?? 0,
    collectedFen: r?.collected ?? 0,
  };
}

/**
 * The figures of each organization's own ledger rows, by organization id (of the organizations
 * `only`, all when null): the monthly snapshots (coverage/month-pass.ts) add them up the tree
 * instead of counting each subtree, and the dashboard's cards keep them per organization (parts.ts).
 */
export function duesFiguresByOrg(db: Db, month: string, only: readonly number[] | null = null): Map<number, Omit<DuesFigures, "month">> {
  const rows = db.all<{ org_id: number; members: number; paid: number; delayed: number; due: number; collected: number }>(
    sql`SELECT org_id, count(*) AS members, sum(paid_full) AS paid, sum(delayed) AS delayed, sum(due_fen) AS due, sum(paid_fen) AS collected
      FROM (${rowsSql(heldBy(only, sql.raw("o.id")), month)}) GROUP BY org_id`,
  );
  return new Map(
    rows.map((r) => [r.org_id, { members: r.members, paid: r.paid, delayed: r.delayed, dueFen: r.due, collectedFen: r.collected }]),
  );
}

/** The last `months` months of figures, oldest first, ending with `month`. */
export function duesTrend(db: Db, actor: Actor, month: string, months = 12, orgId: number | null = null): DuesFigures[] {
  const out: DuesFigures[] = [];
  for (let k = months - 1; k >= 0; k--) out.push(duesFigures(db, actor, addMonthsToMonth(month, -k), orgId));
  return out;
}

export type FigureRow = {
  memberId: number;
  name: string;
  orgId: number;
  orgName: string;
  dueFen: number;
  paidFen: number;
  state: "paid" | "delayed" | "unpaid";
};

/** The rows behind duesFigures: one per member listed. `only` narrows to the paid or the unpaid. */
export function duesFigureRows(
  db: Db,
  actor: Actor,
  month: string,
  orgId: number | null = null,
  only: "paid" | "unpaid" | null = null,
): FigureRow[] {
  const filter = only === "paid" ? sql`WHERE x.paid_full = 1` : only === "unpaid" ? sql`WHERE x.paid_full = 0` : sql``;
  return db
    .all<{
      member_id: number;
      name: string;
      org_id: number;
      org_name: string;
      due_fen: number;
      paid_fen: number;
      paid_full: number;
      delayed: number;
    }>(
      sql`SELECT x.*, m.name, o.name AS org_name FROM (${rowsSql(scopeCond(actor, orgId), month)}) x
        JOIN members m ON m.id = x.member_id JOIN organizations o ON o.id = x.org_id ${filter} ORDER BY o.code, m.name, m.id`,
    )
    .map((r) => ({
      memberId: r.member_id,
      name: r.name,
      orgId: r.org_id,
      orgName: r.org_name,
      dueFen: r.due_fen,
      paidFen: r.paid_fen,
      state: r.paid_full ? "paid" : r.delayed ? "delayed" : "unpaid",
    }));
}

export type BranchMonthSummary = {
  orgId: number;
  code: string;
  name: string;
  month: string;
  members: number;
  paid: number;
  delayed: number;
  dueFen: number;
  paidFen: number;
  closed: boolean;
};

/** The committee's monthly summary: every ledger-keeping kind of organization in scope, per month of the year. */
export function committeeSummary(db: Db, actor: Actor, year: number, orgId: number | null = null, upTo: string | null = null) {
  const orgs = db.all<{ id: number; code: string; name: string }>(
    sql`SELECT o.id, o.code, o.name FROM organizations o WHERE o.kind IN ${LEDGER_KINDS_SQL} AND o.status = 'active' AND ${scopeCond(actor, orgId)} ORDER BY o.code`,
  );
  const months: string[] = [];
  for (let m = 1; m <= 12; m++) {
    const month = `${year}-${String(m).padStart(2, "0")}`;
    if (!upTo || month <= upTo) months.push(month);
  }
  const rows: BranchMonthSummary[] = [];
  for (const month of months) {
    const byOrg = new Map(
      db
        .all<{ org_id: number; members: number; paid: number; delayed: number; due: number; collected: number }>(
          sql`SELECT x.org_id, count(*) AS members, sum(paid_full) AS paid, sum(delayed) AS delayed, sum(due_fen) AS due, sum(paid_fen) AS collected
            FROM (${rowsSql(scopeCond(actor, orgId), month)}) x GROUP BY x.org_id`,
        )
        .map((r) => [r.org_id, r]),
    );
    const closed = new Set(
      db.all<{ org_id: number }>(sql`SELECT org_id FROM dues_month_closings WHERE month = ${month}`).map((r) => r.org_id),
    );
    for (const o of orgs) {
      const r = byOrg.get(o.id);
      rows.push({
        orgId: o.id,
        code: o.code,
        name: o.name,
        month,
        members: r?.members ?? 0,
        paid: r?.paid ?? 0,
        delayed: r?.delayed ?? 0,
        dueFen: r?.due ?? 0,
        paidFen: r?.collected ?? 0,
        closed: closed.has(o.id),
      });
    }
  }
  return { year, months, orgs, rows };
}

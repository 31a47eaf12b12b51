// The dues ledger's SQL, defined once and used by the branch's month, its closing, the summary, the
// statistics and the unpaid flags, so every figure counts the rows its list shows.

import { type SQL, sql } from "drizzle-orm";
import { lastOwedMonth, monthIndex } from "../../domain/dues-rules.js";
import { memberStillHereSql } from "../members/sql.js";

/** Organizations that keep a dues ledger: the branches and general branches that hold members. */
export const LEDGER_KINDS_SQL = sql.raw(`('branch','general_branch')`);

/** The entry that counts for its (member, month): the last of its correction chain. */
export function effectiveEntrySql(alias: string): SQL {
  return sql.raw(`NOT EXISTS (SELECT 1 FROM dues_entries c WHERE c.corrects_entry_id = ${alias}.id)`);
}

/** Settled: paid in full (an exemption's due is 0), or delayed with a reason. */
export function settledSql(alias: string): SQL {
  return sql.raw(`(${alias}.paid_fen >= ${alias}.due_fen OR ${alias}.delayed = 1)`);
}

/** Paid in full (what the transfer letter's 党费交至 counts). */
export function paidInFullSql(alias: string): SQL {
  return sql.raw(`(${alias}.paid_fen >= ${alias}.due_fen AND ${alias}.delayed = 0)`);
}

/** A "YYYY-MM" text expression as a month number that subtracts. */
function monthIdx(expr: string): string {
  return `(CAST(substr(${expr}, 1, 4) AS INTEGER) * 12 + CAST(substr(${expr}, 6, 2) AS INTEGER) - 1)`;
}

/**
 * The members a branch's ledger lists for `month`, as (member_id, org_id): the members it manages now
 * who had joined by then and were still members at the month's start, plus anyone it recorded an
 * entry for that month (a member transferred out since). `orgCond` picks the organizations (a
 * condition on `o`, the organizations table).
 */
export function rosterSql(orgCond: SQL, month: string): SQL {
  return sql`SELECT m.id AS member_id, m.org_id AS org_id FROM members m JOIN organizations o ON o.id = m.org_id
      WHERE o.kind IN ${LEDGER_KINDS_SQL} AND ${orgCond}
        AND m.joined_on IS NOT NULL AND substr(m.joined_on, 1, 7) <= ${month}
        AND (${memberStillHereSql("m")} OR m.left_on >= ${`${month}-01`})
    UNION
    SELECT e.member_id, e.org_id FROM dues_entries e JOIN organizations o ON o.id = e.org_id
      WHERE e.month = ${month} AND ${orgCond} AND ${effectiveEntrySql("e")}`;
}

/**
 * Months unpaid per member at `asOf` (monthsUnpaidAt in the domain, in SQL): from the later of the
 * month after the last settled one and the month the member started owing here — joined, managed
 * here, and the branch's first ledger month (a branch's months before it kept the ledger in this
 * system are not known) — to the month before `asOf`. Members of branches without a ledger are not
 * counted. `memberCond` narrows the members (a condition on `m`).
 */
export function monthsUnpaidSql(memberCond: SQL, asOf: string): SQL {
  const owed = lastOwedMonth(asOf);
  // Per member, through the indexes ((org_id, month) for the ledger's first month, (member_id,
  // month) for the last settled one): the rows of the members asked about only. Grouping every
  // entry of the city first (what a CTE over dues_entries does) cost ~1 s per call at a year of
  // entries for 100,000 members, whether one branch or the city was asked about.
  return sql`WITH owing AS (SELECT m.id AS member_id, m.org_id,
        max(substr(m.joined_on, 1, 7), coalesce(substr(m.managed_on, 1, 7), ''),
          (SELECT min(f.month) FROM dues_entries f WHERE f.org_id = m.org_id)) AS from_month,
        (SELECT max(e.month) FROM dues_entries e
          WHERE e.member_id = m.id AND ${effectiveEntrySql("e")} AND ${settledSql("e")} AND e.month <= ${owed}) AS last_month
      FROM members m
      WHERE m.joined_on IS NOT NULL AND ${memberStillHereSql("m")} AND ${memberCond}
        AND EXISTS (SELECT 1 FROM dues_entries f WHERE f.org_id = m.org_id))
    SELECT member_id, org_id, last_month,
      max(0, ${monthIndex(owed)} - max(coalesce(${sql.raw(monthIdx("last_month"))} + 1, 0), ${sql.raw(monthIdx("from_month"))}) + 1) AS months
    FROM owing`;
}

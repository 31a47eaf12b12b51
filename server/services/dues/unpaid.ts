// Months of dues unpaid, per member: the flags (six months, three as a warning), the lists behind
// them, and the service other areas call (identity's drift-risk list: monthsUnpaid; transfers'
// 党费交至: lastMonthPaidInFull).

import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { todayIso } from "../../domain/dates.js";
import { UNPAID_FLAG_MONTHS, UNPAID_WARNING_MONTHS } from "../../domain/dues-rules.js";
import { type Actor, orgIdInScope } from "../../policy/actor.js";
import { heldBy } from "../org-parts.js";
import { effectiveEntrySql, monthsUnpaidSql, paidInFullSql } from "./sql.js";

/** Months unpaid at `asOf` for each of the given members (0 for a member the ledger does not count). */
export function monthsUnpaid(db: Db, memberIds: readonly number[], asOf = todayIso()): Map<number, number> {
  const out = new Map<number, number>(memberIds.map((id) => [id, 0]));
  for (let i = 0; i < memberIds.length; i += 500) {
    const list = sql.join(
      memberIds.slice(i, i + 500).map((id) => sql`${id}`),
      sql`, `,
    );
    for (const r of db.all<{ member_id: number; months: number }>(monthsUnpaidSql(sql`m.id IN (${list})`, asOf)))
      out.set(r.member_id, r.months);
  }
  return out;
}

/** The last month the member paid in full (党费交至), or null when the ledger holds none. */
export function lastMonthPaidInFull(db: Db, memberId: number): string | null {
  const r = db.get<{ month: string | null }>(
    sql`SELECT max(e.month) AS month FROM dues_entries e WHERE e.member_id = ${memberId} AND ${effectiveEntrySql("e")} AND ${paidInFullSql("e")}`,
  );
  return r?.month ?? null;
}

export type UnpaidLevelFilter = "flag" | "warning";

/** Months unpaid bounds of a level: the flag from six months, the warning from three up to six. */
function bounds(level: UnpaidLevelFilter): [number, number] {
  return level === "flag" ? [UNPAID_FLAG_MONTHS, Number.MAX_SAFE_INTEGER] : [UNPAID_WARNING_MONTHS, UNPAID_FLAG_MONTHS - 1];
}

export type UnpaidRow = { memberId: number; memberName: string; orgId: number; orgName: string; lastMonth: string | null; months: number };

/** The members of the actor's scope unpaid for a level's months, the longest first. */
export function unpaidMembers(db: Db, actor: Actor, level: UnpaidLevelFilter, asOf = todayIso(), limit = 500): UnpaidRow[] {
  const [lo, hi] = bounds(level);
  return db
    .all<{ member_id: number; name: string; org_id: number; org_name: string; last_month: string | null; months: number }>(
      sql`SELECT u.member_id, m.name, u.org_id, o.name AS org_name, u.last_month, u.months
        FROM (${monthsUnpaidSql(orgIdInScope(actor, sql`m.org_id`), asOf)}) u
        JOIN members m ON m.id = u.member_id JOIN organizations o ON o.id = u.org_id
        WHERE u.months BETWEEN ${lo} AND ${hi} ORDER BY u.months DESC, m.name, u.member_id LIMIT ${limit}`,
    )
    .map((r) => ({
      memberId: r.member_id,
      memberName: r.name,
      orgId: r.org_id,
      orgName: r.org_name,
      lastMonth: r.last_month,
      months: r.months,
    }));
}

/** unpaidCounts per holding organization, of the organizations `only` (all when null): the kept parts (parts.ts). */
export function unpaidCountsByOrg(db: Db, asOf: string, only: readonly number[] | null): Map<number, { flag: number; warning: number }> {
  const [flo] = bounds("flag");
  const [wlo, whi] = bounds("warning");
  const rows = db.all<{ org_id: number; flag: number; warning: number }>(
    sql`SELECT u.org_id, sum(u.months >= ${flo}) AS flag, sum(u.months BETWEEN ${wlo} AND ${whi}) AS warning
      FROM (${monthsUnpaidSql(heldBy(only, sql.raw("m.org_id")), asOf)}) u GROUP BY u.org_id`,
  );
  return new Map(rows.map((r) => [r.org_id, { flag: r.flag, warning: r.warning }]));
}

/** How many members of the actor's scope each level holds (the same condition as unpaidMembers). */
export function unpaidCounts(db: Db, actor: Actor, asOf = todayIso()): { flag: number; warning: number } {
  const [flo] = bounds("flag");
  const [wlo, whi] = bounds("warning");
  const r = db.get<{ flag: number | null; warning: number | null }>(
    sql`SELECT sum(u.months >= ${flo}) AS flag, sum(u.months BETWEEN ${wlo} AND ${whi}) AS warning
      FROM (${monthsUnpaidSql(orgIdInScope(actor, sql`m.org_id`), asOf)}) u`,
  );
  return { flag: r?.flag ?? 0, warning: r?.warning ?? 0 };
}

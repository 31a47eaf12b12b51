// Dues unpaid (未交纳党费): the months unpaid without good reason reach the warning's three, grave at
// the six-month flag. The months are the dues area's own (monthsUnpaidSql, the SQL of its figures and
// flags, scoped as unpaidCounts scopes it), so this list and the dues flags name the same members.
// Since = the first month unpaid; a payment (or an approved exemption, a delay with a reason) ends it.

import { sql } from "drizzle-orm";
import { addMonthsToMonth, lastOwedMonth, UNPAID_WARNING_MONTHS } from "../../../domain/dues-rules.js";
import { duesUnpaidSeverity } from "../../../domain/risk-rules.js";
import { orgIdInScope } from "../../../policy/actor.js";
import { monthsUnpaidSql } from "../../dues/sql.js";
import { heldBy, type RiskSignal } from "./types.js";

export const duesUnpaid: RiskSignal = {
  code: "dues_unpaid",
  subject: "member",
  hits(db, actor, today, only) {
    const rows = db.all<{ member_id: number; org_id: number; last_month: string | null; months: number }>(sql`
      SELECT u.member_id, u.org_id, u.last_month, u.months
      FROM (${monthsUnpaidSql(sql`${orgIdInScope(actor, sql`m.org_id`)} AND ${heldBy(only, sql`m.org_id`)}`, today)}) u
      WHERE u.months >= ${UNPAID_WARNING_MONTHS}`);
    // The unpaid months run without a gap up to the last one owed, so the first is counted back from it.
    const owed = lastOwedMonth(today);
    return rows.map((r) => {
      const first = addMonthsToMonth(owed, -(r.months - 1));
      return {
        signal: "dues_unpaid" as const,
        subject: "member" as const,
        id: r.member_id,
        orgId: r.org_id,
        since: `${first}-01`,
        severity: duesUnpaidSeverity(r.months),
        detail: `${first}至${owed}共${r.months}个月未交纳党费${r.last_month ? `（已结清至${r.last_month}）` : ""}`,
        actionHref: `/dues/members/${r.member_id}`,
      };
    });
  },
};

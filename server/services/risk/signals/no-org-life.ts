// No organizational life (未参加组织生活): a managed member present at no meeting for the warning's
// three months, grave at the rule's six. The condition is the meetings area's own (lapsedCond over
// participationSinceSql), so this list and the meetings flags name the same members; since = the
// last meeting attended, else the day the member came under management. Recording a meeting with
// the member present ends it.

import { type SQL, sql } from "drizzle-orm";
import { monthsSince, PARTICIPATION_WARNING_MONTHS } from "../../../domain/organizational-life-rules.js";
import { noOrgLifeSeverity } from "../../../domain/risk-rules.js";
import { lapsedCond } from "../../meetings/participation.js";
import { lastAttendedSql, participationSinceSql } from "../../meetings/sql.js";
import { type Actor, systemActor } from "../../../policy/actor.js";
import { heldBy, type RiskSignal } from "./types.js";

/** The members the signal names: `FROM … WHERE …` over members m. */
function lapsedMembers(actor: Actor, today: string, only: readonly number[] | null | undefined): SQL {
  return sql`FROM members m WHERE ${lapsedCond(actor, PARTICIPATION_WARNING_MONTHS, today)} AND ${heldBy(only, sql.raw("m.org_id"))}`;
}

export const noOrgLife: RiskSignal = {
  code: "no_org_life",
  subject: "member",
  heldIds(db, today, only) {
    return db.values<[number, number]>(sql`SELECT m.id, m.org_id ${lapsedMembers(systemActor(), today, only)}`);
  },
  hits(db, actor, today, only) {
    const rows = db.all<{ id: number; orgId: number; lastOn: string | null; since: string }>(sql`
      SELECT m.id AS id, m.org_id AS orgId, ${lastAttendedSql("m", today)} AS lastOn, ${participationSinceSql("m", today)} AS since
      ${lapsedMembers(actor, today, only)}`);
    return rows.map((r) => {
      const months = monthsSince(r.since, today);
      return {
        signal: "no_org_life" as const,
        subject: "member" as const,
        id: r.id,
        orgId: r.orgId,
        since: r.since,
        severity: noOrgLifeSeverity(r.since, today),
        detail: r.lastOn
          ? `最近一次参加组织生活：${r.lastOn}，已${months}个月未参加`
          : `纳入管理（${r.since}）以来未参加过组织生活，已${months}个月`,
        actionHref: `/meetings/org/${r.orgId}/new`,
      };
    });
  },
};

// Left every platform (离开所有平台): the member appears on platform rosters (by ID number, whoever
// holds the rows: a member seen on a roster anywhere in the city is not lost), every one of those rows
// is marked departed, and no roster has shown the member since. Since the latest departure; a roster
// that shows the member again, on any platform, ends it.

import { sql } from "drizzle-orm";
import { RISK_SEVERITY } from "../../../domain/risk-rules.js";
import { orgIdInScope } from "../../../policy/actor.js";
import { memberStillHereSql } from "../../members/sql.js";
import { heldBy, type RiskSignal } from "./types.js";

export const leftPlatforms: RiskSignal = {
  code: "left_platforms",
  subject: "member",
  hits(db, actor, today, only) {
    const rows = db.all<{ id: number; orgId: number; since: string; platforms: string }>(sql`
      SELECT m.id AS id, m.org_id AS orgId, max(w.left_on) AS since, group_concat(w.platform, '、') AS platforms
      FROM members m JOIN workers w ON w.id_number = m.id_number
      WHERE ${memberStillHereSql("m")} AND ${orgIdInScope(actor, sql.raw("m.org_id"))} AND ${heldBy(only, sql.raw("m.org_id"))}
      GROUP BY m.id
      HAVING count(*) = count(w.left_on) AND max(w.left_on) <= ${today}`);
    return rows.map((r) => ({
      signal: "left_platforms" as const,
      subject: "member" as const,
      id: r.id,
      orgId: r.orgId,
      since: r.since,
      severity: RISK_SEVERITY.high,
      detail: `已不在任何平台的花名册中（${r.platforms}）`,
      actionHref: `/people/member/${r.id}`,
    }));
  },
};

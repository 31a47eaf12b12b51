// A transfer letter pending past its validity (介绍信超期未办结): the sending side stays responsible;
// six months past the validity the rules treat the member as having left (视为自行脱党).

import { and, eq, lt } from "drizzle-orm";
import { members, transfers } from "../../../../db/schema.js";
import { daysBetween } from "../../../domain/dates.js";
import { RISK_SEVERITY, transferLapseDate, transferOverdueSeverity } from "../../../domain/risk-rules.js";
import { orgIdInScope } from "../../../policy/actor.js";
import { memberStillHereSql } from "../../members/sql.js";
import { heldBy, type RiskSignal } from "./types.js";

export const transferOverdue: RiskSignal = {
  code: "transfer_overdue",
  subject: "member",
  hits(db, actor, today, only) {
    const rows = db
      .select({
        id: members.id,
        orgId: members.orgId,
        transferId: transfers.id,
        letter: transfers.letterNumber,
        deadlineOn: transfers.deadlineOn,
      })
      .from(transfers)
      .innerJoin(members, eq(members.id, transfers.memberId))
      .where(
        and(
          eq(transfers.state, "pending"),
          lt(transfers.deadlineOn, today),
          memberStillHereSql(members),
          orgIdInScope(actor, members.orgId),
          heldBy(only, members.orgId),
        ),
      )
      .all();
    return rows.map((r) => {
      const severity = transferOverdueSeverity(r.deadlineOn, today);
      const lapse = transferLapseDate(r.deadlineOn);
      return {
        signal: "transfer_overdue" as const,
        subject: "member" as const,
        id: r.id,
        orgId: r.orgId,
        since: r.deadlineOn,
        severity,
        detail:
          severity === RISK_SEVERITY.grave
            ? `介绍信${r.letter}有效期至${r.deadlineOn}，已满六个月未办结（${lapse}起按规定视为自行脱党）`
            : `介绍信${r.letter}有效期至${r.deadlineOn}，已超期${daysBetween(r.deadlineOn, today)}天（满六个月之日：${lapse}）`,
        actionHref: `/transfers/${r.transferId}`,
      };
    });
  },
};

// Out of contact (失联): from the day recorded until contact is restored; grave once the six months
// that suspend membership are complete.

import { and, isNotNull } from "drizzle-orm";
import { members } from "../../../../db/schema.js";
import { monthsSince } from "../../../domain/organizational-life-rules.js";
import { lostContactSeverity } from "../../../domain/risk-rules.js";
import { orgIdInScope } from "../../../policy/actor.js";
import { memberStillHereSql } from "../../members/sql.js";
import { heldBy, type RiskSignal } from "./types.js";

export const lostContact: RiskSignal = {
  code: "lost_contact",
  subject: "member",
  hits(db, actor, today, only) {
    const rows = db
      .select({ id: members.id, orgId: members.orgId, since: members.lostContactOn })
      .from(members)
      .where(
        and(isNotNull(members.lostContactOn), memberStillHereSql(members), orgIdInScope(actor, members.orgId), heldBy(only, members.orgId)),
      )
      .all();
    return rows.map((r) => ({
      signal: "lost_contact" as const,
      subject: "member" as const,
      id: r.id,
      orgId: r.orgId,
      since: r.since!,
      severity: lostContactSeverity(r.since!, today),
      detail: `已失联${monthsSince(r.since!, today)}个月`,
      actionHref: `/members/${r.id}/mobile`,
    }));
  },
};

// A mobile spell gone stale: the mobile member certificate (流动党员活动证) of an inflowing member has
// expired, or an outflowing member is past the expected return date and the spell is still open.

import { and, eq, isNull, lt, or, sql } from "drizzle-orm";
import { members, mobileSpells } from "../../../../db/schema.js";
import { RISK_SEVERITY } from "../../../domain/risk-rules.js";
import { orgIdInScope } from "../../../policy/actor.js";
import { memberStillHereSql } from "../../members/sql.js";
import { heldBy, type RiskSignal } from "./types.js";

export const mobileExpired: RiskSignal = {
  code: "mobile_expired",
  subject: "member",
  hits(db, actor, today, only) {
    const certExpired = and(eq(mobileSpells.direction, "in"), lt(mobileSpells.certificateValidUntil, today));
    const returnPassed = and(eq(mobileSpells.direction, "out"), lt(mobileSpells.expectedReturnOn, today));
    const rows = db
      .select({
        id: members.id,
        orgId: members.orgId,
        direction: mobileSpells.direction,
        validUntil: mobileSpells.certificateValidUntil,
        returnOn: mobileSpells.expectedReturnOn,
      })
      .from(mobileSpells)
      .innerJoin(members, eq(members.id, mobileSpells.memberId))
      .where(
        and(
          isNull(mobileSpells.endedOn),
          or(certExpired, returnPassed),
          memberStillHereSql(members),
          orgIdInScope(actor, members.orgId),
          heldBy(only, members.orgId),
        ),
      )
      .orderBy(sql`${mobileSpells.id}`)
      .all();
    return rows.map((r) => {
      const inflow = r.direction === "in";
      return {
        signal: "mobile_expired" as const,
        subject: "member" as const,
        id: r.id,
        orgId: r.orgId,
        since: (inflow ? r.validUntil : r.returnOn)!,
        severity: inflow ? RISK_SEVERITY.high : RISK_SEVERITY.watch,
        detail: inflow ? `流动党员活动证有效期至${r.validUntil}，已过期` : `流出党员预计返回日期${r.returnOn}已过，仍未返回或转接`,
        actionHref: `/members/${r.id}/mobile`,
      };
    });
  },
};

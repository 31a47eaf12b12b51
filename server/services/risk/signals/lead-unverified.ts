// A lead never verified (线索长期未核实): still open LEAD_UNVERIFIED_DAYS after it was found. The
// person may be a member nobody has reached yet; verifying or rejecting the lead ends it.

import { and, count, eq, lte } from "drizzle-orm";
import type { Db } from "../../../../db/client.js";
import { leads } from "../../../../db/schema.js";
import { daysBetween } from "../../../domain/dates.js";
import { RISK_SEVERITY, leadUnverifiedCutoff } from "../../../domain/risk-rules.js";
import { type Actor, orgIdInScope, systemActor } from "../../../policy/actor.js";
import { heldBy, type RiskSignal } from "./types.js";

/** The leads the signal names: the hits and their count read the same condition. */
const unverified = (actor: Actor, today: string, only: readonly number[] | null | undefined) =>
  and(
    eq(leads.status, "open"),
    lte(leads.foundOn, leadUnverifiedCutoff(today)),
    orgIdInScope(actor, leads.committeeId),
    heldBy(only, leads.committeeId),
  );

export const leadUnverified: RiskSignal = {
  code: "lead_unverified",
  subject: "lead",
  hits(db, actor, today, only) {
    const rows = db
      .select({ id: leads.id, orgId: leads.committeeId, foundOn: leads.foundOn })
      .from(leads)
      .where(unverified(actor, today, only))
      .all();
    return rows.map((r) => ({
      signal: "lead_unverified" as const,
      subject: "lead" as const,
      id: r.id,
      orgId: r.orgId,
      since: r.foundOn,
      severity: RISK_SEVERITY.watch,
      detail: `${r.foundOn}发现，${daysBetween(r.foundOn, today)}天未核实`,
      actionHref: `/leads/${r.id}`,
    }));
  },
  countByOrg(db: Db, today, only) {
    const rows = db
      .select({ orgId: leads.committeeId, n: count() })
      .from(leads)
      .where(unverified(systemActor(), today, only))
      .groupBy(leads.committeeId)
      .all();
    return new Map(rows.map((r) => [r.orgId, r.n]));
  },
};

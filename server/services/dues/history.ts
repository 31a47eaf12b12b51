// A member's dues history: every entry (corrections beside what they correct), reductions, the
// months unpaid and the month paid up to.

import { desc, eq } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { duesEntries, organizations } from "../../../db/schema.js";
import { todayIso } from "../../domain/dates.js";
import { unpaidLevel } from "../../domain/dues-rules.js";
import type { Actor } from "../../policy/actor.js";
import { getMember } from "../members/members.service.js";
import { listReductions } from "./reductions.js";
import { lastMonthPaidInFull, monthsUnpaid } from "./unpaid.js";

/** What the member page shows in one line: months unpaid (and its level) and paid up to. */
export function memberDuesGlance(db: Db, memberId: number, asOf = todayIso()) {
  const months = monthsUnpaid(db, [memberId], asOf).get(memberId) ?? 0;
  return { memberId, months, level: unpaidLevel(months), paidTo: lastMonthPaidInFull(db, memberId) };
}

export function memberDues(db: Db, actor: Actor, memberId: number, asOf = todayIso()) {
  const member = getMember(db, actor, memberId);
  const rows = db
    .select({ e: duesEntries, orgName: organizations.name })
    .from(duesEntries)
    .innerJoin(organizations, eq(organizations.id, duesEntries.orgId))
    .where(eq(duesEntries.memberId, member.id))
    .orderBy(desc(duesEntries.month), desc(duesEntries.id))
    .all();
  const correctedIds = new Set(rows.map((r) => r.e.correctsEntryId).filter((x): x is number => x != null));
  const entries = rows.map((r) => ({ ...r.e, orgName: r.orgName, superseded: correctedIds.has(r.e.id) }));
  return { member, entries, reductions: listReductions(db, member.id), glance: memberDuesGlance(db, member.id, asOf) };
}

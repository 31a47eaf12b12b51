// The membership area of the demo city, through the area's own services: members suspended after six
// months out of contact (one of them restored since), one expelled (出党), one deceased, and one
// suspension waiting for the committee's approval on the inbox. Runs after the transfers seed.

import { and, asc, eq, isNull, notInArray, sql } from "drizzle-orm";
import type { DbHandle } from "../client.js";
import { members, organizations, users } from "../schema.js";
import { addDays, addMonths } from "../../server/domain/dates.js";
import { type Actor, systemActor } from "../../server/policy/actor.js";
import { loadActor } from "../../server/services/admin/users.js";
import { markLostContact } from "../../server/services/members/contact.js";
import { approveChange, proposeChange } from "../../server/services/membership/membership.service.js";

export type DemoMembershipCounts = { suspended: number; restored: number; leftParty: number; deceased: number; pending: number };

export function seedDemoMembership(handle: DbHandle, today: string): DemoMembershipCounts {
  const { db } = handle;
  const actorOf = (username: string, fallback: string): Actor => {
    const u = db.select({ id: users.id }).from(users).where(eq(users.username, username)).get();
    return (u && loadActor(db, u.id)) || systemActor(fallback);
  };
  const secretary = actorOf("secretary", "demo-branch");
  const clerk = actorOf("clerk", "demo-committee");
  const branch = db.select().from(organizations).where(eq(organizations.code, "HZ-DL-001")).get();
  if (!branch) throw new Error("seedDemoMembership: the demo organizations must exist first");

  const used: number[] = [];
  const pick = () => {
    const row = db
      .select({ id: members.id })
      .from(members)
      .where(
        and(
          eq(members.orgId, branch.id),
          eq(members.relationStatus, "local"),
          isNull(members.leftOn),
          isNull(members.lostContactOn),
          used.length ? notInArray(members.id, used) : undefined,
          sql`NOT EXISTS (SELECT 1 FROM transfers t WHERE t.member_id = ${members.id} AND t.state = 'pending')`,
        ),
      )
      .orderBy(asc(members.id))
      .get();
    if (row) used.push(row.id);
    return row?.id ?? null;
  };
  const counts: DemoMembershipCounts = { suspended: 0, restored: 0, leftParty: 0, deceased: 0, pending: 0 };
  const step = (memberId: number, input: Parameters<typeof proposeChange>[3], approveOn: string | null) => {
    const c = proposeChange(db, secretary, memberId, input, today);
    if (approveOn) approveChange(db, clerk, memberId, c.id, { approvedOn: approveOn, approvalNote: "同意" }, today);
    return c;
  };
  const suspension = (on: string) => ({
    kind: "suspension" as const,
    effectiveOn: on,
    reason: "失去联系超过六个月",
    decisionBody: `${branch.name}支部大会`,
    decidedOn: on,
    searchedOn: addDays(on, -20),
    searchNote: "经电话、微信、原工作单位和户籍所在村多方查找，仍无法取得联系",
  });

  const reasons = ["migrant_work", "employer_changed", "graduated_unknown"] as const;
  for (let i = 0; i < 3; i++) {
    const id = pick();
    if (!id) break;
    const lostOn = addMonths(today, -(9 + i * 4));
    markLostContact(db, secretary, id, { lostContactOn: lostOn, lostContactReason: reasons[i]! }, today);
    step(id, suspension(addMonths(lostOn, 7)), addDays(addMonths(lostOn, 7), 5));
    counts.suspended++;
    // The first was found again and restored.
    if (i === 0) {
      step(
        id,
        {
          kind: "restoration",
          effectiveOn: addDays(today, -20),
          reason: "本人主动与党组织取得联系，说明情况",
          decisionBody: `${branch.name}支部大会`,
          decidedOn: addDays(today, -20),
          searchedOn: null,
          searchNote: null,
        },
        addDays(today, -14),
      );
      counts.restored++;
    }
  }
  const expelled = pick();
  if (expelled) {
    step(
      expelled,
      {
        kind: "expelled",
        effectiveOn: addDays(today, -150),
        reason: "严重违纪",
        decisionBody: "行业党委纪检委员会",
        decidedOn: addDays(today, -150),
        searchedOn: null,
        searchNote: null,
      },
      addDays(today, -140),
    );
    counts.leftParty++;
  }
  const died = pick();
  if (died) {
    step(
      died,
      {
        kind: "death",
        effectiveOn: addDays(today, -80),
        reason: "因病去世",
        decisionBody: null,
        decidedOn: null,
        searchedOn: null,
        searchNote: null,
      },
      addDays(today, -78),
    );
    counts.deceased++;
  }
  // Waiting on the committee's inbox: out of contact eight months, searched in vain.
  const waiting = pick();
  if (waiting) {
    const lostOn = addMonths(today, -8);
    markLostContact(db, secretary, waiting, { lostContactOn: lostOn, lostContactReason: "abroad" }, today);
    step(waiting, suspension(addDays(today, -3)), null);
    counts.pending++;
  }
  return counts;
}

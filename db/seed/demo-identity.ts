// The demo's people on two platforms and members under each drift-risk signal (issue 15), built on the
// demo city: a few delivery riders on both 美团外卖 and 饿了么 (most seen last on one of them), a member
// who left both, and one member for each other signal, made through the members' and transfers'
// services (dates in the past: the demo shows a state reached over months).

import { and, asc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { DbHandle } from "../client.js";
import { leads, members, mobileSpells, organizations } from "../schema.js";
import { addDays, addMonths } from "../../server/domain/dates.js";
import { LEAD_UNVERIFIED_DAYS } from "../../server/domain/risk-rules.js";
import { systemActor } from "../../server/policy/actor.js";
import { markLostContact } from "../../server/services/members/contact.js";
import { registerMobileIn } from "../../server/services/members/mobile.js";
import { issueTransfer } from "../../server/services/transfers/transfers.service.js";

const FIRST = "美团外卖";
const SECOND = "饿了么";

export function seedDemoIdentity(handle: DbHandle, today: string): { twoPlatformPeople: number; riskMembers: number } {
  const { db, sqlite } = handle;
  const system = systemActor("demo");

  // -- People on two platforms: the first riders of 美团外卖's roster also ride for 饿了么 -----------
  const riders = sqlite
    .prepare(
      `SELECT id, id_number, name, phone, org_id, enterprise_id, member_id FROM workers WHERE platform = ? AND left_on IS NULL ORDER BY id LIMIT 6`,
    )
    .all(FIRST) as {
    id: number;
    id_number: string;
    name: string;
    phone: string | null;
    org_id: number;
    enterprise_id: number | null;
    member_id: number | null;
  }[];
  const insert =
    sqlite.prepare(`INSERT OR IGNORE INTO workers (platform, id_number, name, phone, org_id, enterprise_id, station, occupation, first_seen_on, last_seen_on, left_on, member_id)
    VALUES (@platform, @idNumber, @name, @phone, @orgId, @enterpriseId, @station, 'delivery_rider', @firstSeenOn, @lastSeenOn, @leftOn, @memberId)`);
  const stations = ["牡丹区万达站", "定陶区人民路站", "曹县青菏路站"];
  riders.forEach((r, i) => {
    // Half were seen last on 饿了么 (counted there), half still on 美团外卖.
    const newer = i % 2 === 0;
    insert.run({
      platform: SECOND,
      idNumber: r.id_number,
      name: r.name,
      phone: r.phone,
      orgId: r.org_id,
      enterpriseId: r.enterprise_id,
      station: stations[i % stations.length],
      firstSeenOn: addMonths(today, -4),
      lastSeenOn: newer ? today : addDays(today, -14),
      leftOn: null,
      memberId: r.member_id,
    });
    if (newer) sqlite.prepare("UPDATE workers SET last_seen_on = ? WHERE id = ?").run(addDays(today, -7), r.id);
  });

  // -- A member on both platforms who has left both: 已离开所有平台 ------------------------------------
  let riskMembers = 0;
  const onRoster = sqlite
    .prepare(
      `SELECT w.id, w.id_number, w.name, w.phone, w.org_id, w.enterprise_id, w.member_id FROM workers w JOIN members m ON m.id = w.member_id
       WHERE w.platform = ? AND w.left_on IS NULL AND m.left_on IS NULL AND m.relation_status <> 'transferred_out' AND m.lost_contact_on IS NULL
       ORDER BY w.id LIMIT 1`,
    )
    .get(FIRST) as (typeof riders)[number] | undefined;
  if (onRoster) {
    insert.run({
      platform: SECOND,
      idNumber: onRoster.id_number,
      name: onRoster.name,
      phone: onRoster.phone,
      orgId: onRoster.org_id,
      enterpriseId: onRoster.enterprise_id,
      station: stations[0],
      firstSeenOn: addMonths(today, -5),
      lastSeenOn: addDays(today, -35),
      leftOn: addDays(today, -21),
      memberId: onRoster.member_id,
    });
    sqlite
      .prepare("UPDATE workers SET last_seen_on = ?, left_on = ? WHERE id_number = ? AND left_on IS NULL")
      .run(addDays(today, -45), addDays(today, -30), onRoster.id_number);
    riskMembers++;
  }

  // Local members of the delivery committee's branches, taken in id order, one per signal.
  const used = new Set<number>(onRoster?.member_id ? [onRoster.member_id] : []);
  const pick = (status: "local" | "unattached") => {
    const row = db
      .select({ id: members.id, orgId: members.orgId })
      .from(members)
      .innerJoin(organizations, eq(organizations.id, members.orgId))
      .where(
        and(
          eq(members.relationStatus, status),
          // Local members sit in branches; unattached ones with the committee that found them.
          status === "local" ? eq(organizations.kind, "branch") : undefined,
          isNull(members.leftOn),
          isNull(members.lostContactOn),
          sql`${organizations.code} LIKE 'HZ-PS%'`,
          sql`NOT EXISTS (SELECT 1 FROM transfers t WHERE t.member_id = ${members.id} AND t.state = 'pending')`,
          sql`NOT EXISTS (SELECT 1 FROM mobile_spells s WHERE s.member_id = ${members.id} AND s.ended_on IS NULL)`,
        ),
      )
      .orderBy(asc(members.id))
      .all()
      .find((m) => !used.has(m.id));
    if (row) used.add(row.id);
    return row ?? null;
  };

  // -- Out of contact for three months (high; grave at six) ---------------------------------------
  const lost = pick("local");
  if (lost) {
    markLostContact(db, system, lost.id, { lostContactOn: addMonths(today, -3), lostContactReason: "residence_changed" }, today);
    riskMembers++;
  }

  // -- A transfer letter left pending eight months: past its validity and past the six-month point --
  const sender = pick("local");
  const receiver = db
    .select({ id: organizations.id })
    .from(organizations)
    .where(
      and(eq(organizations.kind, "branch"), sql`${organizations.code} LIKE 'HZ-PS-%'`, sql`${organizations.id} <> ${sender?.orgId ?? 0}`),
    )
    .orderBy(asc(organizations.code))
    .get();
  if (sender && receiver) {
    issueTransfer(
      db,
      system,
      {
        kind: "internal",
        memberId: sender.id,
        toOrgId: receiver.id,
        externalOrgName: null,
        letterNumber: null,
        issuedOn: addMonths(today, -8),
        validDays: null,
        duesPaidTo: addMonths(today, -8).slice(0, 7),
        reason: "工作调动（演示：介绍信久未办结）",
        correctsTransferId: null,
      },
      today,
    );
    riskMembers++;
  }

  // -- A mobile member whose certificate ran out last month ---------------------------------------
  const mobile = pick("unattached");
  const psBranch = db
    .select({ id: organizations.id })
    .from(organizations)
    .where(and(eq(organizations.kind, "branch"), sql`${organizations.code} LIKE 'HZ-PS-%'`))
    .orderBy(asc(organizations.code))
    .get();
  if (mobile && psBranch) {
    registerMobileIn(
      db,
      system,
      mobile.id,
      {
        orgId: psBranch.id,
        homeRegionCode: null,
        homeOrgName: "中共某县某镇某村支部委员会",
        certificateNumber: "LD-DEMO-0099",
        certificateValidUntil: addMonths(today, 1),
        startedOn: addMonths(today, -13),
      },
      today,
    );
    // A year has passed since it was issued: the certificate expired and was not renewed.
    db.update(mobileSpells)
      .set({ certificateValidUntil: addDays(today, -20) })
      .where(and(eq(mobileSpells.memberId, mobile.id), isNull(mobileSpells.endedOn)))
      .run();
    riskMembers++;
  }

  // -- Leads nobody has verified for six weeks ---------------------------------------------------
  const open = db
    .select({ id: leads.id })
    .from(leads)
    .where(and(eq(leads.status, "open"), isNotNull(leads.committeeId)))
    .orderBy(asc(leads.id))
    .limit(3)
    .all();
  for (const l of open)
    db.update(leads)
      .set({ foundOn: addDays(today, -(LEAD_UNVERIFIED_DAYS + 15)) })
      .where(eq(leads.id, l.id))
      .run();

  return { twoPlatformPeople: riders.length + (onRoster ? 1 : 0), riskMembers };
}

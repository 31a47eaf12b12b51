// Demo data of transfers and mobile members, built through the real services so the demo shows
// what the app records: transfers in every state (some overdue, one corrected), mobile members with
// certificates (some expiring), members out of contact, members who left. Deterministic for a
// given database and `today`. Called once by the demo seed after the people exist.

import { and, asc, eq, inArray, isNull, ne, notInArray, sql } from "drizzle-orm";
import type { DbHandle } from "../client.js";
import { members, mobileSpells, organizations, transfers, users } from "../schema.js";
import { addDays, addMonths } from "../../server/domain/dates.js";
import { divisionFromText, type MobileUnitKind } from "../../server/domain/mobile-members.js";

const DEMO_UNIT_KINDS: MobileUnitKind[] = ["private_enterprise", "individual_business", "state_enterprise", "urban_community", "other"];
import { type Actor, systemActor } from "../../server/policy/actor.js";
import type { TransferInput } from "../../server/schemas/transfers.schema.js";
import { markLostContact } from "../../server/services/members/contact.js";
import { endMobileSpell, registerMobileIn, registerMobileOut } from "../../server/services/members/mobile.js";
import { acceptTransfer, cancelTransfer, issueTransfer, returnTransfer } from "../../server/services/transfers/transfers.service.js";
import { loadActor } from "../../server/services/admin/users.js";
import { committeeOf } from "../../server/services/orgs/orgs.service.js";

export type DemoTransferCounts = {
  transfers: number;
  pending: number;
  overdue: number;
  spellsBackfilled: number;
  mobileRegistered: number;
};

/**
 * Seeds the transfers area of the demo city. Needs the demo organizations (HZ-DL-001, HZ-DL-002 …)
 * and people; uses the demo accounts `secretary`, `secretary2`, `clerk`, `clerk-ps` when present
 * (else acts as the system).
 */
export function seedDemoTransfers(handle: DbHandle, today: string): DemoTransferCounts {
  const { db } = handle;
  const actorOf = (username: string): Actor => {
    const u = db.select({ id: users.id }).from(users).where(eq(users.username, username)).get();
    return (u && loadActor(db, u.id)) || systemActor("demo-seed");
  };
  const system = systemActor("demo-seed");
  const orgByCode = (code: string) => db.select().from(organizations).where(eq(organizations.code, code)).get();
  const branches = db
    .select()
    .from(organizations)
    .where(and(eq(organizations.kind, "branch"), eq(organizations.status, "active")))
    .orderBy(asc(organizations.code))
    .all();
  if (branches.length < 4) throw new Error("seedDemoTransfers: the demo organizations must exist first");
  const b1 = orgByCode("HZ-DL-001") ?? branches[0]!;
  const b2 = orgByCode("HZ-DL-002") ?? branches[1]!;
  const others = branches.filter((b) => b.id !== b1.id && b.id !== b2.id);

  // Members are taken once each, in id order, so the picks are deterministic.
  const used = new Set<number>();
  const pick = (orgId: number | null, statuses: string[]) => {
    const row = db
      .select({ id: members.id })
      .from(members)
      .where(
        and(
          orgId == null ? undefined : eq(members.orgId, orgId),
          inArray(members.relationStatus, statuses as ("local" | "unattached")[]),
          isNull(members.leftOn),
          isNull(members.lostContactOn),
          used.size ? notInArray(members.id, [...used]) : undefined,
          sql`NOT EXISTS (SELECT 1 FROM transfers t WHERE t.member_id = ${members.id} AND t.state = 'pending')`,
        ),
      )
      .orderBy(asc(members.id))
      .get();
    if (row) used.add(row.id);
    return row?.id ?? null;
  };

  const sec1 = actorOf("secretary");
  const sec2 = actorOf("secretary2");
  const clerk = actorOf("clerk");
  let made = 0;
  const issue = (actor: Actor, memberId: number | null, input: Partial<TransferInput> & Pick<TransferInput, "kind" | "issuedOn">) => {
    if (memberId == null) return null;
    made++;
    return issueTransfer(
      handle.db,
      actor,
      {
        memberId,
        toOrgId: null,
        externalOrgName: null,
        letterNumber: null,
        validDays: null,
        duesPaidTo: input.issuedOn.slice(0, 7),
        reason: "工作单位变动",
        correctsTransferId: null,
        ...input,
      },
      today,
    );
  };
  const OUTSIDE = [
    "中共江苏省苏州市某物流园区支部委员会",
    "中共浙江省宁波市某街道综合党委",
    "中共广东省东莞市某镇机关支部委员会",
    "中共河南省商丘市某村支部委员会",
  ];

  // -- What the two demo secretaries find in their inbox -----------------------------------------
  issue(sec1, pick(b1.id, ["local"]), {
    kind: "internal",
    toOrgId: b2.id,
    issuedOn: addDays(today, -3),
    reason: "调入联合支部所在企业工作",
  });
  issue(sec1, pick(b1.id, ["local"]), { kind: "internal", toOrgId: b2.id, issuedOn: addDays(today, -25), reason: "更换运输企业" }); // overdue
  issue(sec2, pick(b2.id, ["local"]), { kind: "internal", toOrgId: b1.id, issuedOn: addDays(today, -2), reason: "到物流公司就业" });
  issue(sec1, pick(b1.id, ["local"]), {
    kind: "outgoing",
    externalOrgName: OUTSIDE[0]!,
    issuedOn: addDays(today, -45),
    reason: "返乡就业",
  }); // overdue, outside
  const committee1 = committeeOf(db, b1.id);
  if (committee1) {
    const found = pick(committee1.id, ["unattached"]);
    if (found)
      issue(clerk, found, {
        kind: "incoming",
        toOrgId: b2.id,
        externalOrgName: OUTSIDE[3]!,
        letterNumber: `商组转〔${today.slice(0, 4)}〕${found}号`,
        issuedOn: addDays(today, -6),
        duesPaidTo: null,
      });
  }

  // -- Decided transfers: completed, returned, cancelled, and one corrected -------------------------
  const done = issue(sec1, pick(b1.id, ["local"]), { kind: "internal", toOrgId: b2.id, issuedOn: addDays(today, -70) });
  if (done) {
    acceptTransfer(db, sec2, done.id, { receiptOn: addDays(today, -66) }, today);
    // The member went to the wrong branch: the receiving side sends them on, linked to the mistake.
    const target = others[0]!;
    const fix = issue(sec2, done.memberId, {
      kind: "internal",
      toOrgId: target.id,
      issuedOn: addDays(today, -60),
      reason: "误转更正",
      correctsTransferId: done.id,
    });
    if (fix) acceptTransfer(db, system, fix.id, { receiptOn: addDays(today, -57) }, today);
  }
  const ret = issue(sec1, pick(b1.id, ["local"]), { kind: "internal", toOrgId: others[1]!.id, issuedOn: addDays(today, -40) });
  if (ret) returnTransfer(db, system, ret.id, { returnReason: "该同志未到本单位报到，请核实去向" });
  const can = issue(sec2, pick(b2.id, ["local"]), { kind: "internal", toOrgId: b1.id, issuedOn: addDays(today, -30) });
  if (can) cancelTransfer(db, sec2, can.id, { cancelReason: "党员本人暂不调动" });
  const gone = issue(sec1, pick(b1.id, ["local"]), {
    kind: "outgoing",
    externalOrgName: OUTSIDE[1]!,
    issuedOn: addDays(today, -120),
    letterNumber: null,
  });
  if (gone) acceptTransfer(db, sec1, gone.id, { receiptOn: addDays(today, -101) }, today);

  // -- A year of transfers across the city, for the ledger and the dashboards ----------------------
  const STATES = ["completed", "completed", "completed", "returned", "cancelled", "pending", "completed", "pending"] as const;
  for (let i = 0; i < 48 && others.length > 2; i++) {
    const from = others[i % others.length]!;
    const to = others[(i * 7 + 3) % others.length]!;
    const kind = i % 6 === 5 ? "outgoing" : "internal";
    if (kind === "internal" && to.id === from.id) continue;
    const state = STATES[i % STATES.length]!;
    // Pending letters are recent (some just past their 10 days); decided ones spread over a year.
    const issuedOn = state === "pending" ? addDays(today, -(2 + ((i * 5) % 20))) : addDays(today, -(8 + ((i * 37) % 350)));
    const t = issue(system, pick(from.id, ["local"]), {
      kind,
      toOrgId: kind === "internal" ? to.id : null,
      externalOrgName: kind === "outgoing" ? OUTSIDE[i % OUTSIDE.length]! : null,
      issuedOn,
    });
    if (!t) continue;
    if (state === "completed") acceptTransfer(db, system, t.id, { receiptOn: addDays(issuedOn, 1 + (i % 8)) }, today);
    else if (state === "returned") returnTransfer(db, system, t.id, { returnReason: "介绍信所填接收单位有误" });
    else if (state === "cancelled") cancelTransfer(db, system, t.id, { cancelReason: "党员调动计划变化" });
  }

  // -- Mobile members: spells for the members the people seed made mobile, then a few through the forms
  const spellsBackfilled = db.transaction((tx) => {
    const open = tx.select({ memberId: mobileSpells.memberId }).from(mobileSpells).where(isNull(mobileSpells.endedOn)).all();
    const hasSpell = new Set(open.map((r) => r.memberId));
    const mobile = tx
      .select()
      .from(members)
      .where(and(inArray(members.relationStatus, ["mobile_in", "mobile_out"]), isNull(members.leftOn)))
      .orderBy(asc(members.id))
      .all()
      .filter((m) => !hasSpell.has(m.id));
    mobile.forEach((m, i) => {
      const startedOn = m.managedOn && m.managedOn <= today ? m.managedOn : addDays(today, -200);
      if (m.relationStatus === "mobile_in") {
        // Every eighth certificate expires within 30 days (or just did): the inbox shows them.
        const validUntil = i % 8 === 0 ? addDays(today, (i % 45) - 10) : addMonths(today, 2 + (i % 10));
        tx.insert(mobileSpells)
          .values({
            memberId: m.id,
            direction: "in",
            orgId: m.orgId,
            homeOrgName: m.relationOrgName ?? OUTSIDE[i % OUTSIDE.length]!,
            homeRegionCode: divisionFromText(m.relationOrgName ?? OUTSIDE[i % OUTSIDE.length]!),
            certificateHeld: true,
            certificateNumber: `LD${today.slice(0, 4)}${String(m.id).padStart(6, "0")}`,
            certificateValidUntil: validUntil,
            startedOn,
          })
          .run();
      } else {
        const destination = (m.relationOrgName ?? "").replace(/^外出务工：/, "") || "江苏省苏州市";
        tx.insert(mobileSpells)
          .values({
            memberId: m.id,
            direction: "out",
            orgId: m.orgId,
            destination,
            // Every eleventh went no one knows where (不掌握流向); the others by the official unit kinds.
            destinationCode: i % 11 === 5 ? null : divisionFromText(destination),
            unitKind: i % 11 === 5 ? "unknown_destination" : DEMO_UNIT_KINDS[i % DEMO_UNIT_KINDS.length]!,
            certificateHeld: i % 3 === 0,
            contactPerson: "流入地党组织联系人",
            expectedReturnOn: addMonths(startedOn, 12),
            startedOn,
          })
          .run();
      }
    });
    return mobile.length;
  });

  let mobileRegistered = 0;
  const out1 = pick(b1.id, ["local"]);
  if (out1) {
    registerMobileOut(
      db,
      sec1,
      out1,
      {
        destinationCode: "330106",
        unitKind: "private_enterprise",
        destination: "杭州某物流园",
        certificateHeld: true,
        certificateNumber: `LC${today.slice(0, 4)}DEMO1`,
        certificateValidUntil: addMonths(today, 10),
        contactPerson: "杭州某物流园党支部 王书记",
        expectedReturnOn: addMonths(today, 8),
        outStartedOn: addDays(today, -15),
      },
      today,
    );
    mobileRegistered++;
  }
  const out2 = pick(b1.id, ["local"]);
  if (out2) {
    registerMobileOut(
      db,
      sec1,
      out2,
      {
        destinationCode: "370102",
        unitKind: "individual_business",
        destination: null,
        certificateHeld: false,
        certificateNumber: null,
        certificateValidUntil: null,
        contactPerson: null,
        expectedReturnOn: null,
        outStartedOn: addDays(today, -90),
      },
      today,
    );
    endMobileSpell(db, sec1, out2, { endedOn: addDays(today, -10) }, today);
    mobileRegistered++;
  }
  if (committee1) {
    for (const [n, days] of [
      [1, 12],
      [2, 200],
    ] as const) {
      const inn = pick(committee1.id, ["unattached"]);
      if (!inn) continue;
      registerMobileIn(
        db,
        clerk,
        inn,
        {
          orgId: b1.id,
          homeOrgName: OUTSIDE[n]!,
          homeRegionCode: divisionFromText(OUTSIDE[n]!),
          certificateNumber: `LD${today.slice(0, 4)}DEMO${n}`,
          certificateValidUntil: addDays(today, days),
          startedOn: addDays(today, -100),
        },
        today,
      );
      mobileRegistered++;
    }
  }

  // -- Out of contact and leaving ------------------------------------------------------------------
  const lost = pick(b1.id, ["local"]);
  if (lost) markLostContact(db, sec1, lost, { lostContactOn: addMonths(today, -7), lostContactReason: "migrant_work" }, today);
  const lost2 = pick(b2.id, ["local"]);
  if (lost2) markLostContact(db, sec2, lost2, { lostContactOn: addMonths(today, -2), lostContactReason: "employer_changed" }, today);
  // Leaving and suspension go through the committee's approval: db/seed/demo-membership.ts.

  const pending = db.select({ n: sql<number>`count(*)` }).from(transfers).where(eq(transfers.state, "pending")).get()!.n;
  const overdue = db
    .select({ n: sql<number>`count(*)` })
    .from(transfers)
    .where(and(eq(transfers.state, "pending"), sql`${transfers.deadlineOn} < ${today}`, ne(transfers.kind, "incoming")))
    .get()!.n;
  return { transfers: made, pending, overdue, spellsBackfilled, mobileRegistered };
}

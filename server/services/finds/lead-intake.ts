// Where a find made by hand (a self-report, a field visit) enters the leads: one lead per person,
// ever (leads.id_number is UNIQUE). A second find of the same person merges into the first lead
// — it fills what the lead lacks and notes what differs — and a find of someone who is already a
// member raises no lead at all: it goes on the member's timeline instead — when the member is inside
// the finder's scope. A member of another committee's is not written to: the find says only that
// the person is registered elsewhere, as the member form does.
//
// Call these inside the caller's transaction (they take the transaction's db).

import { eq } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { leads, members, organizations } from "../../../db/schema.js";
import { DISCOVERY_CHANNEL, type DiscoveryChannel, type Occupation } from "../../domain/codes.js";
import { maskPhone } from "../../domain/masking.js";
import type { Actor } from "../../policy/actor.js";
import { addTimelineEntries } from "../members/timeline.js";

export type LeadFind = {
  idNumber: string;
  name: string;
  phone: string | null;
  channel: DiscoveryChannel;
  committeeId: number;
  enterpriseId: number | null;
  occupation: Occupation | null;
  platform: string | null;
  homeOrgName: string | null;
  joinedOn: string | null;
  foundOn: string;
  selfReportLinkId: number | null;
  /** What the find itself says (e.g. where the visit was); appended to the lead's note. */
  note: string | null;
  /** Words for the note and the timeline, e.g. 亮身份二维码“某站点”. */
  sourceLabel: string;
  /** The subtree the find may write into (a path prefix): the finder's scope; for the public form, the link's committee. */
  scopePath: string;
};

export type IntakeResult =
  | { outcome: "created" | "merged"; leadId: number; leadCommitteeId: number; memberId: null }
  | { outcome: "already_member"; leadId: null; leadCommitteeId: null; memberId: number }
  /** A member outside the find's scope: nothing written, and nothing about them returned. */
  | { outcome: "member_elsewhere"; leadId: null; leadCommitteeId: null; memberId: null };

/** Notes stop growing here: a lead's note is for people, and repeated submissions must not bloat it. */
const NOTE_MAX = 2000;

function appendNote(existing: string | null, line: string): string {
  const base = existing ? `${existing}\n${line}` : line;
  return base.length > NOTE_MAX ? (existing ?? "").slice(0, NOTE_MAX) : base;
}

/**
 * Inserts the lead, or merges into the existing lead of the same ID number, or — when the person
 * is already a member — records the find on the member's timeline. Never a second lead.
 */
export function intakeLead(tx: Db, actor: Actor | null, find: LeadFind): IntakeResult {
  const member = tx
    .select({ id: members.id, phone: members.phone, path: organizations.path })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.orgId))
    .where(eq(members.idNumber, find.idNumber))
    .get();
  if (member && !member.path.startsWith(find.scopePath))
    return { outcome: "member_elsewhere", leadId: null, leadCommitteeId: null, memberId: null };
  if (member) {
    addTimelineEntries(tx, actor, [
      {
        memberId: member.id,
        kind: find.channel === "self_report" ? "self_reported" : find.channel,
        summary: `通过${find.sourceLabel}再次登记（已是党员，未生成线索）`,
        details: {
          channel: find.channel,
          linkId: find.selfReportLinkId,
          foundOn: find.foundOn,
          phoneDiffers: !!find.phone && find.phone !== member.phone,
        },
      },
    ]);
    return { outcome: "already_member", leadId: null, leadCommitteeId: null, memberId: member.id };
  }

  const firstNote = [`${find.foundOn} ${DISCOVERY_CHANNEL.label[find.channel]}：${find.sourceLabel}`, find.note].filter(Boolean).join("；");
  const inserted = tx
    .insert(leads)
    .values({
      idNumber: find.idNumber,
      name: find.name,
      phone: find.phone,
      channel: find.channel,
      committeeId: find.committeeId,
      selfReportLinkId: find.selfReportLinkId,
      enterpriseId: find.enterpriseId,
      occupation: find.occupation,
      platform: find.platform,
      homeOrgName: find.homeOrgName,
      joinedOn: find.joinedOn,
      note: firstNote,
      status: "open",
      foundOn: find.foundOn,
    })
    .onConflictDoNothing({ target: leads.idNumber })
    .returning({ id: leads.id, committeeId: leads.committeeId })
    .get();
  if (inserted) return { outcome: "created", leadId: inserted.id, leadCommitteeId: inserted.committeeId, memberId: null };

  // The person is already a lead: fill the blanks, note what differs, reopen a rejected lead.
  const lead = tx.select().from(leads).where(eq(leads.idNumber, find.idNumber)).get();
  if (!lead) throw new Error("lead vanished during intake");
  const differs: string[] = [];
  if (find.name !== lead.name) differs.push(`姓名不同（本次：${find.name}）`);
  if (find.phone && lead.phone && find.phone !== lead.phone) differs.push(`手机号不同（本次：${maskPhone(find.phone)}）`);
  if (find.homeOrgName && lead.homeOrgName && find.homeOrgName !== lead.homeOrgName)
    differs.push(`组织关系所在党组织不同（本次：${find.homeOrgName}）`);
  if (find.joinedOn && lead.joinedOn && find.joinedOn !== lead.joinedOn) differs.push(`入党日期不同（本次：${find.joinedOn}）`);
  const reopened = lead.status === "rejected";
  const line = [
    `${find.foundOn} 再次登记（${DISCOVERY_CHANNEL.label[find.channel]}：${find.sourceLabel}）`,
    find.note,
    ...differs,
    reopened ? `此前已排除（${lead.rejectReason ?? "未写原因"}），本人再次登记，已重新列为待核实` : null,
  ]
    .filter(Boolean)
    .join("；");
  tx.update(leads)
    .set({
      phone: lead.phone ?? find.phone,
      enterpriseId: lead.enterpriseId ?? find.enterpriseId,
      occupation: lead.occupation ?? find.occupation,
      platform: lead.platform ?? find.platform,
      homeOrgName: lead.homeOrgName ?? find.homeOrgName,
      joinedOn: lead.joinedOn ?? find.joinedOn,
      selfReportLinkId: lead.selfReportLinkId ?? find.selfReportLinkId,
      note: appendNote(lead.note, line),
      ...(reopened ? { status: "open" as const, decidedOn: null, decidedBy: null, rejectReason: null } : {}),
    })
    .where(eq(leads.id, lead.id))
    .run();
  return { outcome: "merged", leadId: lead.id, leadCommitteeId: lead.committeeId, memberId: null };
}

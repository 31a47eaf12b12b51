// Recording a meeting: the holding branch, its list of members (its own and its 流入 members, who
// are managed here, and those of its party groups), attendance with reasons, guests, votes and the
// quorum of a deciding 支部党员大会. Attendance names members of the holding branch's list only:
// any other member id in the body is refused with a field error, whatever its scope.

import { and, asc, eq, isNotNull, isNull, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { meetingAttendance, meetings, members, organizations } from "../../../db/schema.js";
import { todayIso } from "../../domain/dates.js";
import {
  ATTENDANCE_STATUS,
  attendanceStatus,
  hasVote,
  MEETING_TYPE,
  PARTIAL_ATTENDANCE_TYPES,
  QUORUM_TYPES,
  quorumMet,
} from "../../domain/organizational-life-rules.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite, orgPathInScope } from "../../policy/actor.js";
import type { MeetingInput } from "../../schemas/meetings.schema.js";
import { recordAudit } from "../admin/audit.js";
import { memberStillHereSql } from "../members/sql.js";

/** Kinds that hold organizational life: branches and general branches (a group's meeting is the branch's 党小组会). */
export const MEETING_HOLDING_KINDS = ["branch", "general_branch"] as const;

export type Org = typeof organizations.$inferSelect;

/** The branch, if it holds meetings and lies in the actor's scope; else 404 (never 403: the id may not exist). */
export function getHoldingOrg(db: Db, actor: Actor, orgId: number): Org {
  const org = db.select().from(organizations).where(eq(organizations.id, orgId)).get();
  if (!org || !orgPathInScope(actor, org.path) || !(MEETING_HOLDING_KINDS as readonly string[]).includes(org.kind)) {
    throw AppError.notFound("党组织");
  }
  return org;
}

/** Whether party groups sit under the branch (党小组会 is expected only then). */
export function hasGroups(db: Db, org: Org): boolean {
  return !!db
    .select({ id: organizations.id })
    .from(organizations)
    .where(and(eq(organizations.parentId, org.id), eq(organizations.kind, "group"), eq(organizations.status, "active")))
    .get();
}

export type RosterMember = {
  id: number;
  name: string;
  category: string;
  fullOn: string | null;
  relationStatus: string;
  occupation: string | null;
  vote: boolean;
};

/** The branch's list on `heldOn`: still-members held by the branch or its groups, 流入 members included. */
export function branchRoster(db: Db, org: Org, heldOn: string): RosterMember[] {
  return db
    .select({
      id: members.id,
      name: members.name,
      category: members.category,
      fullOn: members.fullOn,
      relationStatus: members.relationStatus,
      occupation: members.occupation,
    })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.orgId))
    .where(
      and(
        sql`(${organizations.id} = ${org.id} OR (${organizations.kind} = 'group' AND substr(${organizations.path}, 1, ${org.path.length}) = ${org.path}))`,
        memberStillHereSql(members),
        sql`${members.relationStatus} <> 'unattached'`,
      ),
    )
    .orderBy(asc(members.name), asc(members.id))
    .all()
    .map((m) => ({ ...m, vote: hasVote(m, heldOn) }));
}

export type Meeting = typeof meetings.$inferSelect;

/** Records the meeting and one attendance row per member of the list, plus the guests; returns it with the quorum outcome. */
export function recordMeeting(db: Db, actor: Actor, orgId: number, input: MeetingInput, today = todayIso()): Meeting {
  assertCanWrite(actor);
  return db.transaction(
    (tx) => {
      const org = getHoldingOrg(tx, actor, orgId);
      if (org.status !== "active") throw AppError.conflict("该党组织已撤销，不能再记录组织生活。");
      if (input.heldOn > today) throw AppError.invalid({ heldOn: "召开日期不能晚于今天" });
      if (!input.online && !input.place) throw AppError.invalid({ place: "请填写地点，或勾选“线上召开”" });
      const roster = branchRoster(tx, org, input.heldOn);
      const onList = new Set(roster.map((m) => m.id));
      const stranger = [...input.present, ...Object.keys(input.reasons).map(Number)].find((id) => !onList.has(id));
      if (stranger !== undefined) throw AppError.invalid({ attendance: "出席名单中有不属于本支部的党员，请从本支部名单中勾选" });
      if (input.present.length === 0) throw AppError.invalid({ attendance: "请勾选出席的党员" });
      const present = new Set(input.present);
      const partial = PARTIAL_ATTENDANCE_TYPES.includes(input.type);
      const expected = partial ? roster.filter((m) => present.has(m.id) || input.reasons[m.id]) : roster;
      const rows = expected.map((m) => {
        const status = attendanceStatus(present.has(m.id), input.reasons[m.id]);
        return { memberId: m.id, status, absenceReason: status === "excused" ? (input.reasons[m.id] ?? null) : null, hasVote: m.vote };
      });
      const voting = rows.filter((r) => r.hasVote).length;
      const votingPresent = rows.filter((r) => r.hasVote && r.status === "present").length;
      const decides = input.hasDecisions && QUORUM_TYPES.includes(input.type);
      const meeting = tx
        .insert(meetings)
        .values({
          orgId: org.id,
          type: input.type,
          heldOn: input.heldOn,
          place: input.online ? (input.place ?? "线上") : input.place,
          online: input.online,
          host: input.host,
          recorder: input.recorder,
          topic: input.topic,
          content: input.content,
          hasDecisions: decides,
          votingMembers: voting,
          votingPresent,
          quorumMet: decides ? quorumMet(votingPresent, voting) : null,
          createdBy: actor.id > 0 ? actor.id : null,
        })
        .returning()
        .get();
      const guestRows = input.guests.map((name) => ({ guestName: name, status: "present" as const, hasVote: false }));
      const all = [...rows, ...guestRows].map((r) => ({ ...r, meetingId: meeting.id }));
      if (all.length) tx.insert(meetingAttendance).values(all).run();
      recordAudit(tx, actor, {
        action: "meeting.create",
        entity: "meeting",
        entityId: meeting.id,
        after: {
          org: org.code,
          type: MEETING_TYPE.label[input.type],
          heldOn: input.heldOn,
          present: votingPresent,
          attendance: Object.fromEntries(Object.keys(ATTENDANCE_STATUS.label).map((s) => [s, rows.filter((r) => r.status === s).length])),
          guests: guestRows.length,
          quorumMet: meeting.quorumMet,
        },
      });
      return meeting;
    },
    { behavior: "immediate" },
  );
}

export type AttendanceRow = {
  memberId: number | null;
  name: string;
  status: string;
  absenceReason: string | null;
  hasVote: boolean;
  relationStatus: string | null;
  category: string | null;
  guest: boolean;
};

/** One meeting with its attendance, if its branch lies in the actor's scope (else 404). */
export function getMeeting(db: Db, actor: Actor, id: number) {
  const meeting = db.select().from(meetings).where(eq(meetings.id, id)).get();
  if (!meeting) throw AppError.notFound("会议记录");
  const org = getHoldingOrg(db, actor, meeting.orgId);
  const memberRows = db
    .select({
      memberId: meetingAttendance.memberId,
      name: members.name,
      status: meetingAttendance.status,
      absenceReason: meetingAttendance.absenceReason,
      hasVote: meetingAttendance.hasVote,
      relationStatus: members.relationStatus,
      category: members.category,
    })
    .from(meetingAttendance)
    .innerJoin(members, eq(members.id, meetingAttendance.memberId))
    .where(and(eq(meetingAttendance.meetingId, id), isNotNull(meetingAttendance.memberId)))
    .orderBy(asc(members.name), asc(members.id))
    .all()
    .map((r) => ({ ...r, guest: false }));
  const guests = db
    .select({ name: meetingAttendance.guestName })
    .from(meetingAttendance)
    .where(and(eq(meetingAttendance.meetingId, id), isNull(meetingAttendance.memberId)))
    .orderBy(asc(meetingAttendance.id))
    .all()
    .map((g) => g.name ?? "");
  const count = (s: string) => memberRows.filter((r) => r.status === s).length;
  return {
    meeting,
    org,
    attendance: memberRows as AttendanceRow[],
    guests,
    totals: { members: memberRows.length, present: count("present"), excused: count("excused"), absent: count("absent") },
  };
}

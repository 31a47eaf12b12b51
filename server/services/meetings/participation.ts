// Who takes part in organizational life: a member's last meeting attended and the months since, the
// members without it for 3 and 6 months (the flags), and those who took part within them (the
// statistics). Counts and lists are built on one condition each (sql.ts), so a figure equals its list.
// lastParticipation is the entry other areas use (the drift-risk list reads months since from it).

import { and, asc, desc, eq, inArray, isNotNull, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { meetingAttendance, meetings, organizations } from "../../../db/schema.js";
import { todayIso } from "../../domain/dates.js";
import {
  monthsSince,
  PARTICIPATION_LIMIT_MONTHS,
  PARTICIPATION_WARNING_MONTHS,
  participationLapsed,
} from "../../domain/organizational-life-rules.js";
import { type Actor, orgIdInScope } from "../../policy/actor.js";
import { getMember } from "../members/record.js";
import { lastAttendedSql, managedMemberSql, participatedWithinSql, participationLapsedSql, participationSinceSql } from "./sql.js";

export type LastParticipation = { memberId: number; lastOn: string | null; meetingId: number | null; monthsSince: number | null };

/**
 * The last meeting each member was present at (on or before `asOf`) and the whole months since.
 * No scope: the caller has already chosen the members (as the identity and drift-risk work do).
 */
export function lastParticipation(db: Db, memberIds: number[], asOf = todayIso()): Map<number, LastParticipation> {
  const out = new Map<number, LastParticipation>();
  for (const id of memberIds) out.set(id, { memberId: id, lastOn: null, meetingId: null, monthsSince: null });
  for (let i = 0; i < memberIds.length; i += 500) {
    const chunk = memberIds.slice(i, i + 500);
    const rows = db
      .select({ memberId: meetingAttendance.memberId, heldOn: meetings.heldOn, meetingId: meetings.id })
      .from(meetingAttendance)
      .innerJoin(meetings, eq(meetings.id, meetingAttendance.meetingId))
      .where(and(inArray(meetingAttendance.memberId, chunk), eq(meetingAttendance.status, "present"), sql`${meetings.heldOn} <= ${asOf}`))
      .orderBy(asc(meetings.heldOn), asc(meetings.id))
      .all();
    for (const r of rows)
      out.set(r.memberId!, { memberId: r.memberId!, lastOn: r.heldOn, meetingId: r.meetingId, monthsSince: monthsSince(r.heldOn, asOf) });
  }
  return out;
}

/** The member page's section: last attended, months since, the flags, the latest meetings attended or missed. */
export function memberParticipation(db: Db, actor: Actor, memberId: number, today = todayIso()) {
  const member = getMember(db, actor, memberId);
  const last = lastParticipation(db, [memberId], today).get(memberId)!;
  const since = last.lastOn ?? member.managedOn ?? member.createdAt.slice(0, 10);
  const recent = db
    .select({
      meetingId: meetings.id,
      type: meetings.type,
      heldOn: meetings.heldOn,
      topic: meetings.topic,
      orgName: organizations.name,
      status: meetingAttendance.status,
      absenceReason: meetingAttendance.absenceReason,
    })
    .from(meetingAttendance)
    .innerJoin(meetings, eq(meetings.id, meetingAttendance.meetingId))
    .innerJoin(organizations, eq(organizations.id, meetings.orgId))
    .where(eq(meetingAttendance.memberId, memberId))
    .orderBy(desc(meetings.heldOn), desc(meetings.id))
    .limit(6)
    .all();
  const managed = member.relationStatus !== "unattached" && member.relationStatus !== "transferred_out" && !member.leftOn;
  return {
    ...last,
    since,
    managed,
    warning: managed && participationLapsed(since, today, PARTICIPATION_WARNING_MONTHS),
    lapsed: managed && participationLapsed(since, today, PARTICIPATION_LIMIT_MONTHS),
    recent,
  };
}

// -- The flags and figures over the actor's scope ----------------------------------------------------

const inScope = (actor: Actor) => orgIdInScope(actor, sql.raw("m.org_id"));

/** Managed members in scope without organizational life for `months` (counted from the last meeting, else from being managed). */
export function lapsedCond(actor: Actor, months: number, today: string): SQL {
  return sql`${managedMemberSql("m")} AND ${inScope(actor)} AND ${participationLapsedSql("m", today, months)}`;
}

/** The warning flag: three months without organizational life, not yet six (those have their own flag). */
export function warningCond(actor: Actor, today: string): SQL {
  return sql`${lapsedCond(actor, PARTICIPATION_WARNING_MONTHS, today)} AND NOT ${participationLapsedSql("m", today, PARTICIPATION_LIMIT_MONTHS)}`;
}

/** Managed members in scope present at a meeting within the last `months`. */
export function tookPartCond(actor: Actor, months: number, today: string): SQL {
  return sql`${managedMemberSql("m")} AND ${inScope(actor)} AND ${participatedWithinSql("m", today, months)}`;
}

export function countMembers(db: Db, cond: SQL): number {
  return db.get<{ n: number }>(sql`SELECT count(*) AS n FROM members m WHERE ${cond}`)?.n ?? 0;
}

export type ParticipationRow = {
  memberId: number;
  name: string;
  relationStatus: string;
  orgId: number;
  orgName: string;
  lastOn: string | null;
  since: string;
  monthsSince: number;
};

/** The rows behind a participation figure, oldest participation first. */
export function listMembers(db: Db, cond: SQL, today: string, limit = 500): ParticipationRow[] {
  const rows = db.all<Omit<ParticipationRow, "monthsSince">>(sql`
    SELECT m.id AS memberId, m.name AS name, m.relation_status AS relationStatus, o.id AS orgId, o.name AS orgName,
      ${lastAttendedSql("m", today)} AS lastOn, ${participationSinceSql("m", today)} AS since
    FROM members m JOIN organizations o ON o.id = m.org_id
    WHERE ${cond}
    ORDER BY since, m.id
    LIMIT ${limit}`);
  return rows.map((r) => ({ ...r, monthsSince: monthsSince(r.since, today) }));
}

/** Managed members in scope: the denominator of the participation figures. */
export function managedCond(actor: Actor): SQL {
  return sql`${managedMemberSql("m")} AND ${inScope(actor)}`;
}

export function managedCount(db: Db, actor: Actor): number {
  return countMembers(db, managedCond(actor));
}

/** Members with an attendance row (tests read what was stored through this). */
export function attendanceOf(db: Db, meetingId: number) {
  return db
    .select()
    .from(meetingAttendance)
    .where(and(eq(meetingAttendance.meetingId, meetingId), isNotNull(meetingAttendance.memberId)))
    .all();
}

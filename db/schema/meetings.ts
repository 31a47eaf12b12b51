import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ABSENCE_REASONS, ATTENDANCE_STATUSES, MEETING_TYPES } from "../../server/domain/organizational-life-rules.js";
import { users } from "./accounts.js";
import { createdAt, inList, updatedAt } from "./columns.js";
import { members } from "./members.js";
import { organizations } from "./orgs.js";

// Organizational life (三会一课): meetings a branch holds and who attended. Recorded by the branch
// that holds the meeting, whoever's relationship sits where. Never deleted.

export const meetings = sqliteTable(
  "meetings",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    orgId: integer("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    type: text("type", { enum: MEETING_TYPES }).notNull(),
    heldOn: text("held_on").notNull(),
    place: text("place"),
    online: integer("online", { mode: "boolean" }).notNull().default(false),
    host: text("host").notNull(),
    recorder: text("recorder").notNull(),
    topic: text("topic").notNull(),
    content: text("content"),
    // A 支部党员大会 that decides needs more than half of the voting members present: the counts at
    // the time, and whether it was met, are kept with the meeting (warn and record, not refuse).
    hasDecisions: integer("has_decisions", { mode: "boolean" }).notNull().default(false),
    votingMembers: integer("voting_members").notNull().default(0),
    votingPresent: integer("voting_present").notNull().default(0),
    quorumMet: integer("quorum_met", { mode: "boolean" }),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  (t) => [
    index("meetings_org_held_idx").on(t.orgId, t.heldOn, t.type),
    index("meetings_held_idx").on(t.heldOn),
    check("meetings_type_ck", inList("type", MEETING_TYPES)),
  ],
);

/** One row per member of the holding branch's list at the meeting, and one per guest (no member id). */
export const meetingAttendance = sqliteTable(
  "meeting_attendance",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    meetingId: integer("meeting_id")
      .notNull()
      .references(() => meetings.id, { onDelete: "restrict" }),
    memberId: integer("member_id").references(() => members.id, { onDelete: "restrict" }),
    guestName: text("guest_name"),
    status: text("status", { enum: ATTENDANCE_STATUSES }).notNull(),
    absenceReason: text("absence_reason", { enum: ABSENCE_REASONS }),
    hasVote: integer("has_vote", { mode: "boolean" }).notNull().default(false),
  },
  (t) => [
    uniqueIndex("meeting_attendance_member_uq").on(t.meetingId, t.memberId),
    // A member's last organizational life: the latest meeting they were present at.
    index("meeting_attendance_member_idx").on(t.memberId, t.status, t.meetingId),
    check("meeting_attendance_status_ck", inList("status", ATTENDANCE_STATUSES)),
    check("meeting_attendance_reason_ck", sql`absence_reason IS NULL OR ${inList("absence_reason", ABSENCE_REASONS)}`),
    check("meeting_attendance_who_ck", sql`(member_id IS NULL) <> (guest_name IS NULL)`),
  ],
);

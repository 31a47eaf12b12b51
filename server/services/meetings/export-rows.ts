// The rows of the organizational-life workbooks: every meeting of a year under an organization of
// the actor's scope, with its attendance counts. The workbook itself is export/meetings.workbook.ts.

import { eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { organizations } from "../../../db/schema.js";
import { AppError } from "../../errors.js";
import { type Actor, orgIdInScope, orgPathInScope, scopePath } from "../../policy/actor.js";
import { MEETING_HOLDING_KINDS } from "./record.js";

export type YearMeetingRow = {
  id: number;
  orgId: number;
  orgCode: string;
  orgName: string;
  type: string;
  heldOn: string;
  place: string | null;
  online: number;
  host: string;
  recorder: string;
  topic: string;
  hasDecisions: number;
  votingMembers: number;
  votingPresent: number;
  quorumMet: number | null;
  listed: number;
  present: number;
  excused: number;
  absent: number;
  guests: number;
};

/** The organization a workbook covers: the one asked for (in scope, else 404), else the actor's own. */
export function exportRoot(db: Db, actor: Actor, orgId: number | null) {
  if (orgId == null) {
    const path = scopePath(actor);
    return { path, name: path === "/" ? "全部" : actor.orgName, code: null as string | null, id: null as number | null };
  }
  const org = db.select().from(organizations).where(eq(organizations.id, orgId)).get();
  if (!org || !orgPathInScope(actor, org.path)) throw AppError.notFound("党组织");
  return { path: org.path, name: org.name, code: org.code, id: org.id };
}

/** The holding branches under `rootPath` (in the actor's scope), in tree order. */
export function branchesUnder(db: Db, actor: Actor, rootPath: string) {
  const kinds = sql.raw(MEETING_HOLDING_KINDS.map((k) => `'${k}'`).join(","));
  return db.all<{ id: number; code: string; name: string }>(sql`
    SELECT o.id AS id, o.code AS code, o.name AS name FROM organizations o
    WHERE o.kind IN (${kinds}) AND substr(o.path, 1, ${rootPath.length}) = ${rootPath} AND ${orgIdInScope(actor, sql.raw("o.id"))}
    ORDER BY o.path, o.id`);
}

/** Every meeting of `year` held by those branches, with its attendance counts. */
export function meetingsOfYear(db: Db, actor: Actor, rootPath: string, year: number): YearMeetingRow[] {
  return db.all<YearMeetingRow>(sql`
    SELECT mt.id AS id, o.id AS orgId, o.code AS orgCode, o.name AS orgName, mt.type AS type, mt.held_on AS heldOn,
      mt.place AS place, mt.online AS online, mt.host AS host, mt.recorder AS recorder, mt.topic AS topic,
      mt.has_decisions AS hasDecisions, mt.voting_members AS votingMembers, mt.voting_present AS votingPresent,
      mt.quorum_met AS quorumMet,
      (SELECT count(*) FROM meeting_attendance a WHERE a.meeting_id = mt.id AND a.member_id IS NOT NULL) AS listed,
      (SELECT count(*) FROM meeting_attendance a WHERE a.meeting_id = mt.id AND a.member_id IS NOT NULL AND a.status = 'present') AS present,
      (SELECT count(*) FROM meeting_attendance a WHERE a.meeting_id = mt.id AND a.status = 'excused') AS excused,
      (SELECT count(*) FROM meeting_attendance a WHERE a.meeting_id = mt.id AND a.status = 'absent') AS absent,
      (SELECT count(*) FROM meeting_attendance a WHERE a.meeting_id = mt.id AND a.member_id IS NULL) AS guests
    FROM meetings mt JOIN organizations o ON o.id = mt.org_id
    WHERE substr(o.path, 1, ${rootPath.length}) = ${rootPath} AND ${orgIdInScope(actor, sql.raw("o.id"))}
      AND substr(mt.held_on, 1, 4) = ${String(year)}
    ORDER BY o.path, mt.held_on, mt.id`);
}

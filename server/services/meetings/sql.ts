// Organizational life as SQL: a member's last meeting attended, and "no organizational life for N
// months" as one comparison against a cutoff built from the domain rule (participationCutoff), so
// counts, lists, flags and the statistics agree with the member page's months-since.

import { type SQL, sql } from "drizzle-orm";
import { MANAGING_KINDS } from "../../domain/codes.js";
import { participationCutoff } from "../../domain/organizational-life-rules.js";
import { memberStillHereSql } from "../members/sql.js";

const quoted = (xs: readonly string[]) => sql.raw(xs.map((x) => `'${x}'`).join(","));

/** The date of the latest meeting the member (`m.id`, raw alias) was present at on or before `asOf`; NULL if none. */
export function lastAttendedSql(m: string, asOf: string): SQL {
  return sql`(SELECT max(mt.held_on) FROM meeting_attendance ma JOIN meetings mt ON mt.id = ma.meeting_id
    WHERE ma.member_id = ${sql.raw(m)}.id AND ma.status = 'present' AND mt.held_on <= ${asOf})`;
}

/**
 * Where the months without organizational life count from: the last meeting attended, else the day
 * the member came under management (a member filed last week has not missed six months), else the
 * day the record was made.
 */
export function participationSinceSql(m: string, asOf: string): SQL {
  return sql`coalesce(${lastAttendedSql(m, asOf)}, ${sql.raw(m)}.managed_on, substr(${sql.raw(m)}.created_at, 1, 10))`;
}

/** Managed (纳管) members: still members, held by a branch (or general branch, group), not merely found. */
export function managedMemberSql(m: string): SQL {
  return sql`(${memberStillHereSql(m)} AND ${sql.raw(m)}.relation_status <> 'unattached'
    AND ${sql.raw(m)}.org_id IN (SELECT id FROM organizations WHERE kind IN (${quoted(MANAGING_KINDS)})))`;
}

/** No organizational life for `months` by `asOf` (participationLapsed). */
export function participationLapsedSql(m: string, asOf: string, months: number): SQL {
  return sql`(${participationSinceSql(m, asOf)} <= ${participationCutoff(asOf, months)})`;
}

/** Took part in organizational life within the last `months` (present at a meeting after the cutoff). */
export function participatedWithinSql(m: string, asOf: string, months: number): SQL {
  return sql`(coalesce(${lastAttendedSql(m, asOf)}, '') > ${participationCutoff(asOf, months)})`;
}

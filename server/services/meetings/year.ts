// A branch's year of organizational life by month and type, against what the rules expect, and the
// monthly rule over the branches of a scope (主题党日 and 支委会 held in the month: the flag and the
// figure are one condition).

import { and, asc, eq, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { meetings, organizations } from "../../../db/schema.js";
import { todayIso } from "../../domain/dates.js";
import {
  expectedTypes,
  MEETING_TYPES,
  type MeetingType,
  missingInYear,
  MONTHLY_FLAG_TYPES,
} from "../../domain/organizational-life-rules.js";
import { type Actor, orgIdInScope } from "../../policy/actor.js";
import { getHoldingOrg, hasGroups, MEETING_HOLDING_KINDS } from "./record.js";

const holdingKinds = sql.raw(MEETING_HOLDING_KINDS.map((k) => `'${k}'`).join(","));
const flagTypes = sql.raw(MONTHLY_FLAG_TYPES.map((k) => `'${k}'`).join(","));

/** The meetings of a branch in a year, the counts per month × type, and what is missing so far. */
export function yearGrid(db: Db, actor: Actor, orgId: number, year: number, today = todayIso()) {
  const org = getHoldingOrg(db, actor, orgId);
  const list = db
    .select()
    .from(meetings)
    .where(and(eq(meetings.orgId, org.id), sql`substr(${meetings.heldOn}, 1, 4) = ${String(year)}`))
    .orderBy(asc(meetings.heldOn), asc(meetings.id))
    .all();
  const counts = new Map<string, number>();
  for (const m of list) {
    const key = `${Number(m.heldOn.slice(5, 7))}:${m.type}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const held = (type: MeetingType, months: number[]) => months.reduce((n, mo) => n + (counts.get(`${mo}:${type}`) ?? 0), 0);
  const thisYear = Number(today.slice(0, 4));
  // Months already over are judged; the running month is not yet missing.
  const lastJudged = year < thisYear ? 12 : year > thisYear ? 0 : Number(today.slice(5, 7)) - 1;
  const types = expectedTypes(hasGroups(db, org));
  const missing = missingInYear(held, types, lastJudged, year < thisYear);
  const missingSet = new Set(missing.map((x) => `${x.month}:${x.type}`));
  const months = Array.from({ length: 12 }, (_, i) => i + 1).map((month) => ({
    month,
    cells: MEETING_TYPES.map((type) => ({
      type,
      held: counts.get(`${month}:${type}`) ?? 0,
      missing: missingSet.has(`${month}:${type}`),
    })),
  }));
  return { org, year, list, months, types, missing, currentMonth: year === thisYear ? Number(today.slice(5, 7)) : null };
}

/** Meetings of the flag types held in `month` (YYYY-MM) by the branch `o.id`. */
function heldInMonthSql(type: MeetingType | null, month: string): SQL {
  return sql`EXISTS (SELECT 1 FROM meetings mt WHERE mt.org_id = o.id AND substr(mt.held_on, 1, 7) = ${month}
    AND ${type ? sql`mt.type = ${type}` : sql`mt.type IN (${flagTypes})`})`;
}

/** Active branches in scope that hold meetings (the denominator of the monthly rule). */
export function branchesCond(actor: Actor): SQL {
  return sql`o.kind IN (${holdingKinds}) AND o.status = 'active' AND ${orgIdInScope(actor, sql.raw("o.id"))}`;
}

/** Branches that held every flag type (主题党日, 支委会) in the month: the monthly rule met. */
export function meetsMonthlyRuleCond(actor: Actor, month: string): SQL {
  return sql`${branchesCond(actor)} AND ${sql.join(
    MONTHLY_FLAG_TYPES.map((t) => heldInMonthSql(t, month)),
    sql` AND `,
  )}`;
}

/** Branches missing at least one flag type in the month (the inbox flag): the complement of the rule. */
export function missesMonthlyRuleCond(actor: Actor, month: string): SQL {
  return sql`${branchesCond(actor)} AND NOT (${sql.join(
    MONTHLY_FLAG_TYPES.map((t) => heldInMonthSql(t, month)),
    sql` AND `,
  )})`;
}

export function countBranches(db: Db, cond: SQL): number {
  return db.get<{ n: number }>(sql`SELECT count(*) AS n FROM organizations o WHERE ${cond}`)?.n ?? 0;
}

export type BranchMonthRow = {
  orgId: number;
  code: string;
  name: string;
  missing: MeetingType[];
  heldThisYear: number;
  lastHeldOn: string | null;
};

/** The branches of a condition with what they miss in the month, this year's count and their last meeting. */
export function listBranches(db: Db, cond: SQL, month: string, limit = 500): BranchMonthRow[] {
  const year = month.slice(0, 4);
  const rows = db.all<{
    orgId: number;
    code: string;
    name: string;
    held: string | null;
    heldThisYear: number;
    lastHeldOn: string | null;
  }>(sql`
    SELECT o.id AS orgId, o.code AS code, o.name AS name,
      (SELECT group_concat(DISTINCT mt.type) FROM meetings mt WHERE mt.org_id = o.id AND substr(mt.held_on, 1, 7) = ${month}) AS held,
      (SELECT count(*) FROM meetings mt WHERE mt.org_id = o.id AND substr(mt.held_on, 1, 4) = ${year}) AS heldThisYear,
      (SELECT max(mt.held_on) FROM meetings mt WHERE mt.org_id = o.id) AS lastHeldOn
    FROM organizations o WHERE ${cond}
    ORDER BY o.path, o.id
    LIMIT ${limit}`);
  return rows.map((r) => {
    const held = new Set((r.held ?? "").split(","));
    return { ...r, missing: MONTHLY_FLAG_TYPES.filter((t) => !held.has(t)) };
  });
}

/** Holding organizations in scope, for the /meetings index. */
export function holdingOrgsInScope(db: Db, actor: Actor) {
  return db
    .select({ id: organizations.id, name: organizations.name })
    .from(organizations)
    .where(and(sql`${organizations.kind} IN (${holdingKinds})`, eq(organizations.status, "active"), orgIdInScope(actor, organizations.id)))
    .orderBy(asc(organizations.path))
    .all();
}

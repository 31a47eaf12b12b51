// What table 27 reads from the records: each enterprise of the coverage statistics' source with its
// figures' flags (coverage/figures.ts: the one spelling of 应建未建, the joint and no-organization
// classes), its worker count and legal-representative marks, and what links to it (the joint branches
// covering it, the instructors contacting it, the members in scope working there).

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import {
  TABLE27_COLUMNS,
  TABLE27_ROWS,
  type Table27Base,
  type Table27ColumnKey,
  type Table27Row,
} from "../../domain/official-tables/table27.js";
import { FIGURES } from "../coverage/figures.js";
import type { EnterpriseSourceRow } from "../coverage/rows.js";
import { orgInScope, type ResolvedScope } from "../coverage/scope.js";
import { fromSource } from "../coverage/sources.js";
import { assignmentActiveSql, coveringLinkSql } from "../coverage/sql.js";
import { memberPresentSql } from "../members/sql.js";

const BASES = [...new Set(TABLE27_ROWS.map((r) => r.base))].filter((b): b is Exclude<Table27Base, "all"> => b !== "all");

export type Fact = EnterpriseSourceRow & {
  name: string;
  worker_count: number;
  rep_member: number;
  rep_secretary: number;
  flags: Set<Table27Base>;
};

/** The enterprises in scope at `asOf`, each with the flags of the rows' figures and what the columns test. */
function facts(db: Db, rs: ResolvedScope, asOf: string): Fact[] {
  const flags = sql.join(
    BASES.map((b) => {
      const f = FIGURES[b];
      if (f.source !== "enterprise") throw new Error(`table 27 row base ${b} is not an enterprise figure`);
      return sql`(${sql.raw(f.flag)}) AS ${sql.raw(`b_${b}`)}`;
    }),
    sql`, `,
  );
  const rows = db.all<EnterpriseSourceRow & Record<string, number> & { name: string }>(
    fromSource(
      { rs, asOf, periodFrom: asOf },
      "enterprise",
      sql`s.*, (SELECT name FROM enterprises WHERE id = s.id) AS name,
        (SELECT worker_count FROM enterprises WHERE id = s.id) AS worker_count,
        (SELECT legal_rep_is_member FROM enterprises WHERE id = s.id) AS rep_member,
        (SELECT legal_rep_is_secretary FROM enterprises WHERE id = s.id) AS rep_secretary, ${flags}`,
      null,
      sql`ORDER BY s.id`,
    ),
  );
  return rows.map((r) => ({
    ...r,
    name: String(r.name ?? ""),
    worker_count: Number(r.worker_count ?? 0),
    rep_member: Number(r.rep_member ?? 0),
    rep_secretary: Number(r.rep_secretary ?? 0),
    flags: new Set<Table27Base>(["all", ...BASES.filter((b) => r[`b_${b}`])]),
  }));
}

const idList = (ids: number[]): SQL => sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`;

function group(rows: { ent: number; id: number }[]): Map<number, number[]> {
  const out = new Map<number, number[]>();
  for (const r of rows) {
    const l = out.get(r.ent);
    if (l) l.push(r.id);
    else out.set(r.ent, [r.id]);
  }
  return out;
}

/**
 * Which joint branches cover each enterprise, which instructors contact it, which members in scope work
 * there: only links to the enterprises in scope, so an instructor or a joint branch is listed with the
 * scope's enterprises alone, never another committee's.
 */
function links(db: Db, rs: ResolvedScope, asOf: string, ids: number[]) {
  const joint = db.all<{ id: number; ent: number }>(sql`SELECT oe.organization_id AS id, oe.enterprise_id AS ent
    FROM organization_enterprises oe JOIN organizations o ON o.id = oe.organization_id
    WHERE oe.enterprise_id IN ${idList(ids)} AND ${coveringLinkSql("joint", asOf)}`);
  const instr = db.all<{ id: number; ent: number }>(sql`SELECT DISTINCT ia.instructor_id AS id, ia.enterprise_id AS ent
    FROM instructor_assignments ia WHERE ia.enterprise_id IN ${idList(ids)} AND ${assignmentActiveSql(asOf)}`);
  const members = db.all<{ id: number; ent: number }>(sql`SELECT m.id, m.enterprise_id AS ent FROM members m
    WHERE m.enterprise_id IN ${idList(ids)} AND ${memberPresentSql("m", asOf)} AND ${orgInScope(rs, "m.org_id")} ORDER BY m.id`);
  return { joint: group(joint), instr: group(instr), members: group(members) };
}

export type Table27Facts = { facts: Fact[]; links: ReturnType<typeof links> };

export function table27Facts(db: Db, rs: ResolvedScope, asOf: string): Table27Facts {
  const f = facts(db, rs, asOf);
  return {
    facts: f,
    links: links(
      db,
      rs,
      asOf,
      f.map((e) => e.id),
    ),
  };
}

const COLUMN = new Map(TABLE27_COLUMNS.map((c) => [c.key, c]));

/** The enterprises a cell's row and column pick. */
export function cellEnterprises(c: Table27Facts, row: Table27Row, column: Table27ColumnKey): Fact[] {
  const col = COLUMN.get(column)!;
  return c.facts.filter(
    (e) =>
      e.flags.has(row.base) &&
      col.test({ workerCount: e.worker_count, legalRepIsMember: !!e.rep_member, legalRepIsSecretary: !!e.rep_secretary }),
  );
}

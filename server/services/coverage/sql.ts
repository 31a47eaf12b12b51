// The "two coverages" rules (domain/coverage-rules.ts) as SQL: an enterprise's coverage facts, each a
// correlated expression on the enterprise alias `e`, and the conditions over them. The statistics'
// enterprise source and figures (sources.ts, figures.ts) and the enterprise pages
// (enterprises/coverage.ts) read these same ones; tests hold them to the pure rules' answers.

import { type SQL, sql } from "drizzle-orm";
import { COVERING_KINDS } from "../../domain/codes.js";
import { FULL_MEMBERS_TO_FORM, type OwnOrgLevel } from "../../domain/coverage-rules.js";
import { memberFullSql, memberPresentSql } from "../members/sql.js";
import { COMMITTEE_KINDS_SQL, kindListSql } from "../orgs/sql.js";

/** An organization (alias `a`) exists at the as-of date. */
export function orgActiveSql(a: string, asOf: string): SQL {
  const x = sql.raw(a);
  return sql`(${x}.founded_on IS NULL OR ${x}.founded_on <= ${asOf}) AND (${x}.status = 'active' OR ${x}.dissolved_on > ${asOf})`;
}

/** How own_level ranks the levels: the highest of an enterprise's own organizations is its level. */
const OWN_LEVEL_RANK: Record<OwnOrgLevel, number> = { committee: 3, general_branch: 2, branch: 1 };
const LEVEL_OF_RANK = new Map(Object.entries(OWN_LEVEL_RANK).map(([level, rank]) => [rank, level as OwnOrgLevel]));

export function ownOrgLevelOf(rank: number | null): OwnOrgLevel | null {
  return rank == null ? null : (LEVEL_OF_RANK.get(rank) ?? "branch");
}

/** The facts of domain/coverage-rules.ts's EnterpriseCoverageFacts, as SQL expressions or as column names. */
export type CoverageFacts<T> = { ownLevel: T; inJoint: T; hasInstr: T; fullM: T; allM: T };

/** The column each fact is selected as (enterpriseFactColumnsSql); the figures' flags read these. */
export const FACT_COLUMNS: CoverageFacts<string> = {
  ownLevel: "own_level",
  inJoint: "in_joint",
  hasInstr: "has_instr",
  fullM: "full_m",
  allM: "all_m",
};

/**
 * A link (organization_enterprises `oe`, organization `o`) that covers its enterprise at `asOf`: a
 * joint branch's, or an own organization's. Table 27's joint branches (services/tables/table27.ts) read it too.
 */
export function coveringLinkSql(formation: "joint" | "own", asOf: string): SQL {
  return sql`${orgActiveSql("o", asOf)} AND (oe.since IS NULL OR oe.since <= ${asOf})
      AND ${formation === "joint" ? sql`o.formation = 'joint'` : sql`coalesce(o.formation, 'standalone') <> 'joint' AND o.kind IN ${kindListSql(COVERING_KINDS)}`}`;
}

/** An instructor's assignment (alias `ia`) is running at `asOf`: the enterprise is contacted. */
export function assignmentActiveSql(asOf: string): SQL {
  return sql`ia.assigned_on <= ${asOf} AND (ia.ended_on IS NULL OR ia.ended_on > ${asOf})`;
}

/** The facts at `asOf`, each correlated on the enterprise alias `e`. */
export function enterpriseFactsSql(asOf: string): CoverageFacts<SQL> {
  const link = (formation: "joint" | "own") => sql`FROM organization_enterprises oe JOIN organizations o ON o.id = oe.organization_id
      WHERE oe.enterprise_id = e.id AND ${coveringLinkSql(formation, asOf)}`;
  const r = OWN_LEVEL_RANK;
  return {
    ownLevel: sql`(SELECT MAX(CASE WHEN o.kind IN ${COMMITTEE_KINDS_SQL} THEN ${sql.raw(String(r.committee))} WHEN o.kind = 'general_branch' THEN ${sql.raw(String(r.general_branch))} ELSE ${sql.raw(String(r.branch))} END) ${link("own")})`,
    inJoint: sql`EXISTS (SELECT 1 ${link("joint")})`,
    hasInstr: sql`EXISTS (SELECT 1 FROM instructor_assignments ia WHERE ia.enterprise_id = e.id AND ${assignmentActiveSql(asOf)})`,
    fullM: sql`(SELECT COUNT(*) FROM members m WHERE m.enterprise_id = e.id AND ${memberPresentSql("m", asOf)} AND ${memberFullSql("m", asOf)})`,
    allM: sql`(SELECT COUNT(*) FROM members m WHERE m.enterprise_id = e.id AND ${memberPresentSql("m", asOf)})`,
  };
}

/** Every fact, selected as FACT_COLUMNS names. */
export function enterpriseFactColumnsSql(asOf: string): SQL {
  const f = enterpriseFactsSql(asOf);
  const c = FACT_COLUMNS;
  return sql.join(
    (Object.keys(c) as (keyof CoverageFacts<string>)[]).map((k) => sql`${f[k]} AS ${sql.raw(c[k])}`),
    sql`, `,
  );
}

/** A template tag building either SQL (drizzle's `sql`) or the plain text of a figure's flag. */
type Tag<T> = (strings: TemplateStringsArray, ...values: (T | number)[]) => T;

export const textTag: Tag<string> = (strings, ...values) => strings.reduce((out, s, i) => out + String(values[i - 1]) + s);

/**
 * The coverage conditions over the facts (`in_joint` and `has_instr` are 0 or 1, read as truth
 * values), the SQL twins of classifyEnterprise, shouldFormButHasNot and noOrgSubclass.
 */
export function coverageConditions<T>(t: Tag<T>, f: CoverageFacts<T>) {
  const enough = t`(${f.fullM} >= ${FULL_MEMBERS_TO_FORM})`;
  const r = OWN_LEVEL_RANK;
  return {
    standalone: t`(${f.ownLevel} IS NOT NULL)`,
    standaloneCommittee: t`(${f.ownLevel} = ${r.committee})`,
    standaloneGeneralBranch: t`(${f.ownLevel} = ${r.general_branch})`,
    standaloneBranch: t`(${f.ownLevel} = ${r.branch})`,
    joint: t`(${f.ownLevel} IS NULL AND ${f.inJoint})`,
    jointShouldForm: t`(${f.ownLevel} IS NULL AND ${f.inJoint} AND ${enough})`,
    orgCoverage: t`(${f.ownLevel} IS NOT NULL OR ${f.inJoint})`,
    workOnly: t`(${f.ownLevel} IS NULL AND NOT ${f.inJoint} AND ${f.hasInstr})`,
    workCoverage: t`(${f.ownLevel} IS NOT NULL OR ${f.inJoint} OR ${f.hasInstr})`,
    noOrg: t`(${f.ownLevel} IS NULL AND NOT ${f.inJoint})`,
    noOrgShouldForm: t`(${f.ownLevel} IS NULL AND NOT ${f.inJoint} AND ${enough})`,
    noOrgFewMembers: t`(${f.ownLevel} IS NULL AND NOT ${f.inJoint} AND NOT ${enough} AND ${f.allM} > 0)`,
    noOrgNoMembers: t`(${f.ownLevel} IS NULL AND NOT ${f.inJoint} AND ${f.allM} = 0)`,
    uncovered: t`(${f.ownLevel} IS NULL AND NOT ${f.inJoint} AND NOT ${f.hasInstr})`,
    shouldForm: t`(${f.ownLevel} IS NULL AND ${enough})`,
  };
}

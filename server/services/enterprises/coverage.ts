// How each enterprise is covered, at as-of = today: the facts in SQL (services/coverage/sql.ts,
// the same expressions the statistics' enterprise source selects), the class and the 应建未建 flag
// from the pure rules in domain/coverage-rules.ts.

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import {
  COVERAGE_CLASS_LABEL,
  type CoverageClass,
  classifyEnterprise,
  type EnterpriseCoverageFacts,
  shouldFormButHasNot,
} from "../../domain/coverage-rules.js";
import { AppError } from "../../errors.js";
import { coverageConditions, enterpriseFactColumnsSql, enterpriseFactsSql, ownOrgLevelOf } from "../coverage/sql.js";

const CLASS_CONDITION = { standalone: "standalone", joint: "joint", work: "workOnly", uncovered: "uncovered" } as const;

/**
 * The list's coverage filter: the coverage conditions over the facts of the enterprise aliased `e`,
 * evaluating only the facts a filter needs.
 */
export function coverageFilterSql(asOf: string, coverage: CoverageClass | null, shouldForm: boolean): SQL | null {
  const c = coverageConditions(sql, enterpriseFactsSql(asOf));
  const parts: SQL[] = [];
  if (coverage) parts.push(c[CLASS_CONDITION[coverage]]);
  if (shouldForm) parts.push(c.shouldForm);
  return parts.length ? sql.join(parts, sql` AND `) : null;
}

export type FactsRow = { own_level: number | null; in_joint: number; has_instr: number; full_m: number; all_m: number };

function toFacts(r: FactsRow): EnterpriseCoverageFacts {
  return {
    ownOrgLevel: ownOrgLevelOf(r.own_level),
    inJointBranch: r.in_joint === 1,
    hasInstructor: r.has_instr === 1,
    fullMembers: r.full_m,
    members: r.all_m,
  };
}

export type CoverageView = { facts: EnterpriseCoverageFacts; coverage: CoverageClass; coverageLabel: string; shouldForm: boolean };

export function coverageView(r: FactsRow): CoverageView {
  const facts = toFacts(r);
  const coverage = classifyEnterprise(facts);
  return { facts, coverage, coverageLabel: COVERAGE_CLASS_LABEL[coverage], shouldForm: shouldFormButHasNot(facts) };
}

/** Coverage facts of one enterprise (no scope check: callers load the enterprise first). */
export function enterpriseCoverage(db: Db, enterpriseId: number, today: string): CoverageView {
  const r = db.get<FactsRow>(sql`SELECT ${enterpriseFactColumnsSql(today)} FROM enterprises e WHERE e.id = ${enterpriseId}`);
  if (!r) throw AppError.notFound("企业");
  return coverageView(r);
}

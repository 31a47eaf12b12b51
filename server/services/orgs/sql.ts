// The organization rules (domain/codes.ts: the kind lists, committeeInChain) as SQL.

import { type SQL, sql } from "drizzle-orm";
import { COMMITTEE_KINDS, type OrgKind } from "../../domain/codes.js";

/** `('a','b')`, for `kind IN …`. The kinds are our own code list, never user input. */
export function kindListSql(kinds: readonly OrgKind[]): SQL {
  return sql.raw(`(${kinds.map((k) => `'${k}'`).join(",")})`);
}

/** The committee kinds, for `kind IN …`. */
export const COMMITTEE_KINDS_SQL = kindListSql(COMMITTEE_KINDS);

/**
 * committeeInChain for the organization aliased `org`: a correlated subquery yielding `column` of
 * the nearest committee among it and its ancestors (null when none).
 */
export function committeeOfSql(org: string, column: "id" | "name"): SQL {
  const o = sql.raw(org);
  return sql`(SELECT c.${sql.raw(column)} FROM organizations c WHERE c.kind IN ${COMMITTEE_KINDS_SQL}
      AND substr(${o}.path, 1, length(c.path)) = c.path ORDER BY length(c.path) DESC LIMIT 1)`;
}

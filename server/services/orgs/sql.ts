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
 * the nearest committee among it and its ancestors (null when none). The ancestors are the ids of
 * its materialised path ('/1/5/23/' → [1,5,23]), each found by its key: comparing the path with
 * every committee's instead cost orgs × orgs (8 s for a province's 2,400 organizations, per figure).
 */
export function committeeOfSql(org: string, column: "id" | "name"): SQL {
  const o = sql.raw(org);
  return sql`(SELECT c.${sql.raw(column)} FROM organizations c
      WHERE c.id IN (SELECT value FROM json_each('[' || replace(trim(${o}.path, '/'), '/', ',') || ']'))
        AND c.kind IN ${COMMITTEE_KINDS_SQL}
      ORDER BY length(c.path) DESC LIMIT 1)`;
}

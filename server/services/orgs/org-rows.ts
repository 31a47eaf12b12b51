// One organization as the statistics' and the official tables' scopes name it, read in one place:
// by id, by code, the ones a condition selects, and the installation's root (its city, county or
// province department) when the tree has exactly one — what a scope of "everything" is named after,
// and whom the dashboard is counted for at start.

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";

export type OrgRow = { id: number; code: string; name: string; kind: string; path: string; region_code: string };

const SELECT_ORG_ROWS = sql`SELECT id, code, name, kind, path, region_code FROM organizations`;

export function orgRowById(db: Db, id: number): OrgRow | undefined {
  return db.get<OrgRow>(sql`${SELECT_ORG_ROWS} WHERE id = ${id}`);
}

export function orgRowByCode(db: Db, code: string): OrgRow | undefined {
  return db.get<OrgRow>(sql`${SELECT_ORG_ROWS} WHERE code = ${code}`);
}

/** The organizations `where` selects, in the order `orderBy` gives. */
export function orgRowsWhere(db: Db, where: SQL, orderBy: SQL): OrgRow[] {
  return db.all<OrgRow>(sql`${SELECT_ORG_ROWS} WHERE ${where} ORDER BY ${orderBy}`);
}

/** The single organization without a parent; null when there is none or more than one. */
export function singleRootOrg(db: Db): OrgRow | null {
  const roots = db.all<OrgRow>(sql`${SELECT_ORG_ROWS} WHERE parent_id IS NULL ORDER BY id LIMIT 2`);
  return roots.length === 1 ? roots[0]! : null;
}

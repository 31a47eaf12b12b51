// The installation's root organization (its city, county or province department), when the tree has
// exactly one: what a scope of "everything" is named after, and whom the dashboard is counted for at start.

import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";

export type RootOrg = { id: number; code: string; name: string; kind: string; path: string; region_code: string };

/** The single organization without a parent; null when there is none or more than one. */
export function singleRootOrg(db: Db): RootOrg | null {
  const roots = db.all<RootOrg>(
    sql`SELECT id, code, name, kind, path, region_code FROM organizations WHERE parent_id IS NULL ORDER BY id LIMIT 2`,
  );
  return roots.length === 1 ? roots[0]! : null;
}

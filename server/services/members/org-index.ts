// Every organization as the member list reads it (scope, the committee filter, the rows' labels),
// loaded once per data version by the caller's read cache, and what is derived from one such list
// (by id, the ids under a path) made once per list.

import type { Db } from "../../../db/client.js";
import { organizations } from "../../../db/schema.js";
import { type Actor, scopePath } from "../../policy/actor.js";

export type OrgLite = {
  id: number;
  name: string;
  shortName: string | null;
  kind: string;
  path: string;
  status: string;
  parentId: number | null;
};

/** Every organization (they number in the hundreds): scope, committee filters and row labels read it. */
export function loadOrgs(db: Db): OrgLite[] {
  return db
    .select({
      id: organizations.id,
      name: organizations.name,
      shortName: organizations.shortName,
      kind: organizations.kind,
      path: organizations.path,
      status: organizations.status,
      parentId: organizations.parentId,
    })
    .from(organizations)
    .all();
}

/**
 * Ids of the organizations inside the actor's scope, or null when the scope is every organization
 * (no condition needed). Turned into a literal `org_id IN (…)` so that SQLite sees a secretary's
 * single branch as an equality and walks (org_id, name) in order.
 */
export function scopeOrgIds(actor: Actor, orgs: OrgLite[]): number[] | null {
  return indexOf(orgs).under(scopePath(actor));
}

type OrgIndex = { byId: Map<number, OrgLite>; under: (prefix: string) => number[] | null };
const indexes = new WeakMap<OrgLite[], OrgIndex>();

/**
 * The organizations by id, and the ids under a path (null: all of them), made once per list: the
 * list comes from a read cache (one array until the data change), and a province's 2,388 were
 * mapped and filtered twice on every page (~0.5 ms and their garbage).
 */
export function indexOf(orgs: OrgLite[]): OrgIndex {
  let index = indexes.get(orgs);
  if (index) return index;
  const byId = new Map(orgs.map((o) => [o.id, o]));
  const underPath = new Map<string, number[] | null>();
  index = {
    byId,
    under(prefix) {
      let ids = underPath.get(prefix);
      if (ids === undefined) {
        const found = orgs.filter((o) => o.path.startsWith(prefix)).map((o) => o.id);
        ids = found.length === orgs.length ? null : found;
        if (underPath.size >= 1000) underPath.clear();
        underPath.set(prefix, ids);
      }
      return ids;
    },
  };
  indexes.set(orgs, index);
  return index;
}

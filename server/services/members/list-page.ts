// One page of the member list with its filters' options: what the list handler shows, counted on the
// member-list thread (list-thread.ts) or, for an in-memory database and when the thread fails, on the
// server's thread, with the same caches over either connection.

import type { Db } from "../../../db/client.js";
import type { Actor } from "../../policy/actor.js";
import type { MemberListQuery } from "../../schemas/members.schema.js";
import type { ReadCache } from "../read-cache.js";
import { type MemberFilterOptions, memberFilterOptions, withChosen } from "./filter-options.js";
import { listMembers, loadOrgs, type MemberListResult } from "./list.js";

export type MemberListCaches = {
  /** The total under a list (a count over up to 500,000 members: most of a page's cost); paging and re-sorting reuse it. */
  memberCounts: ReadCache<number>;
  /** The select options (every committee, branch and enterprise in scope). */
  memberFilters: ReadCache<MemberFilterOptions>;
  /** Every organization (scope, committee filter, the rows' labels). */
  orgs: ReadCache<ReturnType<typeof loadOrgs>>;
};

export type MemberListTask = { actor: Actor; q: MemberListQuery; today: string };
export type MemberListPage = { result: MemberListResult; options: MemberFilterOptions };

export function memberListPage(db: Db, caches: MemberListCaches, { actor, q, today }: MemberListTask): MemberListPage {
  const countMemo = (key: string, count: () => number) => caches.memberCounts.get(key, count);
  const orgs = caches.orgs.get("orgs", () => loadOrgs(db));
  const result = listMembers(db, actor, q, today, { countMemo, orgs, pageSize: q.size });
  const optionsKey = JSON.stringify([actor.role, actor.orgId, actor.orgPath, q.committee ?? null]);
  const options = withChosen(
    db,
    actor,
    caches.memberFilters.get(optionsKey, () => memberFilterOptions(db, actor, q.committee ?? null)),
    q,
    orgs,
  );
  return { result, options };
}

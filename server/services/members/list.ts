// The member list: scope, search, filters, sorting and keyset pagination that stays fast at
// 100,000 members (scripts/bench/member-list.bench.ts measures it).
//
// Pagination is by keyset, not OFFSET: the cursor is the id of the last (or first) row shown and
// the next page starts after that row's sort key, so page 2,000 costs what page 1 costs. The
// cursor is an id, never a name or number, so no personal data goes into the URL; it is looked up
// inside the actor's scope, so an out-of-scope id cannot be used to probe where a name sorts.

import { LEAVING_PARTY_KINDS, LEFT_REASON_OF, type MembershipChangeKind } from "../../domain/membership-changes.js";
import { and, asc, desc, eq, inArray, isNotNull, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, members } from "../../../db/schema.js";
import { parseIdNumber, toHalfWidth } from "../../domain/id-number.js";
import { maskIdNumber, maskPhone } from "../../domain/masking.js";
import { parseMobilePhone } from "../../domain/phone.js";
import { type Actor, scopePath } from "../../policy/actor.js";
import type { MemberListQuery } from "../../schemas/members.schema.js";
import { lostContactLimitReached } from "../../domain/membership-rules.js";
import { jumpWindow } from "../../domain/list-rules.js";
import { lostContactLimitSql, memberStillHereSql } from "./sql.js";
import { indexOf, loadOrgs, type OrgLite } from "./org-index.js";
import { keptValuesOf } from "./statements.js";

export const PAGE_SIZE = 50;

export { loadOrgs, type OrgLite, scopeOrgIds } from "./org-index.js";

export type SearchKind =
  | { kind: "none" }
  | { kind: "name"; text: string }
  | { kind: "last4"; digits: string }
  | { kind: "personal" }
  | { kind: "digits" };

/**
 * What a list search box holds: a name, the last four characters of an ID number or phone, or a
 * whole ID number/phone (personal data that must not sit in a URL: the caller sends the user to
 * the POST search instead).
 */
export function classifySearch(raw: string): SearchKind {
  const q = toHalfWidth(raw).replace(/\s+/g, "");
  if (q === "") return { kind: "none" };
  if (/^\d{3}[\dXx]$/.test(q)) return { kind: "last4", digits: q.toUpperCase() };
  if (/^\d{14,17}[\dXx]$/.test(q) || parseIdNumber(q).ok || parseMobilePhone(q).ok) return { kind: "personal" };
  if (/^[\d*Xx+-]+$/.test(q)) return { kind: "digits" };
  return { kind: "name", text: raw.trim() };
}

export type MemberListRow = {
  id: number;
  name: string;
  gender: string;
  idNumberMasked: string;
  phoneMasked: string;
  category: string;
  occupation: string | null;
  orgId: number;
  orgName: string;
  enterpriseId: number | null;
  enterpriseName: string | null;
  relationStatus: string;
  joinedOn: string | null;
  lostContactOn: string | null;
  lostSixMonths: boolean;
  leftOn: string | null;
};

export type MemberListResult = {
  rows: MemberListRow[];
  hasMore: boolean;
  hasPrev: boolean;
  firstId: number | null;
  lastId: number | null;
  total: number;
  /** The page shown (1-based): the query's, or 1 when a jump asked for a page past the end. */
  page: number;
  notice: string | null;
};

type SortKey = "name" | "joined" | "id";

/** A page's columns, in the order of PageRow. */
const PAGE_COLUMNS = sql.join(
  [
    members.id,
    members.name,
    members.gender,
    members.idNumber,
    members.phone,
    members.category,
    members.occupation,
    members.orgId,
    members.enterpriseId,
    members.relationStatus,
    members.joinedOn,
    members.lostContactOn,
    members.leftOn,
  ],
  sql`, `,
);

/** A page's rows by id, and their enterprises' names: the ids as one JSON parameter, one statement text for any page. */
const pageRowsSql = (ids: string) =>
  sql`SELECT ${PAGE_COLUMNS} FROM ${members} WHERE ${members.id} IN (SELECT value FROM json_each(${ids}))`;
const enterpriseNamesSql = (ids: string) =>
  sql`SELECT ${enterprises.id}, ${enterprises.name} FROM ${enterprises} WHERE ${enterprises.id} IN (SELECT value FROM json_each(${ids}))`;
type PageRow = [
  id: number,
  name: string,
  gender: string,
  idNumber: string,
  phone: string | null,
  category: string,
  occupation: string | null,
  orgId: number,
  enterpriseId: number | null,
  relationStatus: string,
  joinedOn: string | null,
  lostContactOn: string | null,
  leftOn: string | null,
];

/**
 * The joined-date sort key. Joined dates are nullable and keysets cannot compare NULL, so the key is
 * '' for none. The text repeats the expression of members_joined_idx and members_org_joined_cover_idx
 * exactly, or SQLite would not use them.
 */
export const MEMBER_JOINED_KEY = sql`(CASE WHEN ${members.joinedOn} IS NULL THEN '' ELSE ${members.joinedOn} END)`;

function sortExpr(sort: SortKey): SQL | null {
  if (sort === "name") return sql`${members.name}`;
  if (sort === "joined") return MEMBER_JOINED_KEY;
  return null;
}

/** The WHERE conditions shared by the page and the count. Null when nothing can match. */
function listConditions(actor: Actor, q: MemberListQuery, today: string, orgs: OrgLite[]): { where: SQL[]; notice: string | null } | null {
  const where: SQL[] = [];
  let notice: string | null = null;
  const index = indexOf(orgs);
  let ids = index.under(scopePath(actor));
  const { byId } = index;
  const narrow = (allowed: number[]) => {
    const keep = new Set(allowed);
    ids = ids === null ? allowed : ids.filter((id) => keep.has(id));
  };
  if (q.committee != null) {
    const c = byId.get(q.committee);
    narrow(c ? (index.under(c.path) ?? orgs.map((o) => o.id)) : []);
  }
  if (q.org != null) narrow([q.org]);
  if (ids !== null) {
    if (ids.length === 0) return null;
    where.push(ids.length === 1 ? eq(members.orgId, ids[0]!) : inArray(members.orgId, ids));
  }

  const s = classifySearch(q.q);
  if (s.kind === "last4") where.push(or(eq(members.idLast4, s.digits), eq(members.phoneLast4, s.digits))!);
  else if (s.kind === "name") where.push(sql`instr(${members.name}, ${s.text}) > 0`);
  else if (s.kind === "digits" || s.kind === "personal") {
    notice =
      s.kind === "personal"
        ? "完整的身份证号或手机号请使用“按号码查找”，以免号码出现在网址中。"
        : "数字请输入身份证号或手机号的后四位；完整的号码请使用“按号码查找”。";
    return { where: [sql`0`], notice };
  }

  if (q.enterprise != null) where.push(eq(members.enterpriseId, q.enterprise));
  if (q.occupation) where.push(eq(members.occupation, q.occupation));
  if (q.category) where.push(eq(members.category, q.category));
  if (q.channel) where.push(eq(members.discoveryChannel, q.channel));
  // Unary + keeps SQLite off members_relation_idx: a status holds thousands of members, and
  // reading them through it and sorting is slower than walking a covering index in order.
  if (q.relation) where.push(sql`+${members.relationStatus} = ${q.relation}`);
  if (q.lost === "any") where.push(isNotNull(members.lostContactOn));
  if (q.lost === "6m") where.push(lostContactLimitSql(members, today));
  // Members are never deleted; those who left (transfer out, expulsion, death) stay in the records
  // and show when asked for.
  if (q.standing === "active") where.push(memberStillHereSql(members));
  else if (q.standing === "transferred_out") where.push(eq(members.relationStatus, "transferred_out"));
  else if (q.standing === "left_party")
    where.push(
      inArray(
        members.leftReason,
        LEAVING_PARTY_KINDS.map((k) => LEFT_REASON_OF[k as Exclude<MembershipChangeKind, "restoration">]),
      ),
    );
  else if (q.standing) where.push(and(isNotNull(members.leftOn), eq(members.leftReason, q.standing))!);
  else if (!q.left && q.relation !== "transferred_out") {
    where.push(memberStillHereSql(members));
  }
  return { where, notice };
}

/** One page of the member list inside the actor's scope, personal numbers masked. */
/** Memoises a count by its query (the read cache of the members router: counts only change with the data). */
export type CountMemo = (key: string, count: () => number) => number;

export function listMembers(
  db: Db,
  actor: Actor,
  q: MemberListQuery,
  today: string,
  opts: { pageSize?: number; withTotal?: boolean; orgs?: OrgLite[]; countMemo?: CountMemo } = {},
): MemberListResult {
  const pageSize = opts.pageSize ?? PAGE_SIZE;
  const orgs = opts.orgs ?? loadOrgs(db);
  const empty: MemberListResult = {
    rows: [],
    hasMore: false,
    hasPrev: false,
    firstId: null,
    lastId: null,
    total: 0,
    page: 1,
    notice: null,
  };
  const cond = listConditions(actor, q, today, orgs);
  if (!cond) return empty;
  const sort = q.sort as SortKey;
  const key = sortExpr(sort);
  const cursorId = q.before != null && q.after == null ? q.before : q.after;
  // A page number without a cursor is a jump: the rows at its offset, counted from the nearer end
  // (the count is the cached one the heading shows anyway).
  let jump: ReturnType<typeof jumpWindow> = null;
  let pageNo = q.page ?? 1;
  let total: number | null = null;
  if (cursorId == null && pageNo > 1) {
    total = countMembers(db, cond.where, opts.countMemo);
    jump = jumpWindow(pageNo, pageSize, total);
    if (!jump) pageNo = 1;
  }
  const backwards = (q.before != null && q.after == null) || (jump?.fromEnd ?? false);
  // Walking backwards means reading in the opposite order, then reversing the page.
  const ascending = (q.dir === "asc") !== backwards;

  const where = [...cond.where];
  if (cursorId != null) {
    const cursor = cursorKey(db, actor, cursorId, key, orgs);
    if (cursor) {
      // (key, id) after the cursor, spelled so that SQLite seeks the index on the key:
      // key >= c AND (key > c OR id > cid). Row values (key, id) > (c, cid) are not used for
      // seeks on expression indexes.
      const [ge, gt] = ascending ? [sql`>=`, sql`>`] : [sql`<=`, sql`<`];
      where.push(
        key
          ? sql`${key} ${ge} ${cursor.key} AND (${key} ${gt} ${cursor.key} OR ${members.id} ${gt} ${cursor.id})`
          : sql`${members.id} ${gt} ${cursor.id}`,
      );
    }
  }
  const dirFn = ascending ? asc : desc;
  const order = key ? [dirFn(key), dirFn(members.id)] : [dirFn(members.id)];
  // Two steps: the ids of the page from the index alone, then those rows by primary key. Selecting
  // every column in the first step would make SQLite read the table for each row it sorts.
  const pageIds = db
    .select({ id: members.id })
    .from(members)
    .where(and(...where))
    .orderBy(...order)
    .limit(jump ? jump.limit + 1 : pageSize + 1)
    .offset(jump?.offset ?? 0)
    .values()
    .map((r) => r[0] as number);
  // The rows and their enterprises' names as arrays, not mapped objects, with the ids as one JSON
  // parameter (one statement text for any page): half the cost of a page's data.
  const fetched = pageIds.length ? keptValuesOf<PageRow>(db, pageRowsSql, JSON.stringify(pageIds)) : [];
  const byMemberId = new Map(fetched.map((r) => [r[0], r]));
  const found = pageIds.map((id) => byMemberId.get(id)!).filter(Boolean);
  const more = found.length > (jump?.limit ?? pageSize);
  const page = found.slice(0, jump?.limit ?? pageSize);
  if (backwards) page.reverse();

  const orgById = indexOf(orgs).byId;
  const entIds = [...new Set(page.map((r) => r[8]).filter((x): x is number => x != null))];
  const entNames = new Map(entIds.length ? keptValuesOf<[number, string]>(db, enterpriseNamesSql, JSON.stringify(entIds)) : []);
  const rows: MemberListRow[] = page.map(
    ([id, name, gender, idNumber, phone, category, occupation, orgId, enterpriseId, relationStatus, joinedOn, lostContactOn, leftOn]) => {
      const org = orgById.get(orgId);
      return {
        id,
        name,
        gender,
        idNumberMasked: maskIdNumber(idNumber),
        phoneMasked: maskPhone(phone),
        category,
        occupation,
        orgId,
        orgName: org ? (org.shortName ?? org.name) : "",
        enterpriseId,
        enterpriseName: enterpriseId != null ? (entNames.get(enterpriseId) ?? null) : null,
        relationStatus,
        joinedOn,
        lostContactOn,
        lostSixMonths: lostContactOn != null && lostContactLimitReached(lostContactOn, today),
        leftOn,
      };
    },
  );
  // A first page that holds everything needs no count.
  total ??= opts.withTotal === false ? -1 : cursorId == null && !more ? rows.length : countMembers(db, cond.where, opts.countMemo);
  return {
    rows,
    // A jump knows both answers from the count and its window.
    hasMore: jump ? (pageNo - 1) * pageSize + rows.length < total : backwards ? true : more,
    hasPrev: jump ? true : backwards ? more : cursorId != null,
    firstId: rows[0]?.id ?? null,
    lastId: rows[rows.length - 1]?.id ?? null,
    total,
    page: pageNo,
    notice: cond.notice,
  };
}

function countMembers(db: Db, where: SQL[], memo?: CountMemo): number {
  const query = db
    .select({ n: sql<number>`count(*)` })
    .from(members)
    .where(and(...where));
  if (!memo) return query.get()!.n;
  // The statement and its parameters are the key: the same filters in the same scope, the same count.
  const { sql: text, params } = query.toSQL();
  return memo(JSON.stringify([text, params]), () => query.get()!.n);
}

/** The sort key of the cursor row, read only inside the scope. */
function cursorKey(db: Db, actor: Actor, id: number, key: SQL | null, orgs: OrgLite[]): { id: number; key: string | null } | null {
  const row = db
    .select({ id: members.id, orgId: members.orgId, key: key ? sql<string>`${key}` : sql<null>`null` })
    .from(members)
    .where(eq(members.id, id))
    .get();
  if (!row) return null;
  const org = orgs.find((o) => o.id === row.orgId);
  if (!org?.path.startsWith(scopePath(actor))) return null;
  return { id: row.id, key: row.key };
}

// The filter form's choices live beside the list; callers import them from here as before.
export { memberFilterOptions, visibleEnterprises, withChosen } from "./filter-options.js";

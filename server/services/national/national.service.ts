// The national member system's records: the export in its column order (a ledger for the export
// entry, export/national-members.ts) and the information-completeness list, both over the same
// members (nationalMemberSql) in the actor's scope, scored by the one rule (domain/national-members.ts).

import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { completeness, type CompletenessInput } from "../../domain/national-members.js";
import type { Actor } from "../../policy/actor.js";
import { orgInScope, type ResolvedScope, resolveScope } from "../coverage/scope.js";
import { completenessSql, IN_BRANCH_SQL, nationalMemberSql } from "./sql.js";

/** A member row as the export and the list read it. */
export type NationalRow = {
  id: number;
  name: string;
  id_number: string;
  gender: string;
  birth_date: string;
  ethnicity: string;
  education: string | null;
  joined_on: string | null;
  full_on: string | null;
  occupation: string | null;
  category: string;
  phone: string | null;
  org_name: string;
  in_branch: number;
  is_joint: number;
  enterprise_name: string | null;
  lost_contact_on: string | null;
  lost_contact_reason: string | null;
};

const COLUMNS = sql`m.id, m.name, m.id_number, m.gender, m.birth_date, m.ethnicity, m.education, m.joined_on, m.full_on,
  m.occupation, m.category, m.phone, m.lost_contact_on, m.lost_contact_reason, o.name AS org_name,
  ${IN_BRANCH_SQL} AS in_branch, (o.formation = 'joint') AS is_joint,
  (SELECT name FROM enterprises WHERE id = m.enterprise_id) AS enterprise_name`;

export function completenessInput(r: NationalRow): CompletenessInput {
  return {
    name: r.name,
    idNumber: r.id_number,
    gender: r.gender,
    birthDate: r.birth_date,
    ethnicity: r.ethnicity,
    education: r.education,
    joinedOn: r.joined_on,
    fullOn: r.full_on,
    occupation: r.occupation,
    category: r.category,
    phone: r.phone,
    inBranch: !!r.in_branch,
    lostContactOn: r.lost_contact_on,
    lostContactReason: r.lost_contact_reason,
  };
}

/** One page of the export's members with id > afterId, in id order. */
export function nationalPage(db: Db, rs: ResolvedScope, afterId: number, limit: number): NationalRow[] {
  return db.all<NationalRow>(sql`SELECT ${COLUMNS} FROM members m JOIN organizations o ON o.id = m.org_id
    WHERE m.id > ${afterId} AND ${nationalMemberSql()} AND ${orgInScope(rs, "m.org_id")}
    ORDER BY m.id LIMIT ${limit}`);
}

export type CompletenessItem = { id: number; name: string; orgName: string; score: number; missing: string[] };

export type CompletenessList = {
  scope: { id: number | null; name: string };
  /** Members in scope, complete ones, and the mean score (null without members). */
  total: number;
  complete: number;
  meanScore: number | null;
  page: number;
  pageSize: number;
  rows: CompletenessItem[];
};

/**
 * The least complete records first (score ascending, then name and id), a page at a time; and the
 * scope's figures. `orgId` narrows to an organization's subtree inside the actor's scope (404 outside).
 */
export function completenessList(
  db: Db,
  actor: Actor,
  opts: { orgId: number | null; page: number; pageSize: number; today: string },
): CompletenessList {
  const rs = resolveScope(db, actor, opts.orgId ? { orgId: opts.orgId } : {});
  const c = completenessSql(opts.today);
  const where = sql`${nationalMemberSql()} AND ${orgInScope(rs, "m.org_id")}`;
  const fig = db.get<{ n: number; complete: number | null; mean: number | null }>(
    sql`SELECT COUNT(*) AS n, sum(missing = 0) AS complete, avg((required - missing) * 1.0 / required) AS mean
      FROM (SELECT ${c.required} AS required, ${c.missing} AS missing FROM members m JOIN organizations o ON o.id = m.org_id WHERE ${where})`,
  ) ?? { n: 0, complete: 0, mean: null };
  const rows = db.all<NationalRow>(sql`SELECT ${COLUMNS} FROM members m JOIN organizations o ON o.id = m.org_id
    WHERE ${where}
    ORDER BY (${c.required} - ${c.missing}) * 1.0 / ${c.required}, m.name, m.id
    LIMIT ${opts.pageSize} OFFSET ${(opts.page - 1) * opts.pageSize}`);
  return {
    scope: { id: rs.rootOrg?.id ?? null, name: rs.rootOrg?.name ?? "全部" },
    total: fig.n,
    complete: fig.complete ?? 0,
    meanScore: fig.n ? fig.mean : null,
    page: opts.page,
    pageSize: opts.pageSize,
    rows: rows.map((r) => {
      const s = completeness(completenessInput(r), opts.today);
      return { id: r.id, name: r.name, orgName: r.org_name, score: s.score, missing: s.missing };
    }),
  };
}

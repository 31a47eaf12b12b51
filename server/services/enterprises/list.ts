// The enterprise list: the enterprises in scope with their coverage, filtered and paged.

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { toHalfWidth } from "../../domain/id-number.js";
import type { Actor } from "../../policy/actor.js";
import type { EnterpriseListQuery } from "../../schemas/enterprises.schema.js";
import { enterpriseFactColumnsSql } from "../coverage/sql.js";
import { type Enterprise, enterpriseReadableSql } from "./access.js";
import { type CoverageView, coverageFilterSql, coverageView, type FactsRow } from "./coverage.js";

export const ENTERPRISE_PAGE_SIZE = 50;

export type EnterpriseListRow = CoverageView & {
  id: number;
  name: string;
  creditCode: string;
  kind: Enterprise["kind"];
  industryName: string;
  countyName: string;
  committeeName: string;
  workerCount: number;
  status: Enterprise["status"];
  fullMembers: number;
  probationaryMembers: number;
};

function likeEscape(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * One page of the enterprises in scope with their coverage facts: one query (correlated
 * subqueries on indexed columns), never one query per row.
 */
export function listEnterprises(db: Db, actor: Actor, q: EnterpriseListQuery, today: string, pageSize = ENTERPRISE_PAGE_SIZE) {
  const inner: SQL[] = [enterpriseReadableSql(actor, "e")];
  if (q.status !== "all") inner.push(sql`e.status = ${q.status}`);
  if (q.committee) inner.push(sql`e.committee_id = ${q.committee}`);
  // A county and its streets and townships (whose 9-digit codes start with the county's).
  if (q.county) inner.push(sql`(e.region_code = ${q.county} OR e.region_code BETWEEN ${`${q.county}000`} AND ${`${q.county}999`})`);
  if (q.industry) inner.push(sql`e.industry_code = ${q.industry}`);
  if (q.kind) inner.push(sql`e.kind = ${q.kind}`);
  const term = toHalfWidth(q.q).trim();
  if (term) {
    const esc = likeEscape(term);
    inner.push(sql`(e.name LIKE ${`%${esc}%`} ESCAPE '\\' OR e.credit_code LIKE ${`${likeEscape(term.toUpperCase())}%`} ESCAPE '\\')`);
  }
  const filter = coverageFilterSql(today, q.coverage, q.shouldForm);
  const where = sql.join(filter ? [...inner, filter] : inner, sql` AND `);
  const offset = (q.page - 1) * pageSize;
  // The page first (evaluating only the facts a filter needs), then every fact for the page's rows only.
  const ids = db
    .all<{ id: number }>(sql`SELECT e.id FROM enterprises e WHERE ${where} ORDER BY e.name, e.id LIMIT ${pageSize} OFFSET ${offset}`)
    .map((r) => r.id);
  const lastPage = ids.length < pageSize && (ids.length > 0 || offset === 0);
  const total = lastPage ? offset + ids.length : db.get<{ n: number }>(sql`SELECT count(*) AS n FROM enterprises e WHERE ${where}`)!.n;
  type Row = FactsRow & {
    id: number;
    name: string;
    credit_code: string;
    kind: Enterprise["kind"];
    worker_count: number;
    status: Enterprise["status"];
    industry_name: string | null;
    county_name: string | null;
    committee_name: string | null;
  };
  const rows = ids.length
    ? db.all<Row>(sql`SELECT e.id, e.name, e.credit_code, e.kind, e.worker_count, e.status,
          i.name AS industry_name, r.name AS county_name, c.name AS committee_name, ${enterpriseFactColumnsSql(today)}
        FROM enterprises e LEFT JOIN industries i ON i.code = e.industry_code LEFT JOIN regions r ON r.code = e.region_code
          LEFT JOIN organizations c ON c.id = e.committee_id
        WHERE e.id IN ${ids}
        ORDER BY e.name, e.id`)
    : [];
  return {
    rows: rows.map(
      (r): EnterpriseListRow => ({
        ...coverageView(r),
        id: r.id,
        name: r.name,
        creditCode: r.credit_code,
        kind: r.kind,
        industryName: r.industry_name ?? "",
        countyName: r.county_name ?? "",
        committeeName: r.committee_name ?? "",
        workerCount: r.worker_count,
        status: r.status,
        fullMembers: r.full_m,
        probationaryMembers: r.all_m - r.full_m,
      }),
    ),
    total,
    page: q.page,
    hasMore: offset + rows.length < total,
  };
}

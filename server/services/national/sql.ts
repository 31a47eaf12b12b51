// The completeness rule of domain/national-members.ts as SQL, so the least-complete list sorts and
// pages in the database: one "required" and one "filled" expression per required field, over the
// member alias `m` and its managing organization `o`. tests/unit/national holds them to the pure rule.

import { type SQL, sql } from "drizzle-orm";
import { MANAGING_KINDS } from "../../domain/codes.js";
import { NATIONAL_RELATIONS, probationOverdueCutoff, REQUIRED_FIELDS, type RequiredFieldKey } from "../../domain/national-members.js";
import { memberStillHereSql } from "../members/sql.js";
import { kindListSql } from "../orgs/sql.js";

const filled = (col: string) => sql`(${sql.raw(col)} IS NOT NULL AND trim(${sql.raw(col)}) <> '')`;

/** Whether the managing organization (alias `o`) is a branch: the 所在党支部 column. */
export const IN_BRANCH_SQL = sql`(o.kind IN ${kindListSql(MANAGING_KINDS)})`;

/** Per field: when it is required (null: always) and when it is filled. Typed so no field is left out. */
function fieldSql(today: string): Record<RequiredFieldKey, { required: SQL | null; filled: SQL }> {
  return {
    name: { required: null, filled: filled("m.name") },
    idNumber: { required: null, filled: filled("m.id_number") },
    gender: { required: null, filled: filled("m.gender") },
    birthDate: { required: null, filled: filled("m.birth_date") },
    ethnicity: { required: null, filled: filled("m.ethnicity") },
    education: { required: null, filled: filled("m.education") },
    joinedOn: { required: null, filled: filled("m.joined_on") },
    fullOn: {
      required: sql`(m.category = 'full' OR (m.category = 'probationary' AND m.joined_on IS NOT NULL AND trim(m.joined_on) <> ''
        AND m.joined_on < ${probationOverdueCutoff(today)}))`,
      filled: sql`(m.category = 'full' AND ${filled("m.full_on")})`,
    },
    occupation: { required: null, filled: filled("m.occupation") },
    category: { required: null, filled: filled("m.category") },
    phone: { required: null, filled: filled("m.phone") },
    branch: { required: null, filled: IN_BRANCH_SQL },
    lostContactReason: { required: sql`(m.lost_contact_on IS NOT NULL)`, filled: filled("m.lost_contact_reason") },
  };
}

/** The number of required fields and of those missing, as SQL integer expressions. */
export function completenessSql(today: string): { required: SQL; missing: SQL } {
  const f = fieldSql(today);
  const keys = REQUIRED_FIELDS.map((x) => x.key);
  const req = keys.map((k) => (f[k].required ? sql`(CASE WHEN ${f[k].required} THEN 1 ELSE 0 END)` : sql`1`));
  const miss = keys.map((k) => {
    const r = f[k].required;
    return r ? sql`(CASE WHEN ${r} AND NOT ${f[k].filled} THEN 1 ELSE 0 END)` : sql`(CASE WHEN ${f[k].filled} THEN 0 ELSE 1 END)`;
  });
  return { required: sql`(${sql.join(req, sql` + `)})`, missing: sql`(${sql.join(miss, sql` + `)})` };
}

/** The members the national system holds here (alias `m`): still members, relationship here. */
export function nationalMemberSql(): SQL {
  return sql`(${memberStillHereSql("m")} AND m.relation_status IN (${sql.join(
    NATIONAL_RELATIONS.map((r) => sql`${r}`),
    sql`, `,
  )}))`;
}

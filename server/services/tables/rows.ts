// The records behind a cell, as the rows page and its workbook show them: the members (or
// enterprises, organizations, instructors) a list names, in the list's order, with personal numbers
// (ID numbers, instructors' phones) masked unless asked whole. The refs come from a table computed for
// a scope the actor may see (tables.service.ts checks it): this only loads what they name.

import { sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { GENDER, INSTRUCTOR_KIND, labelOf, MEMBER_CATEGORY, ORG_KIND, RELATION_STATUS } from "../../domain/codes.js";
import { maskIdNumber, maskPhone } from "../../domain/masking.js";
import type { RowRef } from "../../domain/official-tables/table.js";

export type MemberRow = {
  kind: "member";
  id: number;
  name: string;
  idNumber: string;
  gender: string;
  birthDate: string;
  category: string;
  relationStatus: string;
  orgName: string;
  on: string | null;
  note: string | null;
};

export type EnterpriseRow = {
  kind: "enterprise";
  id: number;
  name: string;
  creditCode: string;
  committeeName: string;
  workerCount: number | null;
  /** What a sum cell adds up for it (frozen with the list; null: not recorded). */
  amount: number | null;
  on: string | null;
  note: string | null;
};

export type OrganizationRow = {
  kind: "organization";
  id: number;
  name: string;
  code: string;
  orgKind: string;
  parentName: string;
  on: string | null;
  note: string | null;
};

export type InstructorRow = {
  kind: "instructor";
  id: number;
  name: string;
  /** 指导员 or 联络员. */
  instructorKind: string;
  phone: string;
  workUnit: string;
  /** The committee that dispatched the instructor. */
  committeeName: string;
  on: string | null;
  /** The enterprises of the cell the instructor contacts. */
  note: string | null;
};

export type ListRow = MemberRow | EnterpriseRow | OrganizationRow | InstructorRow;

function loadInstructors(db: Db, refs: RowRef[]) {
  const ids = JSON.stringify([...new Set(refs.filter((r) => r.kind === "instructor").map((r) => r.id))]);
  return new Map(
    db
      .all<{ id: number; name: string; kind: string; phone: string | null; work_unit: string | null; committee_name: string }>(
        sql`SELECT i.id, i.name, i.kind, i.phone, i.work_unit, o.name AS committee_name
          FROM instructors i JOIN organizations o ON o.id = i.committee_id WHERE i.id IN (SELECT value FROM json_each(${ids}))`,
      )
      .map((i) => [i.id, i]),
  );
}

/** Loads the rows of `refs` (one page of a list, or all of it for the workbook). */
export function loadRows(db: Db, refs: RowRef[], opts: { unmask: boolean }): ListRow[] {
  const memberIds = [...new Set(refs.filter((r) => r.kind === "member").map((r) => r.id))];
  const enterpriseIds = [...new Set(refs.filter((r) => r.kind === "enterprise").map((r) => r.id))];
  const members = new Map<
    number,
    { name: string; id_number: string; gender: string; birth_date: string; category: string; relation_status: string; org_name: string }
  >();
  for (let i = 0; i < memberIds.length; i += 5000) {
    const chunk = JSON.stringify(memberIds.slice(i, i + 5000));
    for (const m of db.all<{
      id: number;
      name: string;
      id_number: string;
      gender: string;
      birth_date: string;
      category: string;
      relation_status: string;
      org_name: string;
    }>(
      sql`SELECT m.id, m.name, m.id_number, m.gender, m.birth_date, m.category, m.relation_status, o.name AS org_name
        FROM members m JOIN organizations o ON o.id = m.org_id WHERE m.id IN (SELECT value FROM json_each(${chunk}))`,
    ))
      members.set(m.id, m);
  }
  const enterprises = new Map<number, { name: string; credit_code: string; committee_name: string; worker_count: number | null }>();
  for (let i = 0; i < enterpriseIds.length; i += 5000) {
    const chunk = JSON.stringify(enterpriseIds.slice(i, i + 5000));
    for (const e of db.all<{ id: number; name: string; credit_code: string; committee_name: string; worker_count: number | null }>(
      sql`SELECT e.id, e.name, e.credit_code, o.name AS committee_name, e.worker_count
        FROM enterprises e JOIN organizations o ON o.id = e.committee_id WHERE e.id IN (SELECT value FROM json_each(${chunk}))`,
    ))
      enterprises.set(e.id, e);
  }
  const orgIds = JSON.stringify([...new Set(refs.filter((r) => r.kind === "organization").map((r) => r.id))]);
  const orgs = new Map(
    db
      .all<{ id: number; name: string; code: string; kind: string; parent_name: string | null }>(
        sql`SELECT o.id, o.name, o.code, o.kind, p.name AS parent_name FROM organizations o LEFT JOIN organizations p ON p.id = o.parent_id
          WHERE o.id IN (SELECT value FROM json_each(${orgIds}))`,
      )
      .map((o) => [o.id, o]),
  );
  const instructors = loadInstructors(db, refs);
  return refs.map((r): ListRow => {
    if (r.kind === "instructor") {
      const i = instructors.get(r.id);
      return {
        kind: "instructor",
        id: r.id,
        name: i?.name ?? "（记录不存在）",
        instructorKind: i ? (labelOf(INSTRUCTOR_KIND.label, i.kind) ?? i.kind) : "",
        phone: opts.unmask ? (i?.phone ?? "") : maskPhone(i?.phone),
        workUnit: i?.work_unit ?? "",
        committeeName: i?.committee_name ?? "",
        on: r.on ?? null,
        note: r.note ?? null,
      };
    }
    if (r.kind === "organization") {
      const o = orgs.get(r.id);
      return {
        kind: "organization",
        id: r.id,
        name: o?.name ?? "（记录不存在）",
        code: o?.code ?? "",
        orgKind: o ? (labelOf(ORG_KIND.label, o.kind) ?? o.kind) : "",
        parentName: o?.parent_name ?? "",
        on: r.on ?? null,
        note: r.note ?? null,
      };
    }
    if (r.kind === "member") {
      const m = members.get(r.id);
      return {
        kind: "member",
        id: r.id,
        name: m?.name ?? "（记录不存在）",
        idNumber: opts.unmask ? (m?.id_number ?? "") : maskIdNumber(m?.id_number),
        gender: m ? (GENDER.label[m.gender as keyof typeof GENDER.label] ?? m.gender) : "",
        birthDate: m?.birth_date ?? "",
        category: m ? (MEMBER_CATEGORY.label[m.category as keyof typeof MEMBER_CATEGORY.label] ?? m.category) : "",
        relationStatus: m ? (RELATION_STATUS.label[m.relation_status as keyof typeof RELATION_STATUS.label] ?? m.relation_status) : "",
        orgName: m?.org_name ?? "",
        on: r.on ?? null,
        note: r.note ?? null,
      };
    }
    const e = enterprises.get(r.id);
    return {
      kind: "enterprise",
      id: r.id,
      name: e?.name ?? "（记录不存在）",
      creditCode: e?.credit_code ?? "",
      committeeName: e?.committee_name ?? "",
      workerCount: e?.worker_count ?? null,
      amount: r.amount ?? null,
      on: r.on ?? null,
      note: r.note ?? null,
    };
  });
}

// The rows behind a figure, with the names a person reads. Personal data always masked here;
// the exports unmask for the roles that may see it.

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import {
  DISCOVERY_CHANNEL,
  LEAD_STATUS,
  MEMBER_CATEGORY,
  ORG_FORMATION,
  ORG_KIND,
  RELATION_STATUS,
  TRANSFER_KIND,
  TRANSFER_STATE,
} from "../../domain/codes.js";
import { COVERAGE_CLASS_LABEL, type CoverageClass, classifyEnterprise, shouldFormButHasNot } from "../../domain/coverage-rules.js";
import { maskIdNumber } from "../../domain/masking.js";
import { committeeOfSql } from "../orgs/sql.js";
import { orgActiveSql, ownOrgLevelOf } from "./sql.js";

const label = <T extends string>(map: Record<T, string>, k: string | null | undefined): string =>
  k == null ? "" : ((map as Record<string, string>)[k] ?? k);

export type EnterpriseRow = {
  id: number;
  name: string;
  creditCode: string;
  committeeName: string;
  countyName: string;
  workerCount: number;
  fullMembers: number;
  members: number;
  coverage: CoverageClass;
  coverageLabel: string;
  shouldForm: boolean;
  coveringOrgs: string;
  instructors: string;
};
export type OrgRow = {
  id: number;
  code: string;
  name: string;
  kind: string;
  formation: string;
  committeeName: string;
  countyName: string;
  enterprises: number;
};
export type MemberRow = {
  id: number;
  name: string;
  idMasked: string;
  category: string;
  relationStatus: string;
  orgName: string;
  enterpriseName: string;
  channel: string;
  discoveredOn: string;
  managedOn: string;
};
export type FoundRow = {
  src: "lead" | "member";
  id: number;
  name: string;
  idMasked: string;
  channel: string;
  status: string;
  committeeName: string;
  foundOn: string;
};
export type WorkerRow = {
  id: number;
  name: string;
  idMasked: string;
  platform: string;
  orgName: string;
  enterpriseName: string;
  firstSeenOn: string;
};
export type TransferRow = {
  id: number;
  letterNumber: string;
  kind: string;
  memberName: string;
  fromName: string;
  toName: string;
  issuedOn: string;
  deadlineOn: string;
  state: string;
  receiptOn: string;
};

export type ListedRows =
  | { source: "enterprise"; rows: EnterpriseRow[] }
  | { source: "org"; rows: OrgRow[] }
  | { source: "member"; rows: MemberRow[] }
  | { source: "found"; rows: FoundRow[] }
  | { source: "worker"; rows: WorkerRow[] }
  | { source: "transfer"; rows: TransferRow[] };

const CHUNK = 500;

function byIds<T extends { id: number }>(db: Db, ids: number[], query: (list: SQL) => SQL): Map<number, T> {
  const out = new Map<number, T>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const list = sql.join(
      ids.slice(i, i + CHUNK).map((id) => sql`${id}`),
      sql`, `,
    );
    for (const r of db.all<T>(query(list))) out.set(r.id, r);
  }
  return out;
}

export type EnterpriseSourceRow = {
  id: number;
  committee_id: number;
  county: string;
  own_level: number | null;
  in_joint: number;
  has_instr: number;
  full_m: number;
  all_m: number;
};

export function hydrateEnterprises(db: Db, src: EnterpriseSourceRow[], asOf: string): EnterpriseRow[] {
  const ids = src.map((r) => r.id);
  type R = {
    id: number;
    name: string;
    credit_code: string;
    worker_count: number;
    committee_name: string | null;
    county_name: string | null;
    orgs: string | null;
    instr: string | null;
  };
  const names = byIds<R>(
    db,
    ids,
    (list) => sql`SELECT e.id, e.name, e.credit_code, e.worker_count, c.name AS committee_name, r.name AS county_name,
      (SELECT group_concat(o.name, '；') FROM organization_enterprises oe JOIN organizations o ON o.id = oe.organization_id
        WHERE oe.enterprise_id = e.id AND ${orgActiveSql("o", asOf)}) AS orgs,
      (SELECT group_concat(i.name, '；') FROM instructor_assignments ia JOIN instructors i ON i.id = ia.instructor_id
        WHERE ia.enterprise_id = e.id AND ia.assigned_on <= ${asOf} AND (ia.ended_on IS NULL OR ia.ended_on > ${asOf})) AS instr
      FROM enterprises e LEFT JOIN organizations c ON c.id = e.committee_id LEFT JOIN regions r ON r.code = e.region_code
      WHERE e.id IN (${list})`,
  );
  return src.map((s) => {
    const n = names.get(s.id);
    const ownOrgLevel = ownOrgLevelOf(s.own_level);
    const coverage = classifyEnterprise({
      ownOrgLevel,
      inJointBranch: s.in_joint === 1,
      hasInstructor: s.has_instr === 1,
      fullMembers: s.full_m,
      members: s.all_m,
    });
    return {
      id: s.id,
      name: n?.name ?? "",
      creditCode: n?.credit_code ?? "",
      committeeName: n?.committee_name ?? "",
      countyName: n?.county_name ?? s.county,
      workerCount: n?.worker_count ?? 0,
      fullMembers: s.full_m,
      members: s.all_m,
      coverage,
      coverageLabel: COVERAGE_CLASS_LABEL[coverage],
      shouldForm: shouldFormButHasNot({ ownOrgLevel, fullMembers: s.full_m }),
      coveringOrgs: n?.orgs ?? "",
      instructors: n?.instr ?? "",
    };
  });
}

export function hydrateOrgs(db: Db, ids: number[]): OrgRow[] {
  type R = {
    id: number;
    code: string;
    name: string;
    kind: string;
    formation: string | null;
    committee_name: string | null;
    county_name: string | null;
    n: number;
  };
  const m = byIds<R>(
    db,
    ids,
    (list) => sql`SELECT o.id, o.code, o.name, o.kind, o.formation, r.name AS county_name,
      ${committeeOfSql("o", "name")} AS committee_name,
      (SELECT COUNT(*) FROM organization_enterprises oe WHERE oe.organization_id = o.id) AS n
      FROM organizations o LEFT JOIN regions r ON r.code = o.region_code WHERE o.id IN (${list})`,
  );
  return ids.flatMap((id) => {
    const r = m.get(id);
    if (!r) return [];
    return [
      {
        id,
        code: r.code,
        name: r.name,
        kind: label(ORG_KIND.label, r.kind),
        formation: r.formation ? label(ORG_FORMATION.label, r.formation) : "",
        committeeName: r.committee_name ?? "",
        countyName: r.county_name ?? "",
        enterprises: r.n,
      },
    ];
  });
}

export function hydrateMembers(db: Db, ids: number[]): MemberRow[] {
  type R = {
    id: number;
    name: string;
    id_number: string;
    category: string;
    relation_status: string;
    org_name: string;
    enterprise_name: string | null;
    discovery_channel: string | null;
    discovered_on: string | null;
    managed_on: string | null;
  };
  const m = byIds<R>(
    db,
    ids,
    (list) => sql`SELECT m.id, m.name, m.id_number, m.category, m.relation_status, o.name AS org_name, e.name AS enterprise_name,
      m.discovery_channel, m.discovered_on, m.managed_on
      FROM members m JOIN organizations o ON o.id = m.org_id LEFT JOIN enterprises e ON e.id = m.enterprise_id WHERE m.id IN (${list})`,
  );
  return ids.flatMap((id) => {
    const r = m.get(id);
    if (!r) return [];
    return [
      {
        id,
        name: r.name,
        idMasked: maskIdNumber(r.id_number),
        category: label(MEMBER_CATEGORY.label, r.category),
        relationStatus: label(RELATION_STATUS.label, r.relation_status),
        orgName: r.org_name,
        enterpriseName: r.enterprise_name ?? "",
        channel: label(DISCOVERY_CHANNEL.label, r.discovery_channel),
        discoveredOn: r.discovered_on ?? "",
        managedOn: r.managed_on ?? "",
      },
    ];
  });
}

export function hydrateFound(db: Db, keys: { src: "lead" | "member"; id: number; is_verified: number; is_managed: number }[]): FoundRow[] {
  const leadIds = keys.filter((k) => k.src === "lead").map((k) => k.id);
  const memberIds = keys.filter((k) => k.src === "member").map((k) => k.id);
  type L = { id: number; name: string; id_number: string; channel: string; status: string; committee_name: string; found_on: string };
  type M = { id: number; name: string; id_number: string; channel: string; committee_name: string | null; found_on: string | null };
  const leads = byIds<L>(
    db,
    leadIds,
    (list) => sql`SELECT l.id, l.name, l.id_number, l.channel, l.status, c.name AS committee_name, l.found_on
      FROM leads l JOIN organizations c ON c.id = l.committee_id WHERE l.id IN (${list})`,
  );
  const members = byIds<M>(
    db,
    memberIds,
    (list) => sql`SELECT m.id, m.name, m.id_number, m.discovery_channel AS channel, o.name AS committee_name,
      coalesce(m.discovered_on, substr(m.created_at, 1, 10)) AS found_on
      FROM members m JOIN organizations o ON o.id = m.org_id WHERE m.id IN (${list})`,
  );
  return keys.flatMap((k): FoundRow[] => {
    const status = k.is_managed === 1 ? "已纳管" : k.is_verified === 1 ? "已核实未纳管" : undefined;
    if (k.src === "lead") {
      const r = leads.get(k.id);
      if (!r) return [];
      return [
        {
          src: "lead",
          id: k.id,
          name: r.name,
          idMasked: maskIdNumber(r.id_number),
          channel: label(DISCOVERY_CHANNEL.label, r.channel),
          status: status ?? label(LEAD_STATUS.label, r.status),
          committeeName: r.committee_name,
          foundOn: r.found_on,
        },
      ];
    }
    const r = members.get(k.id);
    if (!r) return [];
    return [
      {
        src: "member",
        id: k.id,
        name: r.name,
        idMasked: maskIdNumber(r.id_number),
        channel: label(DISCOVERY_CHANNEL.label, r.channel),
        status: status ?? "直接登记",
        committeeName: r.committee_name ?? "",
        foundOn: r.found_on ?? "",
      },
    ];
  });
}

export function hydrateWorkers(db: Db, ids: number[]): WorkerRow[] {
  type R = {
    id: number;
    name: string;
    id_number: string;
    platform: string;
    org_name: string;
    enterprise_name: string | null;
    first_seen_on: string;
  };
  const m = byIds<R>(
    db,
    ids,
    (list) => sql`SELECT w.id, w.name, w.id_number, w.platform, o.name AS org_name, e.name AS enterprise_name, w.first_seen_on
      FROM workers w JOIN organizations o ON o.id = w.org_id LEFT JOIN enterprises e ON e.id = w.enterprise_id WHERE w.id IN (${list})`,
  );
  return ids.flatMap((id) => {
    const r = m.get(id);
    if (!r) return [];
    return [
      {
        id,
        name: r.name,
        idMasked: maskIdNumber(r.id_number),
        platform: r.platform,
        orgName: r.org_name,
        enterpriseName: r.enterprise_name ?? "",
        firstSeenOn: r.first_seen_on,
      },
    ];
  });
}

export function hydrateTransfers(db: Db, ids: number[]): TransferRow[] {
  type R = {
    id: number;
    letter_number: string;
    kind: string;
    member_name: string;
    from_name: string | null;
    to_name: string | null;
    external_org_name: string | null;
    issued_on: string;
    deadline_on: string;
    state: string;
    receipt_on: string | null;
  };
  const m = byIds<R>(
    db,
    ids,
    (list) => sql`SELECT t.id, t.letter_number, t.kind, mb.name AS member_name, f.name AS from_name, x.name AS to_name, t.external_org_name,
      t.issued_on, t.deadline_on, t.state, t.receipt_on
      FROM transfers t JOIN members mb ON mb.id = t.member_id LEFT JOIN organizations f ON f.id = t.from_org_id
      LEFT JOIN organizations x ON x.id = t.to_org_id WHERE t.id IN (${list})`,
  );
  return ids.flatMap((id) => {
    const r = m.get(id);
    if (!r) return [];
    return [
      {
        id,
        letterNumber: r.letter_number,
        kind: label(TRANSFER_KIND.label, r.kind),
        memberName: r.member_name,
        fromName: r.from_name ?? r.external_org_name ?? "",
        toName: r.to_name ?? r.external_org_name ?? "",
        issuedOn: r.issued_on,
        deadlineOn: r.deadline_on,
        state: label(TRANSFER_STATE.label, r.state),
        receiptOn: r.receipt_on ?? "",
      },
    ];
  });
}

// A small hand-built city whose right answers are worked out by hand in coverage.test.ts.
//
//   1 市委社会工作部 (city_department, 371700)
//   ├─ 2 市道路运输行业党委 HZ-DL
//   │   ├─ 4 道路运输联合党支部 (joint, 371702)     covers E2 E3 E4
//   │   └─ 5 E1党支部 (standalone, 371702)          covers E1
//   └─ 3 市网约配送行业党委 HZ-PS
//       ├─ 6 E6党总支 (general_branch, 371721)      covers E6
//       ├─ 7 E7党支部 (standalone, dissolved 2024-01-01) covers E7
//       └─ 8 曹县网约配送行业党委 (industry_committee, 371721)
//
//   | E  | committee | county | own org | joint | instructor | full | all | class     |
//   | E1 | 2         | 371702 | branch  |       | yes        | 2    | 2   | standalone|
//   | E2 | 2         | 371702 |         | 4     |            | 3    | 3   | joint 3+  |
//   | E3 | 2         | 371721 |         | 4     |            | 1    | 3   | joint     |  (2 probationary)
//   | E4 | 2         | 371702 |         | 4     | yes        | 0    | 0   | joint     |
//   | E5 | 2         | 371721 |         |       | yes        | 3    | 3   | work only, should form (m11 full since 2025-06-01)
//   | E6 | 3         | 371721 | GB      |       |            | 0    | 0   | standalone|
//   | E7 | 3         | 371702 | (dissolved) |   | (ended)    | 2    | 4   | uncovered, few members
//   | E8 | 3         | 371702 |         |       |            | 1    | 1   | uncovered, few (1 transferred out, 1 deceased not counted)
//   | E9 | 8         | 371721 |         |       |            | 0    | 0   | uncovered, no members
//   | E10| 2 closed  |        |         |       |            |      |     | not counted

import type Database from "better-sqlite3";
import type { Actor } from "../../../server/policy/actor.js";
import { idNumberCheckChar } from "../../../server/domain/id-number.js";

export const AS_OF = "2025-12-31";

let idSeq = 0;
/** A synthetic ID number with a valid check character, distinct per call. */
export function fakeId(): string {
  idSeq += 1;
  const first17 = `371702199001${String(idSeq % 100).padStart(2, "0")}${String(100 + idSeq).slice(-3)}`;
  return first17 + idNumberCheckChar(first17);
}

export type Fixture = { E: Record<number, number>; M: Record<number, number>; L: Record<number, number> };

export function buildFixture(sqlite: Database.Database): Fixture {
  const run = (q: string, ...p: unknown[]) => sqlite.prepare(q).run(...p);
  run(`INSERT INTO regions (code, name, parent_code, level) VALUES ('370000','山东省',NULL,'province'),('371700','菏泽市','370000','city'),
       ('371702','牡丹区','371700','county'),('371721','曹县','371700','county')`);
  run(`INSERT INTO industries (code, name, sort_order) VALUES ('road_transport','道路运输',1),('online_delivery','网约配送',2)`);
  const org = (
    id: number,
    code: string,
    name: string,
    kind: string,
    formation: string | null,
    parent: number | null,
    path: string,
    region: string,
    extra: Partial<{ status: string; dissolved_on: string; founded_on: string }> = {},
  ) =>
    run(
      `INSERT INTO organizations (id, code, name, kind, formation, parent_id, path, depth, region_code, status, dissolved_on, founded_on, industry_code)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      id,
      code,
      name,
      kind,
      formation,
      parent,
      path,
      path.split("/").filter(Boolean).length - 1,
      region,
      extra.status ?? "active",
      extra.dissolved_on ?? null,
      extra.founded_on ?? null,
      parent === null ? null : "road_transport",
    );
  org(1, "HZ", "菏泽市委社会工作部", "city_department", null, null, "/1/", "371700");
  org(2, "HZ-DL", "市道路运输行业党委", "industry_committee", null, 1, "/1/2/", "371700");
  org(3, "HZ-PS", "市网约配送行业党委", "industry_committee", null, 1, "/1/3/", "371700");
  org(4, "DL-J1", "道路运输联合党支部", "branch", "joint", 2, "/1/2/4/", "371702");
  org(5, "DL-B1", "E1党支部", "branch", "standalone", 2, "/1/2/5/", "371702");
  org(6, "PS-G1", "E6党总支", "general_branch", null, 3, "/1/3/6/", "371721");
  org(7, "PS-B7", "E7党支部", "branch", "standalone", 3, "/1/3/7/", "371702", { status: "dissolved", dissolved_on: "2024-01-01" });
  org(8, "CX-PS", "曹县网约配送行业党委", "industry_committee", null, 3, "/1/3/8/", "371721");

  const E: Record<number, number> = {};
  const ent = (n: number, committee: number, region: string, status = "active", name = `E${n}企业`) => {
    const r = run(
      `INSERT INTO enterprises (name, credit_code, kind, industry_code, region_code, committee_id, worker_count, status) VALUES (?,?,?,?,?,?,?,?)`,
      name,
      `91371700MA${String(n).padStart(8, "0")}`,
      "station",
      "road_transport",
      region,
      committee,
      n * 10,
      status,
    );
    E[n] = Number(r.lastInsertRowid);
  };
  ent(1, 2, "371702");
  ent(2, 2, "371702");
  ent(3, 2, "371721");
  ent(4, 2, "371702");
  ent(5, 2, "371721");
  ent(6, 3, "371721");
  ent(7, 3, "371702");
  ent(8, 3, "371702");
  ent(9, 8, "371721");
  ent(10, 2, "371702", "closed");
  const cover = (orgId: number, e: number) =>
    run(`INSERT INTO organization_enterprises (organization_id, enterprise_id) VALUES (?,?)`, orgId, E[e]);
  cover(5, 1);
  cover(4, 2);
  cover(4, 3);
  cover(4, 4);
  cover(6, 6);
  cover(7, 7);
  cover(4, 10);
  run(`INSERT INTO instructors (id, name, kind, committee_id) VALUES (1,'王指导','instructor',2),(2,'李联络','liaison',3)`);
  const assign = (instr: number, e: number, on: string, ended: string | null = null) =>
    run(
      `INSERT INTO instructor_assignments (instructor_id, enterprise_id, assigned_on, ended_on) VALUES (?,?,?,?)`,
      instr,
      E[e],
      on,
      ended,
    );
  assign(1, 1, "2024-01-01");
  assign(1, 4, "2024-01-01");
  assign(1, 5, "2025-01-01");
  assign(2, 7, "2023-01-01", "2024-06-30");

  const M: Record<number, number> = {};
  const member = (
    n: number,
    o: {
      org: number;
      e?: number;
      category?: "full" | "probationary";
      rel: string;
      channel?: string;
      fullOn?: string;
      leftOn?: string;
      lost?: string;
      idNumber?: string;
    },
  ) => {
    const id = o.idNumber ?? fakeId();
    const r = run(
      `INSERT INTO members (name, gender, birth_date, id_number, id_last4, category, full_on, enterprise_id, org_id, relation_status, discovery_channel, left_on, lost_contact_on)
       VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      `党员${n}`,
      "male",
      "1990-01-01",
      id,
      id.slice(-4),
      o.category ?? "full",
      o.fullOn ?? null,
      o.e ? E[o.e] : null,
      o.org,
      o.rel,
      o.channel ?? null,
      o.leftOn ?? null,
      o.lost ?? null,
    );
    M[n] = Number(r.lastInsertRowid);
    return id;
  };
  member(1, { org: 5, e: 1, rel: "local", channel: "field_visit" });
  member(2, { org: 5, e: 1, rel: "local" });
  const m3id = member(3, { org: 4, e: 2, rel: "local" });
  member(4, { org: 4, e: 2, rel: "mobile_in" });
  member(5, { org: 2, e: 2, rel: "unattached" });
  member(6, { org: 4, e: 3, rel: "local" });
  member(7, { org: 4, e: 3, rel: "local", category: "probationary" });
  member(8, { org: 2, e: 3, rel: "unattached", category: "probationary" });
  member(9, { org: 2, e: 5, rel: "unattached", channel: "field_visit" });
  member(10, { org: 2, e: 5, rel: "unattached" });
  member(11, { org: 2, e: 5, rel: "unattached", fullOn: "2025-06-01" });
  const m12id = member(12, { org: 3, e: 7, rel: "unattached", lost: "2025-03-01" });
  member(13, { org: 3, e: 7, rel: "unattached" });
  member(14, { org: 3, e: 7, rel: "unattached", category: "probationary" });
  member(15, { org: 3, e: 7, rel: "unattached", category: "probationary" });
  member(16, { org: 3, e: 8, rel: "unattached" });
  member(17, { org: 3, e: 8, rel: "transferred_out", leftOn: "2025-02-01" });
  member(18, { org: 3, e: 8, rel: "local", leftOn: "2025-03-01" });
  member(19, { org: 5, rel: "mobile_out" });
  member(20, { org: 3, rel: "local", category: "probationary", channel: "self_report" });

  const L: Record<number, number> = {};
  const lead = (
    n: number,
    o: { channel: string; committee: number; status: string; idNumber?: string; decidedOn?: string; foundOn?: string },
  ) => {
    const r = run(
      `INSERT INTO leads (id_number, name, channel, committee_id, status, found_on, decided_on) VALUES (?,?,?,?,?,?,?)`,
      o.idNumber ?? fakeId(),
      `线索${n}`,
      o.channel,
      o.committee,
      o.status,
      o.foundOn ?? "2025-01-15",
      o.decidedOn ?? null,
    );
    L[n] = Number(r.lastInsertRowid);
  };
  lead(1, { channel: "data_match", committee: 2, status: "verified", idNumber: m3id, decidedOn: "2025-03-01" });
  lead(2, { channel: "data_match", committee: 2, status: "open" });
  lead(3, { channel: "platform_report", committee: 3, status: "rejected", decidedOn: "2025-02-01" });
  lead(4, { channel: "self_report", committee: 3, status: "verified", idNumber: m12id, decidedOn: "2025-02-10" });

  const worker = (org: number, firstSeen: string, leftOn: string | null = null) =>
    run(
      `INSERT INTO workers (platform, id_number, name, org_id, first_seen_on, last_seen_on, left_on) VALUES ('货拉拉',?,?,?,?,?,?)`,
      fakeId(),
      "司机",
      org,
      firstSeen,
      firstSeen,
      leftOn,
    );
  worker(2, "2025-01-01");
  worker(3, "2025-01-01");
  worker(3, "2025-01-01", "2025-06-01");
  worker(8, "2026-01-05");

  const transfer = (
    n: number,
    o: {
      member: number;
      from: number | null;
      to: number | null;
      kind: string;
      state: string;
      issued: string;
      deadline: string;
      receipt?: string;
      external?: string;
    },
  ) =>
    run(
      `INSERT INTO transfers (member_id, kind, from_org_id, to_org_id, external_org_name, letter_number, issued_on, valid_days, deadline_on, state, receipt_on)
       VALUES (?,?,?,?,?,?,?,?,?,?,?)`,
      M[o.member],
      o.kind,
      o.from,
      o.to,
      o.external ?? null,
      `T-${n}`,
      o.issued,
      10,
      o.deadline,
      o.state,
      o.receipt ?? null,
    );
  transfer(1, { member: 1, from: 5, to: 4, kind: "internal", state: "pending", issued: "2025-12-01", deadline: "2025-12-11" });
  transfer(2, { member: 2, from: 5, to: 4, kind: "internal", state: "pending", issued: "2025-12-25", deadline: "2026-01-04" });
  transfer(3, {
    member: 6,
    from: 5,
    to: 4,
    kind: "internal",
    state: "completed",
    issued: "2025-12-01",
    deadline: "2025-12-11",
    receipt: "2025-12-10",
  });
  transfer(4, {
    member: 7,
    from: 5,
    to: 4,
    kind: "internal",
    state: "completed",
    issued: "2025-11-10",
    deadline: "2025-11-20",
    receipt: "2025-11-20",
  });
  transfer(5, {
    member: 3,
    from: 4,
    to: null,
    kind: "outgoing",
    state: "returned",
    issued: "2025-12-02",
    deadline: "2026-01-01",
    external: "外省某党支部",
  });
  return { E, M, L };
}

export function actor(role: Actor["role"], orgId: number, orgPath: string): Actor {
  return { id: 0, username: `${role}-${orgId}`, displayName: role, role, orgId, orgPath, orgName: "" };
}

export const supervisor = actor("supervisor", 1, "/1/");
export const clerkDL = actor("clerk", 2, "/1/2/");
export const clerkPS = actor("clerk", 3, "/1/3/");
export const secretaryJoint = actor("secretary", 4, "/1/2/4/");

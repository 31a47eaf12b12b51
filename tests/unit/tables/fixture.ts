// A hand-built world for the official tables: two committees, three branches, and members whose
// records (transfers, approved membership changes, recruitment, contact restored) cover every row of
// tables 1 and 43 in 2025. The expected answers are written by hand in the tests that use it.

import { sql } from "drizzle-orm";
import type { DbHandle } from "../../../db/client.js";
import { memberEvents, membershipChanges, recruitments, transfers } from "../../../db/schema.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { DEMO_JURISDICTION } from "../../../server/domain/reference-data.js";
import { addMember, addOrg } from "../../helpers/fixtures.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";

export type World = ReturnType<typeof buildTablesWorld>;

let letter = 0;

export function buildTablesWorld(h: DbHandle) {
  prepareDatabase(h, { jurisdiction: DEMO_JURISDICTION });
  const root = h.db.get<{ id: number }>(sql`SELECT id FROM organizations WHERE parent_id IS NULL`)!;
  const dl = addOrg(h, { code: "T-DL", name: "道路运输行业党委", kind: "industry_committee", parentId: root.id });
  const dlBranch = addOrg(h, { code: "T-DL-1", name: "物流公司支部", kind: "branch", formation: "standalone", parentId: dl.id });
  const dlJoint = addOrg(h, { code: "T-DL-2", name: "货运联合支部", kind: "branch", formation: "joint", parentId: dl.id });
  const ps = addOrg(h, { code: "T-PS", name: "网约配送行业党委", kind: "industry_committee", parentId: root.id });
  const psBranch = addOrg(h, { code: "T-PS-1", name: "配送站支部", kind: "branch", formation: "standalone", parentId: ps.id });

  const m = (name: string, orgId: number, over: Parameters<typeof addMember>[2] = {}) => addMember(h, orgId, { name, ...over });
  const transfer = (memberId: number, fromOrgId: number | null, toOrgId: number | null, receiptOn: string) => {
    letter++;
    h.db
      .insert(transfers)
      .values({
        memberId,
        kind: fromOrgId && toOrgId ? "internal" : fromOrgId ? "outgoing" : "incoming",
        fromOrgId,
        toOrgId,
        externalOrgName: fromOrgId && toOrgId ? null : "系统外某党支部",
        letterNumber: `T-${letter}`,
        issuedOn: receiptOn,
        validDays: 30,
        deadlineOn: receiptOn,
        state: "completed",
        receiptOn,
      })
      .run();
  };
  const change = (
    memberId: number,
    orgId: number,
    kind: typeof membershipChanges.$inferInsert.kind,
    fromStanding: string,
    effectiveOn: string,
  ) =>
    h.db
      .insert(membershipChanges)
      .values({
        memberId,
        orgId,
        approvalOrgId: dl.id,
        kind,
        fromStanding,
        effectiveOn,
        reason: "测试",
        state: "approved",
        approvedOn: effectiveOn,
      })
      .run();
  const restored = (memberId: number, lostContactOn: string, lostContactReason: string, restoredOn: string) =>
    h.db
      .insert(memberEvents)
      .values({ memberId, kind: "contact_restored", summary: "恢复联系", details: { lostContactOn, lostContactReason, restoredOn } })
      .run();

  // -- Table 1 ---------------------------------------------------------------------------------------
  const A = m("甲在册", dlBranch.id);
  const B = m("乙去世", dlBranch.id, { leftOn: "2025-05-01", leftReason: "deceased" });
  change(B.id, dlBranch.id, "death", "active", "2025-05-01");
  const C = m("丙发展", dlBranch.id, { category: "probationary", joinedOn: "2025-03-01", fullOn: null });
  h.db
    .insert(recruitments)
    .values({
      orgId: dlBranch.id,
      name: C.name,
      idNumber: C.idNumber,
      gender: "male",
      birthDate: C.birthDate,
      memberId: C.id,
      stage: "probationary",
      appliedOn: "2023-01-01",
      joinedOn: "2025-03-01",
    })
    .run();
  const D = m("丁停恢", dlBranch.id);
  change(D.id, dlBranch.id, "suspension", "active", "2025-02-01");
  change(D.id, dlBranch.id, "restoration", "suspended", "2025-09-01");
  const E = m("戊转入", dlJoint.id);
  transfer(E.id, psBranch.id, dlJoint.id, "2025-06-01");
  const F = m("己转出", dlBranch.id, { relationStatus: "transferred_out", leftOn: "2025-08-01", leftReason: "transferred_out" });
  transfer(F.id, dlBranch.id, null, "2025-08-01");
  const G = m("庚内转", dlJoint.id);
  transfer(G.id, dlBranch.id, dlJoint.id, "2025-04-01");
  const H = m("辛流入", dlBranch.id, { relationStatus: "mobile_in" });
  const I = m("壬流出", dlBranch.id, { relationStatus: "mobile_out" });
  const J = m("癸新发现", dlBranch.id, { discoveredOn: "2025-07-01", joinedOn: "2000-07-01", fullOn: "2001-07-01" });
  const K = m("子开除", dlBranch.id, { leftOn: "2025-10-01", leftReason: "expelled" });
  change(K.id, dlBranch.id, "expelled", "active", "2025-10-01");
  const L = m("丑次年转入", dlBranch.id);
  transfer(L.id, null, dlBranch.id, "2026-01-10");
  const M = m("寅次年停籍", dlBranch.id, {
    leftOn: "2026-02-01",
    leftReason: "suspended",
    lostContactOn: "2025-03-01",
    lostContactReason: "other",
  });
  change(M.id, dlBranch.id, "suspension", "active", "2026-02-01");
  const N = m("卯配送", psBranch.id);

  // -- Table 43 (members out of contact) --------------------------------------------------------------
  const P = m("失联女青年", dlBranch.id, {
    gender: "female",
    ethnicity: "02",
    birthDate: "1995-03-01",
    idNumber: makeIdNumber("371702", "1995-03-01", 902),
    category: "probationary",
    joinedOn: "2025-01-10",
    fullOn: null,
    education: "bachelor",
    lostContactOn: "2025-02-01",
    lostContactReason: "migrant_work",
  });
  const Q = m("失联出国", dlJoint.id, {
    birthDate: "1970-01-01",
    idNumber: makeIdNumber("371702", "1970-01-01", 903),
    joinedOn: "2000-01-01",
    fullOn: "2001-01-01",
    education: "junior_high",
    lostContactOn: "2019-06-01",
    lostContactReason: "abroad",
  });
  const R = m("失联未满", dlBranch.id, { lostContactOn: "2025-09-01", lostContactReason: "other" });
  const S = m("年内找到", dlBranch.id);
  restored(S.id, "2024-01-01", "residence_changed", "2025-05-01");
  const T = m("短暂失联", dlBranch.id);
  restored(T.id, "2025-01-15", "other", "2025-04-01");
  const U = m("流入失联", dlBranch.id, { relationStatus: "mobile_in", lostContactOn: "2024-01-01", lostContactReason: "other" });
  const V = m("失联停籍", dlBranch.id, {
    leftOn: "2025-06-01",
    leftReason: "suspended",
    lostContactOn: "2023-03-01",
    lostContactReason: "other",
  });
  change(V.id, dlBranch.id, "suspension", "active", "2025-06-01");
  const W = m("次年找到", dlBranch.id, {
    birthDate: "1960-05-05",
    idNumber: makeIdNumber("371702", "1960-05-05", 905),
    joinedOn: "2015-07-01",
    fullOn: "2016-07-01",
    education: null,
  });
  restored(W.id, "2024-06-01", "employer_changed", "2026-02-01");
  const X = m("配送失联", psBranch.id, { lostContactOn: "2020-01-01", lostContactReason: "other" });

  return { root, dl, dlBranch, dlJoint, ps, psBranch, A, B, C, D, E, F, G, H, I, J, K, L, M, N, P, Q, R, S, T, U, V, W, X };
}

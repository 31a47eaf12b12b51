// The access-control matrix: for every `METHOD path` the app answers, how to fill it for a target
// inside the scope of t-clerk-dl / t-sec-dl ("in": the HZ-DL side, the secretary's own branch
// where a branch holds it), outside it ("out": the HZ-PS side) and, where ids belong to someone,
// another user's ("other": the joint branch HZ-DL-002 — the clerk's scope, not the secretary's),
// and the answer each caller must get.
//
// Answers: 200 (201 where the page is the result of a create); 303 — to /login for the signed out,
// otherwise the redirect after success; 403 — the role may not; 404 — the id is outside the
// caller's scope (ids in the URL: never 403, which would confirm the id exists; so too a hidden
// field naming the row the form acts on, e.g. the member of a new transfer); 422 — a request that
// names an out-of-scope row in a CHOICE of its body (a select box), answered by the form with a
// field error. Every refusal of a POST must leave the data untouched (the test checks).
//
// A value [a, b] is the answer for the in-scope and the out-of-scope target; a single value holds
// for both. The route list comes from the app (listRoutes): a route missing here fails the test.

import { makeIdNumber } from "../../../server/domain/id-number.js";
import { maskIdNumber, maskPhone } from "../../../server/domain/masking.js";
import { DL_PLATFORM, type Caller, type Fx, PS_PLATFORM, ROSTER_FILE } from "../../helpers/matrix-fixtures.js";
import { PASSWORD } from "../../helpers/fixtures.js";

export type Side = "in" | "out" | "other" | "wrong-side";
export type Status = 200 | 201 | 303 | 401 | 403 | 404 | 409 | 422;
export type Body =
  | { form: Record<string, string | string[]> }
  | { multipart: { fields: Record<string, string>; file: string } }
  | { json: unknown };
export type Target = { params?: Record<string, string | number>; query?: Record<string, string>; body?: Body };
type Per = Status | readonly [Status, Status];

export type MatrixEntry = {
  /** Fills the path, query and body for a side; `caller` where the body is per session (an upload name). */
  target?: (fx: Fx, side: Side, caller: Caller) => Target;
  expect: {
    anon: Status;
    admin: Per;
    supervisor: Per;
    clerk: Per;
    secretary: Per;
    /** Another user's id (target side "other"). */
    other?: Partial<Record<Exclude<Caller, "anon">, Status>>;
    /** A row the caller may see but whose other party must act (target side "wrong-side"): a transfer's sender accepting it. */
    wrongSide?: Partial<Record<Exclude<Caller, "anon">, Status>>;
  };
  /** Success signs the caller out: 303 to /login is the expected redirect for signed-in callers too. */
  signsOut?: true;
  /** The platform API: Bearer keys, not sessions. */
  bearer?: (fx: Fx) => { name: string; authorization: string | null; platform: string; expect: Status }[];
};

// -- Bodies ---------------------------------------------------------------------------------------

const form = (f: Record<string, string | number | string[]>): Body => ({
  form: Object.fromEntries(Object.entries(f).map(([k, v]) => [k, Array.isArray(v) ? v : String(v)])),
});
const pick = <T>(side: Side, inside: T, outside: T, other?: T): T => {
  if (side === "wrong-side") throw new Error("this entry has no wrong-side target");
  return side === "out" ? outside : side === "other" ? (other ?? inside) : inside;
};
const NEW_PASSWORD = "Another-Passw0rd-42";

function orgBody(o: Fx["dlBranch"]) {
  return form({
    code: o.code,
    name: o.name,
    kind: o.kind,
    formation: o.formation ?? "",
    parentId: o.parentId ?? "",
    industryCode: o.industryCode ?? "",
    regionCode: o.regionCode,
    secretaryName: "赵书记",
    // As the edit form shows it: masked (sent back unchanged, it keeps the stored number).
    secretaryPhone: o.secretaryPhone ? maskPhone(o.secretaryPhone) : "",
  });
}

function enterpriseBody(e: Fx["dlEnterprise"], rename = "") {
  return form({
    name: e.name + rename,
    creditCode: e.creditCode,
    kind: e.kind,
    industryCode: e.industryCode,
    regionCode: e.regionCode,
    committeeId: e.committeeId,
    workerCount: 15,
    status: "active",
  });
}

function memberBody(m: Fx["dlMember"]) {
  return form({
    name: m.name,
    idNumber: maskIdNumber(m.idNumber),
    phone: m.phone ? maskPhone(m.phone) : "",
    category: m.category,
    joinedOn: m.joinedOn ?? "",
    fullOn: m.fullOn ?? "",
    orgId: m.orgId,
    enterpriseId: m.enterpriseId ?? "",
    relationStatus: m.relationStatus,
    education: "college",
  });
}

const instructorBody = (committeeId: number) =>
  form({ name: "许指导", kind: "instructor", phone: "13912340001", workUnit: "区委组织部", committeeId, status: "active" });

// -- The matrix -------------------------------------------------------------------------------------

const PUBLIC: MatrixEntry["expect"] = { anon: 200, admin: 200, supervisor: 200, clerk: 200, secretary: 200 };
const SIGNED_IN: MatrixEntry["expect"] = { anon: 303, admin: 200, supervisor: 200, clerk: 200, secretary: 200 };
/** Readable by everyone signed in, scoped: in 200, out 404. */
const SCOPED_READ: MatrixEntry["expect"] = { anon: 303, admin: 200, supervisor: 200, clerk: [200, 404], secretary: [200, 404] };
/** Administrators, clerks and supervisors read; secretaries may not. */
const DESK_READ: MatrixEntry["expect"] = { anon: 303, admin: 200, supervisor: 200, clerk: [200, 404], secretary: 403 };
/** Written by administrators and clerks within scope. */
const DESK_WRITE: MatrixEntry["expect"] = { anon: 303, admin: 303, supervisor: 403, clerk: [303, 404], secretary: 403 };
/** Written by administrators, clerks and secretaries within scope. */
const SCOPED_WRITE: MatrixEntry["expect"] = { anon: 303, admin: 303, supervisor: 403, clerk: [303, 404], secretary: [303, 404] };
const ADMIN_ONLY = (ok: Status): MatrixEntry["expect"] => ({ anon: 303, admin: ok, supervisor: 403, clerk: 403, secretary: 403 });

export const MATRIX: Record<string, MatrixEntry> = {
  // -- Operations and the platform API --------------------------------------------------------------
  "GET /healthz": { expect: PUBLIC },
  "POST /api/v1/rosters/:platform/batches": {
    // A session is no credential here: every browser caller gets 401, whatever its role.
    target: () => ({
      params: { platform: DL_PLATFORM },
      body: { json: { batchId: "m-1", complete: true, workers: [{ idNumber: makeIdNumber("371702", "1992-02-02", 77), name: "骑手甲" }] } },
    }),
    expect: { anon: 401, admin: 401, supervisor: 401, clerk: 401, secretary: 401 },
    bearer: (fx) => [
      { name: "no key", authorization: null, platform: DL_PLATFORM, expect: 401 },
      { name: "unknown key", authorization: "Bearer pck_not-a-real-key-at-all-000000000000000000", platform: DL_PLATFORM, expect: 401 },
      { name: "own platform", authorization: `Bearer ${fx.keyDl.key}`, platform: DL_PLATFORM, expect: 200 },
      { name: "another platform's roster", authorization: `Bearer ${fx.keyDl.key}`, platform: PS_PLATFORM, expect: 403 },
      { name: "the other key, its own platform", authorization: `Bearer ${fx.keyPs.key}`, platform: PS_PLATFORM, expect: 200 },
    ],
  },

  // -- Sign in and out -------------------------------------------------------------------------------
  "GET /login": { expect: { anon: 200, admin: 303, supervisor: 303, clerk: 303, secretary: 303 } },
  "POST /login": {
    target: () => ({ body: form({ username: "t-supervisor", password: PASSWORD }) }),
    expect: { anon: 303, admin: 303, supervisor: 303, clerk: 303, secretary: 303 },
  },
  "POST /logout": { expect: { anon: 303, admin: 303, supervisor: 303, clerk: 303, secretary: 303 }, signsOut: true },

  // -- Dashboard -------------------------------------------------------------------------------------
  "GET /": { target: (fx, side) => ({ query: { scope: `org:${pick(side, fx.dlBranch.id, fx.psBranch.id)}` } }), expect: SCOPED_READ },
  "GET /breakdowns/:level": {
    target: (fx, side) => ({ params: { level: "committee" }, query: { scope: `org:${pick(side, fx.dlBranch.id, fx.psBranch.id)}` } }),
    expect: SCOPED_READ,
  },

  // -- Organizations -------------------------------------------------------------------------------------
  "GET /orgs": { expect: SIGNED_IN },
  "GET /orgs/new": { expect: { anon: 303, admin: 200, supervisor: 403, clerk: 200, secretary: 403 } },
  "POST /orgs": {
    target: (fx, side) => {
      const parent = pick(side, fx.dl, fx.ps);
      return {
        body: form({
          code: `${parent.code}-009`,
          name: "中共菏泽新建联合支部委员会",
          kind: "branch",
          formation: "joint",
          parentId: parent.id,
          industryCode: parent.industryCode ?? "",
          regionCode: "371702",
        }),
      };
    },
    expect: { anon: 303, admin: 303, supervisor: 403, clerk: [303, 422], secretary: 403 },
  },
  "GET /orgs/:id": {
    target: (fx, side) => ({ params: { id: pick(side, fx.dlBranch, fx.psBranch, fx.dlJoint).id } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },
  "POST /orgs/:id/unmask": {
    // As for members: secretaries never see the whole number (403 whatever the id); the unmasked page is the answer (audited).
    target: (fx, side) => ({ params: { id: pick(side, fx.dlBranch, fx.psBranch, fx.dlJoint).id } }),
    expect: { anon: 303, admin: 200, supervisor: 200, clerk: [200, 404], secretary: 403, other: { clerk: 200, secretary: 403 } },
  },
  "GET /orgs/:id/edit": {
    target: (fx, side) => ({ params: { id: pick(side, fx.dlBranch, fx.psBranch, fx.dlJoint).id } }),
    expect: { anon: 303, admin: 200, supervisor: 403, clerk: [200, 404], secretary: [200, 404], other: { clerk: 200, secretary: 404 } },
  },
  "POST /orgs/:id": {
    target: (fx, side) => {
      const o = pick(side, fx.dlBranch, fx.psBranch, fx.dlJoint);
      return { params: { id: o.id }, body: orgBody(o) };
    },
    expect: { ...SCOPED_WRITE, other: { clerk: 303, secretary: 404 } },
  },
  "POST /orgs/:id/dissolve": {
    target: (fx, side) => ({ params: { id: pick(side, fx.dlEmpty, fx.psEmpty).id }, body: form({ dissolvedOn: fx.today }) }),
    expect: DESK_WRITE,
  },

  // -- Enterprises ----------------------------------------------------------------------------------------
  "GET /enterprises": { expect: SIGNED_IN },
  "GET /enterprises/new": { expect: { anon: 303, admin: 200, supervisor: 403, clerk: 200, secretary: 403 } },
  "POST /enterprises": {
    target: (fx, side) => ({
      body: enterpriseBody({
        ...fx.dlEnterprise,
        name: "菏泽新设货运有限公司",
        creditCode: fx.newCreditCode,
        committeeId: pick(side, fx.dl, fx.ps).id,
      }),
    }),
    expect: { anon: 303, admin: 303, supervisor: 403, clerk: [303, 422], secretary: 403 },
  },
  "GET /enterprises/:id": {
    target: (fx, side) => ({ params: { id: pick(side, fx.dlEnterprise, fx.psEnterprise, fx.dlEnterprise2).id } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },
  "GET /enterprises/:id/edit": {
    target: (fx, side) => ({ params: { id: pick(side, fx.dlEnterprise, fx.psEnterprise).id } }),
    expect: { anon: 303, admin: 200, supervisor: 403, clerk: [200, 404], secretary: 403 },
  },
  "POST /enterprises/:id": {
    target: (fx, side) => {
      const e = pick(side, fx.dlEnterprise, fx.psEnterprise);
      return { params: { id: e.id }, body: enterpriseBody(e, "（更名）") };
    },
    expect: DESK_WRITE,
  },
  "POST /enterprises/:id/coverage": {
    target: (fx, side) => ({
      params: { id: pick(side, fx.dlEnterprise, fx.psEnterprise).id },
      body: form({ organizationId: pick(side, fx.dlJoint, fx.psEmpty).id, since: "2024-06-01" }),
    }),
    expect: DESK_WRITE,
  },
  "POST /enterprises/:id/coverage/:orgId/remove": {
    target: (fx, side) => ({
      params: { id: pick(side, fx.dlEnterprise, fx.psEnterprise).id, orgId: pick(side, fx.dlBranch, fx.psBranch).id },
    }),
    expect: DESK_WRITE,
  },

  // -- Instructors -------------------------------------------------------------------------------------------
  "GET /instructors": { expect: SIGNED_IN },
  "GET /instructors/new": { expect: { anon: 303, admin: 200, supervisor: 403, clerk: 200, secretary: 403 } },
  "POST /instructors": {
    target: (fx, side) => ({ body: instructorBody(pick(side, fx.dl, fx.ps).id) }),
    expect: { anon: 303, admin: 303, supervisor: 403, clerk: [303, 422], secretary: 403 },
  },
  "GET /instructors/:id": { target: (fx, side) => ({ params: { id: pick(side, fx.instDl, fx.instPs).id } }), expect: SCOPED_READ },
  "GET /instructors/:id/edit": {
    target: (fx, side) => ({ params: { id: pick(side, fx.instDl, fx.instPs).id } }),
    expect: { anon: 303, admin: 200, supervisor: 403, clerk: [200, 404], secretary: 403 },
  },
  "POST /instructors/:id": {
    target: (fx, side) => ({ params: { id: pick(side, fx.instDl, fx.instPs).id }, body: instructorBody(pick(side, fx.dl, fx.ps).id) }),
    expect: DESK_WRITE,
  },
  "POST /instructors/:id/assignments": {
    target: (fx, side) => ({
      params: { id: pick(side, fx.instDl, fx.instPs).id },
      body: form({ enterprise: pick(side, fx.dlEnterprise2, fx.psEnterprise2).creditCode, assignedOn: "2024-06-01" }),
    }),
    expect: DESK_WRITE,
  },
  "POST /instructors/:id/assignments/:assignmentId/end": {
    target: (fx, side) => {
      const i = pick(side, fx.instDl, fx.instPs);
      return { params: { id: i.id, assignmentId: i.assignmentId }, body: form({ endedOn: fx.today }) };
    },
    expect: DESK_WRITE,
  },

  // -- Transfers ----------------------------------------------------------------------------------------------
  "GET /transfers": { expect: SIGNED_IN },
  "GET /transfers/export.xlsx": { expect: SIGNED_IN },
  "GET /transfers/new": {
    target: (fx, side) => ({ query: { member: String(pick(side, fx.dlMember, fx.psMember).id) } }),
    expect: { anon: 303, admin: 200, supervisor: 403, clerk: [200, 404], secretary: [200, 404] },
  },
  "POST /transfers": {
    target: (fx, side) => {
      const [m, to] = side === "out" ? [fx.psMember, fx.psEmpty] : [fx.dlMember, fx.dlEmpty];
      return {
        body: form({
          kind: "internal",
          memberId: m.id,
          toOrgId: to.id,
          issuedOn: fx.today,
          duesPaidTo: fx.today.slice(0, 7),
          reason: "工作调动",
        }),
      };
    },
    expect: SCOPED_WRITE,
  },
  "GET /transfers/:id": {
    target: (fx, side) => ({ params: { id: pick(side, fx.tOutDl, fx.tPs, fx.tJoint) } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },
  "GET /transfers/:id/letter": {
    target: (fx, side) => ({ params: { id: pick(side, fx.tOutDl, fx.tPs, fx.tJoint) } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },
  "POST /transfers/:id/letter/unmask": {
    // As the member page's: secretaries never see whole numbers, refused by role whatever the id; the unmasked letter is the answer (audited).
    target: (fx, side) => ({ params: { id: pick(side, fx.tOutDl, fx.tPs, fx.tJoint) } }),
    expect: { anon: 303, admin: 200, supervisor: 200, clerk: [200, 404], secretary: 403, other: { clerk: 200, secretary: 403 } },
  },
  // The receiving side accepts and returns, the sending side cancels; a clerk above both sides may do either.
  // wrong-side: the secretary's own branch is the other party (she sent what she would accept, or receives what she would cancel).
  "POST /transfers/:id/accept": {
    target: (fx, side) => ({
      params: { id: side === "wrong-side" ? fx.tSentDl : pick(side, fx.tInDl, fx.tPs, fx.tJoint) },
      body: form({ receiptOn: fx.today }),
    }),
    expect: { ...SCOPED_WRITE, other: { clerk: 303, secretary: 404 }, wrongSide: { clerk: 303, secretary: 403 } },
  },
  "POST /transfers/:id/return": {
    target: (fx, side) => ({
      params: { id: side === "wrong-side" ? fx.tSentDl : pick(side, fx.tInDl, fx.tPs, fx.tJoint) },
      body: form({ returnReason: "信息有误" }),
    }),
    expect: { ...SCOPED_WRITE, other: { clerk: 303, secretary: 404 }, wrongSide: { clerk: 303, secretary: 403 } },
  },
  "POST /transfers/:id/cancel": {
    target: (fx, side) => ({
      params: { id: side === "wrong-side" ? fx.tInDl : pick(side, fx.tOutDl, fx.tPs, fx.tJoint) },
      body: form({ cancelReason: "开错了" }),
    }),
    expect: { ...SCOPED_WRITE, other: { clerk: 303, secretary: 404 }, wrongSide: { clerk: 303, secretary: 403 } },
  },
  "GET /inbox": { expect: SIGNED_IN },

  // -- Recruitment (发展党员) ----------------------------------------------------------------------------------
  "GET /recruitment": { expect: SIGNED_IN },
  "GET /recruitment/stats": { expect: SIGNED_IN },
  "GET /recruitment/people": { target: () => ({ query: { figure: "activists" } }), expect: SIGNED_IN },
  "GET /recruitment/export.xlsx": { expect: SIGNED_IN },
  "GET /recruitment/new": { expect: { anon: 303, admin: 200, supervisor: 403, clerk: 200, secretary: 200 } },
  // The branch is a choice of the form: one out of scope is a field error.
  "POST /recruitment": {
    target: (fx, side) => ({
      body: form({ name: "矩阵新申请", idNumber: fx.newIdNumber, orgId: pick(side, fx.dlBranch, fx.psBranch).id, appliedOn: fx.today }),
    }),
    expect: { anon: 303, admin: 303, supervisor: 403, clerk: [303, 422], secretary: [303, 422] },
  },
  "GET /recruitment/training": { expect: { anon: 303, admin: 200, supervisor: 403, clerk: 200, secretary: 200 } },
  "POST /recruitment/training": {
    target: (fx, side) => ({
      body: form({ ids: [String(pick(side, fx.recDl, fx.recPs, fx.recJoint).activist)], on: fx.today, trainingHours: 24 }),
    }),
    expect: { ...SCOPED_WRITE, other: { clerk: 303, secretary: 404 } },
  },
  "GET /recruitment/:id": {
    target: (fx, side) => ({ params: { id: pick(side, fx.recDl, fx.recPs, fx.recJoint).applicant } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },
  "POST /recruitment/:id/unmask": {
    target: (fx, side) => ({ params: { id: pick(side, fx.recDl, fx.recPs, fx.recJoint).applicant } }),
    expect: { anon: 303, admin: 200, supervisor: 200, clerk: [200, 404], secretary: 403, other: { clerk: 200, secretary: 403 } },
  },
  "GET /recruitment/:id/steps/:action": {
    target: (fx, side) => ({ params: { id: pick(side, fx.recDl, fx.recPs, fx.recJoint).applicant, action: "talk" } }),
    expect: { anon: 303, admin: 200, supervisor: 403, clerk: [200, 404], secretary: [200, 404], other: { clerk: 200, secretary: 404 } },
  },
  "POST /recruitment/:id/steps/:action": {
    target: (fx, side) => ({
      params: { id: pick(side, fx.recDl, fx.recPs, fx.recJoint).applicant, action: "talk" },
      body: form({ on: fx.today, talkedBy: "书记" }),
    }),
    expect: { ...SCOPED_WRITE, other: { clerk: 303, secretary: 404 } },
  },
  // The committee decides: a secretary is refused by role whatever the id (so the answer confirms nothing).
  "POST /recruitment/:id/decision": {
    target: (fx, side) => ({
      params: { id: pick(side, fx.recDl, fx.recPs, fx.recJoint).proposed },
      body: form({ decision: "approve", approvedOn: fx.today }),
    }),
    expect: { anon: 303, admin: 303, supervisor: 403, clerk: [303, 404], secretary: 403, other: { clerk: 303, secretary: 403 } },
  },

  // -- Organizational life (三会一课): a branch records its meetings; committees and supervisors read ----------
  "GET /meetings": { expect: SIGNED_IN },
  "GET /meetings/figures/:key": { target: () => ({ params: { key: "lapsedLimit" } }), expect: SIGNED_IN },
  "GET /meetings/export.xlsx": { expect: SIGNED_IN },
  "GET /meetings/org/:orgId": {
    target: (fx, side) => ({ params: { orgId: pick(side, fx.dlBranch, fx.psBranch, fx.dlJoint).id } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },
  "GET /meetings/org/:orgId/export.xlsx": {
    target: (fx, side) => ({ params: { orgId: pick(side, fx.dlBranch, fx.psBranch, fx.dlJoint).id } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },
  "GET /meetings/org/:orgId/new": {
    target: (fx, side) => ({ params: { orgId: pick(side, fx.dlBranch, fx.psBranch, fx.dlJoint).id } }),
    expect: { anon: 303, admin: 200, supervisor: 403, clerk: [200, 404], secretary: [200, 404], other: { clerk: 200, secretary: 404 } },
  },
  "POST /meetings/org/:orgId": {
    // The branch is in the URL (404 outside the scope); the attendance names a member of that branch's list.
    target: (fx, side) => ({
      params: { orgId: pick(side, fx.dlBranch, fx.psBranch, fx.dlJoint).id },
      body: form({
        type: "branch_committee",
        heldOn: fx.today,
        place: "会议室",
        host: "书记",
        recorder: "委员",
        topic: "支委会",
        present: String(pick(side, fx.dlMember, fx.psMember, fx.dlJointMember).id),
      }),
    }),
    expect: { ...SCOPED_WRITE, other: { clerk: 303, secretary: 404 } },
  },
  "GET /meetings/:id": {
    target: (fx, side) => ({ params: { id: pick(side, fx.meetDl, fx.meetPs, fx.meetJoint) } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },
  "GET /meetings/:id/export.xlsx": {
    target: (fx, side) => ({ params: { id: pick(side, fx.meetDl, fx.meetPs, fx.meetJoint) } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },

  // -- A member's mobile spells, contact, leaving --------------------------------------------------------------
  "GET /members/:id/mobile": {
    target: (fx, side) => ({ params: { id: pick(side, fx.dlMember, fx.psMember, fx.dlJointMember).id } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },
  "POST /members/:id/mobile/in": {
    target: (fx, side) => {
      const [m, org] = side === "out" ? [fx.mPsUnattached, fx.psBranch] : [fx.mDlUnattached, fx.dlBranch];
      return {
        params: { id: m.id },
        body: form({
          orgId: org.id,
          homeOrgName: "中共某村支部委员会",
          certificateNumber: "LD-9",
          certificateValidUntil: "2099-01-01",
          startedOn: "2024-06-01",
        }),
      };
    },
    expect: SCOPED_WRITE,
  },
  "POST /members/:id/mobile/out": {
    target: (fx, side) => ({
      params: { id: pick(side, fx.dlMember, fx.psMember).id },
      body: form({ destinationCode: "江苏省苏州市", unitKind: "private_enterprise", outStartedOn: "2024-06-01" }),
    }),
    expect: SCOPED_WRITE,
  },
  "POST /members/:id/mobile/end": {
    target: (fx, side) => ({ params: { id: pick(side, fx.mDlMobile, fx.mPsMobile).id }, body: form({ endedOn: fx.today }) }),
    expect: SCOPED_WRITE,
  },
  "POST /members/:id/mobile/renew": {
    target: (fx, side) => ({
      params: { id: pick(side, fx.mDlMobile, fx.mPsMobile).id },
      body: form({ newCertificateNumber: "LD-10", newValidUntil: "2099-06-30" }),
    }),
    expect: SCOPED_WRITE,
  },
  "POST /members/:id/contact/lost": {
    target: (fx, side) => ({
      params: { id: pick(side, fx.dlMember, fx.psMember).id },
      body: form({ lostContactOn: "2024-06-01", lostContactReason: fx.lostReason }),
    }),
    expect: SCOPED_WRITE,
  },
  "POST /members/:id/contact/restore": {
    target: (fx, side) => ({ params: { id: pick(side, fx.mDlLost, fx.mPsLost).id }, body: form({ restoredOn: fx.today }) }),
    expect: SCOPED_WRITE,
  },

  // -- Membership changes: the branch proposes, the committee above decides ------------------------------------
  "GET /members/:id/membership": {
    target: (fx, side) => ({ params: { id: pick(side, fx.dlMember, fx.psMember, fx.dlJointMember).id } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },
  "POST /members/:id/membership": {
    target: (fx, side) => ({
      params: { id: pick(side, fx.dlMember, fx.psMember, fx.dlJointMember).id },
      body: form({ kind: "death", effectiveOn: fx.today, reason: "病故" }),
    }),
    expect: { ...SCOPED_WRITE, other: { clerk: 303, secretary: 404 } },
  },
  "POST /members/:id/membership/:changeId/approve": {
    target: (fx, side) => ({
      params: pick(side, { id: fx.mDlLost.id, changeId: fx.changeDl }, { id: fx.mPsLost.id, changeId: fx.changePs }),
      body: form({ approvedOn: fx.today }),
    }),
    expect: { anon: 303, admin: 303, supervisor: 403, clerk: [303, 404], secretary: 403 },
  },
  "POST /members/:id/membership/:changeId/reject": {
    target: (fx, side) => ({
      params: pick(side, { id: fx.mDlLost.id, changeId: fx.changeDl }, { id: fx.mPsLost.id, changeId: fx.changePs }),
      body: form({ approvedOn: fx.today, approvalNote: "继续查找" }),
    }),
    expect: { anon: 303, admin: 303, supervisor: 403, clerk: [303, 404], secretary: 403 },
  },

  // -- Members ----------------------------------------------------------------------------------------------------
  "GET /members": { expect: SIGNED_IN },
  "POST /members/search": {
    // Out of scope the number is simply not found (the page says so): nothing tells it exists.
    target: (fx, side) => ({ body: form({ number: pick(side, fx.dlMember, fx.psMember).idNumber }) }),
    expect: { anon: 303, admin: 303, supervisor: 303, clerk: [303, 200], secretary: [303, 200] },
  },
  "GET /members/new": { expect: { anon: 303, admin: 200, supervisor: 403, clerk: 200, secretary: 200 } },
  "POST /members": {
    target: (fx, side) => ({
      body: form({
        name: "新党员",
        idNumber: fx.newIdNumber,
        category: "full",
        joinedOn: "2015-07-01",
        fullOn: "2016-07-01",
        orgId: pick(side, fx.dlBranch, fx.psBranch).id,
        relationStatus: "local",
      }),
    }),
    expect: { anon: 303, admin: 303, supervisor: 403, clerk: [303, 422], secretary: [303, 422] },
  },
  "GET /members/:id": {
    target: (fx, side) => ({ params: { id: pick(side, fx.dlMember, fx.psMember, fx.dlJointMember).id } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },
  "POST /members/:id/unmask": {
    // Secretaries never see whole numbers: refused by role, whatever the id (so 403 tells nothing about it).
    // The unmasked page is the answer (audited), not a redirect.
    target: (fx, side) => ({ params: { id: pick(side, fx.dlMember, fx.psMember, fx.dlJointMember).id } }),
    expect: { anon: 303, admin: 200, supervisor: 200, clerk: [200, 404], secretary: 403, other: { clerk: 200, secretary: 403 } },
  },
  "GET /members/:id/edit": {
    target: (fx, side) => ({ params: { id: pick(side, fx.dlMember, fx.psMember, fx.dlJointMember).id } }),
    expect: { anon: 303, admin: 200, supervisor: 403, clerk: [200, 404], secretary: [200, 404], other: { clerk: 200, secretary: 404 } },
  },
  "POST /members/:id": {
    target: (fx, side) => {
      const m = pick(side, fx.dlMember, fx.psMember, fx.dlJointMember);
      return { params: { id: m.id }, body: memberBody(m) };
    },
    expect: { ...SCOPED_WRITE, other: { clerk: 303, secretary: 404 } },
  },

  // -- Imports ----------------------------------------------------------------------------------------------------------
  "GET /imports": { expect: { anon: 303, admin: 200, supervisor: 200, clerk: 200, secretary: 403 } },
  "GET /imports/new": { expect: { anon: 303, admin: 200, supervisor: 403, clerk: 200, secretary: 403 } },
  "POST /imports/new": {
    // The preview page is the answer to an upload.
    target: (fx, side) => ({
      body: {
        multipart: { fields: { kind: "roster", platform: DL_PLATFORM, orgId: String(pick(side, fx.dl, fx.ps).id) }, file: ROSTER_FILE },
      },
    }),
    expect: { anon: 303, admin: 200, supervisor: 403, clerk: [200, 422], secretary: 403 },
  },
  "POST /imports/start": {
    target: (fx, side, caller) => ({
      body: form({
        upload: caller === "admin" ? fx.uploads.admin : fx.uploads.clerk,
        kind: "roster",
        platform: DL_PLATFORM,
        orgId: pick(side, fx.dl, fx.ps).id,
        mode: "dry",
        map_idNumber: "公民身份号码",
        map_name: "骑手姓名",
        map_politicalStatus: "政治面貌",
      }),
    }),
    expect: { anon: 303, admin: 303, supervisor: 403, clerk: [303, 422], secretary: 403 },
  },
  "GET /imports/:id": { target: (fx, side) => ({ params: { id: pick(side, fx.impDl, fx.impPs) } }), expect: DESK_READ },
  "GET /imports/:id/progress": { target: (fx, side) => ({ params: { id: pick(side, fx.impDl, fx.impPs) } }), expect: DESK_READ },
  "GET /imports/:id/issues.xlsx": { target: (fx, side) => ({ params: { id: pick(side, fx.impDl, fx.impPs) } }), expect: DESK_READ },
  // Onboarding: administrators and committee clerks (each row's scope is the import's business: tests/http/import/onboarding.test.ts).
  "GET /onboarding": { expect: { anon: 303, admin: 200, supervisor: 403, clerk: 200, secretary: 403 } },
  "GET /onboarding/templates/:kind.xlsx": {
    target: () => ({ params: { kind: "enterprises" } }),
    expect: { anon: 303, admin: 200, supervisor: 403, clerk: 200, secretary: 403 },
  },

  // -- Leads ------------------------------------------------------------------------------------------------------------
  "GET /leads": { expect: { anon: 303, admin: 200, supervisor: 200, clerk: 200, secretary: 403 } },
  "POST /leads/bulk-verify": {
    // The lead ids are ticked boxes of the list (the body): an out-of-scope one is a field error.
    // "other": one lead of the clerk's and one of the other committee's, in one request: refused as a whole.
    target: (fx, side) =>
      side === "other"
        ? { body: form({ ids: [String(fx.leadDl), String(fx.leadPs)], branchId: fx.dlBranch.id }) }
        : { body: form({ ids: [String(pick(side, fx.leadDl, fx.leadPs))], branchId: pick(side, fx.dlBranch, fx.psBranch).id }) },
    expect: { anon: 303, admin: 303, supervisor: 403, clerk: [303, 422], secretary: 403, other: { clerk: 404 } },
  },
  "GET /leads/departures": { expect: { anon: 303, admin: 200, supervisor: 200, clerk: 200, secretary: 403 } },
  "GET /leads/:id": { target: (fx, side) => ({ params: { id: pick(side, fx.leadDl, fx.leadPs) } }), expect: DESK_READ },
  "POST /leads/:id/verify": {
    target: (fx, side) => ({
      params: { id: pick(side, fx.leadDl, fx.leadPs) },
      body: form({ branchId: pick(side, fx.dlBranch, fx.psBranch).id, category: "full", joinedOn: "2015-07-01" }),
    }),
    expect: DESK_WRITE,
  },
  "POST /leads/:id/reject": {
    target: (fx, side) => ({ params: { id: pick(side, fx.leadDl, fx.leadPs) }, body: form({ reason: "非党员" }) }),
    expect: DESK_WRITE,
  },

  // -- Finds: self-report links, field visits ------------------------------------------------------------------------------
  "GET /finds": { expect: { anon: 303, admin: 303, supervisor: 303, clerk: 303, secretary: 403 } },
  "GET /finds/links": { expect: { anon: 303, admin: 200, supervisor: 200, clerk: 200, secretary: 403 } },
  "POST /finds/links": {
    target: (fx, side) => ({ body: form({ label: "新站点", committeeId: pick(side, fx.dl, fx.ps).id, expiresOn: fx.inAMonth }) }),
    expect: { anon: 303, admin: 303, supervisor: 403, clerk: [303, 422], secretary: 403 },
  },
  "GET /finds/links/:id": { target: (fx, side) => ({ params: { id: pick(side, fx.linkDl, fx.linkPs).id } }), expect: DESK_READ },
  "GET /finds/links/:id/poster": { target: (fx, side) => ({ params: { id: pick(side, fx.linkDl, fx.linkPs).id } }), expect: DESK_READ },
  "GET /finds/links/:id/qr.svg": { target: (fx, side) => ({ params: { id: pick(side, fx.linkDl, fx.linkPs).id } }), expect: DESK_READ },
  "GET /finds/links/:id/qr.png": { target: (fx, side) => ({ params: { id: pick(side, fx.linkDl, fx.linkPs).id } }), expect: DESK_READ },
  "POST /finds/links/:id/close": { target: (fx, side) => ({ params: { id: pick(side, fx.linkDl, fx.linkPs).id } }), expect: DESK_WRITE },
  "GET /finds/visit": { expect: { anon: 303, admin: 200, supervisor: 403, clerk: 200, secretary: 403 } },
  "POST /finds/visit": {
    target: (fx, side) => ({
      body: form({
        name: "走访对象",
        idNumber: fx.newIdNumber,
        phone: "13600009999",
        committeeId: pick(side, fx.dl, fx.ps).id,
        visitedOn: fx.today,
      }),
    }),
    expect: { anon: 303, admin: 303, supervisor: 403, clerk: [303, 422], secretary: 403 },
  },

  // -- The public self-report form: no account; an unknown token is 404 -------------------------------------------------------
  "GET /r/:token": {
    target: (fx, side) => ({ params: { token: pick(side, fx.linkDl.token, fx.linkPs.token, "AAAAAAAAAAAAAAAAAAAAAAAA") } }),
    expect: { ...PUBLIC, other: { admin: 404, clerk: 404, secretary: 404 } },
  },
  "POST /r/:token": {
    target: (fx, side) => ({
      params: { token: pick(side, fx.linkDl.token, fx.linkPs.token, "AAAAAAAAAAAAAAAAAAAAAAAA") },
      body: form({ name: "亮身份", idNumber: fx.newIdNumber, phone: "13600008888", consent: "on" }),
    }),
    expect: { anon: 303, admin: 303, supervisor: 303, clerk: 303, secretary: 303, other: { admin: 404, clerk: 404, secretary: 404 } },
  },
  "GET /r/:token/thanks": { target: (fx) => ({ params: { token: fx.linkDl.token } }), expect: PUBLIC },

  // -- Platform API keys (administrators) --------------------------------------------------------------------------------------
  "GET /admin/api-keys": { expect: ADMIN_ONLY(200) },
  "POST /admin/api-keys": {
    target: (fx, side) => ({ body: form({ label: "新密钥", platform: "某快递平台", committeeId: pick(side, fx.dl, fx.ps).id }) }),
    expect: ADMIN_ONLY(201),
  },
  "POST /admin/api-keys/:id/revoke": {
    target: (fx, side) => ({ params: { id: pick(side, fx.keyDl, fx.keyPs).id } }),
    expect: ADMIN_ONLY(303),
  },

  // -- The industries code list (administrators) -------------------------------------------------------------------------------
  "GET /admin/industries": { expect: ADMIN_ONLY(200) },
  "POST /admin/industries": {
    target: (_fx, side) => ({ body: form({ code: `ride_hailing_${side}`, name: `网约车${side}` }) }),
    expect: ADMIN_ONLY(303),
  },

  // -- Reports -----------------------------------------------------------------------------------------------------------------
  "GET /reports": { expect: SIGNED_IN },

  // -- Dues (党费) ------------------------------------------------------------------------------------------------
  "GET /dues": { expect: SIGNED_IN },
  "GET /dues/export.xlsx": { expect: SIGNED_IN },
  "GET /dues/unpaid": { expect: SIGNED_IN },
  "GET /dues/collected": { expect: SIGNED_IN },
  "GET /dues/orgs/:id": {
    target: (fx, side) => ({ params: { id: pick(side, fx.dlBranch, fx.psBranch, fx.dlJoint).id } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },
  "GET /dues/orgs/:id/entry": {
    target: (fx, side) => ({ params: { id: pick(side, fx.dlBranch, fx.psBranch, fx.dlJoint).id } }),
    expect: { anon: 303, admin: 200, supervisor: 403, clerk: [200, 404], secretary: [200, 404], other: { clerk: 200, secretary: 404 } },
  },
  "POST /dues/orgs/:id/entry": {
    target: (fx, side) => {
      const [org, m] =
        side === "out" ? [fx.psBranch, fx.psMember] : side === "other" ? [fx.dlJoint, fx.dlJointMember] : [fx.dlBranch, fx.dlMember];
      return {
        params: { id: org.id },
        body: form({
          month: fx.today.slice(0, 7),
          paidOn: fx.today,
          ids: String(m.id),
          [`income_${m.id}`]: "3000",
          [`full_${m.id}`]: "1",
          [`method_${m.id}`]: "cash",
        }),
      };
    },
    expect: { ...SCOPED_WRITE, other: { clerk: 303, secretary: 404 } },
  },
  "POST /dues/orgs/:id/close": {
    // A month before anyone joined lists nobody: refused in scope (422: nothing to close), not found outside.
    target: (fx, side) => ({ params: { id: pick(side, fx.dlBranch, fx.psBranch, fx.dlJoint).id }, body: form({ month: "2001-01" }) }),
    expect: { anon: 303, admin: 422, supervisor: 403, clerk: [422, 404], secretary: [422, 404], other: { clerk: 422, secretary: 404 } },
  },
  "GET /dues/members/:id": {
    target: (fx, side) => ({ params: { id: pick(side, fx.dlMember, fx.psMember, fx.dlJointMember).id } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },
  "POST /dues/members/:id/reductions": {
    target: (fx, side) => ({
      params: { id: pick(side, fx.dlMember, fx.psMember, fx.dlJointMember).id },
      body: form({ kind: "exempt", fromMonth: fx.today.slice(0, 7), reason: "失业", approvedBy: "党支部委员会", approvedOn: fx.today }),
    }),
    expect: { ...SCOPED_WRITE, other: { clerk: 303, secretary: 404 } },
  },
  "GET /dues/entries/:id/correct": {
    target: (fx, side) => ({ params: { id: pick(side, fx.duesDl, fx.duesPs, fx.duesJoint) } }),
    expect: { anon: 303, admin: 200, supervisor: 403, clerk: [200, 404], secretary: [200, 404], other: { clerk: 200, secretary: 404 } },
  },
  "POST /dues/entries/:id/correct": {
    target: (fx, side) => ({
      params: { id: pick(side, fx.duesDl, fx.duesPs, fx.duesJoint) },
      body: form({ basis: "flat", paid: "0.2", paidOn: fx.today, method: "cash", note: "更正" }),
    }),
    expect: { ...SCOPED_WRITE, other: { clerk: 303, secretary: 404 } },
  },

  "GET /reports/download": {
    target: (fx, side) => ({ query: { kind: "members", org: String(pick(side, fx.dlBranch, fx.psBranch).id) } }),
    expect: SCOPED_READ,
  },
  // The national member system's completeness list: the org filter is a scope (404 outside).
  "GET /national": {
    target: (fx, side) => ({ query: { org: String(pick(side, fx.dlBranch, fx.psBranch).id) } }),
    expect: SCOPED_READ,
  },
  "GET /reports/figures/:key": {
    // committee: names an organization too (GET / checks org:): the caller's own committee may be named
    // (for the secretary, the committee above her branch), another's is not found, its name unread.
    target: (fx, side) => ({
      params: { key: "enterprises" },
      query: { scope: side === "out" ? `committee:${fx.ps.id}` : `org:${fx.dlBranch.id},committee:${fx.dl.id}` },
    }),
    expect: SCOPED_READ,
  },

  // -- The official tables (党内统计): ?org= names the scope by code; another committee's is not found (404) --------------------------
  "GET /tables": { target: (fx, side) => ({ query: { org: pick(side, fx.dlBranch, fx.psBranch).code } }), expect: SCOPED_READ },
  "GET /tables/:table": {
    target: (fx, side) => ({ params: { table: "table1" }, query: { org: pick(side, fx.dlBranch, fx.psBranch).code } }),
    expect: SCOPED_READ,
  },
  "GET /tables/:table.xlsx": {
    target: (fx, side) => ({ params: { table: "table43" }, query: { org: pick(side, fx.dlBranch, fx.psBranch).code } }),
    expect: SCOPED_READ,
  },
  "GET /tables/:table/rows": {
    target: (fx, side) => ({ params: { table: "table1" }, query: { key: "end", org: pick(side, fx.dlBranch, fx.psBranch).code } }),
    expect: SCOPED_READ,
  },
  "GET /tables/:table/rows.xlsx": {
    target: (fx, side) => ({ params: { table: "table1" }, query: { key: "end", org: pick(side, fx.dlBranch, fx.psBranch).code } }),
    expect: SCOPED_READ,
  },

  // -- The drift-risk list and the person page ----------------------------------------------------------------------------------
  // Filters naming another committee's branch list nothing (200, no rows: tests/http/risk); the export's org is a scope (404 outside).
  "GET /risk": { target: (fx, side) => ({ query: { branch: String(pick(side, fx.dlBranch, fx.psBranch).id) } }), expect: SIGNED_IN },
  "GET /risk/download": {
    target: (fx, side) => ({ query: { org: String(pick(side, fx.dlBranch, fx.psBranch).id) } }),
    expect: SCOPED_READ,
  },
  "GET /people/:source/:id": {
    target: (fx, side) => ({ params: { source: "member", id: pick(side, fx.dlMember, fx.psMember, fx.dlJointMember).id } }),
    expect: { ...SCOPED_READ, other: { clerk: 200, secretary: 404 } },
  },

  // -- Accounts and the audit log -------------------------------------------------------------------------------------------------
  "GET /admin/users": { expect: ADMIN_ONLY(200) },
  "GET /admin/users/new": { expect: ADMIN_ONLY(200) },
  "POST /admin/users": {
    target: (fx, side) => ({
      body: form({
        username: "t-new",
        displayName: "新书记",
        role: "secretary",
        orgId: pick(side, fx.dlBranch, fx.psBranch).id,
        password: NEW_PASSWORD,
      }),
    }),
    expect: ADMIN_ONLY(303),
  },
  "GET /admin/users/:id/edit": {
    target: (fx, side) => ({ params: { id: pick(side, fx.userIds.secretary!, fx.userIds.secretaryPs!) } }),
    expect: ADMIN_ONLY(200),
  },
  "POST /admin/users/:id": {
    target: (fx, side) => ({
      params: { id: pick(side, fx.userIds.secretary!, fx.userIds.secretaryPs!) },
      body: form({ displayName: "改名", role: "secretary", orgId: pick(side, fx.dlBranch, fx.psBranch).id }),
    }),
    expect: ADMIN_ONLY(303),
  },
  "POST /admin/users/:id/password": {
    target: (fx, side) => ({
      params: { id: pick(side, fx.userIds.secretary!, fx.userIds.secretaryPs!) },
      body: form({ password: NEW_PASSWORD }),
    }),
    expect: ADMIN_ONLY(303),
  },
  "POST /admin/users/:id/disable": {
    target: (fx, side) => ({ params: { id: pick(side, fx.userIds.secretary!, fx.userIds.secretaryPs!) } }),
    expect: ADMIN_ONLY(303),
  },
  "POST /admin/users/:id/enable": {
    target: (fx, side) => ({ params: { id: pick(side, fx.userIds.secretary!, fx.userIds.secretaryPs!) } }),
    expect: ADMIN_ONLY(303),
  },
  "GET /audit": { expect: { anon: 303, admin: 200, supervisor: 200, clerk: 403, secretary: 403 } },
  "GET /account/password": { expect: SIGNED_IN },
  "POST /account/password": {
    target: () => ({ body: form({ current: PASSWORD, password: NEW_PASSWORD, confirm: NEW_PASSWORD }) }),
    expect: { anon: 303, admin: 303, supervisor: 303, clerk: 303, secretary: 303 },
    signsOut: true,
  },
};

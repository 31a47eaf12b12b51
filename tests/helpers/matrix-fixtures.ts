// The small city plus one row of every kind a route can name by id (a transfer, a lead, an import,
// an instructor, a self-report link, an API key …) on the HZ-DL side (in scope of t-clerk-dl and,
// where a branch holds it, t-sec-dl), on the HZ-PS side (out of their scope), and "another user's"
// (the joint branch HZ-DL-002: the clerk's scope, not the secretary's). Rows are made through the
// services, as the app makes them. Then every caller signs in once, and the whole database, sessions
// included, is kept as an image: each case that writes restores it into a fresh app in milliseconds.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Express } from "express";
import request from "supertest";
import type { DbHandle } from "../../db/client.js";
import { createApp } from "../../server/app.js";
import { type Config, testConfig } from "../../server/config.js";
import { LOST_CONTACT_REASON } from "../../server/domain/codes.js";
import { addMonthsToMonth } from "../../server/domain/dues-rules.js";
import { addDays, todayIso } from "../../server/domain/dates.js";
import { makeIdNumber } from "../../server/domain/id-number.js";
import type { Actor } from "../../server/policy/actor.js";
import { makeCreditCode } from "../../server/domain/credit-code.js";
import { coverageInputSchema, enterpriseInputSchema } from "../../server/schemas/enterprises.schema.js";
import { orgInputSchema } from "../../server/schemas/orgs.schema.js";
import { attachCoverage, createEnterprise } from "../../server/services/enterprises/enterprises.service.js";
import { createOrg, updateOrg } from "../../server/services/orgs/orgs.service.js";
import { fieldVisitSchema, linkInputSchema } from "../../server/schemas/finds.schema.js";
import { assignmentInputSchema, instructorInputSchema } from "../../server/schemas/instructors.schema.js";
import { memberCreateSchema } from "../../server/schemas/members.schema.js";
import { lostContactSchema, mobileInSchema, transferInputSchema } from "../../server/schemas/transfers.schema.js";
import { issueApiKey } from "../../server/services/admin/api-keys.js";
import { recordFieldVisit } from "../../server/services/finds/field-visit.js";
import { createLink } from "../../server/services/finds/links.js";
import { runImport } from "../../server/services/import/import.service.js";
import { assignInstructor, createInstructor } from "../../server/services/enterprises/instructors.js";
import { createMember } from "../../server/services/members/members.service.js";
import { markLostContact } from "../../server/services/members/contact.js";
import { proposeChange } from "../../server/services/membership/membership.service.js";
import { proposeChangeSchema } from "../../server/schemas/membership.schema.js";
import { registerMobileIn } from "../../server/services/members/mobile.js";
import { issueTransfer } from "../../server/services/transfers/transfers.service.js";
import { recruitmentRows } from "./matrix-recruitment.js";
import { meetingSchema } from "../../server/schemas/meetings.schema.js";
import { recordMeeting } from "../../server/services/meetings/record.js";
import { loadActor } from "../../server/services/admin/users.js";
import { createTestApp, csrfFrom } from "./app.js";
import { PASSWORD } from "./fixtures.js";
import { restoreMemoryDb } from "./snapshot.js";
import { ROSTERS_DIR } from "./paths.js";

const ROSTERS = ROSTERS_DIR;
export const ROSTER_FILE = path.join(ROSTERS, "gbk-crlf.csv");

/** The callers of the matrix. */
export const CALLERS = ["anon", "admin", "supervisor", "clerk", "secretary"] as const;
export type Caller = (typeof CALLERS)[number];
export const USERNAME: Record<Exclude<Caller, "anon">, string> = {
  admin: "t-admin",
  supervisor: "t-supervisor",
  clerk: "t-clerk-dl",
  secretary: "t-sec-dl",
};

/** A signed-in (or anonymous) session: its cookie and the CSRF token stored in it. */
export type Session = { cookie: string; csrf: string };

export const DL_PLATFORM = "某货运平台";
export const PS_PLATFORM = "某外卖平台";
export const EXTERNAL_ORG = "中共济南某物流有限公司支部委员会";

let idSeq = 500;
function newMember(h: DbHandle, actor: Actor, orgId: number, name: string, relationStatus: "local" | "unattached" = "local") {
  idSeq++;
  const input = memberCreateSchema.parse({
    name,
    birthDate: "1988-03-02",
    idNumber: makeIdNumber("371702", "1988-03-02", idSeq),
    phone: `1370000${String(idSeq).padStart(4, "0")}`,
    category: "full",
    joinedOn: "2012-07-01",
    fullOn: "2013-07-01",
    orgId: String(orgId),
    relationStatus,
  });
  return createMember(h.db, actor, input, todayIso());
}

async function buildRows(h: DbHandle, city: Awaited<ReturnType<typeof createTestApp>>["city"]) {
  const today = todayIso();
  const actor = (key: string) => loadActor(h.db, city.userIds[key]!)!;
  const admin = actor("admin");
  const clerkDl = actor("clerk");
  const clerkPs = actor("clerkPs");
  const secDl = actor("secretary");
  const secJoint = actor("secretaryJoint");
  const secPs = actor("secretaryPs");

  // -- Branch secretaries' phones (shown masked; the edit form sends the mask back) -------------------
  const withPhone = (o: typeof city.dlBranch, phone: string) =>
    updateOrg(
      h.db,
      admin,
      o.id,
      orgInputSchema.parse({
        code: o.code,
        name: o.name,
        kind: o.kind,
        formation: o.formation ?? "",
        parentId: String(o.parentId),
        industryCode: o.industryCode ?? "",
        regionCode: o.regionCode,
        secretaryName: "赵书记",
        secretaryPhone: phone,
      }),
    );
  const dlBranch = withPhone(city.dlBranch, "13955550001");
  const dlJoint = withPhone(city.dlJoint, "13955550002");
  const psBranch = withPhone(city.psBranch, "13955550003");

  // -- An empty branch per committee (dissolvable, a destination) and a second enterprise each ------
  const branch = (code: string, name: string, parentId: number, industryCode: string) =>
    createOrg(
      h.db,
      admin,
      orgInputSchema.parse({
        code,
        name,
        kind: "branch",
        formation: "joint",
        parentId: String(parentId),
        industryCode,
        regionCode: "371702",
      }),
    );
  const dlEmpty = branch("HZ-DL-003", "中共菏泽货运第二联合支部委员会", city.dl.id, "road_transport");
  const psEmpty = branch("HZ-PS-002", "中共菏泽配送联合支部委员会", city.ps.id, "online_delivery");
  const enterprise = (a: Actor, committeeId: number, name: string, seq: string, industryCode: string) =>
    createEnterprise(
      h.db,
      a,
      enterpriseInputSchema.parse({
        name,
        creditCode: makeCreditCode("91", "371702", `MX${seq}`),
        kind: "transport_company",
        industryCode,
        regionCode: "371702",
        committeeId: String(committeeId),
        workerCount: "12",
        status: "active",
      }),
    );
  /** Covered by the joint branch only: the clerk's, not the secretary's. */
  const dlEnterprise2 = enterprise(clerkDl, city.dl.id, "菏泽某货运车队", "0000001", "road_transport");
  attachCoverage(
    h.db,
    clerkDl,
    dlEnterprise2.id,
    coverageInputSchema.parse({ organizationId: String(city.dlJoint.id), since: "2024-01-01" }),
    today,
  );
  const psEnterprise2 = enterprise(clerkPs, city.ps.id, "菏泽某配送加盟商", "0000002", "online_delivery");

  // -- Instructors with an open assignment each ---------------------------------------------------
  const instructor = (a: Actor, committeeId: number, name: string, enterpriseName: string) => {
    const i = createInstructor(
      h.db,
      a,
      instructorInputSchema.parse({
        name,
        kind: "instructor",
        phone: "13912340000",
        workUnit: "区委组织部",
        committeeId: String(committeeId),
        status: "active",
      }),
    );
    const { assignment } = assignInstructor(
      h.db,
      a,
      i.id,
      assignmentInputSchema.parse({ enterprise: enterpriseName, assignedOn: "2024-01-01" }),
      today,
    );
    return { id: i.id, assignmentId: assignment.id };
  };
  const instDl = instructor(clerkDl, city.dl.id, "孙指导", city.dlEnterprise.name);
  const instPs = instructor(clerkPs, city.ps.id, "钱指导", city.psEnterprise.name);

  // -- Members in the states the status forms need ------------------------------------------------
  const mDlOut = newMember(h, secDl, city.dlBranch.id, "周转出");
  const mJointA = newMember(h, secJoint, city.dlJoint.id, "吴转入");
  const mJointB = newMember(h, secJoint, city.dlJoint.id, "郑联建");
  const mPsOut = newMember(h, secPs, city.psBranch.id, "冯配送");
  const mDlUnattached = newMember(h, secDl, city.dlBranch.id, "陈未纳", "unattached");
  const mPsUnattached = newMember(h, secPs, city.psBranch.id, "褚未纳", "unattached");
  const mDlMobile = newMember(h, secDl, city.dlBranch.id, "卫流入", "unattached");
  const mPsMobile = newMember(h, secPs, city.psBranch.id, "蒋流入", "unattached");
  const mDlLost = newMember(h, secDl, city.dlBranch.id, "沈失联");
  const mPsLost = newMember(h, secPs, city.psBranch.id, "韩失联");
  const mobileIn = (a: Actor, memberId: number, orgId: number) =>
    registerMobileIn(
      h.db,
      a,
      memberId,
      mobileInSchema.parse({
        orgId: String(orgId),
        homeOrgName: "中共某村支部委员会",
        certificateNumber: `LD-${memberId}`,
        certificateValidUntil: "2099-12-31",
        startedOn: "2024-05-01",
      }),
      today,
    );
  mobileIn(secDl, mDlMobile.id, city.dlBranch.id);
  mobileIn(secPs, mPsMobile.id, city.psBranch.id);
  const lost = lostContactSchema.parse({ lostContactOn: "2024-06-01", lostContactReason: Object.keys(LOST_CONTACT_REASON.label)[0] });
  markLostContact(h.db, secDl, mDlLost.id, lost, today);
  markLostContact(h.db, secPs, mPsLost.id, lost, today);
  // A suspension each branch proposed, waiting for its committee (approve and reject name them).
  const proposeSuspension = (a: Actor, memberId: number) =>
    proposeChange(
      h.db,
      a,
      memberId,
      proposeChangeSchema.parse({
        kind: "suspension",
        effectiveOn: today,
        reason: "失联满六个月",
        decisionBody: "支部大会",
        searchedOn: today,
        searchNote: "查找未果",
      }),
      today,
    ).id;
  const changeDl = proposeSuspension(secDl, mDlLost.id);
  const changePs = proposeSuspension(secPs, mPsLost.id);

  // -- Transfers, pending ----------------------------------------------------------------------------
  const transfer = (a: Actor, raw: Record<string, string>) =>
    issueTransfer(h.db, a, transferInputSchema.parse({ issuedOn: today, duesPaidTo: today.slice(0, 7), ...raw }), today).id;
  /** Into the secretary's branch from the joint branch: t-sec-dl receives it. */
  const tInDl = transfer(secJoint, { kind: "internal", memberId: String(mJointA.id), toOrgId: String(city.dlBranch.id) });
  /** Out of the secretary's branch to outside the system: t-sec-dl sent it. */
  const tOutDl = transfer(secDl, { kind: "outgoing", memberId: String(mDlOut.id), externalOrgName: EXTERNAL_ORG });
  /** Another branch's letter (the joint branch's): in the clerk's scope, not the secretary's. */
  const tJoint = transfer(secJoint, { kind: "outgoing", memberId: String(mJointB.id), externalOrgName: EXTERNAL_ORG });
  /** Sent by the secretary's branch to the joint branch: t-sec-dl is its sender, not its receiver. */
  const mDlSent = newMember(h, secDl, city.dlBranch.id, "孔转走");
  const tSentDl = transfer(secDl, { kind: "internal", memberId: String(mDlSent.id), toOrgId: String(city.dlJoint.id) });
  /** The other committee's letter. */
  const tPs = transfer(secPs, { kind: "outgoing", memberId: String(mPsOut.id), externalOrgName: EXTERNAL_ORG });

  // -- Meetings: one per branch, attended by a member of its list ------------------------------------
  const meeting = (a: Actor, orgId: number, memberId: number) =>
    recordMeeting(
      h.db,
      a,
      orgId,
      meetingSchema.parse({
        type: "theme_day",
        heldOn: today,
        place: "会议室",
        host: "书记",
        recorder: "委员",
        topic: "主题党日",
        present: String(memberId),
      }),
      today,
    ).id;
  const meetDl = meeting(secDl, city.dlBranch.id, city.dlMember.id);
  const meetJoint = meeting(secJoint, city.dlJoint.id, city.dlJointMember.id);
  const meetPs = meeting(secPs, city.psBranch.id, city.psMember.id);

  // -- Leads (field visits, documents not checked: the lead stays open) -------------------------------
  const visit = (a: Actor, committeeId: number, enterpriseId: number, seq: number, name: string) => {
    const r = recordFieldVisit(
      h.db,
      a,
      fieldVisitSchema.parse({
        name,
        idNumber: makeIdNumber("371702", "1991-04-05", seq),
        phone: `1360000${String(seq).padStart(4, "0")}`,
        committeeId: String(committeeId),
        enterpriseId: String(enterpriseId),
        visitedOn: today,
      }),
      today,
    );
    return r.leadId!;
  };
  const leadDl = visit(clerkDl, city.dl.id, city.dlEnterprise.id, 901, "杨走访");
  const leadDl2 = visit(clerkDl, city.dl.id, city.dlEnterprise.id, 902, "朱走访");
  const leadPs = visit(clerkPs, city.ps.id, city.psEnterprise.id, 903, "秦走访");

  // -- Self-report links and platform API keys --------------------------------------------------------
  const link = (a: Actor, committeeId: number, label: string) =>
    createLink(h.db, a, linkInputSchema.parse({ label, committeeId: String(committeeId), expiresOn: addDays(today, 30) }), today);
  const linkDl = link(clerkDl, city.dl.id, "货运站亮身份");
  const linkPs = link(clerkPs, city.ps.id, "配送站亮身份");
  const keyDl = issueApiKey(h.db, admin, { label: "货运平台推送", platform: DL_PLATFORM, committeeId: city.dl.id });
  const keyPs = issueApiKey(h.db, admin, { label: "外卖平台推送", platform: PS_PLATFORM, committeeId: city.ps.id });

  // -- Imports, one per committee ---------------------------------------------------------------
  const importOf = async (a: Actor, orgId: number, platform: string, file = ROSTER_FILE) => {
    const s = await runImport(h, a, { kind: "roster", file, originalName: "roster.csv", platform, orgId, source: "cli" });
    return s.importId;
  };
  /** With duplicate rows and loosely written numbers: its issue list names ID numbers and phones (shown masked, like every page). */
  const impDl = await importOf(clerkDl, city.dl.id, DL_PLATFORM, path.join(ROSTERS, "duplicates-and-corrections.csv"));
  const impPs = await importOf(clerkPs, city.ps.id, PS_PLATFORM);

  // -- Rows the HZ-PS side holds that an HZ-DL import could name by content (ID numbers in a file or a batch) --
  const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pc-matrix-files-"));
  const csv = (name: string, text: string) => {
    const file = path.join(scratch, name);
    fs.writeFileSync(file, text);
    return file;
  };
  /** A worker of HZ-DL's platform whom HZ-PS holds (a rider working in its area). */
  const psWorkerOnDl = { idNumber: makeIdNumber("371702", "1994-04-04", 41), name: "蒋骑手", phone: "13700004141", hiredOn: "2023-05-06" };
  /** A person on HZ-PS's reference list (a member list for matching only). */
  const psReference = { idNumber: makeIdNumber("371702", "1987-07-07", 42), name: "吕参考", homeOrgName: "某县某镇某村党支部" };
  try {
    await runImport(h, clerkPs, {
      kind: "roster",
      file: csv(
        "ps-on-dl.csv",
        `身份证号,姓名,手机号,入职日期\n${psWorkerOnDl.idNumber},${psWorkerOnDl.name},${psWorkerOnDl.phone},${psWorkerOnDl.hiredOn}\n`,
      ),
      originalName: "roster.csv",
      platform: DL_PLATFORM,
      orgId: city.ps.id,
      source: "cli",
    });
    await runImport(h, clerkPs, {
      kind: "members",
      reference: true,
      file: csv(
        "ps-reference.csv",
        `姓名,身份证号,组织关系所在党组织\n${psReference.name},${psReference.idNumber},${psReference.homeOrgName}\n`,
      ),
      originalName: "reference.csv",
      orgId: city.ps.id,
      source: "cli",
    });
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }

  // -- Dues: one entry of a closed month per branch side (the correction routes' targets) --------------
  const duesMonth = addMonthsToMonth(today.slice(0, 7), -1);
  const duesEntry = (memberId: number, orgId: number) => {
    const id = h.sqlite
      .prepare(
        "INSERT INTO dues_entries (member_id, org_id, month, basis, base_fen, rate_bp, due_fen, paid_fen, paid_on, method) VALUES (?, ?, ?, 'regular', 300000, 50, 1500, 1500, ?, 'cash') RETURNING id",
      )
      .pluck()
      .get(memberId, orgId, duesMonth, `${duesMonth}-01`) as number;
    h.sqlite
      .prepare("INSERT INTO dues_month_closings (org_id, month, members, due_fen, paid_fen) VALUES (?, ?, 1, 1500, 1500)")
      .run(orgId, duesMonth);
    return id;
  };
  const duesDl = duesEntry(city.dlMember.id, city.dlBranch.id);
  const duesJoint = duesEntry(city.dlJointMember.id, city.dlJoint.id);
  const duesPs = duesEntry(city.psMember.id, city.psBranch.id);

  return {
    duesDl,
    duesJoint,
    duesPs,
    dlBranch,
    dlJoint,
    psBranch,
    dlEmpty,
    psEmpty,
    dlEnterprise2,
    psEnterprise2,
    instDl,
    instPs,
    mDlOut,
    mJointA,
    mJointB,
    mPsOut,
    mDlUnattached,
    mPsUnattached,
    mDlMobile,
    mPsMobile,
    mDlLost,
    mPsLost,
    changeDl,
    changePs,
    tInDl,
    tOutDl,
    tJoint,
    tSentDl,
    tPs,
    meetDl,
    meetJoint,
    meetPs,
    leadDl,
    leadDl2,
    leadPs,
    linkDl: { id: linkDl.id, token: linkDl.token },
    linkPs: { id: linkPs.id, token: linkPs.token },
    keyDl: { id: keyDl.row.id, key: keyDl.key },
    keyPs: { id: keyPs.row.id, key: keyPs.key },
    impDl,
    impPs,
    psWorkerOnDl,
    psReference,
    ...recruitmentRows(h, city),
  };
}

const cookieOf = (res: request.Response): string => {
  const set = res.headers["set-cookie"] as unknown as string[] | undefined;
  const c = set?.find((s) => s.startsWith("pc.sid="));
  if (!c) throw new Error(`no session cookie (status ${res.status})`);
  return c.split(";")[0]!;
};

async function anonymousSession(app: Express): Promise<Session> {
  const page = await request(app).get("/login");
  return { cookie: cookieOf(page), csrf: csrfFrom(page.text) };
}

const visitorByApp = new WeakMap<Express, Promise<Session>>();

/**
 * A signed-out visitor's session in `app`. A signed-in session is a row of the image each fresh
 * app restores; a visitor's is kept in the memory of the app that made it (auth/session-store.ts),
 * so each app gets its own, made the way a browser makes it.
 */
export function visitorIn(app: Express): Promise<Session> {
  let s = visitorByApp.get(app);
  if (!s) {
    s = anonymousSession(app);
    visitorByApp.set(app, s);
  }
  return s;
}

async function signedInSession(app: Express, username: string): Promise<Session> {
  const anon = await anonymousSession(app);
  const res = await request(app)
    .post("/login")
    .set("Cookie", anon.cookie)
    .type("form")
    .send({ username, password: PASSWORD, _csrf: anon.csrf });
  if (res.status !== 303) throw new Error(`sign-in of ${username} failed: ${res.status}`);
  const cookie = cookieOf(res);
  const page = await request(app).get("/account/password").set("Cookie", cookie);
  return { cookie, csrf: csrfFrom(page.text) };
}

/** Uploads the roster through the form (as the import page does) and returns the server-made upload name kept in the session. */
async function uploadRoster(app: Express, s: Session, orgId: number, platform: string): Promise<string> {
  const res = await request(app)
    .post(`/imports/new?_csrf=${encodeURIComponent(s.csrf)}`)
    .set("Cookie", s.cookie)
    .field("kind", "roster")
    .field("platform", platform)
    .field("orgId", String(orgId))
    .attach("file", ROSTER_FILE);
  const m = /name="upload" value="([a-f0-9]{32})"/.exec(res.text);
  if (res.status !== 200 || !m) throw new Error(`upload failed: ${res.status}`);
  return m[1]!;
}

export type MatrixWorld = Awaited<ReturnType<typeof buildMatrixWorld>>;
export type Fx = MatrixWorld["fx"];

/**
 * Builds the world once. `fresh()` gives an app over a private copy of the image (sessions
 * included); `shared` is one app for the requests that change nothing.
 */
export async function buildMatrixWorld(uploadDir: string) {
  const overrides: Partial<Config> = { uploadDir, uploadLimitBytes: 1024 * 1024 };
  const t = await createTestApp(overrides);
  const rows = await buildRows(t.handle, t.city);
  const sessions = {
    anon: await anonymousSession(t.app),
    admin: await signedInSession(t.app, USERNAME.admin),
    supervisor: await signedInSession(t.app, USERNAME.supervisor),
    clerk: await signedInSession(t.app, USERNAME.clerk),
    secretary: await signedInSession(t.app, USERNAME.secretary),
  } satisfies Record<Caller, Session>;
  const uploads = {
    admin: await uploadRoster(t.app, sessions.admin, t.city.dl.id, DL_PLATFORM),
    clerk: await uploadRoster(t.app, sessions.clerk, t.city.dl.id, DL_PLATFORM),
  };
  const image = t.handle.sqlite.serialize();
  t.close();
  const config = testConfig(overrides);
  const today = todayIso();
  const fx = {
    ...t.city,
    ...rows,
    uploads,
    today,
    inAMonth: addDays(today, 30),
    lostReason: Object.keys(LOST_CONTACT_REASON.label)[0]!,
    /** Numbers no row has: for the create forms. */
    newIdNumber: makeIdNumber("371702", "1993-09-09", 999),
    newCreditCode: makeCreditCode("91", "371702", "MX0000099"),
  };
  return {
    fx,
    sessions,
    image,
    config,
    /** A new app over a private copy of the image. */
    fresh(): { app: Express; handle: DbHandle } {
      const handle = restoreMemoryDb(image);
      return { app: createApp({ db: handle, config }), handle };
    },
    uploadDir,
  };
}

/** Whether the upload directory still holds the uploads the sessions name (a real run would consume them). */
export function uploadsPresent(w: MatrixWorld): boolean {
  return Object.values(w.fx.uploads).every((n) => fs.existsSync(path.join(w.uploadDir, n)));
}

import { eq } from "drizzle-orm";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { auditLog, meetingAttendance, meetings } from "../../../db/schema.js";
import { addMonths, todayIso } from "../../../server/domain/dates.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { addMember } from "../../helpers/fixtures.js";

// The meeting form and pages over the small city: HZ-DL-001 (secretary t-sec-dl) holds the meetings;
// its list has two full members (张道路 and one more), a probationary member and a 流入 member.

let t: TestApp;
let sec: Agent;
const today = todayIso();
let mobileIn: { id: number };
let probationary: { id: number };
let fullB: { id: number };

beforeAll(async () => {
  t = await createTestApp();
  const b = t.city.dlBranch.id;
  fullB = addMember(t.handle, b, { name: "赵全票", managedOn: addMonths(today, -1) });
  probationary = addMember(t.handle, b, { name: "钱预备", category: "probationary", fullOn: null, managedOn: addMonths(today, -1) });
  mobileIn = addMember(t.handle, b, {
    name: "孙流入",
    relationStatus: "mobile_in",
    relationOrgName: "中共某村支部委员会",
    managedOn: addMonths(today, -1),
  });
  sec = await signIn(t.app, "t-sec-dl");
});
afterAll(() => t?.close());

function body(csrf: string, over: Record<string, string | string[]> = {}) {
  return {
    _csrf: csrf,
    type: "theme_day",
    heldOn: today,
    place: "站点会议室",
    host: "张道路",
    recorder: "赵全票",
    topic: "学习新就业群体党建工作要求",
    content: "传达学习；讨论骑手服务站建设。",
    guests: "王指导（区委组织部）",
    ...over,
  };
}

async function download(agent: Agent, url: string): Promise<ExcelJS.Workbook> {
  const res = await agent
    .get(url)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status, url).toBe(200);
  expect(res.headers["content-type"]).toContain("spreadsheetml");
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as unknown as ArrayBuffer);
  return wb;
}

const newPath = () => `/meetings/org/${t.city.dlBranch.id}`;

describe("the meeting form", () => {
  it("lists the branch's members with its 流入 member, marking who has no vote", async () => {
    const res = await sec.get(`${newPath()}/new`);
    expect(res.status).toBe(200);
    for (const name of ["张道路", "赵全票", "钱预备", "孙流入"]) expect(res.text).toContain(name);
    expect(res.text).not.toContain("王配送"); // another committee's member
    expect(res.text).not.toContain("李联合"); // the joint branch's member
    expect(res.text).toMatch(/孙流入[\s\S]{0,200}流入[\s\S]{0,200}无表决权/);
    expect(res.text).toContain('id="roster-search"');
  });

  it("records attendance: present, excused with a reason, absent, guests; mobile and probationary members have no vote", async () => {
    const csrf = await sec.csrf(`${newPath()}/new`);
    const res = await sec
      .post(newPath())
      .type("form")
      .send(body(csrf, { present: [String(t.city.dlMember.id), String(mobileIn.id)], [`reason_${probationary.id}`]: "illness" }));
    expect(res.status).toBe(303);
    const id = Number(/\/meetings\/(\d+)$/.exec(res.headers.location ?? "")![1]);
    const rows = t.handle.db.select().from(meetingAttendance).where(eq(meetingAttendance.meetingId, id)).all();
    const of = (memberId: number) => rows.find((r) => r.memberId === memberId)!;
    expect(of(t.city.dlMember.id)).toMatchObject({ status: "present", hasVote: true, absenceReason: null });
    expect(of(mobileIn.id)).toMatchObject({ status: "present", hasVote: false });
    expect(of(probationary.id)).toMatchObject({ status: "excused", absenceReason: "illness", hasVote: false });
    expect(of(fullB.id)).toMatchObject({ status: "absent", absenceReason: null, hasVote: true });
    expect(rows.filter((r) => r.memberId == null).map((r) => r.guestName)).toEqual(["王指导（区委组织部）"]);
    const page = await sec.get(res.headers.location ?? "");
    expect(page.text).toContain("应到 4 人，出席 2 人，请假 1 人，缺席 1 人；列席 1 人");
    expect(page.text).toMatch(/孙流入[\s\S]*?data-vote="0"/);
  });

  it("warns and records when a deciding 党员大会 lacks more than half of the voting members", async () => {
    const csrf = await sec.csrf(`${newPath()}/new`);
    // Voting: 张道路 and 赵全票 (2). Present: 张道路 and the two without a vote: 1 of 2 is not more than half.
    const res = await sec
      .post(newPath())
      .type("form")
      .send(
        body(csrf, {
          type: "branch_assembly",
          hasDecisions: "1",
          present: [String(t.city.dlMember.id), String(mobileIn.id), String(probationary.id)],
        }),
      );
    expect(res.status).toBe(303);
    const id = Number(/\/meetings\/(\d+)$/.exec(res.headers.location ?? "")![1]);
    const m = t.handle.db.select().from(meetings).where(eq(meetings.id, id)).get()!;
    expect(m).toMatchObject({ hasDecisions: true, votingMembers: 2, votingPresent: 1, quorumMet: false });
    const page = await sec.get(res.headers.location ?? "");
    expect(page.text).toContain('id="quorum-warning"');
    expect(page.text).toContain("未超过应到 2 人的半数");

    const ok = await sec
      .post(newPath())
      .type("form")
      .send(
        body(await sec.csrf(`${newPath()}/new`), {
          type: "branch_assembly",
          hasDecisions: "1",
          present: [String(t.city.dlMember.id), String(fullB.id)],
        }),
      );
    const okId = Number(/\/meetings\/(\d+)$/.exec(ok.headers.location ?? "")![1]);
    expect(t.handle.db.select().from(meetings).where(eq(meetings.id, okId)).get()).toMatchObject({ votingPresent: 2, quorumMet: true });
  });

  it("lists only those ticked or excused at a 支委会 (the committee, not the whole branch)", async () => {
    const csrf = await sec.csrf(`${newPath()}/new`);
    const res = await sec
      .post(newPath())
      .type("form")
      .send(body(csrf, { type: "branch_committee", guests: "", present: [String(t.city.dlMember.id)], [`reason_${fullB.id}`]: "work" }));
    expect(res.status).toBe(303);
    const id = Number(/\/meetings\/(\d+)$/.exec(res.headers.location ?? "")![1]);
    const rows = t.handle.db.select().from(meetingAttendance).where(eq(meetingAttendance.meetingId, id)).all();
    expect(rows.map((r) => [r.memberId, r.status]).sort()).toEqual(
      [
        [t.city.dlMember.id, "present"],
        [fullB.id, "excused"],
      ].sort(),
    );
  });

  it("re-renders invalid input in place with Chinese field errors and what was typed", async () => {
    const before = t.handle.db.select().from(meetings).all().length;
    const csrf = await sec.csrf(`${newPath()}/new`);
    const res = await sec
      .post(newPath())
      .type("form")
      .send(
        body(csrf, { topic: "", heldOn: "2024-02-30", host: "张主持", present: [String(fullB.id)], [`reason_${probationary.id}`]: "work" }),
      );
    expect(res.status).toBe(422);
    expect(res.text).toContain("请填写主题");
    expect(res.text).toContain("召开日期不是有效日期");
    expect(res.text).toContain('value="张主持"');
    expect(res.text).toMatch(new RegExp(`name="present" value="${fullB.id}" checked`));
    expect(res.text).toMatch(new RegExp(`name="reason_${probationary.id}"[\\s\\S]*?value="work" selected`));
    const future = await sec
      .post(newPath())
      .type("form")
      .send(body(await sec.csrf(`${newPath()}/new`), { heldOn: addMonths(today, 1), present: [String(fullB.id)] }));
    expect(future.status).toBe(422);
    expect(future.text).toContain("召开日期不能晚于今天");
    expect(t.handle.db.select().from(meetings).all().length).toBe(before);
  });
});

describe("scope and attacks", () => {
  it("refuses member ids of another branch in the body, leaving nothing written", async () => {
    const before = t.handle.db.select().from(meetingAttendance).all().length;
    for (const stranger of [t.city.psMember.id, t.city.dlJointMember.id]) {
      const csrf = await sec.csrf(`${newPath()}/new`);
      const res = await sec
        .post(newPath())
        .type("form")
        .send(body(csrf, { present: [String(t.city.dlMember.id), String(stranger)] }));
      expect(res.status).toBe(422);
      expect(res.text).toContain("不属于本支部的党员");
      const viaReason = await sec
        .post(newPath())
        .type("form")
        .send(body(await sec.csrf(`${newPath()}/new`), { present: [String(t.city.dlMember.id)], [`reason_${stranger}`]: "work" }));
      expect(viaReason.status).toBe(422);
    }
    expect(t.handle.db.select().from(meetingAttendance).all().length).toBe(before);
  });

  it("answers 404 to another branch's secretary and another committee's clerk, 403 to a supervisor", async () => {
    const m = t.handle.db.select().from(meetings).get()!;
    for (const user of ["t-sec-joint", "t-sec-ps", "t-clerk-ps"]) {
      const a = await signIn(t.app, user);
      expect((await a.get(`${newPath()}/new`)).status).toBe(404);
      expect((await a.get(`/meetings/${m.id}`)).status).toBe(404);
      expect((await a.get(`/meetings/${m.id}/export.xlsx`)).status).toBe(404);
      expect((await a.get(`/meetings/org/${t.city.dlBranch.id}`)).status).toBe(404);
      const csrf = await a.csrf("/meetings");
      const res = await a
        .post(newPath())
        .type("form")
        .send(body(csrf, { present: [String(t.city.dlMember.id)] }));
      expect(res.status).toBe(404);
    }
    const sup = await signIn(t.app, "t-supervisor");
    expect((await sup.get(`/meetings/${m.id}`)).status).toBe(200);
    const res = await sup
      .post(newPath())
      .type("form")
      .send(body(await sup.csrf("/meetings"), { present: [String(t.city.dlMember.id)] }));
    expect(res.status).toBe(403);
    // A committee's clerk writes for the branches of the subtree.
    const clerk = await signIn(t.app, "t-clerk-dl");
    const ok = await clerk
      .post(newPath())
      .type("form")
      .send(body(await clerk.csrf("/meetings"), { present: [String(t.city.dlMember.id)] }));
    expect(ok.status).toBe(303);
    // A committee is not a branch: no meetings are recorded on it.
    expect((await clerk.get(`/meetings/org/${t.city.dl.id}/new`)).status).toBe(404);
  });
});

describe("the year, the member page and the export", () => {
  it("shows the branch's year by month and type", async () => {
    const res = await sec.get(`/meetings/org/${t.city.dlBranch.id}`);
    expect(res.status).toBe(200);
    const month = Number(today.slice(5, 7));
    expect(res.text).toMatch(new RegExp(`data-month="${month}" data-type="theme_day">(\\d+)<`));
    expect(res.text).toMatch(new RegExp(`data-month="${month}" data-type="branch_assembly">2<`));
  });

  it("shows a member's last organizational life on the member page", async () => {
    const res = await sec.get(`/members/${t.city.dlMember.id}`);
    expect(res.text).toContain('id="participation"');
    expect(res.text).toContain(`最近参加：<a href="/meetings/`);
    expect(res.text).toMatch(/距今 <strong data-months>0<\/strong> 个月/);
  });

  it("exports the year and one meeting's record as .xlsx, audited", async () => {
    const wb = await download(sec, "/meetings/export.xlsx");
    const list = wb.getWorksheet("会议清单")!;
    const stored = t.handle.db.select().from(meetings).where(eq(meetings.orgId, t.city.dlBranch.id)).all().length;
    expect(list.rowCount - 2).toBe(stored);
    const grid = wb.getWorksheet("按月统计")!;
    expect(grid.rowCount - 2).toBe(12); // the secretary's scope: one branch, twelve months
    const m = t.handle.db.select().from(meetings).get()!;
    const w2 = await download(sec, `/meetings/${m.id}/export.xlsx`);
    expect(JSON.stringify(w2.getWorksheet("会议记录")!.getSheetValues())).toContain("孙流入");
    const audits = t.handle.db.select().from(auditLog).where(eq(auditLog.action, "export")).all();
    expect(audits.map((a) => a.entityId)).toEqual(expect.arrayContaining(["meetings", String(m.id)]));
  });
});

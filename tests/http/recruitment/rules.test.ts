// Each rule's refusal through HTTP: a 422 that re-renders the form with a Chinese message naming the
// field, and nothing written (no step logged, the stage unchanged).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMonths } from "../../../server/domain/dates.js";
import { addDays, BOOK, idOf, monthsAgo, post, type RWorld, rworld, today } from "./helpers.js";

describe("recruitment: every rule refuses with a message naming the field", () => {
  let w: RWorld;
  beforeAll(async () => {
    w = await rworld();
  });
  afterAll(() => w.t.close());

  /** Posts a step and expects a 422 whose page names the field and says `message`; the record is unchanged. */
  async function refused(id: number, action: string, body: Record<string, string | number>, field: string, message: RegExp) {
    const before = w.steps(id).length;
    const stage = w.record(id).stage;
    const res = await post(w.secDl, `/recruitment/${id}/steps/${action}`, body);
    expect(res.status, res.text.slice(0, 200)).toBe(422);
    const li = new RegExp(`data-field="${field}">([^<]*)<`).exec(res.text);
    expect(li?.[1], `field ${field}`).toMatch(message);
    expect(w.steps(id)).toHaveLength(before);
    expect(w.record(id).stage).toBe(stage);
    return res;
  }

  it("an applicant under 18 on the day of the application (from the ID number)", async () => {
    const seventeen = addMonths(today, -12 * 17);
    const res = await post(w.secDl, "/recruitment", {
      name: "少年",
      idNumber: idOf(seventeen),
      orgId: w.city.dlBranch.id,
      appliedOn: today,
    });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/data-field="idNumber">按身份证号计算，提交入党申请书时（[\d-]+）未满18周岁/);
    expect(res.text).toContain('value="少年"');
  });

  it("a second open application for one ID number (the rule, and the unique index behind it)", async () => {
    const idNumber = idOf();
    expect((await post(w.secDl, "/recruitment", { name: "甲", idNumber, orgId: w.city.dlBranch.id, appliedOn: today })).status).toBe(303);
    const res = await post(w.clerkDl, "/recruitment", { name: "甲", idNumber, orgId: w.city.dlJoint.id, appliedOn: today });
    expect(res.status).toBe(422);
    expect(res.text).toContain("该身份证号已有一份正在办理的入党申请");
    const dup = () =>
      w.t.handle.sqlite
        .prepare(
          "INSERT INTO recruitments (org_id, name, id_number, gender, birth_date, applied_on, stage) VALUES (?, '甲', ?, 'male', '1995-01-01', ?, 'activist')",
        )
        .run(w.city.dlBranch.id, idNumber, today);
    expect(dup).toThrow(/UNIQUE/);
  });

  it("someone already a member cannot apply", async () => {
    const res = await post(w.secDl, "/recruitment", {
      name: "张道路",
      idNumber: w.city.dlMember.idNumber,
      orgId: w.city.dlBranch.id,
      appliedOn: today,
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain("该身份证号已登记为党员");
  });

  it("dates in order: a talk before the application, an activist before the talk", async () => {
    const id = w.at(w.city.dlBranch.id, "applicant");
    await refused(id, "talk", { on: addDays(BOOK.appliedOn, -1) }, "on", /谈话日期不能早于入党申请书日期/);
    await refused(id, "activist", { on: BOOK.activist, contact1: "甲", contact2: "乙" }, "on", /须先记录入党谈话/);
  });

  it("a talk later than a month needs the reason", async () => {
    const id = w.at(w.city.dlBranch.id, "applicant");
    await refused(id, "talk", { on: addDays(BOOK.appliedOn, 40) }, "remark", /谈话晚于申请后一个月/);
    expect(
      (await post(w.secDl, `/recruitment/${id}/steps/talk`, { on: addDays(BOOK.appliedOn, 40), remark: "本人外出跑长途" })).status,
    ).toBe(303);
  });

  it("at least a year between activist and candidate", async () => {
    const id = w.at(w.city.dlBranch.id, "activist");
    await refused(
      id,
      "candidate",
      {
        on: addDays(BOOK.activist, 300),
        sponsor1: "甲",
        sponsor2: "乙",
        publicFrom: addDays(BOOK.activist, 280),
        publicTo: addDays(BOOK.activist, 299),
      },
      "on",
      /须经过一年以上培养考察/,
    );
  });

  it("training before candidate: none recorded, or too short", async () => {
    const id = w.at(w.city.dlBranch.id, "activist");
    const cand = {
      on: BOOK.candidate,
      sponsor1: "甲",
      sponsor2: "乙",
      publicFrom: addDays(BOOK.candidate, -14),
      publicTo: addDays(BOOK.candidate, -1),
    };
    await refused(id, "candidate", cand, "training", /须先完成不少于 24 学时或 3 天的集中培训/);
    await refused(
      id,
      "training",
      { on: BOOK.training, trainingHours: 16, trainingDays: 2 },
      "trainingHours",
      /集中培训不少于 24 学时或 3 天/,
    );
  });

  it("a publicity shorter than 5 working days (holidays skipped)", async () => {
    const id = w.at(w.city.dlBranch.id, "activist");
    expect((await post(w.secDl, `/recruitment/${id}/steps/training`, { on: BOOK.training, trainingDays: 3 })).status).toBe(303);
    await refused(
      id,
      "candidate",
      {
        on: BOOK.candidate,
        sponsor1: "甲",
        sponsor2: "乙",
        publicFrom: addDays(BOOK.candidate, -3),
        publicTo: addDays(BOOK.candidate, -1),
      },
      "publicTo",
      /个工作日，不少于 5 个工作日/,
    );
  });

  it("the political check must be done and at most a year old at the branch meeting", async () => {
    const id = w.at(w.city.dlBranch.id, "planned");
    const late = addMonths(BOOK.politicalCheck, 13);
    const res = await post(w.clerkDl, `/recruitment/${id}/steps/admit`, { on: late, volunteerBookNo: "ZY-1", approvedOn: late });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/data-field="politicalCheck">政治审查（[\d-]+）已超过一年有效期/);
  });

  it("approval within the limits: at most 6 months, over 3 only with a reason", async () => {
    const id = w.at(w.city.dlBranch.id, "planned");
    const base = { on: BOOK.admit, volunteerBookNo: "ZY-2" };
    let res = await post(w.clerkDl, `/recruitment/${id}/steps/admit`, { ...base, approvedOn: addMonths(BOOK.admit, 7) });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/data-field="approvedOn">上级党委审批超过了最长时限/);
    res = await post(w.clerkDl, `/recruitment/${id}/steps/admit`, { ...base, approvedOn: addMonths(BOOK.admit, 4) });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/data-field="remark">审批晚于支部大会后3个月/);
    expect(w.record(id).member_id).toBeNull();
  });

  it("an extension of the probation is 6 to 12 months", async () => {
    const id = w.at(w.city.dlBranch.id, "probationary");
    await refused(
      id,
      "extend",
      { on: addMonths(BOOK.admit, 11), extensionMonths: 3, remark: "考察" },
      "extensionMonths",
      /延长预备期为 6 至 12 个月/,
    );
  });

  it("转正 not before the probation ends", async () => {
    const id = w.at(w.city.dlBranch.id, "probationary");
    const on = addMonths(BOOK.admit, 11);
    await refused(id, "full", { on, publicFrom: addDays(on, -14), publicTo: addDays(on, -1) }, "on", /转正日期不能早于预备期满/);
  });

  it("a probationary member whose relationship was transferred out cannot be made full here", async () => {
    const id = w.at(w.city.dlBranch.id, "probationary");
    const memberId = w.record(id).member_id;
    const issued = await post(w.clerkDl, "/transfers", {
      kind: "outgoing",
      memberId,
      externalOrgName: "中共某县某村支部委员会",
      issuedOn: monthsAgo(1),
      duesPaidTo: monthsAgo(1).slice(0, 7),
    });
    expect(issued.status).toBe(303);
    const tid = Number(/\/transfers\/(\d+)$/.exec(issued.headers.location ?? "")![1]);
    expect((await post(w.clerkDl, `/transfers/${tid}/accept`, { receiptOn: today })).status).toBe(303);
    const on = addDays(BOOK.admit, 400);
    const res = await post(w.clerkDl, `/recruitment/${id}/steps/full`, { on, publicFrom: addDays(on, -14), publicTo: addDays(on, -1) });
    expect(res.status).toBe(422);
    expect(res.text).toMatch(/data-field="on">该预备党员的组织关系已转出本系统/);
    expect(w.member(memberId).category).toBe("probationary");
  });

  it("a step the stage does not allow is a 409 with the stage named", async () => {
    const id = w.at(w.city.dlBranch.id, "applicant");
    const res = await post(w.secDl, `/recruitment/${id}/steps/admit`, { on: today });
    expect(res.status).toBe(409);
    expect(res.text).toContain("当前阶段为“入党申请人”，不能办理“接收为预备党员”");
  });

  it("sending back and removing need a reason; removing closes the application, so the person may apply again", async () => {
    const id = w.at(w.city.dlBranch.id, "activist");
    await refused(id, "sendBack", { on: today }, "remark", /请填写退回原因/);
    expect((await post(w.secDl, `/recruitment/${id}/steps/sendBack`, { on: today, remark: "考察期表现不稳定" })).status).toBe(303);
    expect(w.record(id)).toMatchObject({ stage: "applicant", activist_on: null });
    expect((await post(w.secDl, `/recruitment/${id}/steps/remove`, { on: today, remark: "本人撤回申请" })).status).toBe(303);
    expect(w.record(id).stage).toBe("removed");
    const again = await post(w.secDl, "/recruitment", {
      name: "再申请",
      idNumber: w.record(id).id_number,
      orgId: w.city.dlBranch.id,
      appliedOn: today,
    });
    expect(again.status).toBe(303);
  });
});

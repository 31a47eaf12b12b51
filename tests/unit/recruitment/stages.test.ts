// The recruitment state machine, pure: every (stage, step) pair is legal or refused as listed here,
// written out by hand rather than read from the table under test; and the rules of each step.

import { describe, expect, it } from "vitest";
import { RECRUITMENT_STAGES, type RecruitmentStage } from "../../../server/domain/recruitment-rules.js";
import {
  allowedSteps,
  checkApplication,
  decideStep,
  planStep,
  type RecruitmentFacts,
  STEP_ACTIONS,
  type StepAction,
} from "../../../server/domain/recruitment-stages.js";

/** Each legal step: from → to ("=" keeps the stage), and whether the committee checks it. */
const LEGAL: Record<string, string> = {
  "applicant talk": "= branch",
  "applicant activist": "activist branch",
  "applicant remove": "removed branch",
  "activist assess": "= branch",
  "activist training": "= branch",
  "activist politicalCheck": "= branch",
  "activist candidate": "candidate committee",
  "activist sendBack": "applicant branch",
  "activist remove": "removed branch",
  "candidate assess": "= branch",
  "candidate training": "= branch",
  "candidate politicalCheck": "= branch",
  "candidate plan": "planned branch",
  "candidate sendBack": "activist branch",
  "candidate remove": "removed branch",
  "planned assess": "= branch",
  "planned training": "= branch",
  "planned politicalCheck": "= branch",
  "planned admit": "probationary committee",
  "planned sendBack": "candidate branch",
  "planned remove": "removed branch",
  "probationary extend": "= branch",
  "probationary full": "full committee",
  "probationary cancelProbation": "cancelled committee",
};

describe("decideStep: every stage × step", () => {
  for (const stage of RECRUITMENT_STAGES) {
    for (const action of STEP_ACTIONS) {
      const legal = LEGAL[`${stage} ${action}`];
      it(`${stage} → ${action}: ${legal ?? "refused"}`, () => {
        const byBranch = decideStep(stage, action, "branch");
        const byCommittee = decideStep(stage, action, "committee");
        if (!legal) {
          expect(byBranch).toMatchObject({ ok: false, status: 409 });
          expect(byCommittee).toMatchObject({ ok: false, status: 409 });
          if (!byBranch.ok) expect(byBranch.message).toContain("不能办理");
          return;
        }
        const [to, who] = legal.split(" ") as [string, string];
        const target = to === "=" ? stage : to;
        expect(byCommittee).toEqual({ ok: true, to: target, proposal: false });
        expect(byBranch).toEqual({ ok: true, to: target, proposal: who === "committee" });
        // A pending proposal blocks every other step.
        expect(decideStep(stage, action, "branch", true)).toMatchObject({ ok: false, status: 409 });
      });
    }
  }
  it("closed stages allow nothing", () => {
    for (const s of ["full", "removed", "cancelled"] as RecruitmentStage[]) expect(allowedSteps(s, "committee")).toEqual([]);
  });
});

const base: RecruitmentFacts = {
  stage: "activist",
  birthDate: "1995-01-01",
  appliedOn: "2023-01-10",
  talkedOn: "2023-01-20",
  activistOn: "2023-03-01",
  lastAssessedOn: null,
  trainingEndedOn: "2024-02-01",
  trainingHours: 24,
  trainingDays: null,
  politicalCheckOn: "2024-02-10",
  candidateOn: null,
  plannedOn: null,
  joinedOn: null,
  extensionMonths: null,
};
const TODAY = "2026-11-30";
const plan = (facts: Partial<RecruitmentFacts>, action: StepAction, input: Record<string, unknown>, proposal = false) =>
  planStep({ ...base, ...facts }, action, input, TODAY, { proposal });

describe("planStep: the rules", () => {
  it("18 years at application, from the birth date", () => {
    expect(checkApplication("2008-12-01", "2026-11-30", TODAY)).toHaveProperty("idNumber");
    expect(checkApplication("2008-11-30", "2026-11-30", TODAY)).toEqual({});
    expect(checkApplication("1990-01-01", "2026-12-30", TODAY)).toHaveProperty("appliedOn");
  });
  it("no date in the future, none before the previous stage", () => {
    expect(plan({}, "assess", { on: "2026-12-01", assessment: "好" })).toEqual({ ok: false, errors: { on: "考察日期不能晚于今天" } });
    expect(plan({}, "assess", { on: "2023-02-01", assessment: "好" })).toMatchObject({
      ok: false,
      errors: { on: expect.stringContaining("不能早于确定为积极分子日期") },
    });
  });
  it("candidate a year after activist, with training done before it; the training hours or days", () => {
    const c = { sponsor1: "甲", sponsor2: "乙", publicFrom: "2024-02-19", publicTo: "2024-02-23" };
    expect(plan({}, "candidate", { on: "2024-02-28", ...c })).toMatchObject({
      ok: false,
      errors: { on: expect.stringContaining("最早 2024-03-01") },
    });
    expect(plan({}, "candidate", { on: "2024-03-01", ...c, publicFrom: "2024-02-26", publicTo: "2024-03-01" })).toMatchObject({ ok: true });
    expect(plan({ trainingEndedOn: null }, "candidate", { on: "2024-03-04", ...c })).toMatchObject({
      ok: false,
      errors: { training: expect.any(String) },
    });
    expect(plan({ trainingEndedOn: "2024-03-05" }, "candidate", { on: "2024-03-04", ...c })).toMatchObject({
      ok: false,
      errors: { training: expect.stringContaining("之前完成") },
    });
    expect(plan({}, "training", { on: "2024-02-01", trainingHours: 23, trainingDays: 2 })).toMatchObject({
      ok: false,
      errors: { trainingHours: expect.any(String) },
    });
    expect(plan({}, "training", { on: "2024-02-01", trainingDays: 3 })).toMatchObject({ ok: true });
    expect(plan({}, "candidate", { on: "2024-03-04", ...c, sponsor2: "甲" })).toMatchObject({
      ok: false,
      errors: { sponsor2: expect.any(String) },
    });
  });
  it("publicity: 5 working days, National Day holidays skipped, a make-up Saturday counted", () => {
    const c = { sponsor1: "甲", sponsor2: "乙" };
    const facts = { activistOn: "2024-09-01", trainingEndedOn: "2025-09-01" };
    // 2025-09-29 … 10-08 holds only 29 and 30 (10-01…10-08 are holidays); 10-09 … 10-14 holds five, the make-up Saturday 10-11 among them.
    expect(plan(facts, "candidate", { on: "2025-10-09", ...c, publicFrom: "2025-09-29", publicTo: "2025-10-08" })).toMatchObject({
      ok: false,
      errors: { publicTo: expect.stringContaining("只有 2 个工作日") },
    });
    expect(plan(facts, "candidate", { on: "2025-10-15", ...c, publicFrom: "2025-10-09", publicTo: "2025-10-14" })).toMatchObject({
      ok: true,
    });
    expect(plan(facts, "candidate", { on: "2025-10-15", ...c, publicFrom: "2025-10-09", publicTo: "2025-10-16" })).toMatchObject({
      ok: false,
      errors: { publicTo: expect.stringContaining("不能晚于2025-10-15") },
    });
  });
  it("admission: political check valid a year; approval date required of the committee, within 6 months, over 3 with a reason", () => {
    const f = { stage: "planned" as const, candidateOn: "2024-03-01", plannedOn: "2024-03-10" };
    expect(plan(f, "admit", { on: "2024-04-01", volunteerBookNo: "1" }, true)).toMatchObject({ ok: true });
    expect(plan(f, "admit", { on: "2024-04-01", volunteerBookNo: "1" })).toMatchObject({
      ok: false,
      errors: { approvedOn: "请填写上级党委审批日期" },
    });
    expect(plan(f, "admit", { on: "2025-02-11", volunteerBookNo: "1", approvedOn: "2025-02-12" })).toMatchObject({
      ok: false,
      errors: { politicalCheck: expect.any(String) },
    });
    expect(plan(f, "admit", { on: "2024-04-01", volunteerBookNo: "1", approvedOn: "2024-10-02" })).toMatchObject({
      ok: false,
      errors: { approvedOn: expect.any(String) },
    });
    expect(plan(f, "admit", { on: "2024-04-01", volunteerBookNo: "1", approvedOn: "2024-08-01" })).toMatchObject({
      ok: false,
      errors: { remark: expect.any(String) },
    });
    expect(plan(f, "admit", { on: "2024-04-01", volunteerBookNo: "1", approvedOn: "2024-08-01", remark: "材料补正" })).toMatchObject({
      ok: true,
      changes: { joinedOn: "2024-04-01", approvedOn: "2024-08-01" },
    });
    expect(plan(f, "admit", { on: "2024-04-01", approvedOn: "2024-05-01" })).toMatchObject({
      ok: false,
      errors: { volunteerBookNo: expect.any(String) },
    });
  });
  it("probation: extension 6–12 months once, 转正 not before the end (with the extension), never when transferred out", () => {
    const f = { stage: "probationary" as const, joinedOn: "2024-04-01" };
    expect(plan(f, "extend", { on: "2025-03-01", extensionMonths: 5, remark: "r" })).toMatchObject({
      ok: false,
      errors: { extensionMonths: expect.any(String) },
    });
    expect(plan(f, "extend", { on: "2025-03-01", extensionMonths: 13, remark: "r" })).toMatchObject({ ok: false });
    expect(plan(f, "extend", { on: "2025-03-01", extensionMonths: 6, remark: "r" })).toMatchObject({
      ok: true,
      changes: { extensionMonths: 6 },
    });
    expect(plan({ ...f, extensionMonths: 6 }, "extend", { on: "2025-03-01", extensionMonths: 6, remark: "r" })).toMatchObject({
      ok: false,
    });
    const pub = { publicFrom: "2025-03-17", publicTo: "2025-03-21" };
    expect(plan(f, "full", { on: "2025-03-31", ...pub })).toMatchObject({
      ok: false,
      errors: { on: expect.stringContaining("2025-04-01") },
    });
    expect(plan(f, "full", { on: "2025-04-01", ...pub })).toMatchObject({ ok: true, changes: { fullOn: "2025-04-01" } });
    expect(plan({ ...f, extensionMonths: 6 }, "full", { on: "2025-04-01", ...pub })).toMatchObject({
      ok: false,
      errors: { on: expect.stringContaining("2025-10-01") },
    });
    expect(plan({ ...f, transferredOut: true }, "full", { on: "2025-04-01", ...pub })).toMatchObject({
      ok: false,
      errors: { on: expect.stringContaining("转出") },
    });
  });
});

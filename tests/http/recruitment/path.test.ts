// One person's whole path through HTTP: a found lead becomes an applicant without retyping, the
// branch secretary records each step, the committee approves candidate, admission and 转正; the
// member record appears at admission (预备党员, joined on the branch meeting, channel kept) and
// becomes full with its 转正日期. Every step is logged and audited; the log cannot be edited.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leads } from "../../../db/schema.js";
import { addDays, BOOK, BOOK_FORMS, idOf, monthsAgo, post, type RWorld, rworld, today } from "./helpers.js";

describe("recruitment: the whole path for one person", () => {
  let w: RWorld;
  let id: number;
  let leadId: number;
  beforeAll(async () => {
    w = await rworld();
    leadId = w.t.handle.db
      .insert(leads)
      .values({
        idNumber: idOf("1996-05-20"),
        name: "刘骑手",
        phone: "13900001111",
        channel: "field_visit",
        committeeId: w.city.dl.id,
        occupation: "delivery_rider",
        status: "rejected",
        foundOn: monthsAgo(31),
        rejectReason: "核实为群众，本人有入党意愿",
      })
      .returning()
      .get().id;
  });
  afterAll(() => w.t.close());

  it("the clerk starts the application from the lead: name and ID number are not typed again", async () => {
    const form = await w.clerkDl.get(`/recruitment/new?lead=${leadId}`);
    expect(form.status).toBe(200);
    expect(form.text).toContain("刘骑手");
    const res = await post(w.clerkDl, "/recruitment", { leadId, orgId: w.city.dlBranch.id, appliedOn: BOOK.appliedOn });
    expect(res.status).toBe(303);
    id = Number(/\/recruitment\/(\d+)$/.exec(res.headers.location ?? "")![1]);
    const r = w.record(id);
    expect(r).toMatchObject({
      name: "刘骑手",
      stage: "applicant",
      lead_id: leadId,
      discovery_channel: "field_visit",
      occupation: "delivery_rider",
    });
    expect(w.steps(id)).toHaveLength(1);
  });

  it("the secretary records the talk and makes an activist, assesses, trains and checks", async () => {
    for (const a of ["talk", "activist", "assess", "training", "politicalCheck"]) {
      const page = await w.secDl.get(`/recruitment/${id}/steps/${a}`);
      expect(page.status, a).toBe(200);
      const res = await post(w.secDl, `/recruitment/${id}/steps/${a}`, BOOK_FORMS[a] as Record<string, string>);
      expect(res.status, `${a}: ${res.text.slice(0, 300)}`).toBe(303);
    }
    expect(w.record(id)).toMatchObject({
      stage: "activist",
      talked_on: BOOK.talk,
      activist_on: BOOK.activist,
      training_hours: 24,
      political_check_on: BOOK.politicalCheck,
    });
  });

  it("the candidate step from the branch is a proposal until the committee approves it", async () => {
    const res = await post(w.secDl, `/recruitment/${id}/steps/candidate`, BOOK_FORMS.candidate as Record<string, string>);
    expect(res.status).toBe(303);
    expect(w.record(id).stage).toBe("activist");
    expect(w.record(id).pending_step_id).not.toBeNull();
    // Nothing else may be taken while it waits.
    const blocked = await post(w.secDl, `/recruitment/${id}/steps/remove`, { on: today, remark: "x" });
    expect(blocked.status).toBe(409);
    // The secretary cannot approve her own proposal.
    expect((await post(w.secDl, `/recruitment/${id}/decision`, { decision: "approve", approvedOn: BOOK.candidate })).status).toBe(403);
    const ok = await post(w.clerkDl, `/recruitment/${id}/decision`, { decision: "approve", approvedOn: BOOK.candidate });
    expect(ok.status).toBe(303);
    expect(w.record(id)).toMatchObject({ stage: "candidate", candidate_on: BOOK.candidate, sponsor1: "王介绍", pending_step_id: null });
  });

  it("planned, then admission proposed by the branch and approved by the committee creates the member", async () => {
    expect((await post(w.secDl, `/recruitment/${id}/steps/plan`, BOOK_FORMS.plan as Record<string, string>)).status).toBe(303);
    const { approvedOn: _, ...proposal } = BOOK_FORMS.admit!;
    expect((await post(w.secDl, `/recruitment/${id}/steps/admit`, proposal as Record<string, string>)).status).toBe(303);
    expect(w.record(id).member_id).toBeNull();
    const res = await post(w.clerkDl, `/recruitment/${id}/decision`, { decision: "approve", approvedOn: BOOK.approvedOn });
    expect(res.status).toBe(303);
    const r = w.record(id);
    expect(r).toMatchObject({
      stage: "probationary",
      joined_on: BOOK.admit,
      approved_on: BOOK.approvedOn,
      volunteer_book_no: "ZY2025-0001",
    });
    const m = w.member(r.member_id);
    expect(m).toMatchObject({
      category: "probationary",
      joined_on: BOOK.admit,
      discovery_channel: "field_visit",
      org_id: w.city.dlBranch.id,
      name: "刘骑手",
      relation_status: "local",
    });
    const kinds = (w.t.handle.sqlite.prepare("SELECT kind FROM member_events WHERE member_id = ?").all(m.id) as { kind: string }[]).map(
      (e) => e.kind,
    );
    expect(kinds).toEqual(["created", "recruited"]);
  });

  it("转正 after a year with its publicity, approved by the committee, sets the member's 转正日期", async () => {
    const fullOn = addDays(BOOK.admit, 400);
    const form = { on: fullOn, publicFrom: addDays(fullOn, -14), publicTo: addDays(fullOn, -1) };
    expect(fullOn <= today).toBe(true);
    expect((await post(w.secDl, `/recruitment/${id}/steps/full`, form)).status).toBe(303);
    expect((await post(w.clerkDl, `/recruitment/${id}/decision`, { decision: "approve", approvedOn: fullOn })).status).toBe(303);
    const r = w.record(id);
    expect(r).toMatchObject({ stage: "full", full_on: fullOn });
    expect(w.member(r.member_id)).toMatchObject({ category: "full", full_on: fullOn });
  });

  it("the log has every step, with who, role and result; it can be neither edited nor deleted", async () => {
    const log = w.steps(id);
    expect(log.map((s) => `${s.action}:${s.result}`)).toEqual([
      "apply:done",
      "talk:done",
      "activist:done",
      "assess:done",
      "training:done",
      "politicalCheck:done",
      "candidate:proposed",
      "candidate:approved",
      "plan:done",
      "admit:proposed",
      "admit:approved",
      "full:proposed",
      "full:approved",
    ]);
    expect(log.filter((s) => s.result === "approved").every((s) => s.role === "clerk" && s.decides_step_id != null)).toBe(true);
    expect(log.filter((s) => s.result === "proposed").every((s) => s.role === "secretary")).toBe(true);
    expect(() => w.t.handle.sqlite.prepare("UPDATE recruitment_steps SET remark = 'x' WHERE id = ?").run(log[0]!.id)).toThrow(
      /never edited/,
    );
    expect(() => w.t.handle.sqlite.prepare("DELETE FROM recruitment_steps WHERE id = ?").run(log[0]!.id)).toThrow(/never deleted/);
    const audited = w.t.handle.sqlite
      .prepare("SELECT action FROM audit_log WHERE entity = 'recruitment' AND entity_id = ?")
      .all(String(id)) as { action: string }[];
    expect(audited.length).toBeGreaterThanOrEqual(log.length);
  });

  it("the record page shows the timeline, masked for the secretary", async () => {
    const page = await w.secDl.get(`/recruitment/${id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("正式党员");
    expect(page.text).toContain("ZY2025-0001");
    expect(page.text).not.toContain(w.record(id).id_number);
    expect(page.text).toContain("办理记录");
  });
});

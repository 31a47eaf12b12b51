// Who may see and do what: another committee's clerk and another branch's secretary find nothing
// (404, as for an id that does not exist), forged ids in POST bodies are refused by field, a
// supervisor reads but never writes, and a refused request writes nothing.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leads, workers } from "../../../db/schema.js";
import { BOOK, idOf, post, type RWorld, rworld, today } from "./helpers.js";

describe("recruitment: scope and attacks", () => {
  let w: RWorld;
  let mine: number;
  let psRecord: number;
  beforeAll(async () => {
    w = await rworld();
    mine = w.at(w.city.dlBranch.id, "activist");
    // A record of the other committee, made by an administrator.
    const res = await post(w.admin, "/recruitment", { name: "外委", idNumber: idOf(), orgId: w.city.psBranch.id, appliedOn: today });
    psRecord = Number(/\/recruitment\/(\d+)$/.exec(res.headers.location ?? "")![1]);
  });
  afterAll(() => w.t.close());

  it("another committee's clerk and another branch's secretary get 404 for the record, its steps and its decision", async () => {
    for (const a of [w.clerkPs, w.secJoint, w.secPs]) {
      expect((await a.get(`/recruitment/${mine}`)).status).toBe(404);
      expect((await a.get(`/recruitment/${mine}/steps/assess`)).status).toBe(404);
      expect((await post(a, `/recruitment/${mine}/steps/assess`, { on: today, assessment: "x" })).status).toBe(404);
      expect((await post(a, `/recruitment/${mine}/decision`, { decision: "approve", approvedOn: today })).status).toBe(
        a === w.clerkPs ? 404 : 403,
      );
      expect((await post(a, `/recruitment/${mine}/unmask`)).status).toBe(a === w.clerkPs ? 404 : 403);
    }
    expect(w.steps(mine).filter((s) => s.action === "assess")).toHaveLength(0);
  });

  it("the pipeline, statistics and lists show only the caller's scope", async () => {
    const page = await w.clerkDl.get("/recruitment");
    expect(page.text).toContain(`data-recruitment="${mine}"`);
    expect(page.text).not.toContain(`data-recruitment="${psRecord}"`);
    const sec = await w.secJoint.get("/recruitment");
    expect(sec.text).not.toContain(`data-recruitment="${mine}"`);
    const people = await w.clerkPs.get("/recruitment/people?figure=activists");
    expect(people.text).not.toContain(`data-recruitment="${mine}"`);
    // A scope outside one's own is refused, not widened.
    expect((await w.clerkPs.get(`/recruitment/people?figure=activists&scope=org:${w.city.dl.id}`)).status).toBe(404);
  });

  it("forged ids in POST bodies: a branch, a lead, a worker and an enterprise out of scope are refused by field", async () => {
    const before = w.count("recruitments");
    let res = await post(w.secDl, "/recruitment", { name: "伪造", idNumber: idOf(), orgId: w.city.psBranch.id, appliedOn: today });
    expect(res.status).toBe(422);
    expect(res.text).toContain("请选择您管辖范围内的党支部");
    res = await post(w.secDl, "/recruitment", { name: "伪造", idNumber: idOf(), orgId: w.city.dlJoint.id, appliedOn: today });
    expect(res.status).toBe(422);
    const lead = w.t.handle.db
      .insert(leads)
      .values({
        idNumber: idOf(),
        name: "外委线索",
        channel: "self_report",
        committeeId: w.city.ps.id,
        status: "rejected",
        foundOn: BOOK.appliedOn,
      })
      .returning()
      .get();
    res = await post(w.clerkDl, "/recruitment", { leadId: lead.id, orgId: w.city.dlBranch.id, appliedOn: today });
    expect(res.status).toBe(422);
    expect(res.text).toContain("该摸排线索不存在或不在您的管辖范围内");
    const worker = w.t.handle.db
      .insert(workers)
      .values({ platform: "某平台", idNumber: idOf(), name: "外委骑手", orgId: w.city.ps.id, firstSeenOn: today, lastSeenOn: today })
      .returning()
      .get();
    res = await post(w.clerkDl, "/recruitment", { workerId: worker.id, orgId: w.city.dlBranch.id, appliedOn: today });
    expect(res.status).toBe(422);
    expect(res.text).toContain("该从业人员不存在或不在您的管辖范围内");
    res = await post(w.secDl, "/recruitment", {
      name: "伪造",
      idNumber: idOf(),
      orgId: w.city.dlBranch.id,
      enterpriseId: w.city.psEnterprise.id,
      appliedOn: today,
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain("所在企业不存在或不在您的管辖范围内");
    expect(w.count("recruitments")).toBe(before);
  });

  it("a roster worker in scope starts an application without retyping", async () => {
    const worker = w.t.handle.db
      .insert(workers)
      .values({
        platform: "某平台",
        idNumber: idOf("1990-01-01"),
        name: "本委骑手",
        orgId: w.city.dl.id,
        occupation: "truck_driver",
        firstSeenOn: today,
        lastSeenOn: today,
      })
      .returning()
      .get();
    const res = await post(w.clerkDl, "/recruitment", {
      workerId: worker.id,
      orgId: w.city.dlBranch.id,
      appliedOn: today,
      name: "改名",
      idNumber: "x",
    });
    expect(res.status).toBe(303);
    const id = Number(/\/recruitment\/(\d+)$/.exec(res.headers.location ?? "")![1]);
    expect(w.record(id)).toMatchObject({ name: "本委骑手", id_number: worker.idNumber, worker_id: worker.id, occupation: "truck_driver" });
  });

  it("a training class naming another branch's activist is refused whole", async () => {
    const other = w.at(w.city.dlJoint.id, "activist");
    const before = w.count("recruitment_steps");
    const res = await post(w.secDl, "/recruitment/training", { ids: [String(mine), String(other)], on: today, trainingHours: 24 });
    expect(res.status).toBe(404);
    expect(w.count("recruitment_steps")).toBe(before);
    const ok = await post(w.clerkDl, "/recruitment/training", { ids: [String(mine), String(other)], on: today, trainingHours: 24 });
    expect(ok.status).toBe(303);
    expect(w.record(other).training_ended_on).toBe(today);
  });

  it("a supervisor reads and exports but never writes", async () => {
    expect((await w.supervisor.get(`/recruitment/${mine}`)).status).toBe(200);
    expect((await post(w.supervisor, `/recruitment/${mine}/steps/assess`, { on: today, assessment: "x" })).status).toBe(403);
    expect(
      (await post(w.supervisor, "/recruitment", { name: "x", idNumber: idOf(), orgId: w.city.dlBranch.id, appliedOn: today })).status,
    ).toBe(403);
  });

  it("whole ID numbers only for roles that may unmask, and each unmasking is audited", async () => {
    const idNumber = w.record(mine).id_number as string;
    expect((await w.secDl.get(`/recruitment/${mine}`)).text).not.toContain(idNumber);
    expect((await post(w.secDl, `/recruitment/${mine}/unmask`)).status).toBe(403);
    const before = w.audit("unmask").length;
    const res = await post(w.clerkDl, `/recruitment/${mine}/unmask`);
    expect(res.status).toBe(200);
    expect(res.text).toContain(idNumber);
    expect(w.audit("unmask")).toHaveLength(before + 1);
  });
});

// Membership ending and restored by the rules, over HTTP: the branch proposes, the committee above
// approves; suspension refused before six months out of contact; the counts follow (figures equal their
// lists) and come back on restoration; death and 出党 end the membership; the steps are never edited.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, addMonths, todayIso } from "../../../server/domain/dates.js";
import { memberListQuerySchema } from "../../../server/schemas/members.schema.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { computeFigures, listFigureRows } from "../../../server/services/coverage/coverage.service.js";
import { listMembers } from "../../../server/services/members/list.js";
import { post, type World, world } from "../transfers/helpers.js";

let w: World;
beforeAll(async () => {
  w = await world();
});
afterAll(() => w.t.close());

const today = todayIso();
const suspension = (over: Record<string, string> = {}) => ({
  kind: "suspension",
  effectiveOn: today,
  reason: "失去联系超过六个月",
  decisionBody: "道路运输第一党支部支部大会",
  decidedOn: today,
  searchedOn: addDays(today, -10),
  searchNote: "电话、微信、原单位、户籍地查找均未果",
  ...over,
});
const approve = { approvedOn: today, approvalNote: "同意" };
const changes = (memberId: number) =>
  w.t.handle.sqlite.prepare("SELECT * FROM membership_changes WHERE member_id = ? ORDER BY id").all(memberId) as Record<string, any>[];
const lostMember = (monthsAgo: number) => {
  const m = w.addMember(w.city.dlBranch.id, { lostContactOn: addMonths(today, -monthsAgo), lostContactReason: "migrant_work" });
  return m;
};

/** The city's "党员数" for the clerk, the ids its list holds, and the ids the member list shows. */
function counts() {
  const actor = loadActor(w.t.handle.db, w.city.userIds.clerk!)!;
  const figure = computeFigures(w.t.handle.db, actor).figures.members;
  const rows = listFigureRows(w.t.handle.db, actor, {}, "members", { pageSize: null });
  const list = listMembers(w.t.handle.db, actor, memberListQuerySchema.parse({}), today, { pageSize: 500, withTotal: true });
  return { figure, rowIds: rows.rows.map((r) => r.id), total: rows.total, listIds: list.rows.map((r) => r.id) };
}

describe("停止党籍 (suspension)", () => {
  it("is refused before six months out of contact, in place, with a Chinese message naming the field", async () => {
    const m = lostMember(5);
    const res = await post(w.secDl, `/members/${m.id}/membership`, suspension());
    expect(res.status).toBe(422);
    expect(res.text).toContain("停止党籍日期：该党员自");
    expect(res.text).toContain("不满六个月，不能停止党籍");
    expect(res.text).toContain("电话、微信、原单位、户籍地查找均未果"); // what was typed stays
    expect(changes(m.id)).toEqual([]);
  });

  it("needs the search recorded", async () => {
    const m = lostMember(7);
    const res = await post(w.secDl, `/members/${m.id}/membership`, suspension({ searchedOn: "", searchNote: "" }));
    expect(res.status).toBe(422);
    expect(res.text).toContain("查找日期：须记录查找失联党员的日期");
    expect(res.text).toContain("查找情况：须说明查找经过及未果的情况");
  });

  it("proposed by the branch, approved by the committee above: the member leaves the counts, and restoration brings them back", async () => {
    const m = lostMember(7);
    const before = counts();
    expect(before.figure).toBe(before.total);
    expect(before.rowIds).toContain(m.id);
    expect(before.listIds).toContain(m.id);

    const res = await post(w.secDl, `/members/${m.id}/membership`, suspension());
    expect(res.status).toBe(303);
    const [c] = changes(m.id);
    expect(c).toMatchObject({
      kind: "suspension",
      state: "pending",
      from_standing: "active",
      approval_org_id: w.city.dl.id,
      org_id: w.city.dlBranch.id,
    });
    // Proposed is not decided: the member still counts.
    expect(w.member(m.id).left_on).toBeNull();
    expect(counts().figure).toBe(before.figure);

    // Who may not decide: the secretary, a supervisor (roles), another committee (not found).
    expect((await post(w.secDl, `/members/${m.id}/membership/${c!.id}/approve`, approve)).status).toBe(403);
    expect((await post(w.supervisor, `/members/${m.id}/membership/${c!.id}/approve`, approve)).status).toBe(403);
    expect((await post(w.clerkPs, `/members/${m.id}/membership/${c!.id}/approve`, approve)).status).toBe(404);
    expect(changes(m.id)[0]!.state).toBe("pending");

    // The committee's inbox lists it; another committee's does not.
    expect((await w.clerkDl.get("/inbox")).text).toContain(`/members/${m.id}/membership#pending`);
    expect((await w.clerkPs.get("/inbox")).text).not.toContain(`/members/${m.id}/membership`);

    expect((await post(w.clerkDl, `/members/${m.id}/membership/${c!.id}/approve`, approve)).status).toBe(303);
    expect(w.member(m.id)).toMatchObject({ left_on: today, left_reason: "suspended" });
    expect(changes(m.id)[0]).toMatchObject({ state: "approved", approved_on: today, approver_name: expect.any(String) });
    const suspended = counts();
    expect(suspended.figure).toBe(before.figure - 1);
    expect(suspended.figure).toBe(suspended.total);
    expect(suspended.rowIds).not.toContain(m.id);
    expect(suspended.listIds).not.toContain(m.id);
    expect((await post(w.clerkDl, `/members/${m.id}/membership/${c!.id}/approve`, approve)).status).toBe(409);

    // The list's filter by standing finds them; the member page shows the standing and the steps.
    const listed = await w.clerkDl.get("/members?standing=suspended");
    expect(listed.text).toContain(`/members/${m.id}`);
    const page = await w.clerkDl.get(`/members/${m.id}`);
    expect(page.text).toContain("已停止党籍");
    expect(page.text).toContain("批准停止党籍");
    // A suspended member cannot be suspended again or expelled: only restored.
    const again = await post(w.secDl, `/members/${m.id}/membership`, { ...suspension(), kind: "expelled" });
    expect(again.status).toBe(422);
    expect(again.text).toContain("该党员已停止党籍，不能办理开除党籍");

    const restore = await post(w.secDl, `/members/${m.id}/membership`, {
      kind: "restoration",
      effectiveOn: today,
      reason: "本人主动联系党组织",
      decisionBody: "道路运输第一党支部支部大会",
    });
    expect(restore.status).toBe(303);
    const r = changes(m.id)[1]!;
    expect(r).toMatchObject({ kind: "restoration", from_standing: "suspended" });
    expect((await post(w.clerkDl, `/members/${m.id}/membership/${r.id}/approve`, approve)).status).toBe(303);
    expect(w.member(m.id)).toMatchObject({ left_on: null, left_reason: null, lost_contact_on: null });
    const restored = counts();
    expect(restored.figure).toBe(before.figure);
    expect(restored.figure).toBe(restored.total);
    expect(restored.rowIds).toContain(m.id);
    expect(restored.listIds).toContain(m.id);
    expect(w.events(m.id).map((e) => e.kind)).toEqual([
      "membership_proposed",
      "membership_approved",
      "membership_proposed",
      "membership_approved",
    ]);
  });

  it("a refusal leaves the member as they were, with the committee's reason on the timeline", async () => {
    const m = lostMember(8);
    await post(w.secDl, `/members/${m.id}/membership`, suspension());
    const c = changes(m.id)[0]!;
    const noReason = await post(w.clerkDl, `/members/${m.id}/membership/${c.id}/reject`, { approvedOn: today });
    expect(noReason.status).toBe(422);
    expect(noReason.text).toContain("请填写不予批准的理由");
    expect(
      (await post(w.clerkDl, `/members/${m.id}/membership/${c.id}/reject`, { approvedOn: today, approvalNote: "请继续查找" })).status,
    ).toBe(303);
    expect(changes(m.id)[0]!.state).toBe("rejected");
    expect(w.member(m.id).left_on).toBeNull();
    expect(w.events(m.id).at(-1)!.summary).toContain("不予批准停止党籍");
    // The member may be proposed again once the first is decided.
    expect((await post(w.secDl, `/members/${m.id}/membership`, suspension())).status).toBe(303);
    expect((await post(w.secDl, `/members/${m.id}/membership`, suspension())).status).toBe(409);
  });
});

describe("出党 and death", () => {
  it("death ends the membership and the open mobile spell; the record stays, read only", async () => {
    const m = w.addMember(w.city.dlBranch.id);
    await post(w.secDl, `/members/${m.id}/mobile/out`, { unitKind: "unknown_destination", outStartedOn: today });
    expect((await post(w.secDl, `/members/${m.id}/membership`, { kind: "death", effectiveOn: today, reason: "因病去世" })).status).toBe(
      303,
    );
    const c = changes(m.id)[0]!;
    expect((await post(w.admin, `/members/${m.id}/membership/${c.id}/approve`, approve)).status).toBe(303);
    expect(w.member(m.id)).toMatchObject({ left_on: today, left_reason: "deceased" });
    expect(w.spells(m.id)[0]).toMatchObject({ end_reason: "left", ended_on: today });
    expect((await post(w.secDl, `/members/${m.id}/contact/lost`, { lostContactOn: today, lostContactReason: "other" })).status).toBe(409);
    const restore = await post(w.secDl, `/members/${m.id}/membership`, {
      kind: "restoration",
      effectiveOn: today,
      reason: "x",
      decisionBody: "x",
    });
    expect(restore.status).toBe(422);
    const transfer = await post(w.secDl, "/transfers", {
      kind: "internal",
      memberId: m.id,
      toOrgId: w.city.dlJoint.id,
      issuedOn: today,
      duesPaidTo: today.slice(0, 7),
    });
    expect(transfer.status).toBe(422);
    expect(transfer.text).toContain("已去世");
    expect((await w.secDl.get(`/members/${m.id}/mobile`)).text).toContain("仅供查阅");
  });

  it("each kind of 出党 needs the deciding body and is recorded as its own kind; restoration after a wrong 除名 is allowed, after 退党 not", async () => {
    const removed = w.addMember(w.city.dlBranch.id);
    const missing = await post(w.secDl, `/members/${removed.id}/membership`, {
      kind: "removed",
      effectiveOn: today,
      reason: "不履行党员义务",
    });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain("请填写决定机关");
    await post(w.secDl, `/members/${removed.id}/membership`, {
      kind: "removed",
      effectiveOn: today,
      reason: "不履行党员义务",
      decisionBody: "支部大会",
    });
    await post(w.clerkDl, `/members/${removed.id}/membership/${changes(removed.id)[0]!.id}/approve`, approve);
    expect(w.member(removed.id).left_reason).toBe("removed");
    expect(
      (
        await post(w.secDl, `/members/${removed.id}/membership`, {
          kind: "restoration",
          effectiveOn: today,
          reason: "复查纠正",
          decisionBody: "行业党委",
        })
      ).status,
    ).toBe(303);

    const withdrew = w.addMember(w.city.dlBranch.id);
    await post(w.secDl, `/members/${withdrew.id}/membership`, {
      kind: "withdrew",
      effectiveOn: today,
      reason: "本人申请退党",
      decisionBody: "支部大会",
    });
    await post(w.clerkDl, `/members/${withdrew.id}/membership/${changes(withdrew.id)[0]!.id}/approve`, approve);
    expect(w.member(withdrew.id).left_reason).toBe("withdrew");
    const back = await post(w.secDl, `/members/${withdrew.id}/membership`, {
      kind: "restoration",
      effectiveOn: today,
      reason: "x",
      decisionBody: "x",
    });
    expect(back.status).toBe(422);
    expect(back.text).toContain("退党者须重新申请入党");
    expect((await w.clerkDl.get("/members?standing=left_party")).text).toContain(`/members/${withdrew.id}`);
  });

  it("is refused while a transfer is pending", async () => {
    const m = w.addMember(w.city.dlBranch.id);
    await post(w.secDl, "/transfers", {
      kind: "internal",
      memberId: m.id,
      toOrgId: w.city.dlJoint.id,
      issuedOn: today,
      duesPaidTo: today.slice(0, 7),
    });
    const res = await post(w.secDl, `/members/${m.id}/membership`, {
      kind: "expelled",
      effectiveOn: today,
      reason: "x",
      decisionBody: "x",
    });
    expect(res.status).toBe(422);
    expect(res.text).toContain("待接收的转接");
    expect(w.member(m.id).left_on).toBeNull();
  });
});

describe("scope and forged ids", () => {
  it("other committees see nothing; a change id under another member is not found; the proposer cannot approve", async () => {
    const m = lostMember(9);
    const other = w.addMember(w.city.dlBranch.id);
    // Another committee's secretary and clerk: not found, for reading and for writing.
    expect((await w.secPs.get(`/members/${m.id}/membership`)).status).toBe(404);
    expect((await w.clerkPs.get(`/members/${m.id}/membership`)).status).toBe(404);
    expect((await post(w.secPs, `/members/${m.id}/membership`, suspension())).status).toBe(404);
    expect((await post(w.secJoint, `/members/${m.id}/membership`, suspension())).status).toBe(404);
    // A supervisor reads, without forms, and cannot propose.
    const read = await w.supervisor.get(`/members/${m.id}/membership`);
    expect(read.status).toBe(200);
    expect(read.text).not.toContain(`action="/members/${m.id}/membership"`);
    expect((await post(w.supervisor, `/members/${m.id}/membership`, suspension())).status).toBe(403);

    // A clerk proposes for the branch's member: the same clerk may not approve it, the admin may.
    expect((await post(w.clerkDl, `/members/${m.id}/membership`, suspension())).status).toBe(303);
    const c = changes(m.id)[0]!;
    const self = await post(w.clerkDl, `/members/${m.id}/membership/${c.id}/approve`, approve);
    expect(self.status).toBe(403);
    // The change id under another member's URL: not found.
    expect((await post(w.admin, `/members/${other.id}/membership/${c.id}/approve`, approve)).status).toBe(404);
    // A forged memberId or kind in the body changes nothing.
    expect(
      (await post(w.admin, `/members/${m.id}/membership/${c.id}/approve`, { ...approve, memberId: String(other.id), kind: "death" }))
        .status,
    ).toBe(303);
    expect(w.member(m.id).left_reason).toBe("suspended");
    expect(w.member(other.id).left_on).toBeNull();
  });

  it("the steps are never deleted, and never edited once decided", () => {
    const db = w.t.handle.sqlite;
    const decided = db.prepare("SELECT id FROM membership_changes WHERE state = 'approved' LIMIT 1").get() as { id: number };
    expect(() => db.prepare("DELETE FROM membership_changes WHERE id = ?").run(decided.id)).toThrow(/never deleted/);
    expect(() => db.prepare("UPDATE membership_changes SET state = 'rejected' WHERE id = ?").run(decided.id)).toThrow(/decided once/);
    expect(() => db.prepare("UPDATE membership_changes SET reason = 'x' WHERE id = ?").run(decided.id)).toThrow(/decided once/);
  });
});

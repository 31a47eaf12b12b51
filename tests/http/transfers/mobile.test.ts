// Mobile members (流入/流出), ending a spell (returned or by a transfer), contact (leaving: tests/http/membership/), and the
// inbox with its navigation count.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, addMonths, todayIso } from "../../../server/domain/dates.js";
import { idFrom, post, type World, world } from "./helpers.js";

let w: World;
beforeAll(async () => {
  w = await world();
});
afterAll(() => w.t.close());

const today = todayIso();
const mobileIn = (orgId: number, over: Record<string, string | number> = {}) => ({
  orgId,
  homeOrgName: "中共某省某县某村支部委员会",
  certificateNumber: "LD-2025-0001",
  certificateValidUntil: addMonths(today, 12),
  startedOn: today,
  ...over,
});

describe("流出 (mobile_out)", () => {
  it("registers, refuses a second open spell, ends on return: back to local", async () => {
    const m = w.addMember(w.city.dlBranch.id);
    const page = await w.secDl.get(`/members/${m.id}/mobile`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("登记为流出党员");
    expect(page.text).not.toContain("登记为流入党员");

    const bad = await post(w.secDl, `/members/${m.id}/mobile/out`, { destination: "", outStartedOn: today });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("请选择流向单位类别");
    const noRegion = await post(w.secDl, `/members/${m.id}/mobile/out`, { unitKind: "private_enterprise", outStartedOn: today });
    expect(noRegion.status).toBe(422);
    expect(noRegion.text).toContain("请填写流向地区");
    const notARegion = await post(w.secDl, `/members/${m.id}/mobile/out`, {
      destinationCode: "火星",
      unitKind: "private_enterprise",
      outStartedOn: today,
    });
    expect(notARegion.status).toBe(422);
    expect(notARegion.text).toContain("流向地区：未能识别为行政区划");
    expect(notARegion.text).toContain('value="火星"');
    const res = await post(w.secDl, `/members/${m.id}/mobile/out`, {
      destinationCode: "浙江省杭州市",
      unitKind: "private_enterprise",
      destination: "浙江省杭州市",
      contactPerson: "王某 13800000000",
      expectedReturnOn: addMonths(today, 6),
      outStartedOn: today,
    });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/members/${m.id}/mobile`);
    expect(w.member(m.id).relation_status).toBe("mobile_out");
    expect(w.spells(m.id)).toMatchObject([
      {
        direction: "out",
        org_id: w.city.dlBranch.id,
        destination: "浙江省杭州市",
        destination_code: "330100",
        unit_kind: "private_enterprise",
        ended_on: null,
      },
    ]);
    expect(
      (await post(w.secDl, `/members/${m.id}/mobile/out`, { destination: "x", unitKind: "unknown_destination", outStartedOn: today }))
        .status,
    ).toBe(422);
    expect(w.spells(m.id)).toHaveLength(1);

    expect((await post(w.secDl, `/members/${m.id}/mobile/end`, { endedOn: addDays(today, 1) })).status).toBe(422);
    expect((await post(w.secDl, `/members/${m.id}/mobile/end`, { endedOn: today })).status).toBe(303);
    expect(w.member(m.id).relation_status).toBe("local");
    expect(w.spells(m.id)[0]).toMatchObject({ ended_on: today, end_reason: "returned" });
    expect(w.events(m.id).map((e) => e.kind)).toEqual(["mobile_out_started", "mobile_ended"]);
    expect((await post(w.secDl, `/members/${m.id}/mobile/end`, { endedOn: today })).status).toBe(409);
  });

  it("converted into a transfer: the spell stays open while the letter is pending, and ends when it completes", async () => {
    const m = w.addMember(w.city.dlBranch.id);
    await post(w.secDl, `/members/${m.id}/mobile/out`, { destinationCode: "320500", unitKind: "private_enterprise", outStartedOn: today });
    const res = await post(w.secDl, "/transfers", {
      kind: "outgoing",
      memberId: m.id,
      externalOrgName: "中共苏州某物流公司支部委员会",
      issuedOn: today,
      duesPaidTo: today.slice(0, 7),
    });
    expect(res.status).toBe(303);
    const id = idFrom(res.headers.location);
    expect(w.spells(m.id)[0]!.ended_on).toBeNull();
    // While the letter is pending the spell cannot be ended separately.
    const end = await post(w.secDl, `/members/${m.id}/mobile/end`, { endedOn: today });
    expect(end.status).toBe(409);
    expect(end.text).toContain("待接收的转接");
    await post(w.secDl, `/transfers/${id}/accept`, { receiptOn: today });
    expect(w.member(m.id).relation_status).toBe("transferred_out");
    expect(w.spells(m.id)[0]).toMatchObject({ ended_on: today, end_reason: "transferred" });
  });

  it("the member page links to the member's mobile status and transfers", async () => {
    const m = w.addMember(w.city.dlBranch.id);
    const page = await w.secDl.get(`/members/${m.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`href="/members/${m.id}/mobile"`);
    expect(page.text).toContain(`href="/transfers/new?member=${m.id}"`);
    expect((await w.supervisor.get(`/members/${m.id}`)).text).not.toContain(`href="/transfers/new?member=${m.id}"`);
  });

  it("only the member's own side registers: another branch gets 404, a supervisor 403", async () => {
    const m = w.addMember(w.city.dlBranch.id);
    expect(
      (await post(w.secJoint, `/members/${m.id}/mobile/out`, { destination: "x", unitKind: "unknown_destination", outStartedOn: today }))
        .status,
    ).toBe(404);
    expect(
      (await post(w.secPs, `/members/${m.id}/mobile/out`, { destination: "x", unitKind: "unknown_destination", outStartedOn: today }))
        .status,
    ).toBe(404);
    expect(
      (await post(w.supervisor, `/members/${m.id}/mobile/out`, { destination: "x", unitKind: "unknown_destination", outStartedOn: today }))
        .status,
    ).toBe(403);
    expect((await w.supervisor.get(`/members/${m.id}/mobile`)).status).toBe(200);
    expect(w.member(m.id).relation_status).toBe("local");
  });
});

describe("流入 (mobile_in)", () => {
  it("registers an unattached member with a certificate under a local branch: managed; ends on return home", async () => {
    const m = w.addMember(w.city.dl.id, { relationStatus: "unattached" });
    const bad = await post(
      w.clerkDl,
      `/members/${m.id}/mobile/in`,
      mobileIn(w.city.dlJoint.id, { certificateValidUntil: addDays(today, -1) }),
    );
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("活动证有效期不能早于流入日期");
    expect((await post(w.clerkDl, `/members/${m.id}/mobile/in`, mobileIn(w.city.psBranch.id))).status).toBe(422);
    const res = await post(w.clerkDl, `/members/${m.id}/mobile/in`, mobileIn(w.city.dlJoint.id));
    expect(res.status).toBe(303);
    expect(w.member(m.id)).toMatchObject({
      relation_status: "mobile_in",
      org_id: w.city.dlJoint.id,
      relation_org_name: "中共某省某县某村支部委员会",
      managed_on: today,
    });
    // The branch that manages them now sees them.
    expect((await w.secJoint.get(`/members/${m.id}/mobile`)).text).toContain("LD-2025-0001");
    expect((await post(w.secJoint, `/members/${m.id}/mobile/end`, { endedOn: today })).status).toBe(303);
    expect(w.member(m.id).relation_status).toBe("unattached");
  });

  it("a local member cannot be registered as 流入", async () => {
    const m = w.addMember(w.city.dlBranch.id);
    const res = await post(w.secDl, `/members/${m.id}/mobile/in`, mobileIn(w.city.dlBranch.id));
    expect(res.status).toBe(422);
    expect(res.text).toContain("只有未纳管的党员才能登记为流入党员");
  });

  it("converted into an incoming transfer: becomes local in the branch, the spell ends 'transferred'", async () => {
    const m = w.addMember(w.city.dl.id, { relationStatus: "unattached" });
    await post(w.clerkDl, `/members/${m.id}/mobile/in`, mobileIn(w.city.dlJoint.id));
    const res = await post(w.secJoint, "/transfers", {
      kind: "incoming",
      memberId: m.id,
      toOrgId: w.city.dlJoint.id,
      externalOrgName: "中共某省某县某村支部委员会",
      letterNumber: `外-${m.id}`,
      issuedOn: today,
    });
    expect(res.status).toBe(303);
    await post(w.secJoint, `/transfers/${idFrom(res.headers.location)}/accept`, { receiptOn: today });
    expect(w.member(m.id)).toMatchObject({ relation_status: "local", org_id: w.city.dlJoint.id, relation_org_name: null });
    expect(w.spells(m.id)[0]).toMatchObject({ end_reason: "transferred", ended_on: today });
  });
});

describe("deadlines and the inbox", () => {
  it("shows incoming pending, overdue letters, expiring certificates and six months out of contact, and counts them in the nav", async () => {
    // A fresh branch so the counts are this test's alone.
    const before = (await w.secPs.get("/inbox")).text;
    expect(before).toContain("待办");

    const overdueMember = w.addMember(w.city.psBranch.id);
    const old = addDays(today, -20);
    const r1 = await post(w.secPs, "/transfers", {
      kind: "internal",
      memberId: overdueMember.id,
      toOrgId: w.city.dlJoint.id,
      issuedOn: old,
      duesPaidTo: old.slice(0, 7),
    });
    expect(w.transfer(idFrom(r1.headers.location)).deadline_on).toBe(addDays(old, 10));

    const incomingMember = w.addMember(w.city.dlBranch.id);
    await post(w.secDl, "/transfers", {
      kind: "internal",
      memberId: incomingMember.id,
      toOrgId: w.city.psBranch.id,
      issuedOn: today,
      duesPaidTo: today.slice(0, 7),
    });

    const cert = w.addMember(w.city.ps.id, { relationStatus: "unattached" });
    await post(
      w.clerkPs,
      `/members/${cert.id}/mobile/in`,
      mobileIn(w.city.psBranch.id, { certificateValidUntil: addDays(today, 20), certificateNumber: "LD-EXP-1" }),
    );
    const farCert = w.addMember(w.city.ps.id, { relationStatus: "unattached" });
    await post(
      w.clerkPs,
      `/members/${farCert.id}/mobile/in`,
      mobileIn(w.city.psBranch.id, { certificateValidUntil: addDays(today, 45), certificateNumber: "LD-FAR-1" }),
    );

    const lost = w.addMember(w.city.psBranch.id);
    await post(w.secPs, `/members/${lost.id}/contact/lost`, { lostContactOn: addMonths(today, -7), lostContactReason: "migrant_work" });
    const recent = w.addMember(w.city.psBranch.id);
    await post(w.secPs, `/members/${recent.id}/contact/lost`, {
      lostContactOn: addMonths(today, -2),
      lostContactReason: "employer_changed",
    });

    const inbox = await w.secPs.get("/inbox");
    expect(inbox.status).toBe(200);
    expect(inbox.text).toContain(incomingMember.name); // addressed to this branch
    expect(inbox.text).toContain(overdueMember.name); // sent by it, past the deadline
    expect(inbox.text).toContain("LD-EXP-1");
    expect(inbox.text).not.toContain("LD-FAR-1");
    expect(inbox.text).toContain(lost.name);
    expect(inbox.text).not.toContain(recent.name);
    // 1 incoming + 1 overdue + 1 certificate + 1 out of contact.
    expect(inbox.text).toMatch(/待办<span class="badge">4<\/span>/);
    // The receiving branch sees the overdue letter as incoming, not as its own overdue one.
    const joint = await w.secJoint.get("/inbox");
    expect(joint.text).toContain(overdueMember.name);
    expect(joint.text).toContain("已逾期");
    // Other scopes see none of it.
    const dl = await w.secDl.get("/inbox");
    expect(dl.text).not.toContain(lost.name);
    expect(dl.text).not.toContain("LD-EXP-1");

    // Renewing the certificate and restoring contact clear them.
    await post(w.secPs, `/members/${cert.id}/mobile/renew`, { newValidUntil: addMonths(today, 12) });
    await post(w.secPs, `/members/${lost.id}/contact/restore`, { restoredOn: today });
    const after = await w.secPs.get("/inbox");
    expect(after.text).not.toContain("LD-EXP-1");
    expect(after.text).toMatch(/待办<span class="badge">2<\/span>/);
    expect(w.events(cert.id).map((e) => e.kind)).toContain("certificate_renewed");
  });

  it("lists overdue transfers with the overdue filter", async () => {
    const m = w.addMember(w.city.dlBranch.id);
    const old = addDays(today, -40);
    const id = idFrom(
      (
        await post(w.secDl, "/transfers", {
          kind: "outgoing",
          memberId: m.id,
          externalOrgName: "外地某支部",
          issuedOn: old,
          duesPaidTo: old.slice(0, 7),
        })
      ).headers.location,
    );
    const list = await w.secDl.get("/transfers?overdue=1");
    expect(list.text).toContain(`/transfers/${id}"`);
    expect(list.text).toContain("逾期");
    const fresh = w.addMember(w.city.dlBranch.id);
    const freshId = idFrom(
      (
        await post(w.secDl, "/transfers", {
          kind: "outgoing",
          memberId: fresh.id,
          externalOrgName: "外地某支部",
          issuedOn: today,
          duesPaidTo: today.slice(0, 7),
        })
      ).headers.location,
    );
    expect((await w.secDl.get("/transfers?overdue=1")).text).not.toContain(`/transfers/${freshId}"`);
  });
});

describe("out of contact (失联)", () => {
  it("marks with a date and reason code, refuses a second mark, restores with a date not before it", async () => {
    const m = w.addMember(w.city.dlBranch.id);
    const bad = await post(w.secDl, `/members/${m.id}/contact/lost`, { lostContactOn: today, lostContactReason: "nonsense" });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("请选择失联原因");
    const future = await post(w.secDl, `/members/${m.id}/contact/lost`, { lostContactOn: addDays(today, 2), lostContactReason: "other" });
    expect(future.status).toBe(422);
    expect(future.text).toContain("失联日期不能晚于今天");
    const lostOn = addMonths(today, -1);
    expect(
      (await post(w.secDl, `/members/${m.id}/contact/lost`, { lostContactOn: lostOn, lostContactReason: "residence_changed" })).status,
    ).toBe(303);
    expect(w.member(m.id)).toMatchObject({ lost_contact_on: lostOn, lost_contact_reason: "residence_changed" });
    expect((await post(w.secDl, `/members/${m.id}/contact/lost`, { lostContactOn: today, lostContactReason: "other" })).status).toBe(409);
    const early = await post(w.secDl, `/members/${m.id}/contact/restore`, { restoredOn: addDays(lostOn, -1) });
    expect(early.status).toBe(422);
    expect(early.text).toContain("恢复联系日期不能早于失联日期");
    expect((await post(w.secDl, `/members/${m.id}/contact/restore`, { restoredOn: today })).status).toBe(303);
    expect(w.member(m.id)).toMatchObject({ lost_contact_on: null, lost_contact_reason: null });
    const events = w.events(m.id);
    expect(events.map((e) => e.kind)).toEqual(["lost_contact", "contact_restored"]);
    expect(JSON.parse(events[1]!.details)).toMatchObject({ lostContactOn: lostOn, restoredOn: today });
  });
});

// Every legal and illegal transition of a transfer, through HTTP, asserting the answer, the
// transfer row and where the member is afterwards.

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { addDays, todayIso } from "../../../server/domain/dates.js";
import { idFrom, post, type Signed, type World, world } from "./helpers.js";

// One app for the file (sign-ins cost argon2 time); each test works on members of its own.
let w: World;
let m: { id: number; name: string };
beforeAll(async () => {
  w = await world();
});
afterAll(() => w.t.close());
beforeEach(() => {
  m = w.addMember(w.city.dlBranch.id);
});

const today = todayIso();
const year = today.slice(0, 4);

function issueInternal(a: Signed, memberId: number, toOrgId: number, over: Record<string, string | number> = {}) {
  return post(a, "/transfers", {
    kind: "internal",
    memberId,
    toOrgId,
    issuedOn: today,
    validDays: "",
    duesPaidTo: today.slice(0, 7),
    reason: "工作单位变动",
    ...over,
  });
}

async function pendingInternal(): Promise<number> {
  const res = await issueInternal(w.secDl, m.id, w.city.dlJoint.id);
  expect(res.status, res.text).toBe(303);
  return idFrom(res.headers.location);
}

describe("issuing a transfer inside the system", () => {
  it("issues a numbered letter with the default 10 days; the member stays with the sender; history and audit written", async () => {
    const res = await issueInternal(w.secDl, m.id, w.city.dlJoint.id);
    expect(res.status).toBe(303);
    const t = w.transfer(idFrom(res.headers.location));
    expect(t).toMatchObject({
      kind: "internal",
      state: "pending",
      from_org_id: w.city.dlBranch.id,
      to_org_id: w.city.dlJoint.id,
      valid_days: 10,
      deadline_on: addDays(today, 10),
    });
    expect(t.letter_number).toMatch(new RegExp(`^HZ-DL-001-${year}-\\d{4}$`));
    expect(w.member(m.id)).toMatchObject({ org_id: w.city.dlBranch.id, relation_status: "local" });
    expect(w.events(m.id).map((e) => e.kind)).toEqual(["transfer_issued"]);
    expect(w.audit("create").some((a) => a.entity === "transfer" && a.entity_id === String(t.id))).toBe(true);

    const page = await w.secDl.get(`/transfers/${t.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(t.letter_number);
    expect(page.text).toContain("撤销介绍信");
    expect(page.text).not.toContain("确认接收");
  });

  it("numbers the next letter of the same organization and year one higher", async () => {
    const first = w.transfer(await pendingInternal()).letter_number as string;
    const other = w.addMember(w.city.dlBranch.id);
    const res = await issueInternal(w.secDl, other.id, w.city.psBranch.id);
    const seq = Number(first.slice(-4));
    expect(w.transfer(idFrom(res.headers.location)).letter_number).toBe(`HZ-DL-001-${year}-${String(seq + 1).padStart(4, "0")}`);
  });

  it("refuses a second pending transfer of the same member, naming the field", async () => {
    await pendingInternal();
    const res = await issueInternal(w.secDl, m.id, w.city.psBranch.id);
    expect(res.status).toBe(422);
    expect(res.text).toContain("已有一条待接收的转接");
    expect(w.transfersOf(m.id)).toHaveLength(1);
  });

  it("validates: destination, the member's own branch, validity over 3 months, future issue date", async () => {
    const cases: [Record<string, string | number>, string][] = [
      [{ toOrgId: "" }, "请选择接收党组织"],
      [{ toOrgId: w.city.dlBranch.id }, "不能是该党员现在所在的党组织"],
      [{ toOrgId: w.city.dl.id + 9999 }, "接收党组织不存在"],
      [{ issuedOn: "2025-01-01", validDays: 91 }, "不能超过 3 个月"],
      [{ validDays: "abc" }, "有效期应为正整数"],
      [{ issuedOn: addDays(today, 1) }, "签发日期不能晚于今天"],
    ];
    for (const [over, message] of cases) {
      const res = await issueInternal(w.secDl, m.id, w.city.dlJoint.id, over);
      expect(res.status, JSON.stringify(over)).toBe(422);
      expect(res.text).toContain(message);
    }
    // 90 days from 1 January is exactly three months: allowed.
    const ok = await issueInternal(w.secDl, m.id, w.city.dlJoint.id, { issuedOn: "2025-01-01", validDays: 90 });
    expect(ok.status).toBe(303);
    expect(w.transfer(idFrom(ok.headers.location)).deadline_on).toBe("2025-04-01");
  });

  it("lets only the sending side issue: the branch's secretary or a clerk above it", async () => {
    expect((await issueInternal(w.secJoint, m.id, w.city.dlJoint.id)).status).toBe(404);
    expect((await issueInternal(w.secPs, m.id, w.city.psBranch.id)).status).toBe(404);
    expect((await issueInternal(w.clerkPs, m.id, w.city.psBranch.id)).status).toBe(404);
    expect((await issueInternal(w.supervisor, m.id, w.city.dlJoint.id)).status).toBe(403);
    expect(w.transfersOf(m.id)).toHaveLength(0);
    const res = await issueInternal(w.clerkDl, m.id, w.city.dlJoint.id);
    expect(res.status).toBe(303);
  });
});

describe("internal transfer transitions", () => {
  it("pending → completed: the receiver accepts; the member moves; every further step is refused", async () => {
    const id = await pendingInternal();
    // The sender cannot accept, an unrelated branch cannot even see it, a supervisor only reads.
    expect((await post(w.secDl, `/transfers/${id}/accept`, { receiptOn: today })).status).toBe(403);
    expect((await post(w.secPs, `/transfers/${id}/accept`, { receiptOn: today })).status).toBe(404);
    expect((await post(w.supervisor, `/transfers/${id}/accept`, { receiptOn: today })).status).toBe(403);
    expect(w.transfer(id).state).toBe("pending");

    const bad = await post(w.secJoint, `/transfers/${id}/accept`, { receiptOn: addDays(today, 1) });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("回执日期不能晚于今天");

    const res = await post(w.secJoint, `/transfers/${id}/accept`, { receiptOn: today });
    expect(res.status).toBe(303);
    expect(w.transfer(id)).toMatchObject({ state: "completed", receipt_on: today, decided_by: w.city.userIds.secretaryJoint });
    expect(w.member(m.id)).toMatchObject({ org_id: w.city.dlJoint.id, relation_status: "local" });
    expect(w.events(m.id).map((e) => e.kind)).toEqual(["transfer_issued", "transfer_completed"]);

    for (const [agent, action, body] of [
      [w.secJoint, "accept", { receiptOn: today }],
      [w.secJoint, "return", { returnReason: "x" }],
      [w.secDl, "cancel", { cancelReason: "x" }],
      [w.clerkDl, "cancel", { cancelReason: "x" }],
    ] as const) {
      const r = await post(agent, `/transfers/${id}/${action}`, body);
      expect(r.status, action).toBe(409);
      expect(r.text).toContain("该转接已完成");
    }
    expect(w.transfer(id).state).toBe("completed");
    expect(w.member(m.id).org_id).toBe(w.city.dlJoint.id);
    expect(w.events(m.id)).toHaveLength(2);
  });

  it("pending → returned: the receiver returns with a reason; the member stays; no further step", async () => {
    const id = await pendingInternal();
    expect((await post(w.secDl, `/transfers/${id}/return`, { returnReason: "不对" })).status).toBe(403);
    const empty = await post(w.secJoint, `/transfers/${id}/return`, { returnReason: "  " });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain("请填写退回原因");
    const res = await post(w.secJoint, `/transfers/${id}/return`, { returnReason: "该同志未在本单位就业" });
    expect(res.status).toBe(303);
    expect(w.transfer(id)).toMatchObject({ state: "returned", return_reason: "该同志未在本单位就业", receipt_on: null });
    expect(w.member(m.id)).toMatchObject({ org_id: w.city.dlBranch.id, relation_status: "local" });
    expect((await post(w.secJoint, `/transfers/${id}/accept`, { receiptOn: today })).status).toBe(409);
    expect((await post(w.secDl, `/transfers/${id}/cancel`, { cancelReason: "x" })).status).toBe(409);
    // The member can now be sent again.
    expect((await issueInternal(w.secDl, m.id, w.city.psBranch.id)).status).toBe(303);
  });

  it("pending → cancelled: only the sender cancels; the member stays; no further step", async () => {
    const id = await pendingInternal();
    expect((await post(w.secJoint, `/transfers/${id}/cancel`, { cancelReason: "x" })).status).toBe(403);
    const res = await post(w.secDl, `/transfers/${id}/cancel`, { cancelReason: "党员本人改变主意" });
    expect(res.status).toBe(303);
    expect(w.transfer(id)).toMatchObject({ state: "cancelled", return_reason: "党员本人改变主意" });
    expect(w.member(m.id)).toMatchObject({ org_id: w.city.dlBranch.id, relation_status: "local" });
    expect((await post(w.secJoint, `/transfers/${id}/accept`, { receiptOn: today })).status).toBe(409);
    expect((await post(w.secJoint, `/transfers/${id}/return`, { returnReason: "x" })).status).toBe(409);
    expect(w.events(m.id).map((e) => e.kind)).toEqual(["transfer_issued", "transfer_cancelled"]);
  });

  it("crosses committees: the other committee's secretary accepts and the sender loses sight of the member, not of the transfer", async () => {
    const res = await issueInternal(w.secDl, m.id, w.city.psBranch.id);
    const id = idFrom(res.headers.location);
    const inbox = await w.secPs.get("/inbox");
    expect(inbox.text).toContain(m.name);
    expect((await w.secPs.get(`/transfers/${id}`)).status).toBe(200);
    expect((await post(w.secPs, `/transfers/${id}/accept`, { receiptOn: today })).status).toBe(303);
    expect(w.member(m.id)).toMatchObject({ org_id: w.city.psBranch.id, relation_status: "local" });
    expect((await w.secDl.get(`/members/${m.id}/mobile`)).status).toBe(404);
    expect((await w.secPs.get(`/members/${m.id}/mobile`)).status).toBe(200);
    expect((await w.secDl.get(`/transfers/${id}`)).status).toBe(200);
  });

  it("a clerk above both branches may accept (and cancel) as either side", async () => {
    const id = await pendingInternal();
    expect((await post(w.clerkDl, `/transfers/${id}/accept`, { receiptOn: today })).status).toBe(303);
    expect(w.member(m.id).org_id).toBe(w.city.dlJoint.id);
  });

  it("a receiving organization dissolved meanwhile cannot accept (409) and the member stays", async () => {
    const id = await pendingInternal();
    const setStatus = (s: string) =>
      w.t.handle.sqlite.prepare("UPDATE organizations SET status = ? WHERE id = ?").run(s, w.city.dlJoint.id);
    setStatus("dissolved");
    let res: Awaited<ReturnType<typeof post>>;
    try {
      res = await post(w.clerkDl, `/transfers/${id}/accept`, { receiptOn: today });
    } finally {
      setStatus("active");
    }
    expect(res.status).toBe(409);
    expect(res.text).toContain("已撤销");
    expect(w.transfer(id).state).toBe("pending");
    expect(w.member(m.id).org_id).toBe(w.city.dlBranch.id);
  });
});

describe("out of the system", () => {
  const outgoing = (a: Signed, memberId: number, over: Record<string, string | number> = {}) =>
    post(a, "/transfers", {
      kind: "outgoing",
      memberId,
      externalOrgName: "中共某县某镇某村支部委员会",
      issuedOn: today,
      duesPaidTo: today.slice(0, 7),
      ...over,
    });

  it("defaults to 30 days; completes when the sending side records the receipt; the member becomes transferred_out and stays", async () => {
    const res = await outgoing(w.secDl, m.id);
    expect(res.status).toBe(303);
    const id = idFrom(res.headers.location);
    expect(w.transfer(id)).toMatchObject({
      kind: "outgoing",
      valid_days: 30,
      to_org_id: null,
      external_org_name: "中共某县某镇某村支部委员会",
    });
    // Nobody in the system receives it: a receiving-side branch cannot act.
    expect((await post(w.secJoint, `/transfers/${id}/accept`, { receiptOn: today })).status).toBe(404);
    expect((await post(w.secDl, `/transfers/${id}/accept`, { receiptOn: today })).status).toBe(303);
    expect(w.transfer(id)).toMatchObject({ state: "completed", receipt_on: today });
    expect(w.member(m.id)).toMatchObject({
      org_id: w.city.dlBranch.id,
      relation_status: "transferred_out",
      left_on: today,
      left_reason: "transferred_out",
      relation_org_name: "中共某县某镇某村支部委员会",
    });
    expect((await post(w.secDl, `/transfers/${id}/return`, { returnReason: "x" })).status).toBe(409);
    // Out of the system the member cannot be sent again.
    const again = await outgoing(w.secDl, m.id);
    expect(again.status).toBe(422);
    expect(again.text).toContain("已转出");
  });

  it("takes a typed letter number (paper letter) and refuses a number already used", async () => {
    const res = await outgoing(w.secDl, m.id, { letterNumber: "菏道运〔2025〕12号" });
    expect(w.transfer(idFrom(res.headers.location)).letter_number).toBe("菏道运〔2025〕12号");
    const other = w.addMember(w.city.dlBranch.id);
    const dup = await outgoing(w.secDl, other.id, { letterNumber: "菏道运〔2025〕12号" });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain("已被使用");
  });

  it("the sending side records a return or cancels; an outside name is required", async () => {
    const missing = await outgoing(w.secDl, m.id, { externalOrgName: "" });
    expect(missing.status).toBe(422);
    expect(missing.text).toContain("请填写转往的系统外党组织名称");
    const id = idFrom((await outgoing(w.secDl, m.id)).headers.location);
    expect((await post(w.secDl, `/transfers/${id}/return`, { returnReason: "对方党组织名称有误" })).status).toBe(303);
    expect(w.transfer(id).state).toBe("returned");
    expect(w.member(m.id).relation_status).toBe("local");
    const id2 = idFrom((await outgoing(w.secDl, m.id)).headers.location);
    expect((await post(w.secDl, `/transfers/${id2}/cancel`, { cancelReason: "暂不转出" })).status).toBe(303);
    expect(w.transfer(id2).state).toBe("cancelled");
    expect(w.member(m.id).relation_status).toBe("local");
  });
});

describe("into the system", () => {
  let letterSeq = 0;
  const incoming = (a: Signed, memberId: number, toOrgId: number, over: Record<string, string | number> = {}) =>
    post(a, "/transfers", {
      kind: "incoming",
      memberId,
      toOrgId,
      externalOrgName: "中共某县某镇委员会",
      letterNumber: `某组转〔2025〕${++letterSeq}号`,
      issuedOn: today,
      ...over,
    });

  it("registers an outside letter; the receiving side accepts; the member becomes local there", async () => {
    const found = w.addMember(w.city.dl.id, { relationStatus: "unattached", relationOrgName: "中共某县某镇委员会" });
    expect((await incoming(w.clerkDl, found.id, w.city.dlJoint.id, { letterNumber: "" })).text).toContain(
      "请填写系统外党组织开具的介绍信编号",
    );
    const res = await incoming(w.clerkDl, found.id, w.city.dlJoint.id);
    expect(res.status).toBe(303);
    const id = idFrom(res.headers.location);
    expect(w.transfer(id)).toMatchObject({
      kind: "incoming",
      from_org_id: null,
      to_org_id: w.city.dlJoint.id,
      state: "pending",
      valid_days: 30,
    });
    expect(w.member(found.id).relation_status).toBe("unattached");
    // The receiving branch's secretary sees it in the inbox and accepts it; an outside sender cannot cancel here.
    expect((await w.secJoint.get("/inbox")).text).toContain(found.name);
    expect((await post(w.secJoint, `/transfers/${id}/cancel`, { cancelReason: "x" })).status).toBe(409);
    expect((await post(w.secDl, `/transfers/${id}/accept`, { receiptOn: today })).status).toBe(404);
    expect((await post(w.secJoint, `/transfers/${id}/accept`, { receiptOn: today })).status).toBe(303);
    expect(w.member(found.id)).toMatchObject({
      org_id: w.city.dlJoint.id,
      relation_status: "local",
      relation_org_name: null,
      managed_on: today,
    });
  });

  it("the receiving side may return it; the member stays unattached", async () => {
    const found = w.addMember(w.city.dl.id, { relationStatus: "unattached" });
    const id = idFrom((await incoming(w.clerkDl, found.id, w.city.dlJoint.id)).headers.location);
    expect((await post(w.secJoint, `/transfers/${id}/return`, { returnReason: "介绍信已过期" })).status).toBe(303);
    expect(w.transfer(id).state).toBe("returned");
    expect(w.member(found.id)).toMatchObject({ org_id: w.city.dl.id, relation_status: "unattached" });
  });

  it("refuses an incoming letter for a member whose relationship is already here, and a branch outside the actor's scope", async () => {
    const local = await incoming(w.secDl, m.id, w.city.dlBranch.id);
    expect(local.status).toBe(422);
    expect(local.text).toContain("请选“系统内转接”");
    const found = w.addMember(w.city.dl.id, { relationStatus: "unattached" });
    const far = await incoming(w.clerkDl, found.id, w.city.psBranch.id);
    expect(far.status).toBe(422);
    expect(far.text).toContain("只能转入您管辖范围内的党组织");
  });
});

describe("correcting a mistake with a new linked entry", () => {
  it("a completed transfer is corrected by a new transfer that links to it; the old one is untouched", async () => {
    const id = await pendingInternal();
    await post(w.secJoint, `/transfers/${id}/accept`, { receiptOn: today });
    const before = w.transfer(id);
    // The wrong branch received the member: the receiving side sends them on, linking the mistake.
    const res = await issueInternal(w.secJoint, m.id, w.city.psBranch.id, { correctsTransferId: id, reason: "误转，更正" });
    expect(res.status).toBe(303);
    const fixId = idFrom(res.headers.location);
    expect(w.transfer(fixId)).toMatchObject({ corrects_transfer_id: id, from_org_id: w.city.dlJoint.id });
    expect(w.transfer(id)).toEqual(before);
    const page = await w.secJoint.get(`/transfers/${id}`);
    expect(page.text).toContain("已被更正");
    const fixPage = await w.secJoint.get(`/transfers/${fixId}`);
    expect(fixPage.text).toContain(`本条更正 <a href="/transfers/${id}">${before.letter_number}</a>`);
    // A pending transfer is not corrected: it is cancelled or returned.
    const other = w.addMember(w.city.dlBranch.id);
    const pendingId = idFrom((await issueInternal(w.secDl, other.id, w.city.dlJoint.id)).headers.location);
    const refuse = await issueInternal(w.secDl, other.id, w.city.psBranch.id, { correctsTransferId: pendingId });
    expect(refuse.status).toBe(422);
    expect(refuse.text).toContain("待接收的转接不需要更正");
  });
});

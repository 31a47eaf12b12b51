// The dues ledger through HTTP: rates and the irregular-income base, closing a month, no edit after
// closing, corrections, the transfer letter's 党费交至, the unpaid flags, figures equal to their
// lists, and scope (another branch's member in a bulk POST, forged ids, hostile amounts).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { todayIso } from "../../../server/domain/dates.js";
import { addMonthsToMonth } from "../../../server/domain/dues-rules.js";
import { systemActor } from "../../../server/policy/actor.js";
import { lastDayOfMonth, readSnapshot, takeSnapshot } from "../../../server/services/coverage/snapshots.js";
import { closeMonth, duesFigureRows, duesFigures, monthsUnpaid } from "../../../server/services/dues/dues.service.js";
import { type DuesWorld, post, world } from "./helpers.js";

let w: DuesWorld;
beforeAll(async () => {
  w = await world();
});
afterAll(() => w.t.close());

const today = todayIso();
const thisMonth = today.slice(0, 7);
const lastMonth = addMonthsToMonth(thisMonth, -1);
const ago = (n: number) => addMonthsToMonth(thisMonth, -n);

function entry(a: Parameters<typeof post>[0], orgId: number, month: string, rows: Record<string, string>, ids: number[]) {
  return post(a, `/dues/orgs/${orgId}/entry`, { month, paidOn: today, collector: "王书记", ...rows, ids: ids as never });
}

describe("rates and the base", () => {
  it("records the month's bulk entry: official brackets at their boundaries, irregular income on the quarter's average, 0.2 yuan flat", async () => {
    const b = w.branch(w.city.dl.id);
    const [m1, m2, m3, m4, m5] = [1, 2, 3, 4, 5].map(() => w.addMember(b.id));
    const res = await entry(
      w.clerkDl,
      b.id,
      thisMonth,
      {
        [`income_${m1!.id}`]: "3000",
        [`full_${m1!.id}`]: "1",
        [`method_${m1!.id}`]: "cash",
        [`income_${m2!.id}`]: "3000.01",
        [`full_${m2!.id}`]: "1",
        [`method_${m2!.id}`]: "online",
        [`basis_${m3!.id}`]: "irregular",
        [`income_${m3!.id}`]: "13,500",
        [`full_${m3!.id}`]: "1",
        [`method_${m3!.id}`]: "transfer",
        [`basis_${m4!.id}`]: "flat",
        [`full_${m4!.id}`]: "1",
        [`method_${m4!.id}`]: "cash",
        [`income_${m5!.id}`]: "12000",
        [`paid_${m5!.id}`]: "100",
        [`method_${m5!.id}`]: "cash",
      },
      [m1!.id, m2!.id, m3!.id, m4!.id, m5!.id],
    );
    expect(res.status, res.text).toBe(303);
    const one = (id: number) => w.entries(id)[0]!;
    expect(one(m1!.id)).toMatchObject({
      basis: "regular",
      base_fen: 300_000,
      rate_bp: 50,
      due_fen: 1_500,
      paid_fen: 1_500,
      method: "cash",
      collector: "王书记",
    });
    expect(one(m2!.id)).toMatchObject({ base_fen: 300_001, rate_bp: 100, due_fen: 3_000 });
    expect(one(m3!.id)).toMatchObject({ basis: "irregular", base_fen: 450_000, rate_bp: 100, due_fen: 4_500, paid_fen: 4_500 });
    expect(one(m4!.id)).toMatchObject({ basis: "flat", base_fen: null, due_fen: 20, paid_fen: 20 });
    expect(one(m5!.id)).toMatchObject({ base_fen: 1_200_000, rate_bp: 200, due_fen: 24_000, paid_fen: 10_000 });
    const page = await w.clerkDl.get(`/dues/orgs/${b.id}?month=${thisMonth}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("240.00"); // m5's due, in yuan
    expect(page.text).toMatch(/data-total="unpaid">1</); // m5 paid part only
    expect(w.audit("dues_record").some((a) => a.entity_id === `${b.id}:${thisMonth}`)).toBe(true);
  });

  it("refuses hostile amounts with the field named, and writes nothing", async () => {
    const b = w.branch(w.city.dl.id);
    const m = w.addMember(b.id);
    const before = w.count("dues_entries");
    for (const [field, value, message] of [
      ["paid", "-5", "实交金额应为不小于 0 的金额"],
      ["paid", "1.234", "最多两位小数"],
      ["paid", "99999999999", "实交金额超出合理范围"],
      ["income", "1e9", "收入应为不小于 0 的金额"],
      ["months", "13", "连交月数应为 1 到 12"],
    ] as const) {
      const res = await entry(
        w.clerkDl,
        b.id,
        thisMonth,
        { [`${field}_${m.id}`]: value, [`method_${m.id}`]: "cash", [`income_${m.id}`]: field === "income" ? value : "3000" },
        [m.id],
      );
      expect(res.status, `${field}=${value}`).toBe(422);
      expect(res.text).toContain(message);
      expect(res.text).toContain(`value="${value}"`); // what was typed stays
    }
    const noMethod = await entry(w.clerkDl, b.id, thisMonth, { [`income_${m.id}`]: "3000", [`full_${m.id}`]: "1" }, [m.id]);
    expect(noMethod.status).toBe(422);
    expect(noMethod.text).toContain("请选择交纳方式");
    expect(w.count("dues_entries")).toBe(before);
  });
});

describe("closing a month, and no edit after it", () => {
  it("closes only when every member is paid or delayed with a reason; then refuses edits; a correction is a new linked entry", async () => {
    const b = w.branch(w.city.dl.id);
    const [paid, late] = [w.addMember(b.id, { name: "甲交足" }), w.addMember(b.id, { name: "乙未交" })];
    const first = await entry(
      w.clerkDl,
      b.id,
      lastMonth,
      { [`income_${paid.id}`]: "4000", [`full_${paid.id}`]: "1", [`method_${paid.id}`]: "cash", [`income_${late.id}`]: "4000" },
      [paid.id, late.id],
    );
    expect(first.status, first.text).toBe(303);
    const refused = await post(w.clerkDl, `/dues/orgs/${b.id}/close`, { month: lastMonth });
    expect(refused.status).toBe(422);
    expect(refused.text).toContain("乙未交");
    expect(w.closing(b.id, lastMonth)).toBeUndefined();

    const delayed = await entry(w.clerkDl, b.id, lastMonth, { [`income_${late.id}`]: "4000", [`delay_${late.id}`]: "外出跑车，下月补交" }, [
      late.id,
    ]);
    expect(delayed.status).toBe(303);
    const closed = await post(w.clerkDl, `/dues/orgs/${b.id}/close`, { month: lastMonth });
    expect(closed.status, closed.text).toBe(303);
    expect(w.closing(b.id, lastMonth)).toMatchObject({ members: 2, due_fen: 8_000, paid_fen: 4_000 });

    // No edit after closing: the form's POST, and the database itself.
    const original = w.entries(paid.id)[0]!;
    const edit = await entry(
      w.clerkDl,
      b.id,
      lastMonth,
      { [`income_${paid.id}`]: "1", [`full_${paid.id}`]: "1", [`method_${paid.id}`]: "cash" },
      [paid.id],
    );
    expect(edit.status).toBe(409);
    expect(w.entries(paid.id)).toEqual([original]);
    expect(() => w.t.handle.sqlite.prepare("UPDATE dues_entries SET paid_fen = 0 WHERE id = ?").run(original.id)).toThrow(/closed/);
    expect(() => w.t.handle.sqlite.prepare("DELETE FROM dues_entries WHERE id = ?").run(original.id)).toThrow(/never deleted/);
    const twice = await post(w.clerkDl, `/dues/orgs/${b.id}/close`, { month: lastMonth });
    expect(twice.status).toBe(409);

    // A correction: a new entry linked to the original, which stays as it was.
    const fix = await post(w.clerkDl, `/dues/entries/${original.id}/correct`, {
      basis: "regular",
      income: "5000",
      paid: "50",
      paidOn: today,
      method: "transfer",
      note: "收入登记错误",
    });
    expect(fix.status, fix.text).toBe(303);
    const [orig, corr] = w.entries(paid.id);
    expect(orig).toEqual(original);
    expect(corr).toMatchObject({
      corrects_entry_id: original.id,
      month: lastMonth,
      base_fen: 500_000,
      due_fen: 5_000,
      paid_fen: 5_000,
      note: "收入登记错误",
    });
    const history = await w.clerkDl.get(`/dues/members/${paid.id}`);
    expect(history.text).toContain("已被更正");
    // The original cannot be corrected a second time; an open month's entry is edited, not corrected.
    expect((await post(w.clerkDl, `/dues/entries/${original.id}/correct`, { basis: "flat", note: "再改" })).status).toBe(409);
    const open = await entry(w.clerkDl, b.id, thisMonth, { [`income_${paid.id}`]: "4000" }, [paid.id]);
    expect(open.status).toBe(303);
    const openId = w.entries(paid.id).find((e) => e.month === thisMonth)!.id;
    expect((await post(w.clerkDl, `/dues/entries/${openId}/correct`, { basis: "flat", note: "改" })).status).toBe(409);
    expect(w.audit("dues_correct")).toHaveLength(1);
  });
});

describe("the transfer letter's 党费交至", () => {
  it("is the ledger's last month paid in full, whatever is typed; blank without a ledger", async () => {
    const b = w.branch(w.city.dl.id);
    const m = w.addMember(b.id);
    w.record(b.id, ago(2), { [`income_${m.id}`]: "3000", [`full_${m.id}`]: "1", [`method_${m.id}`]: "cash" }, [m.id], today);
    w.record(b.id, lastMonth, { [`income_${m.id}`]: "3000", [`paid_${m.id}`]: "5", [`method_${m.id}`]: "cash" }, [m.id], today);
    const form = await w.clerkDl.get(`/transfers/new?member=${m.id}&kind=internal`);
    expect(form.text).toContain(ago(2));
    const res = await post(w.clerkDl, "/transfers", {
      kind: "internal",
      memberId: m.id,
      toOrgId: w.city.dlJoint.id,
      issuedOn: today,
      duesPaidTo: "2020-01",
    });
    expect(res.status, res.text).toBe(303);
    const id = Number(/\/transfers\/(\d+)$/.exec(res.headers.location ?? "")![1]);
    expect(w.transfer(id).dues_paid_to).toBe(ago(2)); // not the part-paid last month, not what was typed
    const letter = await w.clerkDl.get(`/transfers/${id}/letter`);
    const [y, mo] = ago(2).split("-").map(Number);
    expect(letter.text).toContain(`${y}`);
    expect(letter.text).toContain(`${mo}`);

    const none = w.addMember(b.id);
    const res2 = await post(w.clerkDl, "/transfers", {
      kind: "outgoing",
      memberId: none.id,
      externalOrgName: "中共某村支部委员会",
      issuedOn: today,
    });
    expect(res2.status, res2.text).toBe(303);
    expect(w.transfer(Number(/(\d+)$/.exec(res2.headers.location ?? "")![1])).dues_paid_to).toBeNull();
  });
});

describe("the unpaid flags", () => {
  it("flags six months unpaid and warns at three, on the inbox, the dashboard and their lists; delayed months with a reason do not count", async () => {
    const b = w.branch(w.city.dl.id);
    const six = w.addMember(b.id, { name: "丙六月" });
    const three = w.addMember(b.id, { name: "丁三月" });
    const excused = w.addMember(b.id, { name: "戊缓交" });
    const pay = (id: number) => ({ [`income_${id}`]: "3000", [`full_${id}`]: "1", [`method_${id}`]: "cash" });
    const asOfThen = (n: number) => `${ago(n)}-28`;
    // Everyone paid eight months ago; then `three` paid until four months ago; `excused` is delayed with a reason since.
    w.record(b.id, ago(8), { ...pay(six.id), ...pay(three.id), ...pay(excused.id) }, [six.id, three.id, excused.id], asOfThen(8));
    for (let n = 7; n >= 4; n--) w.record(b.id, ago(n), pay(three.id), [three.id], asOfThen(n));
    for (let n = 7; n >= 1; n--)
      w.record(b.id, ago(n), { [`income_${excused.id}`]: "3000", [`delay_${excused.id}`]: "因病住院" }, [excused.id], asOfThen(n));

    const months = monthsUnpaid(w.t.handle.db, [six.id, three.id, excused.id], today);
    expect(Object.fromEntries(months)).toEqual({ [six.id]: 7, [three.id]: 3, [excused.id]: 0 });

    const inbox = await w.clerkDl.get("/inbox");
    expect(inbox.text).toContain("丙六月");
    expect(inbox.text).not.toContain("丁三月");
    const flagged = await w.clerkDl.get("/dues/unpaid");
    expect(flagged.text).toContain("丙六月");
    expect(flagged.text).not.toContain("丁三月");
    const warned = await w.clerkDl.get("/dues/unpaid?level=warning");
    expect(warned.text).toContain("丁三月");
    expect(warned.text).not.toContain("丙六月");
    expect(warned.text).not.toContain("戊缓交");
    const dash = await w.clerkDl.get("/");
    expect(dash.text).toMatch(/data-figure="dues.unpaid6"><span class="n">\d+/);
    const memberPage = await w.clerkDl.get(`/members/${six.id}`);
    expect(memberPage.text).toContain('id="dues-glance"');
    expect(memberPage.text).toMatch(/已 <strong>7<\/strong> 个月未交/);
    // Another committee sees none of it.
    expect((await w.clerkPs.get("/dues/unpaid")).text).not.toContain("丙六月");
    expect((await w.clerkPs.get("/inbox")).text).not.toContain("丙六月");
  });

  it("the dashboard's dues cards follow a dues write at once (they are kept with the dashboard's other cards)", async () => {
    const unpaid6 = async () =>
      Number(/data-figure="dues.unpaid6"><span class="n">([\d,]+)/.exec((await w.clerkDl.get("/")).text)![1]!.replace(/,/g, ""));
    const b = w.branch(w.city.dl.id);
    const m = w.addMember(b.id, { name: "己新账" });
    const before = await unpaid6();
    // The branch's first ledger month, eight months ago: from then on the member owes, seven months unpaid.
    w.record(b.id, ago(8), { [`income_${m.id}`]: "3000", [`full_${m.id}`]: "1", [`method_${m.id}`]: "cash" }, [m.id], `${ago(8)}-28`);
    expect(await unpaid6()).toBe(before + 1);
  });

  it("refuses a back payment over six months", async () => {
    const b = w.branch(w.city.dl.id);
    const m = w.addMember(b.id);
    const res = await entry(w.clerkDl, b.id, ago(7), { [`income_${m.id}`]: "3000", [`full_${m.id}`]: "1", [`method_${m.id}`]: "cash" }, [
      m.id,
    ]);
    expect(res.status).toBe(422);
    expect(res.text).toContain("补交党费一般不超过 6 个月");
  });
});

describe("figures equal their lists", () => {
  it("collected and the share paid for a month are the sums of the rows behind them", async () => {
    const db = w.t.handle.db;
    for (const actor of [systemActor(), { ...systemActor(), role: "clerk" as const, orgPath: w.city.dl.path, orgId: w.city.dl.id }]) {
      for (const month of [thisMonth, lastMonth]) {
        const f = duesFigures(db, actor, month);
        const rows = duesFigureRows(db, actor, month);
        expect(rows.length).toBe(f.members);
        expect(rows.filter((r) => r.state === "paid").length).toBe(f.paid);
        expect(duesFigureRows(db, actor, month, null, "paid").length).toBe(f.paid);
        expect(rows.filter((r) => r.state === "delayed").length).toBe(f.delayed);
        expect(rows.reduce((s, r) => s + r.paidFen, 0)).toBe(f.collectedFen);
        expect(rows.reduce((s, r) => s + r.dueFen, 0)).toBe(f.dueFen);
      }
    }
    expect(duesFigures(db, systemActor(), thisMonth).members).toBeGreaterThan(0);
    const page = await w.clerkDl.get(`/dues/collected?month=${thisMonth}`);
    const n = Number(/data-figure="members">(\d+)</.exec(page.text)![1]);
    expect((page.text.match(/<tr data-member=/g) ?? []).length).toBe(n);
  });
});

describe("scope", () => {
  it("a secretary writes only her branch; a member of another branch in a bulk POST is refused whole; supervisors read", async () => {
    const own = w.city.dlBranch.id;
    const mine = w.addMember(own);
    const theirs = w.city.psMember;
    const before = w.count("dues_entries");
    const pay = (id: number) => ({ [`income_${id}`]: "3000", [`full_${id}`]: "1", [`method_${id}`]: "cash" });
    const mixed = await entry(w.secDl, own, thisMonth, { ...pay(mine.id), ...pay(theirs.id) }, [mine.id, theirs.id]);
    expect(mixed.status).toBe(422);
    expect(mixed.text).toContain("不属于本支部本月党费名单");
    expect(w.count("dues_entries")).toBe(before);
    expect((await entry(w.secDl, w.city.psBranch.id, thisMonth, pay(theirs.id), [theirs.id])).status).toBe(404);
    expect((await entry(w.secDl, w.city.dlJoint.id, thisMonth, {}, [])).status).toBe(404);
    expect((await entry(w.clerkPs, own, thisMonth, pay(mine.id), [mine.id])).status).toBe(404);
    expect((await entry(w.supervisor, own, thisMonth, pay(mine.id), [mine.id])).status).toBe(403);
    expect(w.count("dues_entries")).toBe(before);
    expect((await entry(w.secDl, own, thisMonth, pay(mine.id), [mine.id])).status).toBe(303);

    expect((await w.supervisor.get(`/dues/orgs/${own}?month=${thisMonth}`)).status).toBe(200);
    expect((await w.secPs.get(`/dues/orgs/${own}`)).status).toBe(404);
    expect((await w.secDl.get(`/dues/members/${theirs.id}`)).status).toBe(404);
    // A forged entry id of another committee: not found, nothing written.
    const entryId = w.entries(mine.id)[0]!.id;
    expect((await post(w.clerkPs, `/dues/entries/${entryId}/correct`, { basis: "flat", note: "伪造" })).status).toBe(404);
    expect(
      (
        await post(w.secPs, `/dues/members/${mine.id}/reductions`, {
          kind: "exempt",
          fromMonth: thisMonth,
          reason: "x",
          approvedBy: "x",
          approvedOn: today,
        })
      ).status,
    ).toBe(404);
  });

  it("a reduction with its approval sets the due of the months it covers", async () => {
    const b = w.branch(w.city.dl.id);
    const m = w.addMember(b.id);
    const r = await post(w.clerkDl, `/dues/members/${m.id}/reductions`, {
      kind: "reduced",
      amount: "1",
      fromMonth: thisMonth,
      reason: "家庭困难",
      approvedBy: "党支部委员会",
      approvedOn: today,
    });
    expect(r.status, r.text).toBe(303);
    const res = await entry(w.clerkDl, b.id, thisMonth, { [`income_${m.id}`]: "9000", [`full_${m.id}`]: "1", [`method_${m.id}`]: "cash" }, [
      m.id,
    ]);
    expect(res.status).toBe(303);
    expect(w.entries(m.id)[0]).toMatchObject({ basis: "reduced", due_fen: 100, paid_fen: 100 });
  });
});

describe("the summary and its workbook", () => {
  it("shows the committee's branches by month and exports them, audited", async () => {
    const page = await w.clerkDl.get("/dues");
    expect(page.status).toBe(200);
    expect(page.text).toContain(w.city.dlBranch.name);
    expect(page.text).not.toContain(w.city.psBranch.name);
    const before = w.audit("export").length;
    const x = await w.clerkDl.get(`/dues/export.xlsx?year=${thisMonth.slice(0, 4)}`).buffer(true);
    expect(x.status).toBe(200);
    expect(x.headers["content-type"]).toContain("spreadsheetml");
    const audits = w.audit("export");
    expect(audits.length).toBe(before + 1);
    expect(JSON.parse(audits.at(-1)!.details)).toMatchObject({ kind: "dues", completed: true });
  });
});

describe("monthly snapshots keep the dues figures", () => {
  it("a final snapshot holds the month's collected and share paid; a later correction changes the live figures, not the snapshot", async () => {
    const db = w.t.handle.db;
    const b = w.branch(w.city.dl.id);
    const m = w.addMember(b.id);
    w.record(b.id, lastMonth, { [`income_${m.id}`]: "3000", [`full_${m.id}`]: "1", [`method_${m.id}`]: "cash" }, [m.id], today);
    closeMonth(db, systemActor(), b.id, lastMonth, today);
    const { report } = takeSnapshot(db, w.city.dl.id, { asOf: lastDayOfMonth(lastMonth), final: true });
    const live = () => duesFigures(db, systemActor(), lastMonth, w.city.dl.id);
    expect(report.dues).toEqual(live());
    const entryId = w.entries(m.id)[0]!.id;
    const fix = await post(w.clerkDl, `/dues/entries/${entryId}/correct`, {
      basis: "flat",
      paid: "0.2",
      paidOn: today,
      method: "cash",
      note: "学生",
    });
    expect(fix.status).toBe(303);
    expect(live().collectedFen).toBe(report.dues!.collectedFen - 1_500 + 20);
    expect(readSnapshot(db, w.city.dl.id, lastMonth)!.dues).toEqual(report.dues);
  });
});

// The drift-risk list (流失风险): each signal appears with its cause and disappears when the cause is
// answered through the app; the counts (list cards, dashboard card, inbox) equal the rows; filters,
// scope, and the workbook (masked by role, audited).

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LOST_CONTACT_REASON } from "../../../server/domain/codes.js";
import { addDays, addMonths, todayIso } from "../../../server/domain/dates.js";
import { addMonthsToMonth } from "../../../server/domain/dues-rules.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { maskIdNumber } from "../../../server/domain/masking.js";
import { RISK_SIGNAL_CODES } from "../../../server/domain/risk-rules.js";
import { readWorkbook } from "../../unit/export/xlsx-helpers.js";
import { type DuesWorld, world } from "../dues/helpers.js";
import { idFrom, post, type Signed } from "../transfers/helpers.js";

let w: DuesWorld;
beforeAll(async () => {
  w = await world();
});
afterAll(() => w.t.close());

const today = todayIso();
const reason = Object.keys(LOST_CONTACT_REASON.label)[0]!;

/** The rows of /risk as [subject:id, [signals]]. */
async function riskRows(a: Signed, query = "") {
  const res = await a.get(`/risk${query}`);
  expect(res.status).toBe(200);
  const rows = new Map<string, string[]>();
  for (const m of res.text.matchAll(/<tr data-subject="(\w+)" data-id="(\d+)">([\s\S]*?)<\/tr>/g)) {
    rows.set(
      `${m[1]}:${m[2]}`,
      [...m[3]!.matchAll(/data-signal="(\w+)"/g)].map((s) => s[1]!),
    );
  }
  const counts = Object.fromEntries(
    [...res.text.matchAll(/data-risk="(\w+)"><span class="n">([\d,]+)</g)].map((m) => [m[1], Number(m[2]!.replace(/,/g, ""))]),
  );
  return { rows, counts, text: res.text };
}

describe("each signal appears with its cause and disappears when it is answered", () => {
  it("out of contact: high, grave after six months; restoring contact ends it", async () => {
    const m = w.addMember(w.city.dlBranch.id);
    expect((await riskRows(w.secDl)).rows.has(`member:${m.id}`)).toBe(false);
    expect(
      (await post(w.secDl, `/members/${m.id}/contact/lost`, { lostContactOn: addMonths(today, -7), lostContactReason: reason })).status,
    ).toBe(303);
    const r = await riskRows(w.secDl);
    expect(r.rows.get(`member:${m.id}`)).toEqual(["lost_contact"]);
    expect(r.text).toMatch(new RegExp(`data-id="${m.id}">\\s*<td class="key nw" data-label="风险程度"><span class="tag red">严重`));
    expect(r.text).toContain(`href="/members/${m.id}/mobile">恢复联系`);
    expect((await post(w.secDl, `/members/${m.id}/contact/restore`, { restoredOn: today })).status).toBe(303);
    expect((await riskRows(w.secDl)).rows.has(`member:${m.id}`)).toBe(false);
  });

  it("a transfer letter past its validity: the six-month point makes it grave; accepting ends it", async () => {
    const m = w.addMember(w.city.dlBranch.id);
    const res = await post(w.secDl, "/transfers", {
      kind: "internal",
      memberId: m.id,
      toOrgId: w.city.dlJoint.id,
      issuedOn: addMonths(today, -7),
      duesPaidTo: today.slice(0, 7),
    });
    expect(res.status).toBe(303);
    const id = idFrom(res.headers.location);
    const r = await riskRows(w.secDl);
    expect(r.rows.get(`member:${m.id}`)).toEqual(["transfer_overdue"]);
    expect(r.text).toContain("按规定视为自行脱党");
    expect(r.text).toContain(`href="/transfers/${id}">催办转接`);
    // Not yet six months past the validity: high, not grave.
    w.t.handle.sqlite.prepare("UPDATE transfers SET deadline_on = ? WHERE id = ?").run(addDays(today, -3), id);
    const r2 = await riskRows(w.secDl);
    expect(r2.text).toMatch(new RegExp(`data-id="${m.id}">\\s*<td class="key nw" data-label="风险程度"><span class="tag yellow">较高`));
    expect((await post(w.secJoint, `/transfers/${id}/accept`, { receiptOn: today })).status).toBe(303);
    expect((await riskRows(w.secDl)).rows.has(`member:${m.id}`)).toBe(false);
    expect((await riskRows(w.secJoint)).rows.has(`member:${m.id}`)).toBe(false);
  });

  it("a mobile member certificate expired: renewing it ends it", async () => {
    const m = w.addMember(w.city.dlBranch.id, { relationStatus: "unattached" });
    const reg = await post(w.secDl, `/members/${m.id}/mobile/in`, {
      orgId: w.city.dlBranch.id,
      homeOrgName: "中共某县某村支部委员会",
      certificateNumber: "LD-1",
      certificateValidUntil: addMonths(today, 1),
      // Managed here since two months: not yet the three months without organizational life.
      startedOn: addMonths(today, -2),
    });
    expect(reg.status).toBe(303);
    expect((await riskRows(w.secDl)).rows.has(`member:${m.id}`)).toBe(false);
    w.t.handle.sqlite.prepare("UPDATE mobile_spells SET certificate_valid_until = ? WHERE member_id = ?").run(addDays(today, -1), m.id);
    expect((await riskRows(w.secDl)).rows.get(`member:${m.id}`)).toEqual(["mobile_expired"]);
    expect(
      (await post(w.secDl, `/members/${m.id}/mobile/renew`, { newCertificateNumber: "LD-2", newValidUntil: addMonths(today, 12) })).status,
    ).toBe(303);
    expect((await riskRows(w.secDl)).rows.has(`member:${m.id}`)).toBe(false);
  });

  it("left every platform: shown once all the member's roster rows are departed; a new platform ends it", async () => {
    const m = w.addMember(w.city.dlBranch.id, { occupation: "ride_hailing_driver" });
    const ins = w.t.handle.sqlite.prepare(
      "INSERT INTO workers (platform, id_number, name, org_id, first_seen_on, last_seen_on, left_on) VALUES (?, ?, ?, ?, '2024-01-01', ?, ?)",
    );
    ins.run("甲平台", m.idNumber, m.name, w.city.dl.id, addDays(today, -40), addDays(today, -30));
    ins.run("乙平台", m.idNumber, m.name, w.city.dl.id, addDays(today, -20), null);
    expect((await riskRows(w.secDl)).rows.has(`member:${m.id}`)).toBe(false);
    w.t.handle.sqlite
      .prepare("UPDATE workers SET left_on = ? WHERE id_number = ? AND platform = '乙平台'")
      .run(addDays(today, -10), m.idNumber);
    const r = await riskRows(w.secDl);
    expect(r.rows.get(`member:${m.id}`)).toEqual(["left_platforms"]);
    expect(r.text).toContain(`（${addDays(today, -10)}起）`);
    ins.run("丙平台", m.idNumber, m.name, w.city.dl.id, today, null);
    expect((await riskRows(w.secDl)).rows.has(`member:${m.id}`)).toBe(false);
  });

  it("a lead not verified after 30 days: verifying it ends it", async () => {
    const idNumber = makeIdNumber("371702", "1991-02-03", 777);
    const lead = w.t.handle.sqlite
      .prepare(
        "INSERT INTO leads (id_number, name, channel, committee_id, found_on, occupation) VALUES (?, '赵线索', 'field_visit', ?, ?, 'courier') RETURNING id",
      )
      .get(idNumber, w.city.dl.id, addDays(today, -30)) as { id: number };
    const r = await riskRows(w.clerkDl);
    expect(r.rows.get(`lead:${lead.id}`)).toEqual(["lead_unverified"]);
    expect(r.text).toContain(`href="/leads/${lead.id}">核实线索`);
    // A secretary's branch holds no leads; the other committee sees nothing of it.
    expect((await riskRows(w.secDl)).rows.has(`lead:${lead.id}`)).toBe(false);
    expect((await riskRows(w.clerkPs)).rows.has(`lead:${lead.id}`)).toBe(false);
    w.t.handle.sqlite.prepare("UPDATE leads SET found_on = ? WHERE id = ?").run(addDays(today, -29), lead.id);
    expect((await riskRows(w.clerkDl)).rows.has(`lead:${lead.id}`)).toBe(false);
    w.t.handle.sqlite.prepare("UPDATE leads SET found_on = ? WHERE id = ?").run(addDays(today, -31), lead.id);
    expect(
      (await post(w.clerkDl, `/leads/${lead.id}/verify`, { branchId: w.city.dlBranch.id, category: "full", joinedOn: "2015-07-01" }))
        .status,
    ).toBe(303);
    expect((await riskRows(w.clerkDl)).rows.has(`lead:${lead.id}`)).toBe(false);
  });
});

/** The figures of a page's cards marked `attr`, e.g. the meetings' and the dues' own. */
async function figures(a: Signed, path: string, attr: string) {
  const text = (await a.get(path)).text;
  return Object.fromEntries(
    [...text.matchAll(new RegExp(`${attr}="([\\w.]+)"><span class="n">([\\d,]+)<`, "g"))].map((m) => [
      m[1],
      Number(m[2]!.replace(/,/g, "")),
    ]),
  );
}

const severityOf = (text: string, id: number) =>
  new RegExp(`data-id="${id}">\\s*<td class="key nw" data-label="风险程度"><span class="tag \\w+">([^<]+)<`).exec(text)?.[1];

describe("organizational life and dues, counted by their own areas' conditions", () => {
  it("no organizational life: high at three months, grave at six, as many as the meetings flags; attending a meeting ends it", async () => {
    const b = w.city.dlBranch.id;
    const six = w.addMember(b, { name: "甲半年", managedOn: addMonths(today, -7) });
    const three = w.addMember(b, { name: "乙三月", managedOn: addMonths(today, -3) });
    const notYet = w.addMember(b, { name: "丙未满", managedOn: addDays(addMonths(today, -3), 1) });
    const r = await riskRows(w.secDl);
    expect(r.rows.get(`member:${six.id}`)).toEqual(["no_org_life"]);
    expect(r.rows.get(`member:${three.id}`)).toEqual(["no_org_life"]);
    expect(r.rows.has(`member:${notYet.id}`)).toBe(false);
    expect(severityOf(r.text, six.id)).toBe("严重");
    expect(severityOf(r.text, three.id)).toBe("较高");
    expect(r.text).toContain(`（${addMonths(today, -7)}起）`);
    expect(r.text).toContain(`href="/meetings/org/${b}/new">登记组织生活`);
    // The figure equals the meetings area's two flags, for the secretary and the committee's clerk.
    for (const a of [w.secDl, w.clerkDl]) {
      const m = await figures(a, "/meetings", "data-meeting-figure");
      expect((await riskRows(a)).counts.no_org_life).toBe(m.lapsedWarning! + m.lapsedLimit!);
    }
    const csrf = await w.secDl.csrf(`/meetings/org/${b}/new`);
    const met = await w.secDl
      .post(`/meetings/org/${b}`)
      .type("form")
      .send({
        _csrf: csrf,
        type: "theme_day",
        heldOn: today,
        place: "站点",
        host: "书记",
        recorder: "委员",
        topic: "学习",
        present: [String(six.id)],
      });
    expect(met.status).toBe(303);
    const after = await riskRows(w.secDl);
    expect(after.rows.has(`member:${six.id}`)).toBe(false);
    expect(after.rows.get(`member:${three.id}`)).toEqual(["no_org_life"]);
    // Another committee sees none of it.
    expect((await riskRows(w.clerkPs)).rows.has(`member:${three.id}`)).toBe(false);
  });

  it("dues unpaid: high at three months, grave at six, as many as the dues flags; paying ends it", async () => {
    const thisMonth = today.slice(0, 7);
    const ago = (n: number) => addMonthsToMonth(thisMonth, -n);
    const b = w.branch(w.city.dl.id);
    const seven = w.addMember(b.id, { name: "丁七月" });
    const three = w.addMember(b.id, { name: "戊三月" });
    const paid = w.addMember(b.id, { name: "己按月" });
    const pay = (id: number) => ({ [`income_${id}`]: "3000", [`full_${id}`]: "1", [`method_${id}`]: "cash" });
    w.record(b.id, ago(8), { ...pay(seven.id), ...pay(three.id), ...pay(paid.id) }, [seven.id, three.id, paid.id], `${ago(8)}-28`);
    for (let n = 7; n >= 4; n--) w.record(b.id, ago(n), pay(three.id), [three.id], `${ago(n)}-28`);
    for (let n = 7; n >= 1; n--) w.record(b.id, ago(n), pay(paid.id), [paid.id], `${ago(n)}-28`);
    const r = await riskRows(w.clerkDl);
    expect(r.rows.get(`member:${seven.id}`)).toEqual(["dues_unpaid"]);
    expect(r.rows.get(`member:${three.id}`)).toEqual(["dues_unpaid"]);
    expect(r.rows.has(`member:${paid.id}`)).toBe(false);
    expect(severityOf(r.text, seven.id)).toBe("严重");
    expect(severityOf(r.text, three.id)).toBe("较高");
    expect(r.text).toContain(`（${ago(7)}-01起）`);
    expect(r.text).toContain(`${ago(7)}至${ago(1)}共7个月未交纳党费（已结清至${ago(8)}）`);
    expect(r.text).toContain(`href="/dues/members/${seven.id}">收缴党费`);
    const d = await figures(w.clerkDl, "/", "data-figure");
    expect(r.counts.dues_unpaid).toBe(d["dues.unpaid6"]! + d["dues.unpaid3"]!);
    // Paying last month through the bulk entry settles the member up to it.
    const res = await post(w.clerkDl, `/dues/orgs/${b.id}/entry`, {
      month: ago(1),
      paidOn: today,
      collector: "王书记",
      ...pay(seven.id),
      ids: [seven.id] as never,
    });
    expect(res.status).toBe(303);
    const after = await riskRows(w.clerkDl);
    expect(after.rows.has(`member:${seven.id}`)).toBe(false);
    expect(after.rows.get(`member:${three.id}`)).toEqual(["dues_unpaid"]);
    expect((await riskRows(w.clerkPs)).rows.has(`member:${three.id}`)).toBe(false);
  });
});

describe("a list with several signals, its figures and its filters", () => {
  let a: { id: number; idNumber: string };
  let b: { id: number };
  beforeAll(async () => {
    a = w.addMember(w.city.dlBranch.id, {
      occupation: "truck_driver",
      lostContactOn: addMonths(today, -2),
      lostContactReason: reason as never,
    });
    w.t.handle.sqlite
      .prepare(
        "INSERT INTO workers (platform, id_number, name, org_id, first_seen_on, last_seen_on, left_on) VALUES ('丁平台', ?, '多信号', ?, '2024-01-01', ?, ?)",
      )
      .run(a.idNumber, w.city.dl.id, addDays(today, -5), addDays(today, -4));
    b = w.addMember(w.city.dlJoint.id, { occupation: "courier", lostContactOn: addMonths(today, -8), lostContactReason: reason as never });
    w.addMember(w.city.psBranch.id, { lostContactOn: addMonths(today, -9), lostContactReason: reason as never });
  });

  it("one row per member with every signal; sorted by severity; counts equal the rows", async () => {
    const r = await riskRows(w.clerkDl);
    expect(r.rows.get(`member:${a.id}`)?.sort()).toEqual(["left_platforms", "lost_contact"]);
    const order = [...r.rows.keys()];
    expect(order.indexOf(`member:${b.id}`)).toBeLessThan(order.indexOf(`member:${a.id}`));
    expect(r.counts.total).toBe(r.rows.size);
    for (const code of RISK_SIGNAL_CODES) {
      const only = await riskRows(w.clerkDl, `?signal=${code}`);
      expect(only.rows.size, code).toBe(r.counts[code]);
      expect([...only.rows.values()].every((s) => s.includes(code))).toBe(true);
    }
    // The dashboard's card and the inbox count the same.
    const dash = await w.clerkDl.get("/");
    const card = Object.fromEntries(
      [...dash.text.matchAll(/data-risk="(\w+)"><span class="n">([\d,]+)</g)].map((m) => [m[1], Number(m[2])]),
    );
    expect(card).toEqual(r.counts);
    expect(dash.text).toContain('href="/risk?signal=lost_contact"');
    const inbox = await w.clerkDl.get("/inbox");
    expect(inbox.text).toContain(`<a href="/risk" data-risk="total">${r.counts.total} 人</a>`);
  });

  it("filters by branch, committee, signal and occupation; other committees' members never show", async () => {
    const byBranch = await riskRows(w.clerkDl, `?branch=${w.city.dlJoint.id}`);
    expect([...byBranch.rows.keys()]).toContain(`member:${b.id}`);
    expect(byBranch.rows.has(`member:${a.id}`)).toBe(false);
    const byOcc = await riskRows(w.clerkDl, "?occupation=truck_driver");
    expect([...byOcc.rows.keys()]).toEqual([`member:${a.id}`]);
    const byCommittee = await riskRows(w.admin, `?committee=${w.city.ps.id}`);
    expect(byCommittee.rows.size).toBeGreaterThan(0);
    const ps = await riskRows(w.clerkPs);
    expect([...byCommittee.rows.keys()].sort()).toEqual([...ps.rows.keys()].sort());
    expect(ps.rows.has(`member:${a.id}`) || ps.rows.has(`member:${b.id}`)).toBe(false);
    // Naming another committee's branch filters to nothing, it reveals nothing.
    expect((await riskRows(w.clerkPs, `?branch=${w.city.dlJoint.id}`)).rows.size).toBe(0);
    expect((await w.clerkDl.get("/risk?signal=nonsense")).status).toBe(400);
  });

  it("pages: 20 a page when asked, the pages together are the list in its order, the pager tells the total", async () => {
    for (let i = 0; i < 21; i++)
      w.addMember(w.city.dlBranch.id, { lostContactOn: addMonths(today, -2), lostContactReason: reason as never });
    const whole = await riskRows(w.clerkDl, "?size=100");
    expect(whole.rows.size).toBeGreaterThan(20);
    const pages: string[] = [];
    const count = Math.ceil(whole.rows.size / 20);
    for (let p = 1; p <= count; p++) {
      const page = await riskRows(w.clerkDl, `?size=20&page=${p}`);
      expect(page.rows.size).toBe(p < count ? 20 : whole.rows.size - 20 * (count - 1));
      // The cards still count the whole list, not the page.
      expect(page.counts.total).toBe(whole.rows.size);
      expect(page.text).toContain(`共 ${count} 页`);
      pages.push(...page.rows.keys());
    }
    expect(pages).toEqual([...whole.rows.keys()]);
    // Past the last page: the last page. A page size not offered: refused, named.
    const past = await riskRows(w.clerkDl, `?size=20&page=${count + 5}`);
    expect([...past.rows.keys()]).toEqual(pages.slice(20 * (count - 1)));
    const bad = await w.clerkDl.get("/risk?size=7");
    expect(bad.status).toBe(400);
    expect(bad.text).toContain("每页条数只能是");
  });

  it("the workbook: the list's rows, whole numbers for a clerk, masked for a secretary, each export audited", async () => {
    const before = w.audit("export").length;
    const full = await download(w.clerkDl, "/risk/download?occupation=truck_driver");
    expect(full.status).toBe(200);
    expect(full.headers["content-type"]).toContain("spreadsheetml");
    const ws = (await readWorkbook(full.body as Buffer)).worksheets[0]!;
    expect(ws.name).toBe("流失风险名单");
    expect(ws.rowCount).toBe(2);
    expect(ws.getRow(2).getCell(4).value).toBe(a.idNumber);
    expect(String(ws.getRow(2).getCell(10).value)).toContain("失去联系");
    const masked = await download(w.secDl, "/risk/download");
    const ws2 = (await readWorkbook(masked.body as Buffer)).worksheets[0]!;
    const ids = ws2.getColumn(4).values.slice(2);
    expect(ids).toContain(maskIdNumber(a.idNumber));
    expect(ids).not.toContain(a.idNumber);
    const audits = w.audit("export").slice(before);
    expect(audits).toHaveLength(2);
    expect(JSON.parse(audits[0]!.details)).toMatchObject({ kind: "risk", rows: 1, unmasked: true, completed: true });
    expect(JSON.parse(audits[1]!.details)).toMatchObject({ kind: "risk", unmasked: false, completed: true });
  });
});

function download(a: Signed, url: string) {
  return a
    .get(url)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => cb(null, Buffer.concat(chunks)));
    });
}

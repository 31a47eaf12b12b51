import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addDays, todayIso } from "../../../server/domain/dates.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { closeLink, createLink, type SelfReportLink } from "../../../server/services/finds/links.js";
import { createSelfReportLimiter } from "../../../server/services/finds/self-report.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { createTestApp, csrfFrom, signIn, type TestApp } from "../../helpers/app.js";

let t: TestApp;
let link: SelfReportLink;
beforeEach(async () => {
  t = await createTestApp();
  link = createLink(
    t.handle.db,
    clerk(),
    { label: "某某配送站", committeeId: null, enterpriseId: t.city.dlEnterprise.id, expiresOn: addDays(todayIso(), 30) },
    todayIso(),
  );
});
afterEach(() => t?.close());

const clerk = () => loadActor(t.handle.db, t.city.userIds.clerk!)!;
const ID = makeIdNumber("371702", "1988-03-12", 41);
const ID2 = makeIdNumber("371702", "1990-11-02", 42);

function formBody(over: Record<string, string> = {}) {
  return {
    name: "刘自报",
    idNumber: ID,
    phone: "13912340001",
    occupation: "truck_driver",
    platform: "某货运平台",
    homeOrgName: "某村党支部",
    joinedOn: "2012-07-01",
    consent: "on",
    ...over,
  };
}

/** A visitor's browser: opens the form (which starts an anonymous session), then posts it. */
async function visitor(token = link.token) {
  const agent = request.agent(t.app);
  const page = await agent.get(`/r/${token}`);
  return { agent, page, csrf: page.status === 200 ? csrfFrom(page.text) : "" };
}

async function submit(over: Record<string, string> = {}, token = link.token) {
  const v = await visitor(token);
  return v.agent
    .post(`/r/${token}`)
    .type("form")
    .send({ ...formBody(over), _csrf: v.csrf });
}

const leadRows = () =>
  t.handle.sqlite
    .prepare(
      "SELECT id, id_number AS idNumber, name, phone, channel, committee_id AS committeeId, self_report_link_id AS linkId, enterprise_id AS enterpriseId, note, status FROM leads ORDER BY id",
    )
    .all() as {
    id: number;
    idNumber: string;
    name: string;
    phone: string;
    channel: string;
    committeeId: number;
    linkId: number;
    enterpriseId: number;
    note: string | null;
    status: string;
  }[];

describe("public self-report form", () => {
  it("shows a phone form without the app's navigation, with a CSRF token and the consent in plain words", async () => {
    const { page } = await visitor();
    expect(page.status).toBe(200);
    expect(page.text).toContain("党员亮身份登记");
    expect(page.text).toContain("某某配送站");
    expect(page.text).toContain("我同意党组织");
    expect(page.text).not.toContain('aria-label="主导航"');
    expect(page.text).not.toMatch(/<script>|onclick=/);
  });

  it("turns a valid submission into a lead of the link's committee and confirms without echoing personal data", async () => {
    const res = await submit();
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/r/${link.token}/thanks`);
    const leads = leadRows();
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({
      idNumber: ID,
      name: "刘自报",
      phone: "13912340001",
      channel: "self_report",
      committeeId: t.city.dl.id,
      linkId: link.id,
      enterpriseId: t.city.dlEnterprise.id,
      status: "open",
    });
    const thanks = await request(t.app).get(res.headers.location!);
    expect(thanks.status).toBe(200);
    expect(thanks.text).toContain("提交成功");
    for (const personal of ["刘自报", ID, ID.slice(-4), "13912340001", "某村党支部"]) expect(thanks.text).not.toContain(personal);
    const audit = t.handle.sqlite.prepare("SELECT username, details FROM audit_log WHERE action = 'self_report'").get() as {
      username: string;
      details: string;
    };
    expect(JSON.parse(audit.details)).toMatchObject({ linkId: link.id, outcome: "created", consent: expect.any(String) });
    expect(audit.details).not.toContain(ID);
  });

  it("rejects an ID number with a wrong check digit, re-renders the form with the message, and stores nothing", async () => {
    const bad = ID.slice(0, 17) + (ID[17] === "1" ? "2" : "1");
    const res = await submit({ idNumber: bad });
    expect(res.status).toBe(422);
    expect(res.text).toContain("身份证号校验位不正确");
    expect(res.text).toContain('value="刘自报"');
    expect(leadRows()).toHaveLength(0);
  });

  it("requires the consent and a real phone number, naming the fields in Chinese", async () => {
    const res = await submit({ consent: "", phone: "12345" });
    expect(res.status).toBe(422);
    expect(res.text).toContain("请阅读说明并勾选同意后再提交");
    expect(res.text).toContain("手机号码应为 11 位");
    expect(leadRows()).toHaveLength(0);
  });

  it("refuses a date joined before the age of eighteen (the members' rule)", async () => {
    const res = await submit({ joinedOn: "1995-01-01" });
    expect(res.status).toBe(422);
    expect(res.text).toContain("入党时应年满十八周岁");
    expect(leadRows()).toHaveLength(0);
  });

  it("merges a second submission for the same ID number into the one lead, filling blanks and noting differences", async () => {
    await submit({ platform: "", phone: "13912340001" });
    const again = await submit({ platform: "某网约车平台", phone: "13912349999" });
    expect(again.status).toBe(303);
    const leads = leadRows();
    expect(leads).toHaveLength(1);
    expect(leads[0]!.phone).toBe("13912340001");
    const platform = t.handle.sqlite.prepare("SELECT platform FROM leads").pluck().get();
    expect(platform).toBe("某网约车平台");
    expect(leads[0]!.note).toContain("再次登记");
    expect(leads[0]!.note).toContain("139****9999");
    expect(leads[0]!.note).not.toContain("13912349999");
  });

  it("merges into a lead found by another channel and reopens a rejected one", async () => {
    t.handle.sqlite
      .prepare(
        "INSERT INTO leads (id_number, name, channel, committee_id, status, found_on, reject_reason) VALUES (?, '刘自报', 'platform_report', ?, 'rejected', '2024-01-01', '平台登记有误')",
      )
      .run(ID, t.city.dl.id);
    await submit();
    const leads = leadRows();
    expect(leads).toHaveLength(1);
    expect(leads[0]).toMatchObject({ channel: "platform_report", status: "open", linkId: link.id });
    expect(leads[0]!.note).toContain("平台登记有误");
  });

  it("lists on the leads page only the leads of the link chosen (?link=), with the link in the filter", async () => {
    const other = createLink(
      t.handle.db,
      clerk(),
      { label: "夜市驿站", committeeId: null, enterpriseId: null, expiresOn: addDays(todayIso(), 30) },
      todayIso(),
    );
    await submit();
    await submit({ idNumber: ID2, name: "王另报" }, other.token);
    const agent = await signIn(t.app, "t-clerk-dl");
    const first = await agent.get("/leads").query({ channel: "self_report", link: String(link.id) });
    expect(first.status).toBe(200);
    expect(first.text).toContain("刘自报");
    expect(first.text).not.toContain("王另报");
    expect(first.text).toContain(`<option value="${link.id}" selected>某某配送站</option>`);
    const second = await agent.get("/leads").query({ link: String(other.id) });
    expect(second.text).toContain("王另报");
    expect(second.text).not.toContain("刘自报");
    // The link page's count links to exactly that list.
    const detail = await agent.get(`/finds/links/${link.id}`);
    expect(detail.text).toContain(`href="/leads?channel=self_report&amp;link=${link.id}"`);
    expect((await agent.get("/leads").query({ link: "x' OR 1=1" })).status).toBe(400);
  });

  it("records nothing visible when the person is already a member: same page, no lead, a note on the member's timeline", async () => {
    const fresh = await submit({ idNumber: ID2 });
    const member = await submit({ idNumber: t.city.dlMember.idNumber, name: t.city.dlMember.name });
    expect(member.status).toBe(fresh.status);
    expect(member.headers.location).toBe(fresh.headers.location);
    expect(leadRows().map((l) => l.idNumber)).toEqual([ID2]);
    const ev = t.handle.sqlite.prepare("SELECT kind, details FROM member_events WHERE member_id = ?").all(t.city.dlMember.id) as {
      kind: string;
      details: string;
    }[];
    expect(ev.map((e) => e.kind)).toContain("self_reported");
    expect(JSON.parse(ev.find((e) => e.kind === "self_reported")!.details).linkId).toBe(link.id);
    // The clerk sees it counted on the link: one lead, one submission by a member.
    const page = await (await signIn(t.app, "t-clerk-dl")).get(`/finds/links/${link.id}`);
    expect(page.text).toMatch(/>1 条<\/a>/);
    expect(page.text).toContain("1 人次");
  });

  it("shows the clerk everything the form stored, escaped", async () => {
    await submit({ name: '<img src=x onerror="alert(1)">', homeOrgName: "<script>alert(2)</script>" });
    const agent = await signIn(t.app, "t-clerk-dl");
    const page = await agent.get(`/finds/links/${link.id}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain("&lt;img src=x onerror=&#34;alert(1)&#34;&gt;");
    expect(page.text).toContain("&lt;script&gt;alert(2)&lt;/script&gt;");
    expect(page.text).not.toContain("<script>alert(2)");
    expect(page.text).not.toContain(ID);
    expect(page.text).toContain(`${ID.slice(0, 6)}********${ID.slice(-4)}`);
  });
});

describe("links that no longer take submissions", () => {
  async function deadPage(token: string) {
    const res = await request(t.app).get(`/r/${token}`);
    return { status: res.status, body: res.text };
  }

  it("answers an expired link exactly like an unknown one, and stores nothing", async () => {
    t.handle.sqlite
      .prepare("UPDATE self_report_links SET expires_at = ? WHERE id = ?")
      .run(new Date(Date.now() - 1000).toISOString(), link.id);
    const expired = await deadPage(link.token);
    const unknown = await deadPage("AAAAAAAAAAAAAAAAAAAAAAAA");
    expect(expired.status).toBe(404);
    expect(expired.body).toContain("该登记入口已失效");
    expect(expired.body).toBe(unknown.body);
    expect(expired.status).toBe(unknown.status);
    // A form opened before the expiry and posted after it.
    const agent = request.agent(t.app);
    t.handle.sqlite.prepare("UPDATE self_report_links SET expires_at = NULL WHERE id = ?").run(link.id);
    const csrf = csrfFrom((await agent.get(`/r/${link.token}`)).text);
    t.handle.sqlite
      .prepare("UPDATE self_report_links SET expires_at = ? WHERE id = ?")
      .run(new Date(Date.now() - 1000).toISOString(), link.id);
    const post = await agent
      .post(`/r/${link.token}`)
      .type("form")
      .send({ ...formBody(), _csrf: csrf });
    expect(post.status).toBe(404);
    expect(leadRows()).toHaveLength(0);
  });

  it("answers a closed link like an unknown one", async () => {
    const { agent, csrf } = await visitor();
    closeLink(t.handle.db, clerk(), link.id, new Date());
    const closed = await deadPage(link.token);
    expect(closed.status).toBe(404);
    expect(closed.body).toBe((await deadPage("BBBBBBBBBBBBBBBBBBBBBBBB")).body);
    const post = await agent
      .post(`/r/${link.token}`)
      .type("form")
      .send({ ...formBody(), _csrf: csrf });
    expect(post.status).toBe(404);
    expect(leadRows()).toHaveLength(0);
  });

  it("needs the CSRF token of the anonymous session", async () => {
    const res = await request(t.app).post(`/r/${link.token}`).type("form").send(formBody());
    expect(res.status).toBe(403);
    expect(leadRows()).toHaveLength(0);
  });
});

describe("rate limits", () => {
  it("limits submissions per IP (10 an hour), answering 429 with Retry-After, in the rate_limits table", async () => {
    const { agent, csrf } = await visitor();
    for (let i = 0; i < 10; i++) {
      const r = await agent
        .post(`/r/${link.token}`)
        .type("form")
        .send({ ...formBody({ idNumber: "1" }), _csrf: csrf });
      expect(r.status).toBe(422);
    }
    const limited = await agent
      .post(`/r/${link.token}`)
      .type("form")
      .send({ ...formBody(), _csrf: csrf });
    expect(limited.status).toBe(429);
    expect(Number(limited.headers["retry-after"])).toBeGreaterThan(0);
    expect(limited.text).toContain("提交过于频繁");
    expect(leadRows()).toHaveLength(0);
    const points = (prefix: string) => t.handle.sqlite.prepare("SELECT points FROM rate_limits WHERE key LIKE ?").pluck().get(`${prefix}%`);
    expect(points("self_report_ip")).toBe(11);
    // The ten submissions that got through were counted against the link too.
    expect(points("self_report_link")).toBe(10);
  });

  it("limits submissions per link across IPs", async () => {
    const limiter = createSelfReportLimiter(t.handle, { perIp: { points: 100, seconds: 3600 }, perLink: { points: 3, seconds: 3600 } });
    const results = [];
    for (let i = 0; i < 4; i++) results.push(await limiter.consume(`10.0.0.${i}`, link.id));
    expect(results.slice(0, 3)).toEqual([null, null, null]);
    expect(results[3]).toBeGreaterThan(0);
    // Another link is not affected.
    expect(await limiter.consume("10.0.0.9", link.id + 1)).toBeNull();
  });
});

// A find names a person by ID number; when that person is a member of another committee's, the find
// must not write onto their timeline (field visit, public form, lead verification), and what the
// finder sees back says no more than the member form would: "registered by another organization".
// Tried over HTTP as the attacker would: a clerk of HZ-DL types the ID number of an HZ-PS member.

import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addDays, todayIso } from "../../../server/domain/dates.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { createLink } from "../../../server/services/finds/links.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { type Agent, createTestApp, csrfFrom, signIn, type TestApp } from "../../helpers/app.js";

let t: TestApp;
let clerk: Agent;
beforeEach(async () => {
  t = await createTestApp();
  clerk = await signIn(t.app, "t-clerk-dl");
});
afterEach(() => t?.close());

const FREE_TEXT = "攻击者写入的自由文本";
const events = (memberId: number) =>
  JSON.stringify(t.handle.sqlite.prepare("SELECT * FROM member_events WHERE member_id = ? ORDER BY id").all(memberId));
const table = (name: string) => JSON.stringify(t.handle.sqlite.prepare(`SELECT * FROM ${name} ORDER BY id`).all());

/** What of the other committee's member the finder must not learn: their record's name, id, branch, committee. */
function leaks(text: string): string[] {
  const m = t.city.psMember;
  const found: string[] = [];
  for (const [what, s] of [
    ["the member's name", m.name],
    ["the member's page", `/members/${m.id}`],
    ["the branch", t.city.psBranch.name],
    ["the committee", t.city.ps.name],
  ] as const) {
    if (text.includes(s)) found.push(what);
  }
  return found;
}

async function fieldVisit(agent: Agent, over: Record<string, string>) {
  const csrf = await agent.csrf("/finds/visit");
  return agent
    .post("/finds/visit")
    .type("form")
    .send({
      name: "孙走访",
      idNumber: t.city.psMember.idNumber,
      phone: "13711112222",
      place: FREE_TEXT,
      note: FREE_TEXT,
      visitedOn: todayIso(),
      category: "full",
      _csrf: csrf,
      ...over,
    });
}

describe("a field visit naming another committee's member", () => {
  it.each([
    ["documents not checked", {}],
    ["documents checked on the spot", { documentsChecked: "on" }],
  ] as const)(
    "%s: writes nothing on the member or the leads, and says only that the number is registered elsewhere",
    async (_label, over) => {
      const before = { events: events(t.city.psMember.id), leads: table("leads"), members: table("members") };
      const res = await fieldVisit(clerk, over);
      expect(res.status).toBe(303);
      expect({ events: events(t.city.psMember.id), leads: table("leads"), members: table("members") }).toEqual(before);
      expect(t.handle.sqlite.prepare("SELECT count(*) FROM member_events WHERE summary LIKE ?").pluck().get(`%${FREE_TEXT}%`)).toBe(0);
      const page = await clerk.get("/finds/visit");
      expect(page.text).toContain("该身份证号已由其他党组织登记为党员");
      expect(leaks(page.text)).toEqual([]);
    },
  );

  it("the control: a member of the clerk's own committee gets the visit on their timeline", async () => {
    const before = events(t.city.dlMember.id);
    const res = await fieldVisit(clerk, { idNumber: t.city.dlMember.idNumber, name: t.city.dlMember.name });
    expect(res.status).toBe(303);
    expect(events(t.city.dlMember.id)).not.toBe(before);
    expect(
      t.handle.sqlite
        .prepare("SELECT summary FROM member_events WHERE member_id = ? AND kind = 'field_visit'")
        .pluck()
        .get(t.city.dlMember.id),
    ).toContain(FREE_TEXT);
    expect((await clerk.get("/finds/visit")).text).toContain("已记入其党员信息的时间线");
  });
});

describe("the public form of one committee's link naming another committee's member", () => {
  const clerkActor = () => loadActor(t.handle.db, t.city.userIds.clerk!)!;

  async function submit(token: string, idNumber: string) {
    const agent = request.agent(t.app);
    const page = await agent.get(`/r/${token}`);
    return agent
      .post(`/r/${token}`)
      .type("form")
      .send({ name: "刘自报", idNumber, phone: "13912340001", homeOrgName: FREE_TEXT, consent: "on", _csrf: csrfFrom(page.text) });
  }

  it("answers as for anyone, writes nothing on the member, and the link counts the submission without naming anyone", async () => {
    // The label is the link creator's free text: it would be the timeline's summary.
    const link = createLink(
      t.handle.db,
      clerkActor(),
      { label: FREE_TEXT, committeeId: t.city.dl.id, enterpriseId: null, expiresOn: addDays(todayIso(), 30) },
      todayIso(),
    );
    const before = { events: events(t.city.psMember.id), leads: table("leads") };
    const fresh = await submit(link.token, makeIdNumber("371702", "1990-11-02", 42));
    const elsewhere = await submit(link.token, t.city.psMember.idNumber);
    expect(elsewhere.status).toBe(fresh.status);
    expect(elsewhere.headers.location).toBe(fresh.headers.location);
    expect(events(t.city.psMember.id)).toBe(before.events);
    expect(t.handle.sqlite.prepare("SELECT count(*) FROM leads WHERE id_number = ?").pluck().get(t.city.psMember.idNumber)).toBe(0);
    const page = await clerk.get(`/finds/links/${link.id}`);
    expect(page.text).toContain("1 人次");
    expect(leaks(page.text)).toEqual([]);
    // The control: the link's own committee's member gets the note.
    const own = events(t.city.dlMember.id);
    await submit(link.token, t.city.dlMember.idNumber);
    expect(events(t.city.dlMember.id)).not.toBe(own);
  });
});

describe("verifying a lead whose person is another committee's member", () => {
  const ID = makeIdNumber("371702", "1987-05-06", 71);

  /** A lead of HZ-DL (a field visit), then the same person registered as a member by HZ-PS's secretary. */
  async function leadThenMemberElsewhere() {
    expect((await fieldVisit(clerk, { idNumber: ID, name: "周线索" })).status).toBe(303);
    const leadId = t.handle.sqlite.prepare("SELECT id FROM leads WHERE id_number = ?").pluck().get(ID) as number;
    const sec = await signIn(t.app, "t-sec-ps");
    const csrf = await sec.csrf("/members/new");
    const created = await sec
      .post("/members")
      .type("form")
      .send({
        name: "周在配送",
        idNumber: ID,
        category: "full",
        joinedOn: "2012-07-01",
        fullOn: "2013-07-01",
        orgId: String(t.city.psBranch.id),
        relationStatus: "local",
        _csrf: csrf,
      });
    expect(created.status).toBe(303);
    const memberId = t.handle.sqlite.prepare("SELECT id FROM members WHERE id_number = ?").pluck().get(ID) as number;
    return { leadId, memberId };
  }

  it("one lead or in bulk: refused (409), the member's timeline, the lead and the rosters untouched; the answer names nothing of theirs", async () => {
    const { leadId, memberId } = await leadThenMemberElsewhere();
    const before = { events: events(memberId), leads: table("leads"), members: table("members"), workers: table("workers") };
    const csrf = await clerk.csrf(`/leads/${leadId}`);
    const one = await clerk
      .post(`/leads/${leadId}/verify`)
      .type("form")
      .send({ branchId: String(t.city.dlBranch.id), category: "full", _csrf: csrf });
    const bulk = await clerk
      .post("/leads/bulk-verify")
      .type("form")
      .send({ ids: String(leadId), branchId: String(t.city.dlBranch.id), _csrf: csrf });
    for (const res of [one, bulk]) {
      expect(res.status).toBe(409);
      expect(res.text).toContain("该身份证号已由其他党组织登记为党员");
      expect(res.text).not.toContain("周在配送");
      expect(res.text).not.toContain(`/members/${memberId}`);
      expect(leaks(res.text)).toEqual([]);
    }
    expect({ events: events(memberId), leads: table("leads"), members: table("members"), workers: table("workers") }).toEqual(before);
  });

  it("the control: an administrator, whose scope holds the member, verifies it and it is linked", async () => {
    const { leadId, memberId } = await leadThenMemberElsewhere();
    const admin = await signIn(t.app, "t-admin");
    const res = await admin
      .post(`/leads/${leadId}/verify`)
      .type("form")
      .send({ category: "full", _csrf: await admin.csrf(`/leads/${leadId}`) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe(`/members/${memberId}`);
    expect(
      t.handle.sqlite.prepare("SELECT kind FROM member_events WHERE member_id = ? ORDER BY id DESC LIMIT 1").pluck().get(memberId),
    ).toBe("verified");
  });
});

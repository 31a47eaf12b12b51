import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addDays, todayIso } from "../../../server/domain/dates.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";

let t: TestApp;
let clerk: Agent;
beforeEach(async () => {
  t = await createTestApp();
  clerk = await signIn(t.app, "t-clerk-dl");
});
afterEach(() => t?.close());

const ID = makeIdNumber("371702", "1986-04-20", 61);

async function post(agent: Agent, over: Record<string, string> = {}) {
  const csrf = await agent.csrf("/finds/visit");
  return agent
    .post("/finds/visit")
    .type("form")
    .send({
      name: "孙走访",
      idNumber: ID,
      phone: "13711112222",
      occupation: "delivery_rider",
      platform: "某外卖平台",
      homeOrgName: "某县某村党支部",
      joinedOn: "2010-06-30",
      enterpriseId: String(t.city.dlEnterprise.id),
      place: "东门骑手驿站",
      visitedOn: addDays(todayIso(), -2),
      note: "午休时交谈",
      category: "probationary",
      _csrf: csrf,
      ...over,
    });
}

const lead = () =>
  t.handle.sqlite.prepare("SELECT * FROM leads WHERE id_number = ?").get(ID) as
    | {
        id: number;
        channel: string;
        status: string;
        committee_id: number;
        enterprise_id: number;
        found_on: string;
        member_id: number | null;
        note: string;
      }
    | undefined;

describe("field visit form", () => {
  it("renders a phone form with the clerk's committee implied and today's date", async () => {
    const page = await clerk.get("/finds/visit");
    expect(page.status).toBe(200);
    expect(page.text).toContain("走访登记");
    expect(page.text).toContain(`value="${todayIso()}"`);
    expect(page.text).not.toContain('name="committeeId"');
    expect(page.text).toContain(t.city.dlEnterprise.name);
    expect(page.text).not.toContain(t.city.psEnterprise.name);
  });

  it("records an open lead (channel field_visit, found on the visit date) when documents were not checked", async () => {
    const res = await post(clerk);
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/finds/visit");
    const l = lead()!;
    expect(l).toMatchObject({
      channel: "field_visit",
      status: "open",
      committee_id: t.city.dl.id,
      enterprise_id: t.city.dlEnterprise.id,
      found_on: addDays(todayIso(), -2),
      member_id: null,
    });
    expect(l.note).toContain("东门骑手驿站");
    expect(l.note).toContain("午休时交谈");
    expect((await clerk.get("/finds/visit")).text).toContain("已记录为待核实的摸排线索");
  });

  it("creates a verified lead and an unattached member when the documents were checked on the spot", async () => {
    const res = await post(clerk, { documentsChecked: "on" });
    expect(res.status).toBe(303);
    const l = lead()!;
    expect(l.status).toBe("verified");
    expect(l.member_id).not.toBeNull();
    const m = t.handle.sqlite.prepare("SELECT * FROM members WHERE id = ?").get(l.member_id) as Record<string, unknown>;
    expect(m).toMatchObject({
      id_number: ID,
      name: "孙走访",
      gender: "male",
      birth_date: "1986-04-20",
      category: "probationary",
      joined_on: "2010-06-30",
      discovery_channel: "field_visit",
      discovered_on: addDays(todayIso(), -2),
      relation_status: "unattached",
      relation_org_name: "某县某村党支部",
      org_id: t.city.dl.id,
      occupation: "delivery_rider",
    });
    const kinds = t.handle.sqlite
      .prepare("SELECT kind FROM member_events WHERE member_id = ? ORDER BY id")
      .pluck()
      .all(l.member_id) as string[];
    expect(kinds).toEqual(["created", "verified"]);
    expect((await clerk.get("/finds/visit")).text).toContain("核实为党员");
  });

  it("re-renders with the Chinese message and what was typed when the ID number is invalid; stores nothing", async () => {
    const res = await post(clerk, { idNumber: "37170219860420061" });
    expect(res.status).toBe(422);
    expect(res.text).toContain("身份证号只有 17 位");
    expect(res.text).toContain('value="孙走访"');
    expect(res.text).toContain('value="东门骑手驿站"');
    expect(t.handle.sqlite.prepare("SELECT count(*) FROM leads").pluck().get()).toBe(0);
  });

  it("refuses a visit date in the future and an enterprise outside the committee", async () => {
    const future = await post(clerk, { visitedOn: addDays(todayIso(), 1) });
    expect(future.status).toBe(422);
    expect(future.text).toContain("走访日期不能晚于今天");
    const foreign = await post(clerk, { enterpriseId: String(t.city.psEnterprise.id) });
    expect(foreign.status).toBe(422);
    expect(foreign.text).toContain("不属于所选党委");
    expect(t.handle.sqlite.prepare("SELECT count(*) FROM leads").pluck().get()).toBe(0);
  });

  it("raises no lead for someone who is already a member, and merges a second visit into the first lead", async () => {
    const member = await post(clerk, { idNumber: t.city.dlMember.idNumber, name: t.city.dlMember.name, joinedOn: "" });
    expect(member.status).toBe(303);
    expect(t.handle.sqlite.prepare("SELECT count(*) FROM leads").pluck().get()).toBe(0);
    expect(
      t.handle.sqlite
        .prepare("SELECT count(*) FROM member_events WHERE member_id = ? AND kind = 'field_visit'")
        .pluck()
        .get(t.city.dlMember.id),
    ).toBe(1);
    await post(clerk);
    await post(clerk, { documentsChecked: "on", place: "西门" });
    expect(t.handle.sqlite.prepare("SELECT count(*) FROM leads").pluck().get()).toBe(1);
    expect(lead()!.status).toBe("verified");
    expect(lead()!.note).toContain("再次登记");
  });

  it("is for clerks and administrators only", async () => {
    const secretary = await signIn(t.app, "t-sec-dl");
    expect((await secretary.get("/finds/visit")).status).toBe(403);
    const supervisor = await signIn(t.app, "t-supervisor");
    expect((await supervisor.get("/finds/visit")).status).toBe(403);
  });
});

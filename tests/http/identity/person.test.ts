// The person page: one person across platforms, reached from a worker, lead or member id; scoped like
// those records (another committee's clerk gets 404 by any id), ID number and phone masked.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, todayIso } from "../../../server/domain/dates.js";
import { maskIdNumber, maskPhone } from "../../../server/domain/masking.js";
import { type World, world } from "../transfers/helpers.js";

let w: World;
let m: { id: number; idNumber: string; phone: string | null };
let workerA: number;
let workerB: number;
let lead: number;
const today = todayIso();

beforeAll(async () => {
  w = await world();
  m = w.addMember(w.city.dlBranch.id, { name: "两平台" });
  const ins = w.t.handle.sqlite.prepare(
    "INSERT INTO workers (platform, id_number, name, phone, org_id, station, first_seen_on, last_seen_on, left_on) VALUES (?, ?, '两平台', ?, ?, ?, ?, ?, ?) RETURNING id",
  );
  workerA = (
    ins.get("甲平台", m.idNumber, m.phone, w.city.dl.id, "东站", "2024-01-01", addDays(today, -30), addDays(today, -20)) as { id: number }
  ).id;
  workerB = (ins.get("乙平台", m.idNumber, m.phone, w.city.dl.id, "西站", "2025-03-01", today, null) as { id: number }).id;
  lead = (
    w.t.handle.sqlite
      .prepare(
        "INSERT INTO leads (id_number, name, channel, committee_id, found_on, status, member_id) VALUES (?, '两平台', 'data_match', ?, '2024-01-02', 'verified', ?) RETURNING id",
      )
      .get(m.idNumber, w.city.dl.id, m.id) as { id: number }
  ).id;
});
afterAll(() => w.t.close());

describe("the person page", () => {
  it("from a worker, a lead or a member: every platform and station, first and last seen, departures, lead and member", async () => {
    for (const url of [`/people/worker/${workerA}`, `/people/lead/${lead}`, `/people/member/${m.id}`]) {
      const res = await w.clerkDl.get(url);
      expect(res.status, url).toBe(200);
      expect(res.text).toContain("甲平台");
      expect(res.text).toContain("乙平台");
      expect(res.text).toContain("东站");
      expect(res.text).toContain("西站");
      expect(res.text).toContain("<dt>首次出现</dt><dd>2024-01-01</dd>");
      expect(res.text).toContain(`<dt>最近出现</dt><dd>${today}</dd>`);
      expect(res.text).toContain(`<td data-label="离开">${addDays(today, -20)}</td>`);
      expect(res.text).toMatch(new RegExp(`data-worker="${workerB}">[\\s\\S]*?计入此处`));
      expect(res.text).toContain(`href="/members/${m.id}"`);
      expect(res.text).toContain(`href="/leads/${lead}"`);
    }
  });

  it("is linked from the member, the lead and the departures pages", async () => {
    expect((await w.clerkDl.get(`/members/${m.id}`)).text).toContain(`href="/people/member/${m.id}"`);
    expect((await w.clerkDl.get(`/leads/${lead}`)).text).toContain(`href="/people/lead/${lead}"`);
  });

  it("ID number and phone are masked for every role on this page (whole numbers only through the member page's audited unmask)", async () => {
    for (const a of [w.clerkDl, w.admin, w.supervisor, w.secDl]) {
      const res = await a.get(`/people/member/${m.id}`);
      expect(res.status).toBe(200);
      expect(res.text).toContain(maskIdNumber(m.idNumber));
      expect(res.text).not.toContain(m.idNumber);
      expect(res.text).toContain(maskPhone(m.phone));
      expect(res.text).not.toContain(m.phone!);
    }
  });

  it("another committee's clerk or another branch's secretary cannot reach it by any id", async () => {
    for (const url of [`/people/worker/${workerA}`, `/people/worker/${workerB}`, `/people/lead/${lead}`, `/people/member/${m.id}`]) {
      const ps = await w.clerkPs.get(url);
      expect(ps.status, url).toBe(404);
      expect(ps.text).not.toContain("两平台");
      expect((await w.secPs.get(url)).status, url).toBe(404);
    }
    // The member's own secretary reaches it from the member, but the committee's roster rows are outside a branch's scope.
    const sec = await w.secDl.get(`/people/member/${m.id}`);
    expect(sec.status).toBe(200);
    expect(sec.text).not.toContain("甲平台");
    expect((await w.secDl.get(`/people/worker/${workerA}`)).status).toBe(404);
    expect((await w.clerkDl.get("/people/nobody/1")).status).toBe(404);
  });

  it("a committee sees only its own rows of the person: a platform held by another committee stays hidden", async () => {
    const other = w.t.handle.sqlite
      .prepare(
        "INSERT INTO workers (platform, id_number, name, org_id, first_seen_on, last_seen_on) VALUES ('丙平台', ?, '两平台', ?, ?, ?) RETURNING id",
      )
      .get(m.idNumber, w.city.ps.id, today, today) as { id: number };
    const dl = await w.clerkDl.get(`/people/member/${m.id}`);
    expect(dl.text).not.toContain("丙平台");
    const ps = await w.clerkPs.get(`/people/worker/${other.id}`);
    expect(ps.status).toBe(200);
    expect(ps.text).toContain("丙平台");
    expect(ps.text).not.toContain("甲平台");
    // The member record is HZ-DL's: not shown to HZ-PS.
    expect(ps.text).not.toContain(`href="/members/${m.id}"`);
    const admin = await w.admin.get(`/people/worker/${other.id}`);
    expect(admin.text).toContain("丙平台");
    expect(admin.text).toContain("甲平台");
  });
});

import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { addDays, todayIso } from "../../../server/domain/dates.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";

let t: TestApp;
let clerk: Agent;
beforeEach(async () => {
  t = await createTestApp();
  clerk = await signIn(t.app, "t-clerk-dl");
});
afterEach(() => t?.close());

async function createVia(agent: Agent, over: Record<string, string> = {}) {
  const csrf = await agent.csrf("/finds/links");
  return agent
    .post("/finds/links")
    .type("form")
    .send({ label: "某某货运站", enterpriseId: String(t.city.dlEnterprise.id), expiresOn: addDays(todayIso(), 60), _csrf: csrf, ...over });
}

const linkRow = () =>
  t.handle.sqlite.prepare("SELECT * FROM self_report_links ORDER BY id DESC").get() as {
    id: number;
    token: string;
    committee_id: number;
    expires_at: string;
    created_by: number;
  };

describe("self-report links", () => {
  it("creates a link in the clerk's committee with a random 144-bit base64url token", async () => {
    const res = await createVia(clerk);
    expect(res.status).toBe(303);
    const a = linkRow();
    expect(res.headers.location).toBe(`/finds/links/${a.id}`);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{24}$/);
    expect(a.committee_id).toBe(t.city.dl.id);
    expect(a.created_by).toBe(t.city.userIds.clerk);
    expect(a.expires_at).toBe(new Date(`${addDays(todayIso(), 60)}T23:59:59.999+08:00`).toISOString());
    await createVia(clerk);
    expect(linkRow().token).not.toBe(a.token);
    // The audit log names the link, never its token.
    const audit = t.handle.sqlite.prepare("SELECT after FROM audit_log WHERE entity = 'self_report_link'").pluck().all() as string[];
    expect(audit).toHaveLength(2);
    expect(audit.join()).not.toContain(a.token);
  });

  it("shows the address, a poster with the QR code and the URL in text, and serves the QR as SVG and PNG", async () => {
    await createVia(clerk);
    const { id, token } = linkRow();
    const detail = await clerk.get(`/finds/links/${id}`);
    expect(detail.text).toContain(`/r/${token}`);
    const poster = await clerk.get(`/finds/links/${id}/poster`);
    expect(poster.status).toBe(200);
    expect(poster.text).toContain(`src="/finds/links/${id}/qr.svg"`);
    expect(poster.text).toMatch(new RegExp(`http://127\\.0\\.0\\.1:\\d+/r/${token}`));
    expect(poster.text).toContain("某某货运站");
    expect(poster.text).not.toMatch(/<script>|onclick=/);
    const svg = await clerk.get(`/finds/links/${id}/qr.svg`).buffer(true);
    expect(svg.headers["content-type"]).toContain("image/svg+xml");
    expect(String(svg.body)).toContain("<svg");
    const png = await clerk.get(`/finds/links/${id}/qr.png`).buffer(true);
    expect(png.headers["content-type"]).toBe("image/png");
    expect((png.body as Buffer).subarray(0, 8)).toEqual(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]));
  });

  it("refuses an expiry in the past or beyond a year, an enterprise of another committee, and an empty name", async () => {
    const past = await createVia(clerk, { expiresOn: addDays(todayIso(), -1) });
    expect(past.status).toBe(422);
    expect(past.text).toContain("有效期不能早于今天");
    const far = await createVia(clerk, { expiresOn: addDays(todayIso(), 400) });
    expect(far.status).toBe(422);
    expect(far.text).toContain("有效期最长 366 天");
    const foreign = await createVia(clerk, { enterpriseId: String(t.city.psEnterprise.id) });
    expect(foreign.status).toBe(422);
    expect(foreign.text).toContain("不属于所选党委");
    const empty = await createVia(clerk, { label: "  " });
    expect(empty.status).toBe(422);
    expect(empty.text).toContain("请填写名称");
    expect(t.handle.sqlite.prepare("SELECT count(*) FROM self_report_links").pluck().get()).toBe(0);
  });

  it("closes a link: the public form then answers as for an unknown link", async () => {
    await createVia(clerk);
    const { id, token } = linkRow();
    expect((await request(t.app).get(`/r/${token}`)).status).toBe(200);
    const csrf = await clerk.csrf(`/finds/links/${id}`);
    const res = await clerk.post(`/finds/links/${id}/close`).type("form").send({ _csrf: csrf });
    expect(res.status).toBe(303);
    expect((await request(t.app).get(`/r/${token}`)).status).toBe(404);
    expect((await clerk.get("/finds/links")).text).toContain("已关闭");
  });
});

describe("scope", () => {
  it("keeps HZ-DL's links away from the HZ-PS clerk: not listed, not readable, not closable, no QR", async () => {
    await createVia(clerk, { label: "道路运输专属站" });
    const { id, token } = linkRow();
    const ps = await signIn(t.app, "t-clerk-ps");
    const list = await ps.get("/finds/links");
    expect(list.status).toBe(200);
    expect(list.text).not.toContain("道路运输专属站");
    for (const path of [`/finds/links/${id}`, `/finds/links/${id}/poster`, `/finds/links/${id}/qr.svg`, `/finds/links/${id}/qr.png`]) {
      expect((await ps.get(path)).status, path).toBe(404);
    }
    const csrf = await ps.csrf("/finds/links");
    const close = await ps.post(`/finds/links/${id}/close`).type("form").send({ _csrf: csrf });
    expect(close.status).toBe(404);
    expect(t.handle.sqlite.prepare("SELECT closed_at FROM self_report_links WHERE id = ?").pluck().get(id)).toBeNull();
    expect((await request(t.app).get(`/r/${token}`)).status).toBe(200);
    // Nor can the HZ-PS clerk file a link under HZ-DL.
    const foreign = await createVia(ps, { committeeId: String(t.city.dl.id), enterpriseId: "" });
    expect(foreign.status).toBe(422);
    expect(t.handle.sqlite.prepare("SELECT count(*) FROM self_report_links WHERE committee_id = ?").pluck().get(t.city.dl.id)).toBe(1);
  });

  it("lets the supervisor read but not create or close; keeps secretaries out", async () => {
    await createVia(clerk, { label: "督导可见" });
    const { id } = linkRow();
    const sup = await signIn(t.app, "t-supervisor");
    expect((await sup.get("/finds/links")).text).toContain("督导可见");
    expect((await sup.get(`/finds/links/${id}`)).status).toBe(200);
    const csrf = await sup.csrf("/finds/links");
    expect((await sup.post(`/finds/links/${id}/close`).type("form").send({ _csrf: csrf })).status).toBe(403);
    expect((await sup.post("/finds/links").type("form").send({ label: "x", expiresOn: todayIso(), _csrf: csrf })).status).toBe(403);
    const sec = await signIn(t.app, "t-sec-dl");
    expect((await sec.get("/finds/links")).status).toBe(403);
  });
});

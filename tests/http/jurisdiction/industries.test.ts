// The industries stay a code list an administrator can extend: the four of new employment groups to
// start, another added at 行业代码 and offered at once by the enterprise and organization forms.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";

let t: TestApp;
let admin: Agent;
let clerk: Agent;

beforeAll(async () => {
  t = await createTestApp();
  admin = await signIn(t.app, t.city.users.admin!.username);
  clerk = await signIn(t.app, t.city.users.clerk!.username);
});
afterAll(() => t.close());

describe("the industries code list", () => {
  it("lists the four industries, and an administrator adds one the forms then offer", async () => {
    const page = await admin.get("/admin/industries");
    expect(page.status).toBe(200);
    for (const name of ["道路运输", "网约配送", "快递", "直播电商"]) expect(page.text).toContain(`>${name}<`);
    const res = await admin
      .post("/admin/industries")
      .type("form")
      .send({ code: "ride_hailing", name: "网约车", _csrf: await admin.csrf("/admin/industries") });
    expect(res.status).toBe(303);
    expect((await admin.get("/admin/industries")).text).toContain(">网约车<");
    expect((await clerk.get("/enterprises/new")).text).toContain('<option value="ride_hailing">网约车</option>');
    const audit = t.handle.sqlite.prepare("SELECT action, entity_id FROM audit_log WHERE action = 'industry.create'").all();
    expect(audit).toEqual([{ action: "industry.create", entity_id: "ride_hailing" }]);
  });

  it("re-renders the form with the field's error and what was typed for a code or name already used", async () => {
    const csrf = await admin.csrf("/admin/industries");
    const dup = await admin.post("/admin/industries").type("form").send({ code: "express_delivery", name: "同城快送", _csrf: csrf });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain("该行业代码已存在");
    expect(dup.text).toContain('value="同城快送"');
    const bad = await admin.post("/admin/industries").type("form").send({ code: "网约车", name: "", _csrf: csrf });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("行业代码只能包含小写字母、数字和下划线");
    expect(bad.text).toContain("请填写行业名称");
  });

  it("is an administrator's: a clerk is refused", async () => {
    expect((await clerk.get("/admin/industries")).status).toBe(403);
    const res = await clerk
      .post("/admin/industries")
      .type("form")
      .send({ code: "x_industry", name: "某行业", _csrf: await clerk.csrf("/") });
    expect(res.status).toBe(403);
    expect(t.handle.sqlite.prepare("SELECT count(*) AS n FROM industries WHERE code = 'x_industry'").get()).toEqual({ n: 0 });
  });
});

import { afterEach, describe, expect, it } from "vitest";
import { createTestApp, signIn, type TestApp } from "../../helpers/app.js";

let t: TestApp;
afterEach(() => t?.close());

const orgForm = (over: Record<string, string | number>) => ({
  code: "HZ-DL-009",
  name: "中共菏泽测试物流有限公司支部委员会",
  kind: "branch",
  formation: "standalone",
  regionCode: "371702",
  industryCode: "road_transport",
  termStartOn: "2024-01-01",
  termEndOn: "2027-01-01",
  ...over,
});

describe("organization tree and scope", () => {
  it("shows each role only its subtree, with member counts", async () => {
    t = await createTestApp();
    const clerk = await signIn(t.app, "t-clerk-dl");
    const page = await clerk.get("/orgs");
    expect(page.status).toBe(200);
    expect(page.text).toContain("中共菏泽市道路运输行业委员会");
    expect(page.text).not.toContain("中共菏泽市网约配送行业委员会");
    expect(page.text).toMatch(/党员 2 · 企业 1/); // HZ-DL: two members, one covered enterprise
    const sec = await signIn(t.app, "t-sec-ps");
    const secPage = await sec.get("/orgs");
    expect(secPage.text).toContain("中共菏泽某配送站支部委员会");
    expect(secPage.text).not.toContain("道路运输");
  });

  it.each([
    ["t-admin", "dlBranch", 200],
    ["t-supervisor", "dlBranch", 200],
    ["t-clerk-dl", "dlBranch", 200],
    ["t-clerk-dl", "psBranch", 404],
    ["t-clerk-ps", "dlBranch", 404],
    ["t-sec-dl", "dlBranch", 200],
    ["t-sec-dl", "dlJoint", 404],
    ["t-sec-dl", "dl", 404],
  ] as const)("%s reading %s by direct URL gets %i", async (username, org, status) => {
    t = await createTestApp();
    const agent = await signIn(t.app, username);
    const res = await agent.get(`/orgs/${t.city[org].id}`);
    expect(res.status).toBe(status);
    if (status === 404) expect(res.text).toContain("找不到");
  });

  it("creates a branch under the clerk's committee and audits it; refuses a parent outside scope", async () => {
    t = await createTestApp();
    const clerk = await signIn(t.app, "t-clerk-dl");
    const token = await clerk.csrf("/orgs/new");
    const ok = await clerk
      .post("/orgs")
      .type("form")
      .send({ ...orgForm({ parentId: t.city.dl.id }), _csrf: token });
    expect(ok.status).toBe(303);
    const row = t.handle.sqlite.prepare("SELECT id, path FROM organizations WHERE code = 'HZ-DL-009'").get() as {
      id: number;
      path: string;
    };
    expect(row.path).toBe(`${t.city.dl.path}${row.id}/`);
    expect(t.handle.sqlite.prepare("SELECT count(*) n FROM audit_log WHERE action = 'create' AND entity = 'organization'").get()).toEqual({
      n: 1,
    });
    const outside = await clerk
      .post("/orgs")
      .type("form")
      .send({ ...orgForm({ code: "HZ-DL-010", parentId: t.city.ps.id }), _csrf: token });
    expect(outside.status).toBe(422);
    expect(outside.text).toContain("不在您的管辖范围内");
  });

  it("re-renders the form with field errors and what the user typed", async () => {
    t = await createTestApp();
    const clerk = await signIn(t.app, "t-clerk-dl");
    const token = await clerk.csrf("/orgs/new");
    const res = await clerk
      .post("/orgs")
      .type("form")
      .send({ ...orgForm({ parentId: t.city.dl.id, secretaryPhone: "12345" }), name: "中共<b>测试</b>支部委员会", _csrf: token });
    expect(res.status).toBe(422);
    expect(res.text).toContain("手机号码应为 11 位");
    expect(res.text).toContain('value="中共&lt;b&gt;测试&lt;/b&gt;支部委员会"');
    const rules = await clerk
      .post("/orgs")
      .type("form")
      .send({ ...orgForm({ parentId: t.city.dl.id, formation: "", termEndOn: "2023-01-01" }), _csrf: token });
    expect(rules.status).toBe(422);
    expect(rules.text).toContain("党支部须选择组建方式");
    expect(rules.text).toContain("届满日期应晚于本届开始日期");
    const dup = await clerk
      .post("/orgs")
      .type("form")
      .send({ ...orgForm({ parentId: t.city.dl.id, code: "HZ-DL-001" }), _csrf: token });
    expect(dup.status).toBe(422);
    expect(dup.text).toContain("该组织编码已被使用");
    expect(t.handle.sqlite.prepare("SELECT count(*) n FROM organizations WHERE name LIKE '%测试%'").get()).toEqual({ n: 0 });
  });

  it("lets a secretary edit their own branch's details but not move it, and refuses supervisors", async () => {
    t = await createTestApp();
    const sec = await signIn(t.app, "t-sec-dl");
    const b = t.city.dlBranch;
    const token = await sec.csrf(`/orgs/${b.id}/edit`);
    const base = {
      code: b.code,
      name: b.name,
      kind: "branch",
      formation: "standalone",
      parentId: b.parentId!,
      regionCode: b.regionCode,
      industryCode: "road_transport",
    };
    const ok = await sec
      .post(`/orgs/${b.id}`)
      .type("form")
      .send({ ...base, secretaryName: "赵书记", _csrf: token });
    expect(ok.status).toBe(303);
    const moved = await sec
      .post(`/orgs/${b.id}`)
      .type("form")
      .send({ ...base, parentId: t.city.ps.id, _csrf: token });
    expect(moved.status).toBe(422);
    expect(moved.text).toContain("党支部书记不能调整本支部的上级党组织");
    expect(t.handle.sqlite.prepare("SELECT parent_id FROM organizations WHERE id = ?").pluck().get(b.id)).toBe(b.parentId);
    const other = await sec
      .post(`/orgs/${t.city.dlJoint.id}`)
      .type("form")
      .send({ ...base, _csrf: token });
    expect(other.status).toBe(404);
    const sup = await signIn(t.app, "t-supervisor");
    const supToken = await sup.csrf("/");
    const supRes = await sup
      .post(`/orgs/${b.id}`)
      .type("form")
      .send({ ...base, _csrf: supToken });
    expect(supRes.status).toBe(403);
  });

  it("refuses to dissolve an organization that still has members, and dissolves an empty one", async () => {
    t = await createTestApp();
    const clerk = await signIn(t.app, "t-clerk-dl");
    const token = await clerk.csrf("/");
    const refused = await clerk.post(`/orgs/${t.city.dlJoint.id}/dissolve`).type("form").send({ dissolvedOn: "2026-01-01", _csrf: token });
    expect(refused.status).toBe(409);
    expect(refused.text).toContain("还有 1 名党员");
    await clerk
      .post("/orgs")
      .type("form")
      .send({ ...orgForm({ parentId: t.city.dl.id }), _csrf: token });
    const empty = t.handle.sqlite.prepare("SELECT id FROM organizations WHERE code = 'HZ-DL-009'").get() as { id: number };
    const ok = await clerk.post(`/orgs/${empty.id}/dissolve`).type("form").send({ dissolvedOn: "2026-01-01", _csrf: token });
    expect(ok.status).toBe(303);
    expect(t.handle.sqlite.prepare("SELECT status FROM organizations WHERE id = ?").get(empty.id)).toEqual({ status: "dissolved" });
  });

  it("warns on the detail page when the term has ended", async () => {
    t = await createTestApp();
    t.handle.sqlite.prepare("UPDATE organizations SET term_end_on = '2020-01-01' WHERE id = ?").run(t.city.dlBranch.id);
    const clerk = await signIn(t.app, "t-clerk-dl");
    const res = await clerk.get(`/orgs/${t.city.dlBranch.id}`);
    expect(res.text).toContain("本届任期已于 2020-01-01 届满");
  });
});

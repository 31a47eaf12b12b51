// The organization tree's rules and the secretary's phone, tried over HTTP as an attacker would: a
// clerk or a secretary takes the edit form the app renders and posts a kind, a parent or a code it
// never offered. Each refusal is a field error (422) and leaves every organization as it was; the
// forms as rendered (the clerk's own committee, the secretary's own branch) save.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { maskPhone } from "../../../server/domain/masking.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { addOrg } from "../../helpers/fixtures.js";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t?.close());

const PHONE = "13912345678";
const orgs = () => JSON.stringify(t.handle.sqlite.prepare("SELECT * FROM organizations ORDER BY id").all());
const orgRow = (id: number) => t.handle.sqlite.prepare("SELECT * FROM organizations WHERE id = ?").get(id) as Record<string, unknown>;

const decode = (s: string) =>
  s.replace(/&#34;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, "<").replace(/&gt;/g, ">").replace(/&amp;/g, "&");

/** What a browser submits for the organization form in `html`: every input's value, each select's selected (else first) option. */
function formOf(html: string): Record<string, string> {
  const form = /<form method="post" action="\/orgs[^"]*"[^>]*>([\s\S]*?)<\/form>/.exec(html)?.[1];
  if (!form) throw new Error("no organization form in the page");
  const out: Record<string, string> = {};
  for (const m of form.matchAll(/<input\b([^>]*)>/g)) {
    const name = /name="([^"]+)"/.exec(m[1]!)?.[1];
    if (name) out[name] = decode(/value="([^"]*)"/.exec(m[1]!)?.[1] ?? "");
  }
  for (const m of form.matchAll(/<select[^>]*name="([^"]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const options = [...m[2]!.matchAll(/<option value="([^"]*)"( selected)?/g)];
    out[m[1]!] = decode((options.find((o) => o[2]) ?? options[0])?.[1] ?? "");
  }
  return out;
}

/** The edit form as rendered for `agent`, with `change` applied, posted back. */
async function postEdit(agent: Agent, id: number, change: Record<string, string | number> = {}) {
  const page = await agent.get(`/orgs/${id}/edit`);
  expect(page.status).toBe(200);
  const body = { ...formOf(page.text), ...Object.fromEntries(Object.entries(change).map(([k, v]) => [k, String(v)])) };
  return agent.post(`/orgs/${id}`).type("form").send(body);
}

/** The field error the form shows for `field`. */
const fieldError = (html: string, field: string) =>
  new RegExp(`id="f-${field}"(?:(?!<div class="field)[\\s\\S])*?<div class="error" role="alert">([^<]*)</div>`).exec(html)?.[1];

describe("reclassifying and moving organizations: refused with a field error, the tree untouched", () => {
  type Target = "dl" | "dlBranch";
  /** Values naming organizations are resolved against the city: "@ps" is the PS committee's id. */
  type Attack = [caller: string, target: Target, change: Record<string, string>, field: string, message: string];
  const attacks: Attack[] = [
    // The clerk's own committee: the node that defines the clerk's scope keeps its kind and place.
    ["t-clerk-dl", "dl", { kind: "city_department" }, "kind", "不能修改自己所属组织的类别"],
    ["t-clerk-dl", "dl", { kind: "city_department", parentId: "" }, "kind", "不能修改自己所属组织的类别"],
    ["t-clerk-dl", "dl", { kind: "comprehensive_committee" }, "kind", "不能修改自己所属组织的类别"],
    ["t-clerk-dl", "dl", { parentId: "@ps" }, "parentId", "不能移动自己所属的组织"],
    // A branch of the clerk's: only into kinds the clerk may set up, and that may sit where it is.
    ["t-clerk-dl", "dlBranch", { kind: "comprehensive_committee" }, "kind", "综合党委不能隶属于行业党委"],
    ["t-clerk-dl", "dlBranch", { kind: "city_department" }, "kind", "只有系统管理员可以设立党委社会工作部"],
    ["t-clerk-dl", "dlBranch", { kind: "city_department", parentId: "" }, "kind", "只有系统管理员可以设立党委社会工作部"],
    ["t-clerk-dl", "dlBranch", { kind: "group" }, "kind", "党小组不能隶属于行业党委"],
    ["t-clerk-dl", "dlBranch", { parentId: "@root" }, "parentId", "不在您的管辖范围内"],
    ["t-clerk-dl", "dlBranch", { parentId: "@dlBranch" }, "parentId", "不能把组织移到它自己的下级之下"],
    // The secretary's own branch: details only.
    ["t-sec-dl", "dlBranch", { kind: "general_branch" }, "kind", "党支部书记不能修改本支部的组织类别"],
    ["t-sec-dl", "dlBranch", { kind: "comprehensive_committee", parentId: "@root" }, "kind", "党支部书记不能修改本支部的组织类别"],
    ["t-sec-dl", "dlBranch", { parentId: "@dlJoint" }, "parentId", "党支部书记不能调整本支部的上级党组织"],
    ["t-sec-dl", "dlBranch", { code: "HZ-DL-999" }, "code", "党支部书记不能修改本支部的组织编码"],
  ];
  it.each(attacks)("%s posting %s with %o: 422 on %s", async (caller, target, change, field, message) => {
    const agent = await signIn(t.app, caller);
    const resolved = Object.fromEntries(
      Object.entries(change).map(([k, v]) => [k, v.startsWith("@") ? t.city[v.slice(1) as "root" | "ps" | "dlBranch" | "dlJoint"].id : v]),
    );
    const before = orgs();
    const res = await postEdit(agent, t.city[target].id, resolved);
    expect(res.status).toBe(422);
    expect(fieldError(res.text, field)).toContain(message);
    expect(orgs()).toBe(before);
  });

  it("refuses a reclassification that would leave a sub-organization or members under a kind that cannot hold them", async () => {
    addOrg(t.handle, { code: "HZ-DL-001-G1", name: "第一党小组", kind: "group", parentId: t.city.dlBranch.id });
    const clerk = await signIn(t.app, "t-clerk-dl");
    const before = orgs();
    const withGroup = await postEdit(clerk, t.city.dlBranch.id, { kind: "general_branch" });
    expect(withGroup.status).toBe(422);
    expect(fieldError(withGroup.text, "kind")).toContain("该组织下设有党小组");
    expect(orgs()).toBe(before);
    // An industry sub-committee still responsible for an enterprise cannot become a branch.
    const sub = addOrg(t.handle, {
      code: "HZ-DL-SUB",
      name: "中共某县道路运输行业委员会",
      kind: "industry_committee",
      parentId: t.city.dl.id,
      industryCode: "road_transport",
    });
    t.handle.sqlite.prepare("UPDATE enterprises SET committee_id = ? WHERE id = ?").run(sub.id, t.city.dlEnterprise.id);
    const snapshot = orgs();
    const committee = await postEdit(clerk, sub.id, { kind: "branch", formation: "joint" });
    expect(committee.status).toBe(422);
    expect(fieldError(committee.text, "kind")).toContain("该党委还负责企业");
    expect(orgs()).toBe(snapshot);
  });

  it("refuses kinds the clerk may not create, and kinds that may not sit under the chosen parent, on create", async () => {
    const clerk = await signIn(t.app, "t-clerk-dl");
    const page = await clerk.get(`/orgs/new?parent=${t.city.dl.id}`);
    expect(page.text).not.toContain('value="city_department"');
    const form = { ...formOf(page.text), code: "HZ-DL-050", name: "中共菏泽新建组织", regionCode: "371702" };
    const cases: [Record<string, string | number>, string, string][] = [
      [{ kind: "city_department", parentId: "" }, "kind", "只有系统管理员可以设立党委社会工作部"],
      [{ kind: "city_department", parentId: t.city.dl.id }, "kind", "只有系统管理员可以设立党委社会工作部"],
      [{ kind: "comprehensive_committee", parentId: t.city.dl.id }, "parentId", "综合党委不能隶属于行业党委"],
      [{ kind: "group", parentId: t.city.dl.id }, "parentId", "党小组不能隶属于行业党委"],
      [{ kind: "industry_committee", parentId: t.city.root.id }, "parentId", "不在您的管辖范围内"],
    ];
    const before = orgs();
    for (const [change, field, message] of cases) {
      const res = await clerk
        .post("/orgs")
        .type("form")
        .send({ ...form, ...change });
      expect(res.status, JSON.stringify(change)).toBe(422);
      expect(fieldError(res.text, field), JSON.stringify(change)).toContain(message);
    }
    expect(orgs()).toBe(before);
    // The control: a branch under the clerk's committee is created.
    const ok = await clerk
      .post("/orgs")
      .type("form")
      .send({ ...form, kind: "branch", formation: "joint", parentId: t.city.dl.id });
    expect(ok.status).toBe(303);
  });
});

describe("the forms as rendered save", () => {
  it("a clerk saves their own committee: its parent, above the clerk's scope, is shown fixed and kept", async () => {
    const clerk = await signIn(t.app, "t-clerk-dl");
    const page = await clerk.get(`/orgs/${t.city.dl.id}/edit`);
    expect(page.text).toMatch(new RegExp(`id="f-parentId" class="fixed-value">${t.city.root.name}<`));
    expect(page.text).toMatch(/id="f-kind" class="fixed-value">行业党委</);
    expect(page.text).not.toContain('<select id="f-parentId"');
    const res = await postEdit(clerk, t.city.dl.id, { shortName: "道路运输党委" });
    expect(res.status).toBe(303);
    expect(orgRow(t.city.dl.id)).toMatchObject({
      short_name: "道路运输党委",
      parent_id: t.city.root.id,
      kind: "industry_committee",
      path: t.city.dl.path,
    });
  });

  it("a secretary saves their own branch: kind, code and parent shown fixed and kept", async () => {
    const sec = await signIn(t.app, "t-sec-dl");
    const page = await sec.get(`/orgs/${t.city.dlBranch.id}/edit`);
    expect(page.text).toMatch(new RegExp(`id="f-parentId" class="fixed-value">${t.city.dl.name}<`));
    expect(page.text).toMatch(/id="f-code" class="fixed-value">HZ-DL-001</);
    const res = await postEdit(sec, t.city.dlBranch.id, { secretaryName: "赵书记" });
    expect(res.status).toBe(303);
    expect(orgRow(t.city.dlBranch.id)).toMatchObject({
      secretary_name: "赵书记",
      parent_id: t.city.dl.id,
      kind: "branch",
      code: "HZ-DL-001",
    });
  });

  it("a clerk reclassifies a branch of theirs into a kind they may set up there, and an administrator moves it", async () => {
    const clerk = await signIn(t.app, "t-clerk-dl");
    const res = await postEdit(clerk, t.city.dlJoint.id, { kind: "general_branch", formation: "" });
    expect(res.status).toBe(303);
    expect(orgRow(t.city.dlJoint.id)).toMatchObject({ kind: "general_branch", formation: null });
    const admin = await signIn(t.app, "t-admin");
    const moved = await postEdit(admin, t.city.dlBranch.id, { parentId: t.city.ps.id });
    expect(moved.status).toBe(303);
    expect(orgRow(t.city.dlBranch.id)).toMatchObject({ parent_id: t.city.ps.id, path: `${t.city.ps.path}${t.city.dlBranch.id}/` });
  });
});

describe("the branch secretary's phone: masked in the forms, kept when sent back masked, unmasked only audited", () => {
  beforeEach(() => {
    t.handle.sqlite.prepare("UPDATE organizations SET secretary_phone = ? WHERE id = ?").run(PHONE, t.city.dlBranch.id);
  });

  it.each(["t-sec-dl", "t-clerk-dl", "t-admin"])(
    "%s sees it masked on the edit form and the detail page; saving the form keeps it",
    async (username) => {
      const agent = await signIn(t.app, username);
      for (const path of [`/orgs/${t.city.dlBranch.id}/edit`, `/orgs/${t.city.dlBranch.id}`]) {
        const page = await agent.get(path);
        expect(page.status).toBe(200);
        expect(page.text).not.toContain(PHONE);
        expect(page.text).toContain(maskPhone(PHONE));
      }
      const res = await postEdit(agent, t.city.dlBranch.id, { secretaryName: "钱书记" });
      expect(res.status).toBe(303);
      expect(orgRow(t.city.dlBranch.id)).toMatchObject({ secretary_phone: PHONE, secretary_name: "钱书记" });
    },
  );

  it("refuses a masked number with other digits around the stars, and stores a whole new one", async () => {
    const sec = await signIn(t.app, "t-sec-dl");
    const before = orgs();
    const altered = await postEdit(sec, t.city.dlBranch.id, { secretaryPhone: "139****0000" });
    expect(altered.status).toBe(422);
    expect(fieldError(altered.text, "secretaryPhone")).toContain("请完整输入新的手机号");
    expect(orgs()).toBe(before);
    const fresh = await postEdit(sec, t.city.dlBranch.id, { secretaryPhone: "13800001111" });
    expect(fresh.status).toBe(303);
    expect(orgRow(t.city.dlBranch.id).secretary_phone).toBe("13800001111");
    // A new organization has nothing stored to keep.
    const clerk = await signIn(t.app, "t-clerk-dl");
    const page = await clerk.get(`/orgs/new?parent=${t.city.dl.id}`);
    const create = await clerk
      .post("/orgs")
      .type("form")
      .send({
        ...formOf(page.text),
        code: "HZ-DL-051",
        name: "中共菏泽新建支部",
        regionCode: "371702",
        formation: "joint",
        secretaryPhone: maskPhone(PHONE),
      });
    expect(create.status).toBe(422);
    expect(fieldError(create.text, "secretaryPhone")).toContain("请完整输入新的手机号");
  });

  it("shows the whole number only to roles that may unmask, on request, audited; never to a secretary or outside the scope", async () => {
    const audits = () =>
      t.handle.sqlite.prepare("SELECT count(*) FROM audit_log WHERE action = 'unmask' AND entity = 'organization'").pluck().get() as number;
    const sec = await signIn(t.app, "t-sec-dl");
    const refused = await sec
      .post(`/orgs/${t.city.dlBranch.id}/unmask`)
      .type("form")
      .send({ _csrf: await sec.csrf(`/orgs/${t.city.dlBranch.id}`) });
    expect(refused.status).toBe(403);
    expect(refused.text).not.toContain(PHONE);
    expect((await sec.get(`/orgs/${t.city.dlBranch.id}`)).text).not.toContain("查看完整号码");
    expect(audits()).toBe(0);
    const clerkPs = await signIn(t.app, "t-clerk-ps");
    const outside = await clerkPs
      .post(`/orgs/${t.city.dlBranch.id}/unmask`)
      .type("form")
      .send({ _csrf: await clerkPs.csrf("/orgs") });
    expect(outside.status).toBe(404);
    expect(outside.text).not.toContain(PHONE);
    expect(audits()).toBe(0);
    const clerk = await signIn(t.app, "t-clerk-dl");
    const shown = await clerk
      .post(`/orgs/${t.city.dlBranch.id}/unmask`)
      .type("form")
      .send({ _csrf: await clerk.csrf(`/orgs/${t.city.dlBranch.id}`) });
    expect(shown.status).toBe(200);
    expect(shown.text).toContain(PHONE);
    expect(shown.text).toContain("本次查看已记入审计日志");
    expect(audits()).toBe(1);
  });
});

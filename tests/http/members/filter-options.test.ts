// The member list's organization and enterprise filters in a scope too big for one select (a
// province's 2,388 organizations): over FILTER_SELECT_MAX, the committee chosen first narrows them;
// a filter arriving by link stays shown and kept; nothing outside the scope is named.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FILTER_SELECT_MAX } from "../../../server/services/members/filter-options.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { addEnterprise, addMember, addOrg } from "../../helpers/fixtures.js";

let t: TestApp;
let admin: Agent;
let many: { id: number; name: string }[];

/** The <option>s of one select of the filter form, as [value, text]. */
function selectOptions(html: string, name: string): [string, string][] | null {
  const m = new RegExp(`<select name="${name}"[^>]*>([\\s\\S]*?)</select>`).exec(html);
  if (!m) return null;
  return [...m[1]!.matchAll(/<option value="([^"]*)"[^>]*>([^<]*)<\/option>/g)].map((o) => [o[1]!, o[2]!.trim()]);
}
const selected = (html: string, name: string) =>
  new RegExp(`<select name="${name}"[^>]*>[\\s\\S]*?<option value="(\\d+)" selected>`).exec(html)?.[1] ?? null;

beforeAll(async () => {
  t = await createTestApp();
  // One more branch than a select may list, all under HZ-DL; a member in the last.
  many = [];
  for (let i = 0; i <= FILTER_SELECT_MAX; i++)
    many.push(
      addOrg(t.handle, { code: `DLB${i}`, name: `道路运输第${i}支部`, kind: "branch", parentId: t.city.dl.id, formation: "standalone" }),
    );
  addMember(t.handle, many.at(-1)!.id, { name: "末支部党员" });
  admin = await signIn(t.app, "t-admin");
});
afterAll(() => t.close());

describe("organization and enterprise filters over a big scope", () => {
  it("lists no organization or enterprise until a committee is chosen, and says so", async () => {
    const page = await admin.get("/members");
    expect(page.status).toBe(200);
    expect(selectOptions(page.text, "org")).toEqual([["", "全部"]]);
    expect(selectOptions(page.text, "enterprise")).toEqual([["", "全部"]]);
    expect(page.text).toContain("先选行业党委并查询");
    // The committees stay offered (there are few).
    expect(selectOptions(page.text, "committee")!.map(([v]) => v)).toContain(String(t.city.dl.id));
  });

  it("with a committee chosen, offers that committee's organizations and enterprises only", async () => {
    const dl = await admin.get(`/members?committee=${t.city.dl.id}`);
    const orgs = selectOptions(dl.text, "org")!.map(([v]) => Number(v));
    expect(orgs).toEqual(expect.arrayContaining([t.city.dl.id, t.city.dlBranch.id, ...many.map((o) => o.id)]));
    expect(orgs).not.toContain(t.city.psBranch.id);
    const ents = selectOptions(dl.text, "enterprise")!.map(([v]) => Number(v));
    expect(ents).toContain(t.city.dlEnterprise.id);
    expect(ents).not.toContain(t.city.psEnterprise.id);

    const ps = await admin.get(`/members?committee=${t.city.ps.id}`);
    const psOrgs = selectOptions(ps.text, "org")!.map(([v]) => Number(v));
    expect(psOrgs).toEqual([0, t.city.ps.id, t.city.psBranch.id]);
    expect(ps.text).not.toContain(many[0]!.name);
  });

  it("keeps an organization or enterprise filter that arrived by link, shown and selected", async () => {
    const last = many.at(-1)!;
    const page = await admin.get(`/members?org=${last.id}&enterprise=${t.city.dlEnterprise.id}`);
    expect(selected(page.text, "org")).toBe(String(last.id));
    expect(selected(page.text, "enterprise")).toBe(String(t.city.dlEnterprise.id));
    const byOrg = await admin.get(`/members?org=${last.id}`);
    expect(byOrg.text).toContain("末支部党员");
  });

  it("a clerk of another committee is not told the name of an organization or enterprise outside her scope", async () => {
    const clerkPs = await signIn(t.app, "t-clerk-ps");
    const last = many.at(-1)!;
    const ent = addEnterprise(t.handle, t.city.dl.id, { name: "道路运输外部企业" });
    const page = await clerkPs.get(`/members?org=${last.id}&enterprise=${ent.id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(last.name);
    expect(page.text).not.toContain("道路运输外部企业");
    expect(page.text).not.toContain("末支部党员");
  });

  it("a small scope lists every organization at once, as before", async () => {
    const clerkPs = await signIn(t.app, "t-clerk-ps");
    const page = await clerkPs.get("/members");
    expect(page.text).not.toContain("先选行业党委并查询");
    // One committee and its branch: the committee select is not shown, the organization select is.
    expect(selectOptions(page.text, "org")!.map(([v]) => Number(v))).toEqual([0, t.city.ps.id, t.city.psBranch.id]);
  });
});

// A breakdown longer than the dashboard shows (a province's 200 committees, 150 counties): the
// dashboard keeps the CHART_MAX_BARS rows with the most enterprises, in its chart and its table, and
// links the whole breakdown, which is its own page, sortable by any column, within the same scope.

import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CHART_MAX_BARS } from "../../../server/services/coverage/dashboard.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { addEnterprise, addOrg, cover } from "../../helpers/fixtures.js";

let t: TestApp;
let supervisor: Agent;
let clerk: Agent;
/** The committees added, in the order they were added (the breakdown's own order is by code). */
let added: { id: number; name: string; enterprises: number; covered: number }[];

/** The rows of the table in the section with heading id `by-committee-h`, or of the page's one table, as [label, cells]. */
function tableRows(html: string, section?: string): [string, string[]][] {
  let part = html;
  if (section) {
    const at = html.indexOf(`aria-labelledby="${section}"`);
    part = html.slice(at, html.indexOf("</section>", at));
  }
  const body = /<tbody>([\s\S]*?)<\/tbody>/.exec(part)![1]!;
  return [...body.matchAll(/<tr><th scope="row">([^<]*)<\/th>([\s\S]*?)<\/tr>/g)].map((m) => [
    m[1]!,
    [...m[2]!.matchAll(/<td class="num">(?:<a href="[^"]*">)?([^<]*)/g)].map((c) => c[1]!),
  ]);
}

beforeAll(async () => {
  t = await createTestApp();
  // More committees than the dashboard shows: committee i has i + 1 enterprises, the first i // 2 of
  // them covered by a branch of its own (so the rates differ from the counts' order).
  added = [];
  for (let i = 0; i < CHART_MAX_BARS + 5; i++) {
    const c = addOrg(t.handle, {
      code: `HZ-X${String(i).padStart(2, "0")}`,
      name: `中共菏泽市第${i}行业委员会`,
      kind: "industry_committee",
      parentId: t.city.root.id,
      regionCode: "371700",
    });
    const branch = addOrg(t.handle, {
      code: `HZ-X${i}-B`,
      name: `第${i}行业支部`,
      kind: "branch",
      parentId: c.id,
      formation: "standalone",
    });
    const covered = Math.floor(i / 2);
    for (let k = 0; k <= i; k++) {
      const e = addEnterprise(t.handle, c.id);
      if (k < covered) cover(t.handle, branch.id, e.id);
    }
    added.push({ id: c.id, name: c.name, enterprises: i + 1, covered });
  }
  supervisor = await signIn(t.app, "t-supervisor");
  clerk = await signIn(t.app, "t-clerk-dl");
});
afterAll(() => t.close());

describe("a breakdown longer than the dashboard shows", () => {
  it("the dashboard lists the committees with the most enterprises, and links the whole breakdown", async () => {
    const page = await supervisor.get("/");
    expect(page.status).toBe(200);
    const rows = tableRows(page.text, "by-committee-h");
    expect(rows).toHaveLength(CHART_MAX_BARS);
    // The 20 largest are the added committees 5 … 24 (6 … 25 enterprises); the small city's own two have one or two.
    expect(rows.map(([label]) => label).sort()).toEqual(
      added
        .slice(5)
        .map((c) => c.name)
        .sort(),
    );
    const total = added.length + 2;
    expect(page.text).toContain(`共 ${total} 个，上表为企业最多的 ${CHART_MAX_BARS} 个`);
    expect(page.text).toMatch(/<a href="\/breakdowns\/committee" data-breakdown-all="committee">查看全部 27 个行业党委<\/a>/);
    // The chart draws the same committees, and says it is a part.
    expect(page.text).toContain(`按行业党委（企业最多的 ${CHART_MAX_BARS} 个）`);
  });

  it("the whole breakdown lists every committee with the dashboard's figures", async () => {
    const dash = new Map(tableRows((await supervisor.get("/")).text, "by-committee-h"));
    const page = await supervisor.get("/breakdowns/committee");
    expect(page.status).toBe(200);
    const rows = tableRows(page.text);
    expect(rows).toHaveLength(added.length + 2);
    expect(page.text).toContain(`共 <strong data-total>${added.length + 2}</strong> 个行业党委`);
    for (const c of added) {
      const cells = rows.find(([label]) => label === c.name)?.[1];
      expect(cells?.[0], c.name).toBe(String(c.enterprises));
      expect(cells?.[1], c.name).toBe(String(c.covered));
      if (dash.has(c.name)) expect(cells).toEqual(dash.get(c.name));
    }
  });

  it("sorts by a count most first and by a rate lowest first, ties in the breakdown's order", async () => {
    const byEnterprises = tableRows((await supervisor.get("/breakdowns/committee?sort=enterprises")).text).map(([, c]) => Number(c[0]));
    expect(byEnterprises).toEqual([...byEnterprises].sort((a, b) => b - a));
    expect(byEnterprises[0]).toBe(added.length);

    const page = await supervisor.get("/breakdowns/committee?sort=orgRate");
    expect(page.text).toContain('aria-sort="ascending"');
    const rates = tableRows(page.text).map(([, c]) => c[2]!);
    const numeric = rates.map((r) => Number.parseFloat(r));
    expect(numeric).toEqual([...numeric].sort((a, b) => a - b));
    // Committees 0 and 1 (nothing covered of one and two enterprises) are among the first, at 0%.
    const zero = tableRows(page.text)
      .filter(([, c]) => c[2] === "0.0%")
      .map(([l]) => l);
    expect(zero).toEqual(expect.arrayContaining([added[0]!.name, added[1]!.name]));
    expect(rates.slice(0, zero.length).every((r) => r === "0.0%")).toBe(true);

    const uncovered = tableRows((await supervisor.get("/breakdowns/committee?sort=uncovered")).text).map(([, c]) => Number(c[6]));
    expect(uncovered).toEqual([...uncovered].sort((a, b) => b - a));
  });

  it("a breakdown shown whole on the dashboard links its sortable page too, in the dashboard's scope", async () => {
    const dash = await clerk.get("/");
    expect(tableRows(dash.text, "by-committee-h").map(([l]) => l)).toEqual([t.city.dl.name]);
    expect(dash.text).toContain('<a href="/breakdowns/committee" data-breakdown-all="committee">按列排序查看</a>');
    const scoped = await supervisor.get(`/?scope=committee%3A${t.city.dl.id}`);
    expect(scoped.text).toContain(`<a href="/breakdowns/county?scope=committee%3A${t.city.dl.id}" data-breakdown-all="county">`);
  });

  it("keeps the scope of the request: a clerk sees her committee alone, another committee's scope is not found", async () => {
    const own = await clerk.get("/breakdowns/committee");
    expect(own.status).toBe(200);
    expect(tableRows(own.text).map(([l]) => l)).toEqual([t.city.dl.name]);
    expect(own.text).not.toContain(added[0]!.name);
    const other = await clerk.get(`/breakdowns/committee?scope=committee%3A${added[3]!.id}`);
    expect(other.status).toBe(404);
    expect(other.text).not.toContain(added[3]!.name);
  });

  it("answers a level the installation does not break down by, or a bad sort, with a message and no table", async () => {
    // A city breaks down by county; it has no cities.
    const city = await supervisor.get("/breakdowns/city");
    expect(city.status).toBe(404);
    expect(city.text).not.toContain("<table");
    const nothing = await supervisor.get("/breakdowns/..%2Fadmin");
    expect(nothing.status).toBe(404);
    const sort = await supervisor.get("/breakdowns/committee?sort=name;drop");
    expect(sort.status).toBe(400);
    expect(sort.text).toContain("排序列无效");
    expect(sort.text).not.toContain("<tbody>");
    const anonymous = await request(t.app).get("/breakdowns/committee");
    expect(anonymous.status).toBe(303);
    expect(anonymous.headers.location).toMatch(/^\/login/);
  });
});

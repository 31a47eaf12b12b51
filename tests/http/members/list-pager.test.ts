import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { addMember } from "../../helpers/fixtures.js";

// The member list's pager: the total and page count, jumps to any page (by offset from the nearer
// end) and to the last one, the page-size choice (validated), and the sortable column headers.
// One app for the file: the tests only read.

let t: TestApp;
let agent: Agent;
let expected: number;
/** Ids of the secretary's branch in name order, as the database sorts them. */
let byName: string[];

beforeAll(async () => {
  t = await createTestApp();
  for (let i = 0; i < 123; i++)
    addMember(t.handle, t.city.dlJoint.id, {
      name: `成员${String((i * 37) % 123).padStart(3, "0")}`,
      joinedOn: `20${String(10 + (i % 9)).padStart(2, "0")}-0${1 + (i % 8)}-15`,
    });
  agent = await signIn(t.app, "t-sec-joint");
  byName = (
    t.handle.sqlite.prepare("SELECT id FROM members WHERE org_id = ? ORDER BY name, id").pluck().all(t.city.dlJoint.id) as number[]
  ).map(String);
  expected = byName.length;
});
afterAll(() => t?.close());

const idsOf = (html: string) => [...html.matchAll(/<a href="\/members\/(\d+)">/g)].map((x) => x[1]!);
const decodeAmp = (href: string) => href.replaceAll("&amp;", "&");

describe("the member list's pager", () => {
  it("states the total and the page count, and offers the last page, a jump and the page sizes", async () => {
    const res = await agent.get("/members");
    expect(res.status).toBe(200);
    const pages = Math.ceil(expected / 50);
    expect(res.text).toContain(`第 <span class="current">1</span> 页 / 共 ${pages} 页 · 共 ${expected} 条`);
    expect(res.text).toMatch(new RegExp(`href="\\?page=${pages}">末页`));
    expect(res.text).toMatch(/<input type="number" name="page" min="1" max="3" value="1"/);
    expect(res.text).toMatch(
      /<select name="size"><option value="20">20<\/option><option value="50" selected>50<\/option><option value="100">100<\/option><\/select>/,
    );
  });

  it("jumps to any page, in name order, from either end, and the keyset links go on from there", async () => {
    for (const size of [20, 50]) {
      const pages = Math.ceil(expected / size);
      for (let p = 1; p <= pages; p++) {
        const res = await agent.get(`/members?size=${size}&page=${p}`);
        expect(res.status).toBe(200);
        expect(idsOf(res.text), `size ${size}, page ${p}`).toEqual(byName.slice((p - 1) * size, p * size));
        expect(res.text).toContain(`第 <span class="current">${p}</span> 页 / 共 ${pages} 页`);
        expect(res.text.includes(">下一页<")).toBe(p < pages);
        expect(res.text.includes(">上一页<")).toBe(p > 1);
      }
    }
    // From a jumped-to page, the next link is a keyset cursor, and it carries the page size.
    const middle = await agent.get("/members?size=20&page=3");
    const next = /href="(\/members\?[^"]*after=[^"]*)">下一页/.exec(middle.text)![1]!;
    expect(decodeAmp(next)).toContain("size=20");
    expect(idsOf((await agent.get(decodeAmp(next))).text)).toEqual(byName.slice(60, 80));
    const prev = /href="(\/members\?[^"]*before=[^"]*)">上一页/.exec(middle.text)![1]!;
    expect(idsOf((await agent.get(decodeAmp(prev))).text)).toEqual(byName.slice(20, 40));
  });

  it("answers a page past the end with the first page", async () => {
    const res = await agent.get("/members?page=999");
    expect(res.status).toBe(200);
    expect(idsOf(res.text)).toEqual(byName.slice(0, 50));
    expect(res.text).toContain(`第 <span class="current">1</span> 页`);
  });

  it("refuses a page size outside the choice", async () => {
    for (const size of ["0", "7", "1000", "abc"]) expect((await agent.get(`/members?size=${size}`)).status, size).toBe(400);
    const res = await agent.get("/members?size=100");
    expect(idsOf(res.text)).toEqual(byName.slice(0, 100));
  });

  it("sorts by a column header: ascending first, then the other way, marked for screen readers", async () => {
    const first = await agent.get("/members");
    expect(first.text).toMatch(/<th scope="col" aria-sort="ascending"><a href="\?sort=name&amp;dir=desc"[^>]*>姓名<\/a><\/th>/);
    expect(first.text).toMatch(/<th scope="col"><a href="\?sort=joined&amp;dir=asc"[^>]*>入党日期<\/a><\/th>/);
    const desc = await agent.get("/members?sort=name&dir=desc");
    expect(desc.text).toMatch(/<th scope="col" aria-sort="descending"><a href="\?sort=name&amp;dir=asc"/);
    expect(idsOf(desc.text)).toEqual(
      (
        t.handle.sqlite
          .prepare("SELECT id FROM members WHERE org_id = ? ORDER BY name DESC, id DESC LIMIT 50")
          .pluck()
          .all(t.city.dlJoint.id) as number[]
      ).map(String),
    );
    const joined = await agent.get("/members?sort=joined&dir=desc&page=2");
    expect(joined.text).toMatch(/<th scope="col" aria-sort="descending"><a href="\?sort=joined&amp;dir=asc/);
    expect(idsOf(joined.text)).toEqual(
      (
        t.handle.sqlite
          .prepare("SELECT id FROM members WHERE org_id = ? ORDER BY coalesce(joined_on, '') DESC, id DESC LIMIT 50 OFFSET 50")
          .pluck()
          .all(t.city.dlJoint.id) as number[]
      ).map(String),
    );
  });

  it("never lets a number, date or code label break inside its cell", async () => {
    const res = await agent.get("/members");
    const row = /<tr>\s*<td class="key"[\s\S]*?<\/tr>/.exec(res.text)![0];
    for (const label of ["性别", "身份证号", "手机号", "类别", "职业", "入党日期"])
      expect(row, label).toMatch(new RegExp(`<td class="nw" data-label="${label}">`));
  });
});

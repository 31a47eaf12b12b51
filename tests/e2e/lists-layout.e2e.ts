import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { demoSuite, signInPage, step } from "./harness.js";

// How the daily lists read in Chromium with the demo data (the member list, the widest one): at a
// desk's width no number, date or code label breaks inside its cell, the name column and the
// header stay in view while the table scrolls in its card; at a phone's width the header is one
// line with a menu that opens without script, badges on its button, and rows are compact; printed,
// no navigation and no row split across pages. Logs the member list's rows per screen and height.

const env = demoSuite({ members: 1500 });
const WIDE = { width: 1366, height: 768 };
const NARROW = { width: 390, height: 844 };

/** Rows, their mean height, rows per screen (viewport height / mean row), the page's height. */
const FIGURES = `(() => {
  const rows = [...document.querySelectorAll("main table.list tbody tr")];
  const mean = rows.reduce((a, r) => a + r.getBoundingClientRect().height, 0) / rows.length;
  return { rows: rows.length, meanRow: Math.round(mean * 10) / 10, perScreen: Math.round((innerHeight / mean) * 10) / 10, pageHeight: document.documentElement.scrollHeight };
})()`;

/** Cells of class "nw" whose text runs on more than one line (text tops further apart than half a line). */
const BROKEN_CELLS = `(() => [...document.querySelectorAll("main table.list td.nw")].filter((td) => {
  const tops = [];
  const walk = document.createTreeWalker(td, NodeFilter.SHOW_TEXT);
  for (let n = walk.nextNode(); n; n = walk.nextNode()) {
    const r = document.createRange(); r.selectNodeContents(n);
    for (const x of r.getClientRects()) if (x.width > 0) tops.push(x.top);
  }
  return tops.length && Math.max(...tops) - Math.min(...tops) > parseFloat(getComputedStyle(td).lineHeight) / 2;
}).map((td) => td.dataset.label + ": " + td.textContent.trim()))()`;

const box = (page: Page, selector: string) => page.locator(selector).first().boundingBox();

describe("the member list in the browser", () => {
  it("reads as a table at 1366 px: cells unbroken, name column and header kept in view", async () => {
    const context = await env.browser.newContext({ viewport: WIDE });
    const page = await signInPage(context, env.server.url, "clerk");
    await step(page, "lists-wide", async () => {
      await page.goto(`${env.server.url}/members`);
      expect(await page.evaluate<string[]>(BROKEN_CELLS)).toEqual([]);
      const figures = await page.evaluate<{ rows: number; meanRow: number; perScreen: number; pageHeight: number }>(FIGURES);
      console.log("member list at 1366 px:", JSON.stringify(figures));
      expect(figures.rows).toBe(50);
      // One line a row: the 50 rows fit in fewer than three screens, not five.
      expect(figures.meanRow).toBeLessThan(45);
      // The table scrolls inside its card: the header row stays at the card's top, the name column at its left.
      const wrap = (await box(page, "main .table-wrap.long"))!;
      await page.evaluate(
        `(() => { const w = document.querySelector("main .table-wrap.long"); w.scrollTop = 600; w.scrollLeft = 400; })()`,
      );
      const th = (await box(page, "main table.list thead th:nth-child(3)"))!;
      expect(Math.abs(th.y - wrap.y)).toBeLessThanOrEqual(2);
      const name = (await box(page, "main table.list tbody tr:nth-child(20) td:first-child"))!;
      expect(Math.abs(name.x - wrap.x)).toBeLessThanOrEqual(2);
      // The pager: total, page count, jump and page size.
      expect(await page.textContent("nav.pager .pager-info")).toMatch(/第 1 页 \/ 共 \d+ 页 · 共 [\d,]+ 条/);
      await page.selectOption("nav.pager select[name=size]", "20");
      await Promise.all([page.waitForURL(/size=20/), page.click("nav.pager .pager-size button")]);
      expect(await page.locator("main table.list tbody tr").count()).toBe(20);
      await page.fill("nav.pager input[name=page]", "4");
      await Promise.all([page.waitForURL(/page=4/), page.click("nav.pager .pager-jump button")]);
      expect(await page.textContent("nav.pager .current")).toBe("4");
      expect(await page.locator("main table.list tbody tr").count()).toBe(20);
    });
    await context.close();
  });

  it("at 390 px: a one-line header whose menu opens without script, badges on it, compact rows", async () => {
    const context = await env.browser.newContext({ viewport: NARROW, javaScriptEnabled: false });
    const page = await signInPage(context, env.server.url, "clerk");
    await step(page, "lists-narrow", async () => {
      await page.goto(`${env.server.url}/members`);
      const header = (await box(page, "header.top"))!;
      expect(header.height).toBeLessThan(56);
      expect(await page.isVisible('header nav a[href="/members"]')).toBe(false);
      // The clerk has open leads: their count shows on the closed menu's button.
      expect(await page.textContent("header details.menu > summary")).toMatch(/(摸排线索|待办)\d+/);
      await page.click("header details.menu > summary");
      expect(await page.isVisible('header nav a[href="/members"]')).toBe(true);
      const figures = await page.evaluate<{ rows: number; meanRow: number; perScreen: number; pageHeight: number }>(FIGURES);
      console.log("member list at 390 px:", JSON.stringify(figures));
      expect(figures.meanRow).toBeLessThan(80);
      expect(figures.pageHeight).toBeLessThan(6000);
      // A compact row: the name (a link to the record), its organization and relation, no ID number.
      expect(await page.isVisible("main table.list tbody tr:first-child td:first-child a")).toBe(true);
      expect(await page.isVisible('main table.list tbody tr:first-child td[data-label="身份证号"]')).toBe(false);
    });
    await context.close();
  });

  it("at 1366 px the admin's header (the most entries) is two lines: the bar, then who is signed in", async () => {
    const context = await env.browser.newContext({ viewport: WIDE });
    const page = await signInPage(context, env.server.url, "admin");
    await step(page, "header-wide", async () => {
      await page.goto(`${env.server.url}/audit`);
      const lines = await page.evaluate<number>(
        `new Set([...document.querySelectorAll("header nav > a, header nav > details.more > summary")].map((e) => Math.round(e.getBoundingClientRect().top))).size`,
      );
      expect(lines).toBe(1);
      expect((await box(page, "header.top"))!.height).toBeLessThan(100);
      // Badges stay on the bar; the occasional pages sit under 更多, marked when one of them is open.
      expect(await page.textContent('header nav > a[href="/leads"]')).toMatch(/摸排线索\d+/);
      expect(await page.isVisible('header nav a[href="/admin/users"]')).toBe(false);
      expect(await page.getAttribute("header details.more > summary", "class")).toBe("active");
      await page.click("header details.more > summary");
      await Promise.all([page.waitForURL(/\/admin\/users$/), page.click('header nav a[href="/admin/users"]')]);
    });
    await context.close();
  });

  it("prints without navigation, filters or pager, and never splits a row", async () => {
    const context = await env.browser.newContext({ viewport: WIDE });
    const page = await signInPage(context, env.server.url, "clerk");
    await page.goto(`${env.server.url}/members`);
    await page.emulateMedia({ media: "print" });
    for (const hidden of ["header.top", "form.filters", "nav.pager", "footer.foot"])
      expect(await page.isVisible(hidden), hidden).toBe(false);
    expect(await page.evaluate<string>(`getComputedStyle(document.querySelector("main table.list tbody tr")).breakInside`)).toBe("avoid");
    expect(await page.evaluate<string>(`getComputedStyle(document.querySelector("main .table-wrap")).overflowY`)).toBe("visible");
    await context.close();
  });
});

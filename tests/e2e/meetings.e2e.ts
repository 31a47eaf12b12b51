import { describe, expect, it } from "vitest";
import { demoSuite, signInPage, step } from "./harness.js";
import { PHONE, scrollWidth, watchErrors } from "./helpers-browser.js";

// A branch secretary records a 主题党日 on a phone (390 px): from the navigation to the branch's
// year, the form (searching the list by name, ticking who came, a reason for who did not), to the
// meeting's page; no page scrolls sideways and the browser reports nothing wrong.

const s = demoSuite({ members: 600 });

describe("recording a meeting at 390 px", () => {
  it("ticks attendance from the branch's list, searched by name, and lands on the meeting's page", async () => {
    const context = await s.browser.newContext(PHONE);
    const page = await signInPage(context, s.server.url, "secretary");
    const errors = watchErrors(page);
    try {
      await step(page, "meetings-index", async () => {
        await page.goto(`${s.server.url}/meetings`);
        expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
        await Promise.all([page.waitForURL(/\/meetings\/org\/\d+$/), page.click("table a[href^='/meetings/org/']")]);
        expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
        errors.assertClean("year");
      });
      const names = await step(page, "form", async () => {
        await Promise.all([page.waitForURL(/\/new$/), page.click("a[href$='/new']")]);
        expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
        const all = await page.$$eval("#roster li", (lis) =>
          lis.map((li) => (li as unknown as { dataset: { name: string } }).dataset.name),
        );
        expect(all.length).toBeGreaterThan(2);
        return all;
      });
      // Two distinct names, neither containing the other (the search matches substrings).
      const first = names[0]!;
      const second = names.find((n) => !n.includes(first) && !first.includes(n))!;
      await step(page, "fill", async () => {
        await page.selectOption("#f-type", "theme_day");
        await page.fill("#f-place", "骑手驿站");
        await page.fill("#f-host", "演示书记");
        await page.fill("#f-recorder", "组织委员");
        await page.fill("#f-topic", "重温入党誓词");
        // Search by name: only matching rows stay visible.
        await page.fill("#roster-search", first);
        const visible = await page.$$eval("#roster li:not([hidden])", (lis) => lis.length);
        expect(visible).toBeLessThan(names.length);
        await page.check(`#roster li[data-name="${first}"] input[name="present"]`);
        await page.fill("#roster-search", second);
        await page.selectOption(`#roster li[data-name="${second}"] select`, "work");
        await page.fill("#roster-search", "");
        expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
        await Promise.all([page.waitForURL(/\/meetings\/\d+$/), page.click("form.meeting-form button[type=submit]")]);
      });
      await step(page, "meeting", async () => {
        const totals = await page.textContent("#totals");
        expect(totals).toContain(`应到 ${names.length} 人，出席 1 人，请假 1 人，缺席 ${names.length - 2} 人`);
        const row = await page.textContent(`tr:has(a:text-is("${second}")) td[data-status]`);
        expect(row).toContain("请假（工作）");
        expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
        errors.assertClean("meeting");
      });
    } finally {
      await context.close();
    }
  });
});

import { eq } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { organizations } from "../../db/schema.js";
import { todayIso } from "../../server/domain/dates.js";
import { demoSuite, signInPage, step } from "./harness.js";
import { PHONE, scrollWidth, watchErrors } from "./helpers-browser.js";

// A branch secretary records the month's dues on a phone (390 px): the bulk entry lists every
// member of the branch, each ticked as paid in full with a method and (where none was carried over)
// an income; the month's page then shows nobody unpaid, and the month closes. No page scrolls
// sideways, no browser error.

const s = demoSuite({ members: 1500 });

describe("dues: a month's bulk entry at phone width", () => {
  it("records every member of the branch, shows the totals, closes the month", async () => {
    const org = s.server.handle.db.select().from(organizations).where(eq(organizations.code, "HZ-DL-001")).get()!;
    const month = todayIso().slice(0, 7);
    const context = await s.browser.newContext(PHONE);
    const page = await signInPage(context, s.server.url, "secretary");
    const errors = watchErrors(page);

    await step(page, "dues-nav", async () => {
      // At a phone's width the navigation sits in the header's menu: open it first (no script involved).
      await page.click("header details.menu > summary");
      await page.click('header nav a[href="/dues"]');
      await page.waitForURL((u) => u.pathname === "/dues");
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
      await page.click(`a[href="/dues/orgs/${org.id}"]`);
      await page.waitForURL((u) => u.pathname === `/dues/orgs/${org.id}`);
    });

    const rows = await step(page, "dues-entry-form", async () => {
      await page.click(`a[href="/dues/orgs/${org.id}/entry?month=${month}"]`);
      await page.waitForURL((u) => u.pathname.endsWith("/entry"));
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
      const ids = await page.$$eval("fieldset.dues-row", (els) => els.map((e) => e.getAttribute("data-member") ?? ""));
      expect(ids.length).toBeGreaterThan(1);
      for (const id of ids) {
        const income = page.locator(`#i-${id}`);
        if ((await income.inputValue()) === "") await income.fill("4500");
        await page.check(`input[name="full_${id}"]`);
        await page.selectOption(`#w-${id}`, "online");
      }
      return ids.length;
    });

    await step(page, "dues-entry-save", async () => {
      await Promise.all([page.waitForURL((u) => u.pathname === `/dues/orgs/${org.id}`), page.click(".dues-entry button[type=submit]")]);
      expect(await page.textContent(".flash.success")).toContain(`已录入 ${rows} 条`);
      expect(await page.textContent('[data-total="unpaid"]')).toBe("0");
      expect(await page.textContent('[data-total="paid"]')).not.toBe("0");
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
    });

    await step(page, "dues-close", async () => {
      await Promise.all([page.waitForURL((u) => u.pathname === `/dues/orgs/${org.id}`), page.click('form[action$="/close"] button')]);
      expect(await page.textContent(".flash.success")).toContain("已结账");
      expect(await page.locator('a[href*="/entry"]').count()).toBe(0);
    });
    errors.assertClean("dues journey");
    const closing = s.server.handle.sqlite
      .prepare("SELECT members FROM dues_month_closings WHERE org_id = ? AND month = ?")
      .get(org.id, month) as { members: number };
    expect(closing.members).toBeGreaterThanOrEqual(rows);
    await context.close();
  });
});

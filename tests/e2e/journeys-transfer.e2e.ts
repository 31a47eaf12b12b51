import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { todayIso } from "../../server/domain/dates.js";
import { demoSuite, signInPage, step } from "./harness.js";
import { PHONE, scrollWidth, text, watchErrors } from "./helpers-browser.js";

// A branch secretary (HZ-DL-001) issues an introduction letter moving one of her members to the
// branch HZ-DL-002; its secretary (secretary2) finds it in the inbox and accepts it; the member's
// page shows the move. Both secretaries work from a phone (390 px), where nothing may scroll sideways.

const env = demoSuite({ members: 1500 });

/** The value of the `dt` labelled `label` in a definition list on the page. */
const prop = (page: Page, label: string) =>
  text(page, `xpath=(//dl[contains(@class,"props")]/dt[normalize-space()="${label}"]/following-sibling::dd[1])[1]`);
const fitsPhone = async (page: Page) => expect(await scrollWidth(page)).toBeLessThanOrEqual(391);

describe("transfer of organizational relationship between two branches", () => {
  it("is issued by the sending secretary, accepted from the receiver's inbox, and shown on the member's page", async () => {
    const db = env.server.handle.sqlite;
    const from = db.prepare("SELECT id, name FROM organizations WHERE code = 'HZ-DL-001'").get() as { id: number; name: string };
    const to = db.prepare("SELECT id, name FROM organizations WHERE code = 'HZ-DL-002'").get() as { id: number; name: string };
    // A member managed locally by the sending branch, with no letter pending.
    const member = db
      .prepare(
        `SELECT m.id, m.name FROM members m WHERE m.org_id = ? AND m.relation_status = 'local' AND m.left_on IS NULL
           AND NOT EXISTS (SELECT 1 FROM transfers t WHERE t.member_id = m.id AND t.state = 'pending') ORDER BY m.id LIMIT 1`,
      )
      .get(from.id) as { id: number; name: string };
    expect(member).toBeDefined();

    const sender = await env.browser.newContext(PHONE);
    const page = await signInPage(sender, env.server.url, "secretary");
    const watch = watchErrors(page);
    let transferId = 0;
    let letterNumber = "";

    await step(page, "transfer-find-member", async () => {
      // At a phone's width the navigation sits in the header's menu: open it first (no script involved).
      expect(await page.isVisible('header nav a[href="/members"]')).toBe(false);
      await page.click("header details.menu > summary");
      await page.click('header nav a[href="/members"]');
      await page.waitForURL(/\/members$/);
      await page.fill('form[action="/members"] input[name=q]', member.name);
      await Promise.all([page.waitForURL(/\/members\?/), page.click('form[action="/members"] button[type=submit]')]);
      await Promise.all([page.waitForURL(new RegExp(`/members/${member.id}$`)), page.click(`main a[href="/members/${member.id}"]`)]);
      expect(await prop(page, "管理党组织")).toBe(from.name);
      await fitsPhone(page);
      watch.assertClean("member page");
    });

    await step(page, "transfer-issue", async () => {
      await Promise.all([page.waitForURL(/\/transfers\/new\?member=/), page.click(`main a[href="/transfers/new?member=${member.id}"]`)]);
      // Inside the system is the default kind for a locally managed member.
      expect(await page.getAttribute('form[action="/transfers"] input[name=kind]', "value")).toBe("internal");
      await page.selectOption('form[action="/transfers"] select[name=toOrgId]', String(to.id));
      expect(await page.inputValue('form[action="/transfers"] input[name=issuedOn]')).toBe(todayIso());
      await page.fill('form[action="/transfers"] [name=reason]', "工作单位变动");
      await fitsPhone(page);
      await Promise.all([page.waitForURL(/\/transfers\/\d+$/), page.click('form[action="/transfers"] button[type=submit]')]);
      transferId = Number(new URL(page.url()).pathname.split("/").pop());
      letterNumber = await prop(page, "介绍信编号");
      expect(await text(page, ".flash.success")).toBe(`已开具介绍信 ${letterNumber}，请打印盖章后交党员本人。`);
      expect(await prop(page, "状态")).toBe("待接收");
      expect(await prop(page, "转入")).toContain(to.name);
      await fitsPhone(page);
      watch.assertClean("issue");
    });
    // Until the receiver accepts, the sending branch stays responsible for the member.
    expect(db.prepare("SELECT org_id FROM members WHERE id = ?").pluck().get(member.id)).toBe(from.id);
    expect(
      db.prepare("SELECT state, from_org_id AS fromOrg, to_org_id AS toOrg, kind FROM transfers WHERE id = ?").get(transferId),
    ).toEqual({ state: "pending", fromOrg: from.id, toOrg: to.id, kind: "internal" });

    const receiver = await env.browser.newContext(PHONE);
    const page2 = await signInPage(receiver, env.server.url, "secretary2");
    const watch2 = watchErrors(page2);
    await step(page2, "transfer-inbox", async () => {
      // The inbox's badge shows on the closed menu's button.
      expect(await text(page2, "header details.menu > summary")).toMatch(/待办\s*\d+/);
      await page2.click("header details.menu > summary");
      await Promise.all([page2.waitForURL(/\/inbox$/), page2.click('header nav a[href="/inbox"]')]);
      const row = page2.locator("#incoming tbody tr", { hasText: letterNumber });
      await expect.poll(() => row.count()).toBe(1);
      expect(await row.textContent()).toContain(member.name);
      expect(await row.textContent()).toContain(from.name);
      await fitsPhone(page2);
      await Promise.all([
        page2.waitForURL(new RegExp(`/transfers/${transferId}$`)),
        row.locator(`a[href="/transfers/${transferId}"]`).click(),
      ]);
      watch2.assertClean("inbox");
    });

    await step(page2, "transfer-accept", async () => {
      expect(await page2.inputValue(`form[action="/transfers/${transferId}/accept"] input[name=receiptOn]`)).toBe(todayIso());
      await fitsPhone(page2);
      await Promise.all([
        page2.waitForURL(new RegExp(`/transfers/${transferId}$`)),
        page2.click(`form[action="/transfers/${transferId}/accept"] button[type=submit]`),
      ]);
      expect(await text(page2, ".flash.success")).toBe("已接收，该党员的组织关系已转入。");
      expect(await prop(page2, "状态")).toBe("已完成");
      expect(await prop(page2, "回执日期")).toBe(todayIso());
      watch2.assertClean("accept");
    });

    await step(page2, "transfer-member-moved", async () => {
      await Promise.all([page2.waitForURL(new RegExp(`/members/${member.id}$`)), page2.click(`main a[href="/members/${member.id}"]`)]);
      expect(await prop(page2, "管理党组织")).toBe(to.name);
      expect(await prop(page2, "组织关系状态")).toBe("本地管理");
      const timeline = await page2.$$eval("ol.timeline li", (lis) => lis.map((li) => (li.textContent ?? "").replace(/\s+/g, " ").trim()));
      expect(
        timeline.some((e) => e.includes(`组织关系转接完成（${letterNumber}）：由 ${from.name} 转入 ${to.name}，回执日期 ${todayIso()}`)),
      ).toBe(true);
      await fitsPhone(page2);
      watch2.assertClean("member page after");
    });
    expect(db.prepare("SELECT org_id AS orgId, relation_status AS relation FROM members WHERE id = ?").get(member.id)).toEqual({
      orgId: to.id,
      relation: "local",
    });
    expect(db.prepare("SELECT state FROM transfers WHERE id = ?").pluck().get(transferId)).toBe("completed");

    await step(page, "transfer-sender-after", async () => {
      // The sender keeps the record: the letter shows as completed, the inbox no longer lists it.
      await page.goto(`${env.server.url}/transfers/${transferId}`);
      expect(await prop(page, "状态")).toBe("已完成");
      expect(await text(page, "main")).toContain("已办结的转接不能修改或删除");
      // The member has left the sender's scope.
      const res = await page.goto(`${env.server.url}/members/${member.id}`);
      expect(res?.status()).toBe(404);
      expect(watch.expected(new RegExp(`on ${env.server.url}/members/${member.id}: Failed to load resource: .*404`))).toBe(1);
      watch.assertClean("sender after");
    });
    await sender.close();
    await receiver.close();
  });
});

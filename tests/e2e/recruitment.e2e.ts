import { describe, expect, it } from "vitest";
import { DEMO_PASSWORD } from "../../db/seed/index.js";
import { todayIso } from "../../server/domain/dates.js";
import { createUser } from "../../server/services/admin/users.js";
import { demoSuite, signInPage, step } from "./harness.js";
import { PHONE, scrollWidth, text, watchErrors } from "./helpers-browser.js";

// The development zone's branch secretary, on a phone (390 px), opens the pipeline, finds the
// applicant whose talk is overdue, records the talk late (first refused without the reason, the
// form keeping what she typed), and sees the step in the record's log. Nothing scrolls sideways.

const env = demoSuite({ members: 300 });
const fitsPhone = async (p: Parameters<typeof scrollWidth>[0]) => expect(await scrollWidth(p)).toBeLessThanOrEqual(391);

describe("recruitment at a phone's width", () => {
  it("a secretary records an overdue talk from the pipeline", async () => {
    const db = env.server.handle.sqlite;
    const branch = db
      .prepare(
        `SELECT b.id FROM organizations b JOIN organizations c ON substr(b.path, 1, length(c.path)) = c.path
         WHERE c.code = 'HZ-PS-371771' AND b.kind = 'branch' ORDER BY b.id LIMIT 1`,
      )
      .get() as { id: number };
    await createUser(env.server.handle.db, null, {
      username: "kfq-secretary",
      displayName: "开发区支部书记",
      role: "secretary",
      orgId: branch.id,
      password: DEMO_PASSWORD,
    });
    const overdue = db
      .prepare(
        "SELECT id, name FROM recruitments WHERE org_id = ? AND stage = 'applicant' AND talked_on IS NULL ORDER BY applied_on LIMIT 1",
      )
      .get(branch.id) as { id: number; name: string };
    expect(overdue).toBeDefined();

    const context = await env.browser.newContext(PHONE);
    const page = await signInPage(context, env.server.url, "kfq-secretary");
    const watch = watchErrors(page);

    await step(page, "recruitment-pipeline", async () => {
      await page.click("header details.menu > summary"); // the navigation folds into the menu at this width
      await page.click('header nav a[href="/recruitment"]');
      await page.waitForURL(/\/recruitment$/);
      expect(await text(page, "#stage-activist")).toContain("（10）");
      const row = page.locator(`tr[data-recruitment="${overdue.id}"]`);
      expect(await row.textContent()).toContain("逾期");
      await fitsPhone(page);
      await row.locator("a").first().click();
      await page.waitForURL(new RegExp(`/recruitment/${overdue.id}$`));
      await fitsPhone(page);
      watch.assertClean("pipeline");
    });

    await step(page, "recruitment-talk", async () => {
      await page.click('#step-actions a[href$="/steps/talk"]');
      await page.waitForURL(/\/steps\/talk$/);
      await fitsPhone(page);
      await page.fill("#f-on", todayIso());
      await page.fill("#f-talkedBy", "开发区支部书记");
      await page.click('form[action$="/steps/talk"] button[type=submit]');
      await page.waitForSelector('[data-field="remark"]');
      expect(await text(page, '[data-field="remark"]')).toContain("请在备注中说明原因");
      expect(await page.inputValue("#f-talkedBy")).toBe("开发区支部书记");
      await fitsPhone(page);
      await page.fill("#f-remark", "申请人外出跑单，返回后谈话");
      await Promise.all([
        page.waitForURL(new RegExp(`/recruitment/${overdue.id}$`)),
        page.click('form[action$="/steps/talk"] button[type=submit]'),
      ]);
      expect(await text(page, ".flash")).toContain("已办理：入党谈话");
      expect(await text(page, "table")).toContain("申请人外出跑单");
      await fitsPhone(page);
      expect(watch.expected(/422/)).toBeLessThanOrEqual(1);
      watch.assertClean("talk");
    });
    const r = db.prepare("SELECT talked_on FROM recruitments WHERE id = ?").get(overdue.id) as { talked_on: string };
    expect(r.talked_on).toBe(todayIso());
    await context.close();
  });
});

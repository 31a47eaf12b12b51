import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { makeIdNumber } from "../../server/domain/id-number.js";
import { DEMO_SELF_REPORT_TOKEN } from "../../db/seed/demo-extras.js";
import { demoSuite, signInPage, step } from "./harness.js";

// A worker scans the demo's poster with a phone (390 px wide) and declares membership; a clerk
// records a field visit from a phone. Neither page may scroll sideways.

const env = demoSuite({ members: 300 });

const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };
type Dom = { document: { documentElement: { scrollWidth: number } } };
/** document.documentElement.scrollWidth in the page (the tests compile without the DOM library). */
const scrollWidth = (page: Page) => page.evaluate(() => (globalThis as unknown as Dom).document.documentElement.scrollWidth);

describe("self-report on a phone", () => {
  it("submits the public form at 390 px without horizontal scrolling and confirms without personal data", async () => {
    const context = await env.browser.newContext(PHONE);
    const page = await context.newPage();
    const idNumber = makeIdNumber("371702", "1987-09-09", 777);
    await step(page, "self-report-open", async () => {
      const res = await page.goto(`${env.server.url}/r/${DEMO_SELF_REPORT_TOKEN}`);
      expect(res?.status()).toBe(200);
      await page.getByRole("heading", { name: "党员亮身份登记" }).waitFor();
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
    });
    await step(page, "self-report-invalid", async () => {
      await page.fill("#f-name", "周扫码");
      await page.fill("#f-idNumber", `${idNumber.slice(0, 17)}${idNumber.endsWith("1") ? "2" : "1"}`);
      await page.fill("#f-phone", "13966667777");
      await page.selectOption("#f-occupation", "truck_driver");
      await page.fill("#f-platform", "某货运平台");
      await page.fill("#f-joinedOn", "2011-07-01");
      await page.check("input[name=consent]");
      await Promise.all([page.waitForLoadState("domcontentloaded"), page.click(`form[action^="/r/"] button[type=submit]`)]);
      await page.getByText("身份证号校验位不正确").waitFor();
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
    });
    await step(page, "self-report-submit", async () => {
      await page.fill("#f-idNumber", idNumber);
      if (!(await page.isChecked("input[name=consent]"))) await page.check("input[name=consent]");
      await Promise.all([page.waitForURL(/\/thanks$/), page.click(`form[action^="/r/"] button[type=submit]`)]);
      await page.getByRole("heading", { name: "提交成功，谢谢！" }).waitFor();
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
      const text = await page.textContent("body");
      for (const personal of ["周扫码", idNumber, "13966667777"]) expect(text).not.toContain(personal);
    });
    const lead = env.server.handle.sqlite
      .prepare("SELECT channel, name, self_report_link_id AS linkId FROM leads WHERE id_number = ?")
      .get(idNumber) as { channel: string; name: string; linkId: number } | undefined;
    expect(lead).toMatchObject({ channel: "self_report", name: "周扫码" });
    expect(lead!.linkId).toBe(
      env.server.handle.sqlite.prepare("SELECT id FROM self_report_links WHERE token = ?").pluck().get(DEMO_SELF_REPORT_TOKEN),
    );
    await context.close();
  });

  it("lets a clerk record a verified field visit from a phone without horizontal scrolling", async () => {
    const context = await env.browser.newContext(PHONE);
    const page = await signInPage(context, env.server.url, "clerk");
    const idNumber = makeIdNumber("371702", "1983-02-14", 778);
    await step(page, "field-visit", async () => {
      await page.goto(`${env.server.url}/finds/visit`);
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
      await page.fill("#f-place", "北环路司机之家");
      await page.fill("#f-name", "吴走访");
      await page.fill("#f-idNumber", idNumber);
      await page.check("input[name=documentsChecked]");
      await Promise.all([
        page.waitForResponse((r) => r.request().method() === "POST"),
        page.click(`form[action="/finds/visit"] button[type=submit]`),
      ]);
      await page.getByText("核实为党员").first().waitFor();
      expect(await scrollWidth(page)).toBeLessThanOrEqual(390);
    });
    const m = env.server.handle.sqlite
      .prepare("SELECT discovery_channel AS channel, relation_status AS relation FROM members WHERE id_number = ?")
      .get(idNumber);
    expect(m).toEqual({ channel: "field_visit", relation: "unattached" });
    await context.close();
  });
});

import path from "node:path";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { demoSuite, signInPage, step } from "./harness.js";
import { DESKTOP, downloadWorkbook, scrollWidth, text, watchErrors } from "./helpers-browser.js";
import { writeGbkRoster } from "./helpers-roster.js";

// A clerk of the road-transport committee (HZ-DL) imports a platform's GBK roster in the browser:
// upload → preview (encoding detected, columns mapped) → run → progress bar → summary → error
// file; then verifies two of the Party members the roster revealed and files one into a branch.

const WORKERS = 60_000; // ~4.5 MB: a few seconds of import, so the progress bar is on screen
const PLATFORM = "滇运货运平台";

const env = demoSuite({ members: 1500 });

/** The figure in the summary table's row headed `label` (a number, maybe followed by a link). */
const summaryFigure = async (page: Page, label: string) => {
  const cell = await text(page, `xpath=//table//tr[th[normalize-space()="${label}"]]/td`);
  const m = /^([\d,]+)(?: · .*)?$/.exec(cell);
  if (!m) throw new Error(`summary ${label}: "${cell}" is not a number`);
  return Number(m[1]!.replace(/,/g, ""));
};

describe("clerk imports a GBK roster and files what it found", () => {
  it("uploads, watches the progress, reads the summary, downloads the error file, verifies two leads and files one", async () => {
    const file = path.join(env.server.dir, "滇运骑手花名册.csv");
    const planted = writeGbkRoster(file, WORKERS);
    const db = env.server.handle.sqlite;
    // The planted members are new to the demo city: nobody holds their ID numbers yet.
    for (const m of planted.members) expect(db.prepare("SELECT count(*) FROM members WHERE id_number = ?").pluck().get(m.idNumber)).toBe(0);
    const committee = db.prepare("SELECT id, name FROM organizations WHERE code = 'HZ-DL'").get() as { id: number; name: string };
    const branch = db.prepare("SELECT id, name FROM organizations WHERE code = 'HZ-DL-001'").get() as { id: number; name: string };

    const context = await env.browser.newContext({ ...DESKTOP, acceptDownloads: true });
    const page = await signInPage(context, env.server.url, "clerk");
    const watch = watchErrors(page);

    await step(page, "import-upload", async () => {
      await page.click('header nav a[href="/imports"]');
      await page.waitForURL(/\/imports$/);
      await Promise.all([page.waitForURL(/\/imports\/new$/), page.click('main a[href="/imports/new"]')]);
      await page.check("input[name=kind][value=roster]");
      await page.fill("input[name=platform]", PLATFORM);
      await page.selectOption("select[name=orgId]", String(committee.id));
      await page.setInputFiles("input[type=file][name=file]", file);
      await Promise.all([
        page.waitForLoadState("load"),
        page.waitForResponse((r) => r.request().method() === "POST" && r.url().includes("/imports/new")),
        page.click('form[action^="/imports/new"] button[type=submit]'),
      ]);
      await page.getByRole("heading", { name: `确认导入：${path.basename(file)}` }).waitFor();
      watch.assertClean("upload");
    });

    await step(page, "import-preview", async () => {
      // The encoding was detected, the platform's own headers mapped, the sample decoded.
      expect(await text(page, "dl.props")).toContain("GBK / GB18030");
      expect(await page.$eval("select[name=map_name]", (s) => (s as unknown as { value: string }).value)).toBe("骑手姓名");
      expect(await page.$eval("select[name=map_idNumber]", (s) => (s as unknown as { value: string }).value)).toBe("公民身份号码");
      expect(await text(page, "table tbody tr:nth-child(8)")).toContain("贺明远");
      // The preview on a phone: its wide sample table scrolls inside its own box, not the page.
      await page.setViewportSize({ width: 390, height: 844 });
      expect(await scrollWidth(page)).toBeLessThanOrEqual(391);
      await page.setViewportSize(DESKTOP.viewport);
    });

    let sawProgress = false;
    await step(page, "import-progress", async () => {
      // The page as the server drew it (the script may reload it into the summary any moment).
      const isShow = (u: string) => /^\/imports\/\d+$/.test(new URL(u).pathname);
      // Each poll's answer is read on its way to the page: the page may reload (and discard the
      // response) the moment the answer says "done", so Playwright's response body would be gone.
      type Progress = { importId: number; totalBytes: number; bytesDone: number; phase: string };
      const polls: Progress[] = [];
      let firstPoll!: () => void;
      const polled = new Promise<void>((resolve) => {
        firstPoll = resolve;
      });
      // The first two polls fail as a busy server's would: the script must keep polling.
      let refused = 0;
      await page.route(/\/imports\/\d+\/progress$/, async (route) => {
        if (refused < 2) {
          refused += 1;
          await route.fulfill({ status: 503, contentType: "text/plain", body: "busy" });
          return;
        }
        const response = await route.fetch();
        polls.push((await response.json()) as Progress);
        firstPoll();
        await route.fulfill({ response });
      });
      const [shown] = await Promise.all([
        page.waitForResponse((r) => isShow(r.url()) && r.request().method() === "GET"),
        page.click('form[action="/imports/start"] button[name=mode][value=run]'),
      ]);
      const id = Number(new URL(shown.url()).pathname.split("/").pop());
      // Safe to read: the page cannot reload before the refused polls and the real one (≥ 7 s).
      const html = await shown.text();
      if (html.includes('id="import-progress"')) {
        // Still running when the page was drawn: the bar measures the file, the script polls it.
        sawProgress = true;
        const size = db.prepare("SELECT size_bytes FROM imports WHERE id = ?").pluck().get(id) as number;
        expect(html).toMatch(new RegExp(`<progress id="import-bar" max="${size}" value="\\d+">`));
        expect(html).toContain(`data-progress-url="/imports/${id}/progress"`);
        expect(html).toContain('<script src="/assets/imports.js" defer></script>');
        await polled;
        const p = polls[0]!;
        expect(p).toMatchObject({ importId: id, totalBytes: size });
        expect(p.bytesDone).toBeLessThanOrEqual(size);
      }
      // When it is done the page reloads itself into the summary.
      await page.getByRole("heading", { name: "导入结果" }).waitFor({ timeout: 90_000 });
      expect(await page.locator("#import-progress").count()).toBe(0);
      expect(await text(page, "#import-status")).toBe("已完成");
      expect(refused).toBe(2);
      // The two refused polls, as the browser reported them (the response, and its console line).
      expect(watch.expected(/\b503\b/)).toBeGreaterThanOrEqual(2);
      await page.unroute(/\/imports\/\d+\/progress$/);
      watch.assertClean("progress");
    });
    // The roster is big enough that the page is drawn before the import ends.
    expect(sawProgress, "the progress bar was never on screen").toBe(true);

    await step(page, "import-summary", async () => {
      expect(await summaryFigure(page, "数据行")).toBe(planted.rows);
      expect(await summaryFigure(page, "新增")).toBe(planted.rows - planted.rejected.length - planted.duplicates.length);
      expect(await summaryFigure(page, "文件内重复")).toBe(planted.duplicates.length);
      expect(await summaryFigure(page, "错误（未导入）")).toBe(planted.rejected.length);
      expect(await summaryFigure(page, "新摸排线索")).toBe(planted.members.length);
      // The issue list names each rejected row by its number and reason.
      for (const r of planted.rejected) {
        const row = page.locator("table.responsive tbody tr", { hasText: `第${r.rowNumber}行` });
        await expect.poll(() => row.count()).toBe(1);
        expect(await row.textContent()).toContain(r.reason);
      }
    });

    await step(page, "import-error-file", async () => {
      const { wb } = await downloadWorkbook(page, 'a[href$="/issues.xlsx"]', env.server.dir);
      const ws = wb.getWorksheet("问题清单");
      expect(ws).toBeDefined();
      const rows: string[][] = [];
      ws!.eachRow((row) => rows.push((row.values as unknown[]).slice(1).map((v) => String(v ?? ""))));
      expect(rows.find((r) => r[0] === "行号")).toEqual(["行号", "处理结果", "列", "原值", "原因"]);
      for (const r of planted.rejected) {
        const line = rows.find((x) => x[0] === `第${r.rowNumber}行`);
        expect(line, `第${r.rowNumber}行 missing from the error file`).toBeDefined();
        expect(line![1]).toBe("未导入（错误）");
        expect(line![2]).toBe(r.column);
        expect(line![4]).toContain(r.reason);
      }
      const dup = rows.find((x) => x[0] === `第${planted.duplicates[0]}行`);
      expect(dup?.[1]).toBe("未导入（重复）");
      watch.assertClean("error file");
    });

    const [filed, second] = planted.members;
    await step(page, "leads-list", async () => {
      await Promise.all([page.waitForURL(/\/leads\?status=open$/), page.click('main a[href="/leads?status=open"]')]);
      await page.selectOption("select[name=platform]", PLATFORM);
      await Promise.all([page.waitForURL(/platform=/), page.click("form.filters button[type=submit]")]);
      const names = await page.$$eval("#bulk-verify tbody td[data-label=姓名] a", (as) => as.map((a) => a.textContent));
      expect(names.sort()).toEqual(planted.members.map((m) => m.name).sort());
      watch.assertClean("leads list");
    });

    await step(page, "lead-verify-and-file", async () => {
      await Promise.all([page.waitForURL(/\/leads\/\d+$/), page.click(`#bulk-verify a:text-is("${filed!.name}")`)]);
      await page.selectOption('form[action$="/verify"] select[name=branchId]', String(branch.id));
      await Promise.all([page.waitForURL(/\/members\/\d+$/), page.click('form[action$="/verify"] button[type=submit]')]);
      expect(await text(page, ".flash.success")).toBe("已核实并编入党支部管理。");
      const body = await text(page, "main");
      expect(body).toContain(filed!.name);
      expect(body).toContain(branch.name);
      watch.assertClean("verify");
    });
    // In the database: a member now, managed locally by that branch.
    expect(db.prepare("SELECT org_id AS orgId, relation_status AS relation FROM members WHERE id_number = ?").get(filed!.idNumber)).toEqual(
      { orgId: branch.id, relation: "local" },
    );

    await step(page, "lead-bulk-verify", async () => {
      await page.goto(`${env.server.url}/leads?status=open&platform=${encodeURIComponent(PLATFORM)}`);
      await page.check(`#bulk-verify input[name=ids][aria-label="选择 ${second!.name}"]`);
      await page.selectOption("#bulk-verify select[name=branchId]", "");
      await Promise.all([page.waitForURL(/\/leads\?status=open$/), page.click("#bulk-verify button[type=submit]")]);
      expect(await text(page, ".flash.success")).toBe("已核实 1 条线索。");
      // One open lead of the roster is left: the third member, not yet verified.
      await page.goto(`${env.server.url}/leads?status=open&platform=${encodeURIComponent(PLATFORM)}`);
      const names = await page.$$eval("#bulk-verify tbody td[data-label=姓名] a", (as) => as.map((a) => a.textContent));
      expect(names).toEqual([planted.members[2]!.name]);
      watch.assertClean("bulk verify");
    });
    expect(db.prepare("SELECT relation_status FROM members WHERE id_number = ?").pluck().get(second!.idNumber)).toBe("unattached");
    const leadStates = db.prepare(`SELECT id_number AS idNumber, status FROM leads WHERE platform = ? ORDER BY id_number`).all(PLATFORM);
    expect(leadStates).toEqual(
      planted.members
        .map((m, i) => ({ idNumber: m.idNumber, status: i < 2 ? "verified" : "open" }))
        .sort((a, b) => a.idNumber.localeCompare(b.idNumber)),
    );
    await context.close();
  });
});

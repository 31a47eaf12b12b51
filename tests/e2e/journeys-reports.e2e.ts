import type ExcelJS from "exceljs";
import type { Page } from "playwright-core";
import { describe, expect, it } from "vitest";
import { demoSuite, signInPage, step } from "./harness.js";
import { DESKTOP, downloadWorkbook, watchErrors } from "./helpers-browser.js";

// A supervisor of the city reads the dashboard, follows figures to the lists behind them (every
// row counted, across pages), and downloads the "two coverages" workbook, whose 合计 rows must
// add up and agree with the dashboard.

const env = demoSuite({ members: 1500 });

const num = (s: string | null) => {
  const t = (s ?? "").replace(/[,\s]/g, "");
  if (!/^\d+$/.test(t)) throw new Error(`"${s}" is not a count`);
  return Number(t);
};

/** The dashboard's coverage figure cards: key → the number shown (other areas' cards, keyed "dues.…", are money
 *  and shares checked by their own suites). */
async function figureCards(page: Page): Promise<Map<string, number>> {
  const cards = await page.$$eval("a.figure[data-figure]:not([data-figure*='.'])", (as) =>
    as.map((a) => [a.getAttribute("data-figure") ?? "", a.querySelector(".n")?.textContent ?? ""] as const),
  );
  return new Map(cards.map(([k, n]) => [k, num(n)]));
}

/** Counts the rows of a figure list, following its pager to the end; returns them with the total it states. */
async function countListRows(
  page: Page,
): Promise<{ rows: number; stated: number; pages: number; firstColumn: string[]; statuses: string[] }> {
  const stated = num(await page.textContent("[data-total]"));
  let rows = 0;
  let pages = 0;
  const firstColumn: string[] = [];
  const statuses: string[] = [];
  for (;;) {
    pages++;
    const cells = await page.$$eval(".table-wrap table tbody tr td:first-child", (tds) => tds.map((td) => (td.textContent ?? "").trim()));
    rows += cells.length;
    firstColumn.push(...cells);
    statuses.push(
      ...(await page.$$eval(".table-wrap table tbody tr td[data-label=关系状态]", (tds) => tds.map((td) => (td.textContent ?? "").trim()))),
    );
    const next = page.locator('nav.pager a:text-is("下一页")');
    if (!(await next.count())) break;
    await Promise.all([page.waitForURL(new RegExp(`[?&]page=${pages + 1}(&|$)`)), next.click()]);
  }
  return { rows, stated, pages, firstColumn, statuses };
}

type Sheet = (string | number | null)[][];
function sheetValues(ws: ExcelJS.Worksheet): Sheet {
  const out: Sheet = [];
  ws.eachRow({ includeEmpty: true }, (row, n) => {
    out[n - 1] = (row.values as unknown[])
      .slice(1)
      .map((v) => (v === undefined || v === null ? null : typeof v === "number" ? v : String(v)));
  });
  return out;
}

describe("supervisor reads the dashboard, its lists and the coverage workbook", () => {
  it("follows figures to lists of the same length and downloads a workbook whose 合计 rows add up", async () => {
    const context = await env.browser.newContext({ ...DESKTOP, acceptDownloads: true });
    const page = await signInPage(context, env.server.url, "supervisor");
    const watch = watchErrors(page);
    let cards = new Map<string, number>();

    await step(page, "dashboard", async () => {
      expect(new URL(page.url()).pathname).toBe("/");
      await page.getByRole("heading", { name: "统计概览" }).waitFor();
      cards = await figureCards(page);
      for (const key of ["enterprises", "orgCoverage", "workCoverage", "uncovered", "shouldForm", "members", "unmanaged"])
        expect(cards.has(key), `card ${key}`).toBe(true);
      // The charts are SVG images in data: URLs, allowed by the CSP and actually drawn.
      const charts = await page.$$eval("figure.chart img", (imgs) =>
        imgs.map((i) => {
          const img = i as unknown as { src: string; naturalWidth: number; complete: boolean };
          return { data: img.src.startsWith("data:image/svg+xml"), drawn: img.complete && img.naturalWidth > 0 };
        }),
      );
      expect(charts.length).toBeGreaterThanOrEqual(3);
      expect(charts.every((c) => c.data && c.drawn)).toBe(true);
      watch.assertClean("dashboard");
    });

    await step(page, "figure-should-form", async () => {
      // 应建未建 (more than one page of enterprises): every row counted across the pages.
      await Promise.all([page.waitForURL(/\/reports\/figures\/shouldForm$/), page.click('a.figure[data-figure="shouldForm"]')]);
      const list = await countListRows(page);
      expect(list.stated).toBe(cards.get("shouldForm"));
      expect(list.rows).toBe(cards.get("shouldForm"));
      expect(list.pages).toBe(Math.ceil(list.rows / 50));
      expect(new Set(list.firstColumn).size).toBe(list.rows);
      watch.assertClean("shouldForm list");
    });

    await step(page, "figure-unmanaged", async () => {
      await page.goto(`${env.server.url}/`);
      await Promise.all([page.waitForURL(/\/reports\/figures\/unmanaged$/), page.click('a.figure[data-figure="unmanaged"]')]);
      const list = await countListRows(page);
      expect(list.stated).toBe(cards.get("unmanaged"));
      expect(list.rows).toBe(cards.get("unmanaged"));
      // Not managed by a branch: nobody on it is a locally managed member (本地管理 means a branch manages them).
      expect(list.statuses.length).toBe(list.rows);
      expect(list.statuses.filter((s) => s === "本地管理")).toEqual([]);
      watch.assertClean("unmanaged list");
    });

    let committeeRow = { label: "", enterprises: 0 };
    await step(page, "figure-by-committee", async () => {
      // A committee's enterprises, from the breakdown table beside the chart.
      await page.goto(`${env.server.url}/`);
      const first = page.locator("#by-committee-h + .chart-grid table tbody tr").first();
      committeeRow = {
        label: ((await first.locator("th").textContent()) ?? "").trim(),
        enterprises: num(await first.locator("td").first().textContent()),
      };
      await Promise.all([page.waitForURL(/\/reports\/figures\/enterprises\?scope=/), first.locator("td a").first().click()]);
      expect(await page.textContent("main")).toContain(committeeRow.label);
      const list = await countListRows(page);
      expect(list.stated).toBe(committeeRow.enterprises);
      expect(list.rows).toBe(committeeRow.enterprises);
      watch.assertClean("committee list");
    });

    await step(page, "coverage-workbook", async () => {
      await Promise.all([page.waitForURL(/\/reports$/), page.click('header nav a[href="/reports"]')]);
      const { wb } = await downloadWorkbook(
        page,
        'form[action="/reports/download"]:has(input[name=kind][value=coverage]) button[type=submit]',
        env.server.dir,
      );
      const ws = wb.getWorksheet("两个覆盖统计表");
      expect(ws).toBeDefined();
      const v = sheetValues(ws!);
      // Columns from the two-level header (rows 3–4): counts, and the rates (覆盖率) beside them.
      const header = v[3]!;
      const group = v[2]!;
      const countCols: number[] = [];
      const rateCols: number[] = [];
      for (let c = 2; c < header.length; c++) (String(header[c]).includes("率") ? rateCols : countCols).push(c);
      expect(countCols.length).toBeGreaterThanOrEqual(15);
      expect(rateCols.length).toBe(2);
      const col = (g: string, h: string) => {
        const c = header.findIndex((x, i) => x === h && (group[i] === g || g === ""));
        if (c < 0) throw new Error(`no column ${g}/${h}`);
        return c;
      };

      // Each block (by committee, by county): numbered rows, then 合计 = their sum, column by column.
      const totals: number[] = [];
      let blockStart = -1;
      let blocks = 0;
      for (let r = 4; r < v.length; r++) {
        const row = v[r];
        if (!row) continue;
        if (typeof row[0] === "string" && /^[一二]、/.test(row[0])) blockStart = r + 1;
        if (row[1] !== "合计") continue;
        blocks++;
        const body = v.slice(blockStart, r);
        expect(body.length).toBeGreaterThan(1);
        expect(body.map((b) => b[0])).toEqual(body.map((_, i) => i + 1));
        for (const c of countCols) {
          const sum = body.reduce((s, b) => s + (b[c] as number), 0);
          expect(row[c], `${v[blockStart - 1]![0]} 合计, column ${group[c]}/${header[c]}`).toBe(sum);
        }
        // The total's rates are its own counts divided, not a sum or an average of the rows'.
        expect(row[col("党的组织覆盖", "覆盖率")]).toBeCloseTo(
          (row[col("党的组织覆盖", "企业数")] as number) / (row[col("", "企业数")] as number),
          12,
        );
        expect(row[col("党的工作覆盖", "覆盖率")]).toBeCloseTo(
          (row[col("党的工作覆盖", "企业数")] as number) / (row[col("", "企业数")] as number),
          12,
        );
        if (!totals.length) totals.push(...(row as number[]));
        else expect(row.slice(2)).toEqual(totals.slice(2));
      }
      expect(blocks).toBe(2);

      // The workbook and the dashboard tell the same story.
      expect(totals[col("", "企业数")]).toBe(cards.get("enterprises"));
      expect(totals[col("党的组织覆盖", "企业数")]).toBe(cards.get("orgCoverage"));
      expect(totals[col("党的工作覆盖", "企业数")]).toBe(cards.get("workCoverage"));
      expect(totals[col("党员", "党员数")]).toBe(cards.get("members"));
      // The shape of table 27: units = standalone + joint + none; each 小计 is its parts.
      const t = (g: string, h: string) => totals[col(g, h)]!;
      expect(t("", "企业数")).toBe(t("已单独建立党组织的", "小计") + t("已建立联合党支部的", "企业数") + t("未建立党组织的", "小计"));
      expect(t("已单独建立党组织的", "小计")).toBe(
        t("已单独建立党组织的", "建立党委的") + t("已单独建立党组织的", "建立总支部的") + t("已单独建立党组织的", "建立支部的"),
      );
      expect(t("未建立党组织的", "小计")).toBe(
        t("未建立党组织的", "应建尚未建立党组织的") + t("未建立党组织的", "仅有个别党员的") + t("未建立党组织的", "没有党员的"),
      );
      // 应建未建: three or more full members and no organization of its own, whether or not a joint branch covers it.
      expect(t("未建立党组织的", "应建尚未建立党组织的") + t("已建立联合党支部的", "其中具有3名以上正式党员的")).toBe(
        cards.get("shouldForm"),
      );
      // The sheets behind the figures list exactly those enterprises and members.
      const listed = (name: string) => sheetValues(wb.getWorksheet(name)!).filter((r) => typeof r?.[0] === "number").length;
      expect(listed("应建未建企业")).toBe(cards.get("shouldForm"));
      expect(listed("未覆盖企业")).toBe(cards.get("uncovered"));
      expect(listed("未纳管党员")).toBe(cards.get("unmanaged"));
      watch.assertClean("workbook");
    });
    await context.close();
  });
});

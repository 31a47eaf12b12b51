import fs from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import type { ConsoleMessage, Download, Page } from "playwright-core";
import { expect } from "vitest";

// Shared by the journeys: a phone's viewport, a watch on browser-side errors, downloads.
// The tests compile without the DOM library, so page-side code is passed as strings.

export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } as const;
export const DESKTOP = { viewport: { width: 1280, height: 900 } } as const;

/** document.documentElement.scrollWidth: wider than the viewport means the page scrolls sideways. */
export const scrollWidth = (page: Page) => page.evaluate<number>("document.documentElement.scrollWidth");

/**
 * Collects what the browser reports as wrong with a page: uncaught exceptions, console errors
 * (CSP violations among them) and failed or 4xx/5xx sub-resource loads. `assertClean()` throws
 * with every one of them; a journey calls it after each step.
 */
export function watchErrors(page: Page) {
  const problems: string[] = [];
  page.on("pageerror", (err) => problems.push(`pageerror on ${page.url()}: ${err.message}`));
  page.on("console", (msg: ConsoleMessage) => {
    if (msg.type() === "error") problems.push(`console error on ${page.url()}: ${msg.text()}`);
  });
  page.on("requestfailed", (req) => {
    // A download navigation is reported as aborted by Chromium; that is not a failure.
    const failure = req.failure()?.errorText ?? "";
    if (failure.includes("ERR_ABORTED") && req.resourceType() === "document") return;
    problems.push(`request failed on ${page.url()}: ${req.url()} ${failure}`);
  });
  page.on("response", (res) => {
    if (res.status() >= 400 && res.request().resourceType() !== "document")
      problems.push(`${res.status()} for ${res.url()} on ${page.url()}`);
  });
  return {
    problems,
    /** Drops the reports matching `pattern` (a page the test opened expecting an error status); returns how many. */
    expected(pattern: RegExp): number {
      const before = problems.length;
      problems.splice(0, problems.length, ...problems.filter((p) => !pattern.test(p)));
      return before - problems.length;
    },
    assertClean(where = "") {
      if (problems.length) {
        const text = problems.splice(0).join("\n");
        throw new Error(`browser reported problems${where ? ` (${where})` : ""}:\n${text}`);
      }
    },
  };
}

/** Clicks `selector` and saves the download it starts into `dir` (a test's temp folder); returns the path. */
export async function download(page: Page, selector: string, dir: string): Promise<{ file: string; download: Download }> {
  const [dl] = await Promise.all([page.waitForEvent("download"), page.click(selector)]);
  const file = path.join(dir, `download-${Date.now()}-${dl.suggestedFilename().replace(/[^\w.-]+/g, "_")}`);
  await dl.saveAs(file);
  const failure = await dl.failure();
  if (failure) throw new Error(`download failed: ${failure}`);
  return { file, download: dl };
}

/** The first bytes of an .xlsx (a zip): "PK\x03\x04". */
export function isZip(file: string): boolean {
  const fd = fs.openSync(file, "r");
  try {
    const head = Buffer.alloc(4);
    fs.readSync(fd, head, 0, 4, 0);
    return head.equals(Buffer.from([0x50, 0x4b, 0x03, 0x04]));
  } finally {
    fs.closeSync(fd);
  }
}

/** Downloads the workbook `selector` starts, checks it is an .xlsx (name and zip bytes), and opens it with exceljs. */
export async function downloadWorkbook(page: Page, selector: string, dir: string): Promise<{ wb: ExcelJS.Workbook; download: Download }> {
  const { file, download: dl } = await download(page, selector, dir);
  expect(dl.suggestedFilename()).toMatch(/\.xlsx$/);
  expect(isZip(file)).toBe(true);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return { wb, download: dl };
}

/** The text of the first element matching `selector`, whitespace collapsed. */
export const text = async (page: Page, selector: string) => ((await page.textContent(selector)) ?? "").replace(/\s+/g, " ").trim();

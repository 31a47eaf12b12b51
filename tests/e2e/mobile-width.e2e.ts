import fs from "node:fs";
import path from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../db/schema.js";
import { FIGURES } from "../../server/services/coverage/figures.js";
import { startImport } from "../../server/services/import/import.service.js";
import { loadActor } from "../../server/services/admin/users.js";
import { eq } from "drizzle-orm";
import { launchBrowser, signInPage, startDemoServer, step } from "./harness.js";
import { PHONE, scrollWidth, watchErrors } from "./helpers-browser.js";

// Every page of the app at a phone's width (390 px) must not scroll sideways. For each role the
// test crawls from the navigation: every same-origin link it finds, one page per kind of address
// (numbers in the path count as one kind: /members/12 and /members/40 are the same page), so each
// list, each detail page (org, enterprise, member, transfer, import, lead, instructor, link), each
// form and each figure list is opened once. Wide tables may scroll inside their .table-wrap, never
// the page. Uncaught exceptions, console errors (CSP violations) and failed loads fail it too.

const WIDTH = 390;
const MAX_PAGES_PER_ROLE = 120;

let server: Awaited<ReturnType<typeof startDemoServer>>;
let browser: Browser;

beforeAll(async () => {
  server = await startDemoServer({ members: 1500 });
  // The demo has no imports: one roster through the import service, so /imports/:id has a page.
  const clerk = server.handle.db.select({ id: users.id, orgId: users.orgId }).from(users).where(eq(users.username, "clerk")).get()!;
  const actor = loadActor(server.handle.db, clerk.id)!;
  const file = path.join(server.dir, "roster.csv");
  fs.copyFileSync(path.resolve("tests/fixtures/rosters/gbk-crlf.csv"), file);
  await new Promise<void>((resolve, reject) => {
    startImport(
      server.handle,
      actor,
      { kind: "roster", file, originalName: "gbk-crlf.csv", platform: "演示货运平台", orgId: clerk.orgId! },
      (err) => (err ? reject(err) : resolve()),
    ).catch(reject);
  });
  browser = await launchBrowser();
});
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/**
 * One page per kind of address: digits in the path collapse to :id; a figure's list to the kind of
 * rows it lists (one template per source: enterprises, members, organizations …); the query
 * string is ignored.
 */
const kindOf = (pathname: string) => {
  const figure = /^\/reports\/figures\/([\w.]+)$/.exec(pathname);
  if (figure) {
    const def = (FIGURES as Record<string, { source: string } | undefined>)[decodeURIComponent(figure[1]!)];
    return `/reports/figures/:${def?.source ?? figure[1]}`;
  }
  return pathname.replace(/\/\d+(?=\/|$)/g, "/:id");
};

/** Addresses that are not pages: downloads, images, the sign-out, polling endpoints. */
const notAPage = (u: URL) =>
  /\.(xlsx|csv|svg|png|json)$/.test(u.pathname) ||
  // Downloads (the report workbook, the risk list) are files, not pages.
  u.pathname.endsWith("/download") ||
  u.pathname === "/logout" ||
  u.pathname.endsWith("/progress") ||
  u.pathname.startsWith("/assets/");

/** The elements sticking out to the right of the viewport, deepest first, to name the culprit. */
const OVERFLOWING = `(() => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.right > ${WIDTH} + 1 && r.width > 0) {
      let inWrap = false;
      for (let p = el.parentElement; p; p = p.parentElement) if (p.classList.contains("table-wrap")) { inWrap = true; break; }
      if (!inWrap) out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "") + " right=" + Math.round(r.right));
    }
  }
  return out.slice(-6);
})()`;

/** Pages no link of the crawl is sure to reach first: the letter of a transfer the secretary's branch sent. */
function extraStarts(): string[] {
  const letter = server.handle.sqlite
    .prepare(
      "SELECT t.id FROM transfers t JOIN organizations o ON o.id = t.from_org_id WHERE o.code = 'HZ-DL-001' AND t.kind <> 'incoming' ORDER BY t.id LIMIT 1",
    )
    .pluck()
    .get() as number | undefined;
  if (letter === undefined) throw new Error("the demo has no transfer sent by HZ-DL-001");
  return [`/transfers/${letter}/letter`];
}

async function crawl(page: Page, role: string) {
  const base = new URL(server.url);
  const watch = watchErrors(page);
  const seen = new Set<string>();
  const visited: string[] = [];
  const failures: string[] = [];
  const queue: string[] = [];
  const enqueue = (href: string) => {
    const u = new URL(href, base);
    if (u.origin !== base.origin || notAPage(u)) return;
    const kind = kindOf(u.pathname);
    if (seen.has(kind)) return;
    seen.add(kind);
    queue.push(u.pathname + u.search);
  };
  for (const href of await page.$$eval("header nav a[href], header .who a[href]", (as) => as.map((a) => a.getAttribute("href") ?? "")))
    enqueue(href);
  for (const href of extraStarts()) enqueue(href);
  while (queue.length && visited.length < MAX_PAGES_PER_ROLE) {
    const target = queue.shift()!;
    visited.push(kindOf(new URL(target, base).pathname));
    const t0 = Date.now();
    try {
      await step(page, `mobile-${role}-${target}`, async () => {
        const res = await page.goto(server.url + target, { waitUntil: "load" });
        const status = res?.status() ?? 0;
        if (status !== 200) throw new Error(`${target}: HTTP ${status}`);
        const width = await scrollWidth(page);
        if (width > WIDTH + 1)
          throw new Error(
            `${target}: scrollWidth ${width} > ${WIDTH}; sticking out: ${(await page.evaluate<string[]>(OVERFLOWING)).join(", ")}`,
          );
        watch.assertClean(target);
      });
      if (process.env.E2E_TIMING) console.log(role, target, Date.now() - t0);
    } catch (err) {
      failures.push(`[${role}] ${(err as Error).message}`);
      watch.problems.splice(0);
      continue;
    }
    for (const href of await page.$$eval("main a[href], header a[href]", (as) => as.map((a) => a.getAttribute("href") ?? ""))) {
      if (!href.startsWith("#") && !href.startsWith("mailto:")) enqueue(href);
    }
  }
  return { visited, failures, leftInQueue: queue.length };
}

// The detail pages each role must have reached, beside its lists and forms.
const MUST_VISIT: Record<string, string[]> = {
  admin: [
    "/orgs/:id",
    "/enterprises/:id",
    "/members/:id",
    "/members/:id/mobile",
    "/transfers/:id",
    "/imports/:id",
    "/leads/:id",
    "/instructors/:id",
    "/finds/links/:id",
    "/admin/users",
    "/admin/api-keys",
    "/audit",
  ],
  supervisor: [
    "/orgs/:id",
    "/enterprises/:id",
    "/members/:id",
    "/transfers/:id",
    "/imports/:id",
    "/leads/:id",
    "/instructors/:id",
    "/finds/links/:id",
    "/audit",
    ...["enterprise", "member", "org", "found", "worker", "transfer"].map((s) => `/reports/figures/:${s}`),
  ],
  clerk: [
    "/orgs/:id",
    "/enterprises/:id",
    "/members/:id",
    "/members/:id/edit",
    "/transfers/:id",
    "/transfers/new",
    "/imports/:id",
    "/imports/new",
    "/leads/:id",
    "/instructors/:id",
    "/finds/links/:id",
    "/finds/visit",
  ],
  secretary: ["/orgs/:id", "/members/:id", "/members/:id/mobile", "/transfers/:id", "/transfers/:id/letter", "/transfers/new", "/inbox"],
};

describe("every page at a phone's width (390 px)", () => {
  it("notices a page wider than the phone (the check itself)", async () => {
    const context = await browser.newContext(PHONE);
    const page = await signInPage(context, server.url, "clerk");
    expect(await scrollWidth(page)).toBeLessThanOrEqual(WIDTH);
    await page.evaluate(
      `document.querySelector("main").append(Object.assign(document.createElement("div"), { className: "too-wide", textContent: "宽" }))`,
    );
    await page.evaluate(`document.querySelector(".too-wide").style.width = "600px"`);
    expect(await scrollWidth(page)).toBeGreaterThan(WIDTH + 1);
    expect((await page.evaluate<string[]>(OVERFLOWING)).some((e) => e.startsWith("div.too-wide right="))).toBe(true);
    await context.close();
  });

  // The roles crawl side by side (one context each): the browser renders while the server answers.
  for (const role of Object.keys(MUST_VISIT)) {
    // 50-80 pages a role: 110-145 s side by side on the shared 2-core box, past the default 120 s.
    it.concurrent(`has no horizontal scrolling for the ${role}`, { timeout: 300_000 }, async () => {
      // Layout is in CSS pixels whatever the pixel ratio; ratio 1 spares the 2-core machine the rasterising.
      const context = await browser.newContext({ ...PHONE, deviceScaleFactor: 1 });
      const page = await signInPage(context, server.url, role);
      const { visited, failures, leftInQueue } = await crawl(page, role);
      await context.close();
      expect(failures).toEqual([]);
      expect(leftInQueue, "crawl stopped before it ran out of pages").toBe(0);
      for (const kind of MUST_VISIT[role]!) expect(visited, `${role} never reached ${kind}`).toContain(kind);
      console.log(`${role}: ${visited.length} pages`);
    });
  }
});

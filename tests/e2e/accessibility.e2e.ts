import fs from "node:fs";
import path from "node:path";
import { AxeBuilder } from "@axe-core/playwright";
import { eq } from "drizzle-orm";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../db/schema.js";
import { createApp } from "../../server/app.js";
import { testConfig } from "../../server/config.js";
import { loadActor } from "../../server/services/admin/users.js";
import { startImport } from "../../server/services/import/import.service.js";
import { listRoutes } from "../helpers/routes.js";
import { launchBrowser, signInPage, startDemoServer } from "./harness.js";

// Accessibility (axe-core, WCAG 2 A/AA) of every page the app serves, for every role, at a desk's
// width (1366 px) and a phone's (390 px): zero serious or critical violations. The list of pages is
// the app's own GET route table (listRoutes), so a page added later is swept without editing this
// file. A route with parameters (/members/:id) gets its values from the demo data the way a user
// does: from the first link to it on a page already swept (a list links to its rows); a route below
// one already filled (/members/:id/edit) inherits its values. Each page is opened once per role and
// checked at both widths by resizing the same page. A GET route no role could open fails the test.

const WIDE = { width: 1366, height: 768 };
const NARROW = { width: 390, height: 844 };
/** The demo accounts' roles (db/seed), and a visitor not signed in (the sign-in page, the public self-report form). */
const ROLES = ["admin", "supervisor", "clerk", "secretary", "anon"] as const;
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const BLOCKING = new Set(["serious", "critical"]);

let server: Awaited<ReturnType<typeof startDemoServer>>;
let browser: Browser;
let routes: string[];

beforeAll(async () => {
  // A small city: every page and every kind of record is there (the test fails if a route goes
  // unopened), and axe's time grows with the rows on a page, not with the kinds of page.
  server = await startDemoServer({ members: 300 });
  routes = listRoutes(createApp({ db: server.handle, config: testConfig({ uploadDir: path.join(server.dir, "routes") }) }))
    .filter((r) => r.method === "GET")
    .map((r) => r.path)
    .filter((p) => !notAPage(p));
  // The demo has no imports: one roster through the import service, so /imports/:id has a page.
  const clerk = server.handle.db.select({ id: users.id, orgId: users.orgId }).from(users).where(eq(users.username, "clerk")).get()!;
  const file = path.join(server.dir, "roster.csv");
  fs.copyFileSync(path.resolve("tests/fixtures/rosters/gbk-crlf.csv"), file);
  await new Promise<void>((resolve, reject) => {
    startImport(
      server.handle,
      loadActor(server.handle.db, clerk.id)!,
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

/** Routes that answer with something other than a page: downloads, images, polling, the API, sign-out, health. */
function notAPage(p: string): boolean {
  return (
    /\.(xlsx|csv|svg|png|json|pdf)$/.test(p) ||
    /\/(download|progress)$/.test(p) ||
    p.startsWith("/api/") ||
    p.startsWith("/assets/") ||
    p === "/logout" ||
    p === "/healthz"
  );
}

type Pattern = { route: string; names: string[]; re: RegExp };
function patternOf(route: string): Pattern {
  const names: string[] = [];
  const src = route.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:(\w+)/g, (_m, n: string) => {
    names.push(n);
    return "([^/?#]+)";
  });
  return { route, names, re: new RegExp(`^${src}$`) };
}

type Finding = { role: string; width: number; url: string; rule: string; impact: string; nodes: string[] };

type Violation = { id: string; impact?: string | null; nodes: { target: unknown[] }[] };

/** axe over the page as it stands: the serious and critical violations of WCAG 2 A/AA. */
async function violations(page: Page): Promise<Violation[]> {
  // Legacy mode: our pages have no frames, and the default opens a blank page per run to merge
  // frames' results (twice the time).
  const result = await new AxeBuilder({ page })
    .setLegacyMode(true)
    .withTags(TAGS)
    .options({ resultTypes: ["violations"] })
    .analyze();
  return result.violations.filter((v) => BLOCKING.has(v.impact ?? ""));
}

/**
 * The same run again on the page AxeBuilder has just checked (after a resize): axe is already in
 * the page, configured, so this skips injecting its half-megabyte source a second time.
 */
async function violationsAgain(page: Page): Promise<Violation[]> {
  const found = await page.evaluate<Violation[]>(
    `axe.run(document, { runOnly: { type: "tag", values: ${JSON.stringify(TAGS)} }, resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
  );
  return found.filter((v) => BLOCKING.has(v.impact ?? ""));
}

async function sweep(role: string) {
  const context = await browser.newContext({ viewport: WIDE, deviceScaleFactor: 1 });
  // A shared CI machine under load can take longer than playwright's 30 s for a dashboard.
  context.setDefaultTimeout(120_000);
  const page = role === "anon" ? await context.newPage() : await signInPage(context, server.url, role);
  const base = new URL(server.url);
  const patterns = routes.map(patternOf);
  const filled = new Map<string, string>(); // route → the address swept for it
  const queue: string[] = [];
  const opened = new Set<string>(); // routes answered 200 with a page for this role
  const findings: Finding[] = [];
  const enqueue = (route: string, url: string) => {
    if (filled.has(route)) return;
    filled.set(route, url);
    queue.push(url);
  };
  for (const p of patterns) if (!p.names.length) enqueue(p.route, p.route);
  const harvest = async () => {
    const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => a.getAttribute("href") ?? ""));
    for (const href of hrefs) {
      const u = new URL(href, base);
      if (u.origin !== base.origin) continue;
      for (const p of patterns) if (p.names.length && p.re.test(u.pathname)) enqueue(p.route, u.pathname);
    }
  };
  /** Routes below a filled one (/members/:id → /members/:id/edit) take its values. */
  const inherit = () => {
    for (const p of patterns) {
      if (!p.names.length || filled.has(p.route)) continue;
      for (const [route, url] of filled) {
        const parent = patternOf(route);
        if (!parent.names.length || !p.route.startsWith(`${route}/`)) continue;
        const values = parent.re.exec(url)!.slice(1);
        let i = 0;
        enqueue(
          p.route,
          p.route.replace(/:(\w+)/g, (m, n: string) => (i < parent.names.length && parent.names[i] === n ? values[i++]! : m)),
        );
        break;
      }
    }
  };
  const routeOf = new Map<string, string>();
  for (;;) {
    if (!queue.length) inherit();
    const url = queue.shift();
    if (!url) break;
    if (url.includes(":")) continue; // a parameter nothing could fill
    const route = [...filled].find(([, u]) => u === url)![0];
    routeOf.set(url, route);
    let status = 0;
    try {
      const res = await page.goto(server.url + url, { waitUntil: "load" });
      status = res?.status() ?? 0;
      if (!(res?.headers()["content-type"] ?? "").startsWith("text/html")) continue;
    } catch (err) {
      if (/Download is starting/.test(String(err))) continue;
      throw err;
    }
    await harvest();
    // 403/404: not this role's page (the access matrix proves those answers); redirected elsewhere
    // (to sign-in, or from it): the same.
    if (status !== 200 || !patternOf(route).re.test(new URL(page.url()).pathname)) continue;
    opened.add(route);
    const t0 = Date.now();
    const record = (width: number, found: Violation[]) => {
      for (const v of found) {
        const f = { role, width, url, rule: v.id, impact: v.impact ?? "", nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) };
        findings.push(f);
        if (process.env.E2E_TIMING) console.log("finding", JSON.stringify(f));
      }
    };
    record(WIDE.width, await violations(page));
    await page.setViewportSize(NARROW);
    record(NARROW.width, await violationsAgain(page));
    await page.setViewportSize(WIDE);
    if (process.env.E2E_TIMING) console.log(role, url, Date.now() - t0);
  }
  await context.close();
  return { opened, findings, unfilled: patterns.filter((p) => !filled.has(p.route)).map((p) => p.route) };
}

describe("accessibility of every page, every role, 1366 and 390 px (axe-core, WCAG 2 A/AA)", () => {
  it("notices a serious violation (the check itself)", async () => {
    const context = await browser.newContext({ viewport: WIDE });
    const page = await context.newPage();
    await page.goto(`${server.url}/login`);
    expect(await violations(page)).toEqual([]);
    await page.evaluate(
      `document.querySelector("main").append(Object.assign(document.createElement("p"), { textContent: "浅色文字", style: "color:#ccc;background:#fff" }))`,
    );
    expect((await violations(page)).map((v) => v.id)).toContain("color-contrast");
    await context.close();
  });

  // Fifteen minutes, not thirty: on the shared 2-core box at a load of 15-19 a page × role (two axe
  // runs) took 20 s on average and the sweep did not finish in this limit (133 checks); a quiet
  // machine is the fix for that, not a longer limit.
  it("finds no serious or critical violation on any page", { timeout: 900_000 }, async () => {
    const t0 = Date.now();
    const opened = new Set<string>();
    const findings: Finding[] = [];
    const unfilledByRole: string[][] = [];
    let checked = 0;
    // Every role in its own context at once: the browser renders and axe runs in one while the
    // server answers another.
    for (const r of await Promise.all(ROLES.map((role) => sweep(role)))) {
      for (const o of r.opened) opened.add(o);
      checked += r.opened.size;
      findings.push(...r.findings);
      unfilledByRole.push(r.unfilled);
    }
    const summary = findings.map((f) => `[${f.role} ${f.width}px] ${f.url}: ${f.rule} (${f.impact}) at ${f.nodes.join(" | ")}`);
    expect(summary).toEqual([]);
    // Every page route was opened by some role: a page nobody reaches is a page nobody checks.
    expect(routes.filter((r) => !opened.has(r))).toEqual([]);
    console.log(
      `accessibility: ${opened.size} page routes, ${checked} pages checked (route × role) at 2 widths, ${ROLES.length} roles, ${Math.round((Date.now() - t0) / 1000)} s`,
    );
  });
});

import fs from "node:fs";
import { createRequire } from "node:module";
import { AxeBuilder } from "@axe-core/playwright";
import type { Browser, Page } from "playwright-core";
import { FIGURES } from "../../server/services/coverage/figures.js";
import { signInPage } from "./harness.js";
import { scrollWidth, watchErrors } from "./helpers-browser.js";

// The walk of tests/e2e/accessibility.e2e.ts: one role's pages, each opened once and checked at a
// desk's width and, resized, at a phone's. Checks: axe (WCAG 2 A/AA, serious and critical), a
// visible focus on every focusable element, no sideways scroll at 390 px, no browser-side error,
// and every link the role is shown leads to a page that answers.

export const WIDE = { width: 1366, height: 768 };
export const NARROW = { width: 390, height: 844 };
export const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
const BLOCKING = new Set(["serious", "critical"]);

export type Violation = { id: string; impact?: string | null; nodes: { target: unknown[] }[] };

// axe-core as @axe-core/playwright resolves it, minified: AxeBuilder's analyze() evaluates the
// 1.3 MB unminified source twice a page (once itself, once to inject it into each frame), which
// under load took longer than the run; here the 0.56 MB build is evaluated once a page, when absent.
const fromBuilder = createRequire(createRequire(import.meta.url).resolve("@axe-core/playwright"));
const AXE_SOURCE = fs.readFileSync(fromBuilder.resolve("axe-core/axe.min.js"), "utf8");

/** axe over the page as it stands: the serious and critical violations of WCAG 2 A/AA. */
export async function violations(page: Page): Promise<Violation[]> {
  if (!(await page.evaluate<boolean>("typeof window.axe === 'object'"))) await page.evaluate(AXE_SOURCE);
  const found = await page.evaluate<Violation[]>(
    `axe.run(document, { runOnly: { type: "tag", values: ${JSON.stringify(TAGS)} }, resultTypes: ["violations"] }).then((r) => r.violations.map((v) => ({ id: v.id, impact: v.impact, nodes: v.nodes.map((n) => ({ target: n.target })) })))`,
  );
  return found.filter((v) => BLOCKING.has(v.impact ?? ""));
}

/** The same check through @axe-core/playwright's AxeBuilder (the check-itself test compares the two). */
export async function violationsByBuilder(page: Page): Promise<Violation[]> {
  const result = await new AxeBuilder({ page })
    .setLegacyMode(true)
    .withTags(TAGS)
    .options({ resultTypes: ["violations"] })
    .analyze();
  return result.violations.filter((v) => BLOCKING.has(v.impact ?? ""));
}

/**
 * Focus visible (WCAG 2.4.7, which axe does not test): every focusable element shown on the page,
 * focused from the keyboard's point of view, must differ from its unfocused look by an outline, a
 * shadow, a border or a background. Returns the elements that do not (at most six, named).
 */
export const FOCUS_INVISIBLE = `(() => {
  const sel = 'a[href], button:not([disabled]), input:not([type=hidden]):not([disabled]), select:not([disabled]), textarea:not([disabled]), summary, [tabindex]:not([tabindex="-1"])';
  const look = (el) => { const s = getComputedStyle(el); return [s.outlineStyle === "none" || parseFloat(s.outlineWidth) === 0 ? "" : s.outlineStyle + s.outlineColor + s.outlineWidth, s.boxShadow, s.borderColor, s.backgroundColor].join("|"); };
  const out = [];
  const before = document.activeElement;
  for (const el of document.querySelectorAll(sel)) {
    if (!el.checkVisibility({ visibilityProperty: true }) || el.closest("[inert]")) continue;
    const idle = look(el);
    el.focus({ focusVisible: true, preventScroll: true });
    if (document.activeElement !== el) continue;
    if (!el.matches(":focus-visible") || look(el) === idle)
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (typeof el.className === "string" && el.className.trim() ? "." + el.className.trim().split(/\\s+/).join(".") : "") + (el.getAttribute("href") ? "[href=" + el.getAttribute("href") + "]" : ""));
  }
  if (before && before.focus) before.focus({ preventScroll: true }); else document.activeElement?.blur?.();
  return out.slice(0, 6);
})()`;

/** The elements sticking out to the right of the phone's viewport (not inside a .table-wrap), deepest last. */
export const OVERFLOWING = `(() => {
  const out = [];
  for (const el of document.querySelectorAll("body *")) {
    const r = el.getBoundingClientRect();
    if (r.right > ${NARROW.width} + 1 && r.width > 0 && !el.closest(".table-wrap"))
      out.push(el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\\s+/).join(".") : "") + " right=" + Math.round(r.right));
  }
  return out.slice(-6);
})()`;

/** Routes that answer with something other than a page: downloads, images, polling, the API, sign-out, health. */
export function notAPage(p: string): boolean {
  return (
    /\.(xlsx|csv|svg|png|json|pdf)$/.test(p) ||
    /\/(download|progress)$/.test(p) ||
    p.startsWith("/api/") ||
    p.startsWith("/assets/") ||
    p === "/logout" ||
    p === "/healthz"
  );
}

export type Pattern = { route: string; names: string[]; re: RegExp };
export function patternOf(route: string): Pattern {
  const names: string[] = [];
  const src = route.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/:(\w+)/g, (_m, n: string) => {
    names.push(n);
    return "([^/?#]+)";
  });
  return { route, names, re: new RegExp(`^${src}$`) };
}

/**
 * The kind of page an address shows: its route, except a figure's list, which is one page per
 * source of rows (enterprises, members, organizations … each its own template), and an official
 * table, one page per table.
 */
export function kindOf(route: string, pathname: string): string {
  // Each official table is its own layout (table 33 has seventeen columns, table 1 three).
  if (route === "/tables/:table") return pathname;
  if (route !== "/reports/figures/:key") return route;
  const key = decodeURIComponent(pathname.slice("/reports/figures/".length));
  const def = (FIGURES as Record<string, { source: string } | undefined>)[key];
  return `/reports/figures/:${def?.source ?? key}`;
}

export type Finding = { role: string; width: number; url: string; rule: string; impact: string; nodes: string[] };
export type Timing = { pages: number; load: number; links: number; axeWide: number; axeNarrow: number; layout: number };

/**
 * One role's walk. Starts from every route without parameters (and `starts`); a route with
 * parameters (/members/:id) gets its values from the first link to it on a page already opened,
 * a route below a filled one (/members/:id/edit) inherits them. Each kind of page is opened once.
 */
export async function sweepRole(browser: Browser, baseUrl: string, role: string, routes: string[], starts: string[] = [], log = false) {
  const context = await browser.newContext({ viewport: WIDE, deviceScaleFactor: 1 });
  // A shared CI machine under load can take longer than playwright's 30 s for a dashboard.
  context.setDefaultTimeout(120_000);
  const page = role === "anon" ? await context.newPage() : await signInPage(context, baseUrl, role);
  // The visitor opens the sign-in page first too: the browser's own request for /favicon.ico (the
  // app has none; no page links it) answers 404 on a context's first page, before the watch.
  if (role === "anon") await page.goto(`${baseUrl}/login`);
  const watch = watchErrors(page);
  const base = new URL(baseUrl);
  const patterns = routes.map(patternOf);
  // A fixed path (/members/new) before one with parameters (/members/:id) that also matches it.
  const routeOf = (pathname: string) =>
    patterns.find((p) => !p.names.length && p.route === pathname) ?? patterns.find((p) => p.names.length && p.re.test(pathname));
  const filled = new Map<string, string>(); // route → the first address queued for it
  const tried = new Set<string>(); // addresses queued
  const attempted = new Map<string, number>(); // kind → addresses queued for it
  const pending = new Set<string>(); // kinds in the queue
  const queue: { url: string; route: string; kind: string }[] = [];
  const opened = new Set<string>(); // routes answered 200 with their page for this role
  const openedKinds = new Set<string>();
  const answered = new Set<string>(); // kinds some address answered 200 (perhaps after a redirect)
  const findings: Finding[] = [];
  const failures: string[] = []; // layout, focus, browser errors, links that do not answer
  const time: Timing = { pages: 0, load: 0, links: 0, axeWide: 0, axeNarrow: 0, layout: 0 };
  const lastStatus = new Map<string, number>(); // kind → the status its last address answered
  const linkedKinds = new Map<string, string>(); // kind → an address a link showed this role
  /**
   * A kind is opened once; a link to a kind none of whose addresses answered yet is tried too
   * (up to three addresses: a link shown to the role must lead to a page, checked after the walk).
   */
  // An address keeps its query: some pages need one (/tables/:table/rows?key=…) and answer 400 without it.
  const enqueue = (address: string, linked: boolean) => {
    const pathname = address.split("?")[0]!;
    const p = routeOf(pathname);
    if (!p || tried.has(address)) return;
    const kind = kindOf(p.route, pathname);
    if (linked && !linkedKinds.has(kind)) linkedKinds.set(kind, address);
    const n = attempted.get(kind) ?? 0;
    if (pending.has(kind) || answered.has(kind) || (n > 0 && !linked) || n >= 3) return;
    attempted.set(kind, n + 1);
    tried.add(address);
    pending.add(kind);
    if (!filled.has(p.route)) filled.set(p.route, pathname);
    queue.push({ url: address, route: p.route, kind });
  };
  for (const p of patterns) if (!p.names.length) enqueue(p.route, false);
  for (const s of starts) enqueue(s, false);
  const harvest = async () => {
    const hrefs = await page.$$eval("a[href]", (as) => as.map((a) => a.getAttribute("href") ?? ""));
    for (const href of hrefs) {
      if (href.startsWith("#") || href.startsWith("mailto:")) continue;
      const u = new URL(href, page.url());
      if (u.origin === base.origin && !notAPage(u.pathname)) enqueue(u.pathname + u.search, true);
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
          p.route.replace(/:(\w+)/g, (m, n: string) => (i < parent.names.length && parent.names[i] === n ? values[i++]! : m)),
          false,
        );
        break;
      }
    }
  };
  const record = (url: string, width: number, found: Violation[]) => {
    for (const v of found) {
      const f = { role, width, url, rule: v.id, impact: v.impact ?? "", nodes: v.nodes.slice(0, 3).map((n) => n.target.join(" ")) };
      findings.push(f);
      if (log) console.log("finding", JSON.stringify(f));
    }
  };
  const focus = async (url: string, width: number) => {
    const bad = await page.evaluate<string[]>(FOCUS_INVISIBLE);
    if (!bad.length) return;
    failures.push(`[${role} ${width}px] ${url}: focus not visible on ${bad.join(", ")}`);
    if (log) console.log("failure", failures.at(-1));
    reported = failures.length;
  };
  let t = 0;
  let reported = 0; // failures already logged
  for (;;) {
    if (!queue.length) inherit();
    const item = queue.shift();
    if (!item) break;
    const { url, route, kind } = item;
    pending.delete(kind);
    if (url.split("?")[0]!.includes(":")) continue; // a parameter nothing could fill
    const t0 = Date.now();
    t = t0;
    let status = 0;
    let html = false;
    let redirected = false;
    try {
      const res = await page.goto(baseUrl + url, { waitUntil: "load" });
      status = res?.status() ?? 0;
      redirected = res?.request().redirectedFrom() != null;
      html = (res?.headers()["content-type"] ?? "").startsWith("text/html");
    } catch (err) {
      if (!/Download is starting/.test(String(err))) throw err;
    }
    time.load += Date.now() - t;
    lastStatus.set(kind, status);
    if (status === 200) answered.add(kind);
    // A page that needs a query (/recruitment/people?figure=…) answers 400 bare: try the address a link
    // showed for it, if that link was seen while the bare address waited in the queue.
    else if (linkedKinds.has(kind) && !tried.has(linkedKinds.get(kind)!)) enqueue(linkedKinds.get(kind)!, true);
    if (!html) continue;
    t = Date.now();
    await harvest();
    time.links += Date.now() - t;
    // 403/404: not this role's page (the access matrix proves those answers), unless a link showed
    // it to the role (checked after the walk); redirected elsewhere (to sign-in, or from it): the same.
    if (status !== 200 || !patternOf(route).re.test(new URL(page.url()).pathname)) {
      // A route that only redirects (/finds → /finds/links) has no page of its own: reached when its target answers.
      if (status === 200 && redirected) opened.add(route);
      watch.problems.splice(0);
      continue;
    }
    opened.add(route);
    openedKinds.add(kind);
    time.pages++;
    const t1 = Date.now();
    record(url, WIDE.width, await violations(page));
    time.axeWide += Date.now() - t1;
    const t2 = Date.now();
    await focus(url, WIDE.width);
    await page.setViewportSize(NARROW);
    const sw = await scrollWidth(page);
    if (sw > NARROW.width + 1)
      failures.push(
        `[${role}] ${url}: scrollWidth ${sw} > ${NARROW.width}; sticking out: ${(await page.evaluate<string[]>(OVERFLOWING)).join(", ")}`,
      );
    await focus(url, NARROW.width);
    time.layout += Date.now() - t2;
    const t3 = Date.now();
    record(url, NARROW.width, await violations(page));
    time.axeNarrow += Date.now() - t3;
    await page.setViewportSize(WIDE);
    if (watch.problems.length) failures.push(`[${role}] ${url}: ${watch.problems.splice(0).join("; ")}`);
    if (log && failures.length > reported) console.log("failure", failures.slice(reported).join("\n"));
    reported = failures.length;
    // The page's time (ms): in all, its load and links, axe at 1366, focus and layout, axe at 390.
    if (log) console.log(role, url, Date.now() - t0, t1 - t0, t2 - t1, t3 - t2, Date.now() - t3);
  }
  // Every link the role was shown leads to a page that answers it (a link to a 403 is a bug).
  for (const [kind, url] of linkedKinds)
    if (!answered.has(kind)) failures.push(`[${role}] a link shows ${url} (${kind}), which answers HTTP ${lastStatus.get(kind)}`);
  await context.close();
  return { opened, openedKinds, findings, failures, time, unfilled: patterns.filter((p) => !filled.has(p.route)).map((p) => p.route) };
}

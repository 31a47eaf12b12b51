// The access-control matrix, the CSRF refusals and the security headers, generated from the app's
// own route table (listRoutes) and checked against access-matrix.table.ts. A route without an entry
// fails; an entry without a route fails. Requests that change nothing share one app; every request
// that may write runs on a fresh app over a copy of the same database image, so no case's effect
// changes another's answer.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import express, { Router } from "express";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { createApp } from "../../../server/app.js";
import * as codes from "../../../server/domain/codes.js";
import { todayIso } from "../../../server/domain/dates.js";
import { lastDayOfMonth, previousMonth } from "../../../server/services/coverage/snapshots.js";
import { testConfig } from "../../../server/config.js";
import { memoryDb } from "../../helpers/db.js";
import { serverLeaks } from "../../helpers/hostile.js";
import { buildMatrixWorld, CALLERS, type Caller, type MatrixWorld, type Session, visitorIn } from "../../helpers/matrix-fixtures.js";
import { listRoutes, type RouteEntry, routeKey } from "../../helpers/routes.js";
import { type Body, MATRIX, type MatrixEntry, type Side, type Status, type Target } from "./access-matrix.table.js";

// -- The route table, read from a real app ----------------------------------------------------------

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pc-matrix-"));
const ROUTES: RouteEntry[] = (() => {
  const handle = memoryDb();
  try {
    return listRoutes(createApp({ db: handle, config: testConfig({ uploadDir: path.join(scratch, "routes") }) }));
  } finally {
    handle.close();
  }
})();
const WRITES = new Set(["POST", "PUT", "PATCH", "DELETE"]);
const isApi = (r: RouteEntry) => r.path.startsWith("/api/");
/** Routes a signed-out visitor may use: their anonymous 303 is not a bounce to /login. */
const PUBLIC_PATHS = new Set(["/healthz", "/login", "/logout", "/r/:token", "/r/:token/thanks"]);

let w: MatrixWorld;
let shared: { app: express.Express; handle: DbHandle };
beforeAll(async () => {
  w = await buildMatrixWorld(path.join(scratch, "uploads"));
  shared = w.fresh();
}, 60_000);
afterAll(() => {
  shared?.handle.close();
  fs.rmSync(scratch, { recursive: true, force: true });
});

// -- Making a request ----------------------------------------------------------------------------------------

function fillPath(p: string, params: Record<string, string | number> = {}): string {
  return p.replace(/:(\w+)/g, (_m, name: string) => {
    if (!(name in params)) throw new Error(`no value for :${name} in ${p}`);
    return encodeURIComponent(String(params[name]));
  });
}

type Sent = { status: number; location: string | undefined; headers: Record<string, string>; text: string };
type TokenMode = "valid" | "missing" | "random" | "other-session" | "header-wrong";

async function send(
  app: express.Express,
  route: RouteEntry,
  t: Target,
  session: Session | null,
  token: TokenMode = "valid",
  extra: Record<string, string> = {},
): Promise<Sent> {
  if (session === w.sessions.anon) session = await visitorIn(app);
  const url = fillPath(route.path, t.params);
  const qs = new URLSearchParams(t.query ?? {});
  const csrf =
    token === "valid" ? session?.csrf : token === "random" ? "x".repeat(43) : token === "other-session" ? w.sessions.clerk.csrf : undefined;
  const body: Body | undefined = t.body;
  if (body && "multipart" in body && csrf) qs.set("_csrf", csrf);
  const full = qs.size ? `${url}?${qs}` : url;
  const method = route.method.toLowerCase() as "get" | "post" | "put" | "patch" | "delete";
  let req = request(app)[method](full);
  if (session) req = req.set("Cookie", session.cookie);
  for (const [k, v] of Object.entries(extra)) req = req.set(k, v);
  if (token === "header-wrong") req = req.set("X-CSRF-Token", "y".repeat(43));
  let res: request.Response;
  if (!WRITES.has(route.method)) res = await req.buffer(true);
  else if (body && "multipart" in body) {
    for (const [k, v] of Object.entries(body.multipart.fields)) req = req.field(k, v);
    res = await req.attach("file", body.multipart.file);
  } else if (body && "json" in body) res = await req.type("json").send(JSON.stringify(body.json));
  else {
    const fields: Record<string, string | string[]> = { ...(body && "form" in body ? body.form : {}) };
    if (csrf) fields._csrf = csrf;
    const pairs: [string, string][] = Object.entries(fields).flatMap(([k, v]) =>
      Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v] as [string, string]],
    );
    res = await req.type("form").send(new URLSearchParams(pairs).toString());
  }
  return { status: res.status, location: res.headers.location, headers: res.headers as Record<string, string>, text: res.text ?? "" };
}

/** Every row of every table that holds data (sessions and rate-limit counters aside). */
function fingerprint(h: DbHandle, opts: { audit: boolean }): string {
  const tables = (
    h.sqlite
      .prepare(
        "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name",
      )
      .pluck()
      .all() as string[]
  ).filter((t) => t !== "sessions" && t !== "rate_limits" && !t.startsWith("rl_") && (opts.audit || t !== "audit_log"));
  return tables.map((t) => `${t}:${JSON.stringify(h.sqlite.prepare(`SELECT * FROM "${t}"`).raw().all())}`).join("\n");
}

/** Background work a request started (a dry-run import) must end before its database closes. */
async function settle(h: DbHandle) {
  for (let i = 0; i < 200; i++) {
    const n = h.sqlite.prepare("SELECT count(*) FROM imports WHERE status IN ('pending', 'running')").pluck().get() as number;
    if (n === 0) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("a background import did not finish");
}

async function onFresh<T>(fn: (app: express.Express, h: DbHandle) => Promise<T>): Promise<T> {
  const { app, handle } = w.fresh();
  try {
    const r = await fn(app, handle);
    await settle(handle);
    return r;
  } finally {
    handle.close();
  }
}

async function inBatches<T, R>(items: T[], size: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (let i = 0; i < items.length; i += size) out.push(...(await Promise.all(items.slice(i, i + size).map(fn))));
  return out;
}

// -- The cases of one route ------------------------------------------------------------------------------------

/**
 * One request of the matrix. Two variants are generated from the table's own cases:
 * "empty-body" — a refusal (signed out, role, scope) must not depend on what the form carries, so
 * the same request with an empty form gets the same answer (never a 422 re-render, never a 500);
 * "no-such-id" — an administrator naming ids that do not exist gets 404.
 */
type Case = { caller: Caller; side: Side; expect: Status; variant?: "empty-body" | "no-such-id" };
const NO_SUCH_ID = 987654321;

function casesOf(route: RouteEntry, entry: MatrixEntry): Case[] {
  const out: Case[] = [{ caller: "anon", side: "in", expect: entry.expect.anon }];
  for (const caller of CALLERS) {
    if (caller === "anon") continue;
    const per = entry.expect[caller];
    const [inside, outside] = Array.isArray(per) ? per : [per, per];
    out.push({ caller, side: "in", expect: inside as Status });
    // Without a target the route names nothing: there is no outside to try.
    if (entry.target) out.push({ caller, side: "out", expect: outside as Status });
  }
  for (const [caller, status] of Object.entries(entry.expect.other ?? {}))
    out.push({ caller: caller as Caller, side: "other", expect: status });
  for (const [caller, status] of Object.entries(entry.expect.wrongSide ?? {}))
    out.push({ caller: caller as Caller, side: "wrong-side", expect: status });
  const body = entry.target?.(w.fx, "in", "admin").body;
  if (WRITES.has(route.method) && body && "form" in body && Object.keys(body.form).length > 0) {
    // A 404 from an id in the body (a select box) is the body's answer; ids in the path must not depend on it.
    const byPath = route.path.includes(":");
    // (Not for wrong-side cases: which party may act is the transfer state machine's answer, given after the form is read.)
    for (const c of [...out])
      if (c.side !== "wrong-side" && refused(route, c) && (c.expect === 403 || c.expect === 303 || (c.expect === 404 && byPath)))
        out.push({ ...c, variant: "empty-body" });
  }
  if (/:(id|orgId|assignmentId)\b/.test(route.path)) out.push({ caller: "admin", side: "in", expect: 404, variant: "no-such-id" });
  return out;
}

function targetOf(entry: MatrixEntry, side: Side, caller: Caller, variant?: Case["variant"]): Target {
  const t = entry.target ? entry.target(w.fx, side, caller) : {};
  if (variant === "empty-body") return { ...t, body: { form: {} } };
  if (variant === "no-such-id")
    return {
      ...t,
      params: Object.fromEntries(Object.entries(t.params ?? {}).map(([k, v]) => [k, /^(id|orgId|assignmentId)$/.test(k) ? NO_SUCH_ID : v])),
    };
  return t;
}

/** What was wrong with one answer, or null. */
function judge(route: RouteEntry, entry: MatrixEntry, c: Case, res: Sent): string | null {
  const label = `${c.caller}/${c.side}${c.variant ? ` (${c.variant})` : ""}`;
  if (res.status !== c.expect) return `${label}: expected ${c.expect}, got ${res.status}${res.location ? ` → ${res.location}` : ""}`;
  if (res.status === 303) {
    const toLogin = res.location === "/login";
    if (c.caller === "anon" && !PUBLIC_PATHS.has(route.path) && !toLogin) return `${label}: 303 to ${res.location}, not to /login`;
    if (c.caller !== "anon" && toLogin && !entry.signsOut) return `${label}: a signed-in caller was sent to /login`;
    if (c.caller !== "anon" && entry.signsOut && !toLogin)
      return `${label}: expected to be signed out (303 to /login), went to ${res.location}`;
  }
  return null;
}

/** Refusals of a write: nothing in the data may have changed. */
const refused = (route: RouteEntry, c: Case) =>
  c.expect >= 400 || (c.caller === "anon" && c.expect === 303 && !PUBLIC_PATHS.has(route.path));

async function runCase(route: RouteEntry, entry: MatrixEntry, c: Case): Promise<string | null> {
  const t = targetOf(entry, c.side, c.caller, c.variant);
  const session = w.sessions[c.caller];
  if (!WRITES.has(route.method)) return judge(route, entry, c, await send(shared.app, route, t, session));
  return onFresh(async (app, h) => {
    const before = refused(route, c) ? fingerprint(h, { audit: false }) : null;
    const res = await send(app, route, t, session);
    const problem = judge(route, entry, c, res);
    if (problem) return problem;
    if (before !== null && fingerprint(h, { audit: false }) !== before)
      return `${c.caller}/${c.side}${c.variant ? ` (${c.variant})` : ""}: refused with ${res.status} but the data changed`;
    return null;
  });
}

// -- The tests -----------------------------------------------------------------------------------------------------------

describe("listRoutes", () => {
  it("sees routes of routers mounted with and without a prefix, nested, and refuses what it cannot name", () => {
    const inner = Router();
    inner.get("/items/:id", (_q, s) => s.end());
    const api = Router();
    api.post("/rosters", (_q, s) => s.end());
    api.use("/nested", inner);
    const plain = Router();
    plain.get("/", (_q, s) => s.end());
    const app = express();
    app.use(plain);
    app.use("/api/v1", api);
    app.get("/healthz", (_q, s) => s.end());
    expect(listRoutes(app).map(routeKey)).toEqual(["GET /", "POST /api/v1/rosters", "GET /api/v1/nested/items/:id", "GET /healthz"]);

    const bad = express();
    bad.all("/anything", (_q, s) => s.end());
    expect(() => listRoutes(bad)).toThrow(/list its methods explicitly/);
  });

  it("sees the platform API of the real app", () => {
    expect(ROUTES.map(routeKey)).toContain("POST /api/v1/rosters/:platform/batches");
    expect(ROUTES.length).toBeGreaterThan(90);
  });
});

describe("access-control matrix", () => {
  it("has an entry for every route of the app, and a route for every entry", () => {
    const keys = new Set(ROUTES.map(routeKey));
    const missing = [...keys].filter((k) => !(k in MATRIX)).map((k) => `route ${k} has no access-matrix entry`);
    const stale = Object.keys(MATRIX)
      .filter((k) => !keys.has(k))
      .map((k) => `access-matrix entry ${k} names no route of the app`);
    expect([...missing, ...stale]).toEqual([]);
  });

  for (const route of ROUTES) {
    const key = routeKey(route);
    const entry = MATRIX[key];
    if (!entry) continue; // reported by the test above
    it(key, async () => {
      // The cases are independent (each write on its own database): a few at a time overlap their waits.
      const problems = (await inBatches(casesOf(route, entry), 4, (c) => runCase(route, entry, c))).filter((p): p is string => p !== null);
      if (entry.bearer) {
        for (const b of entry.bearer(w.fx)) {
          const t = { ...targetOf(entry, "in", "anon"), params: { platform: b.platform } };
          const res = await onFresh((app) =>
            send(app, route, t, null, "missing", b.authorization ? { Authorization: b.authorization } : {}),
          );
          if (res.status !== b.expect) problems.push(`bearer "${b.name}": expected ${b.expect}, got ${res.status}`);
        }
      }
      expect(problems).toEqual([]);
    });
  }
});

// -- CSRF -------------------------------------------------------------------------------------------------------------

describe("CSRF: every state-changing route refuses a missing or wrong token and writes nothing", () => {
  const writes = ROUTES.filter((r) => WRITES.has(r.method) && !isApi(r));
  it("covers the state-changing routes", () => {
    expect(writes.length).toBeGreaterThan(40);
  });
  for (const route of writes) {
    const key = routeKey(route);
    const entry = MATRIX[key];
    if (!entry) continue;
    it(key, async () => {
      // The caller for whom the request, with its token, succeeds: an administrator, else (public forms) the visitor.
      const admin = Array.isArray(entry.expect.admin) ? entry.expect.admin[0] : entry.expect.admin;
      const caller: Caller = admin < 400 && !PUBLIC_PATHS.has(route.path) ? "admin" : "anon";
      const t = targetOf(entry, "in", caller);
      const problems: string[] = [];
      await Promise.all(
        (["missing", "random", "other-session", "header-wrong"] as const).map((mode) =>
          onFresh(async (app, h) => {
            const before = fingerprint(h, { audit: true });
            const res = await send(app, route, t, w.sessions[caller], mode);
            if (res.status !== 403) problems.push(`${mode}: expected 403, got ${res.status}`);
            else if (!/页面已过期|请求来源无效/.test(res.text)) problems.push(`${mode}: 403 without the CSRF message`);
            if (fingerprint(h, { audit: true }) !== before) problems.push(`${mode}: the data changed`);
          }),
        ),
      );
      // The control: the same request with its token is answered as the matrix says.
      const control = await onFresh((app) => send(app, route, t, w.sessions[caller], "valid"));
      const want = caller === "admin" ? admin : entry.expect.anon;
      if (control.status !== want) problems.push(`with the token: expected ${want}, got ${control.status}`);
      expect(problems).toEqual([]);
    });
  }
});

// -- Security headers -----------------------------------------------------------------------------------------------------

function cspOf(headers: Record<string, string>): Map<string, string[]> {
  const csp = headers["content-security-policy"] ?? "";
  return new Map(
    csp
      .split(";")
      .map((d) => d.trim().split(/\s+/))
      .filter((d) => d[0])
      .map(([name, ...values]) => [name!, values]),
  );
}

function headerProblems(res: Sent, needsNoStore: boolean): string[] {
  const p: string[] = [];
  const csp = cspOf(res.headers);
  const scriptSrc = csp.get("script-src") ?? csp.get("default-src");
  if (!scriptSrc) p.push("no script-src (nor default-src) in the CSP");
  else if (scriptSrc.some((v) => v === "'unsafe-inline'" || v === "'unsafe-eval'" || v === "*" || v === "data:"))
    p.push(`script-src allows ${scriptSrc.join(" ")}`);
  if (csp.get("frame-ancestors")?.join(" ") !== "'none'") p.push(`frame-ancestors is ${csp.get("frame-ancestors")?.join(" ")}`);
  if (csp.get("base-uri")?.join(" ") !== "'none'") p.push(`base-uri is ${csp.get("base-uri")?.join(" ")}`);
  if (csp.get("object-src")?.join(" ") !== "'none'") p.push(`object-src is ${csp.get("object-src")?.join(" ")}`);
  if (res.headers["x-content-type-options"] !== "nosniff") p.push("no X-Content-Type-Options: nosniff");
  if (!/^(no-referrer|same-origin|strict-origin|strict-origin-when-cross-origin)$/.test(res.headers["referrer-policy"] ?? ""))
    p.push(`Referrer-Policy is ${res.headers["referrer-policy"]}`);
  if (needsNoStore && !/\bno-store\b/.test(res.headers["cache-control"] ?? "")) p.push(`Cache-Control is ${res.headers["cache-control"]}`);
  return p;
}

describe("security headers on every page", () => {
  const pages = ROUTES.filter((r) => r.method === "GET");
  for (const route of pages) {
    const key = routeKey(route);
    const entry = MATRIX[key];
    if (!entry) continue;
    it(key, async () => {
      // A signed-in administrator, and the signed-out visitor where the page is public.
      const callers: Caller[] = PUBLIC_PATHS.has(route.path) ? ["admin", "anon"] : ["admin"];
      const problems: string[] = [];
      for (const caller of callers) {
        const res = await send(shared.app, route, targetOf(entry, "in", caller), w.sessions[caller]);
        // /healthz says "ok" and nothing else; every other answer may carry personal data or a session.
        for (const p of headerProblems(res, route.path !== "/healthz")) problems.push(`${caller} (${res.status}): ${p}`);
      }
      expect(problems).toEqual([]);
    });
  }

  it("error pages carry them too (404, 403, the signed-out bounce)", async () => {
    const cases: [string, Caller][] = [
      ["/no-such-page", "admin"],
      ["/admin/users", "clerk"],
      ["/members", "anon"],
      [`/members/${w.fx.psMember.id}`, "secretary"],
    ];
    for (const [url, caller] of cases) {
      const res = await send(shared.app, { method: "GET", path: url }, {}, w.sessions[caller]);
      expect([404, 403, 303]).toContain(res.status);
      expect(headerProblems(res, true), `${caller} ${url}`).toEqual([]);
    }
  });
});

// -- Personal data --------------------------------------------------------------------------------------------------------------

describe("personal data: no page shows a whole ID number or phone unless asked for, audited", () => {
  it("every GET page of the table, for every caller, shows the numbers of members, leads, workers, instructors and branch secretaries only masked", async () => {
    const h = shared.handle.sqlite;
    const numbers = new Set<string>();
    for (const table of ["members", "leads", "workers"]) {
      for (const r of h.prepare(`SELECT id_number AS id, phone FROM ${table}`).all() as { id: string; phone: string | null }[]) {
        numbers.add(r.id);
        if (r.phone) numbers.add(r.phone);
      }
    }
    for (const p of h.prepare("SELECT phone FROM instructors WHERE phone IS NOT NULL").pluck().all() as string[]) numbers.add(p);
    for (const p of h.prepare("SELECT secretary_phone FROM organizations WHERE secretary_phone IS NOT NULL").pluck().all() as string[])
      numbers.add(p);
    expect(numbers.size).toBeGreaterThan(20);
    const problems: string[] = [];
    const pages = ROUTES.filter((r) => r.method === "GET" && MATRIX[routeKey(r)]);
    for (const route of pages) {
      const entry = MATRIX[routeKey(route)]!;
      await inBatches([...CALLERS], 5, async (caller) => {
        const res = await send(shared.app, route, targetOf(entry, "in", caller), w.sessions[caller]);
        // Workbooks and images are downloads (exports are audited); pages, JSON and SVG are read here.
        if (!/html|json|svg|text/.test(res.headers["content-type"] ?? "")) return;
        const shown = [...numbers].filter((n) => res.text.includes(n));
        if (shown.length)
          problems.push(`${caller} ${route.path} (${res.status}) shows ${shown.length} whole number(s), e.g. ${shown[0]!.slice(0, 3)}…`);
      });
    }
    // A flag in the query string unmasks nothing, for anyone: the whole number is a POST's answer (below).
    const letterPath: RouteEntry = { method: "GET", path: "/transfers/:id/letter" };
    for (const caller of CALLERS) {
      const letter = await send(shared.app, letterPath, { params: { id: w.fx.tOutDl }, query: { unmask: "1" } }, w.sessions[caller]);
      if (letter.text.includes(w.fx.mDlOut.idNumber)) problems.push(`${caller} sees the whole ID number on a letter with ?unmask=1`);
    }
    // Asking for it is for the roles that may (and is audited); a secretary is refused.
    const unmask: RouteEntry = { method: "POST", path: "/transfers/:id/letter/unmask" };
    const asked = (caller: Caller) => onFresh((app) => send(app, unmask, { params: { id: w.fx.tOutDl } }, w.sessions[caller]));
    const secretary = await asked("secretary");
    expect(secretary.status).toBe(403);
    if (secretary.text.includes(w.fx.mDlOut.idNumber))
      problems.push("a secretary sees the whole ID number on a letter she asked to unmask");
    expect((await asked("clerk")).text, "the control: a clerk asking sees it").toContain(w.fx.mDlOut.idNumber);
    expect(problems).toEqual([]);
  });
});

// -- Parameter pollution ---------------------------------------------------------------------------------------------------

describe("repeated fields and typed JSON values in a form's body are refused, never a 500", () => {
  it("every form of the table: each field sent twice is a 4xx; a JSON body (objects, huge numbers) is never a 500", async () => {
    const problems: string[] = [];
    const forms = ROUTES.filter((r) => WRITES.has(r.method) && !isApi(r)).flatMap((route) => {
      const t = targetOf(MATRIX[routeKey(route)]!, "in", "admin");
      return t.body && "form" in t.body && Object.keys(t.body.form).length ? [{ route, t, fields: t.body.form }] : [];
    });
    expect(forms.length).toBeGreaterThan(30);
    await inBatches(forms, 4, async ({ route, t, fields }) => {
      const url = fillPath(route.path, t.params);
      const s = w.sessions.admin;
      const twice = await onFresh(async (app) => {
        const pairs: [string, string][] = [["_csrf", s.csrf]];
        for (const [k, v] of Object.entries(fields)) for (const x of [String(v), `${String(v)}x`]) pairs.push([k, x]);
        return request(app).post(url).set("Cookie", s.cookie).type("form").send(new URLSearchParams(pairs).toString());
      });
      if (twice.status < 400 || twice.status >= 500) problems.push(`${routeKey(route)} with repeated fields: ${twice.status}`);
      for (const value of [{ $gt: "", toString: 1 }, 1e21, [1, [2]], null, true]) {
        const json = await onFresh((app) =>
          request(app)
            .post(url)
            .set("Cookie", s.cookie)
            .set("X-CSRF-Token", s.csrf)
            .type("json")
            .send(JSON.stringify(Object.fromEntries(Object.keys(fields).map((k) => [k, value])))),
        );
        if (json.status >= 500) problems.push(`${routeKey(route)} with JSON ${JSON.stringify(value)}: ${json.status}`);
      }
    });
    expect(problems).toEqual([]);
  }, 120_000);
});

// -- Refused bodies and malformed uploads --------------------------------------------------------------------------------------

/** Bodies the parsers refuse, and the answer each must get whoever sends it (the body is read before anything else). */
const REFUSED_BODIES: { name: string; expect: Status | 400 | 413 | 415; send: (r: request.Test, csrf: string) => request.Test }[] = [
  {
    name: "charset=koi8-r",
    expect: 415,
    send: (r, c) => r.set("Content-Type", "application/x-www-form-urlencoded; charset=koi8-r").send(`_csrf=${c}&a=1`),
  },
  {
    name: "Content-Encoding: gzip, not gzip",
    expect: 400,
    send: (r) => r.set("Content-Type", "application/x-www-form-urlencoded").set("Content-Encoding", "gzip").send("garbage"),
  },
  {
    name: "Content-Encoding: br, not brotli",
    expect: 400,
    send: (r) => r.set("Content-Type", "application/x-www-form-urlencoded").set("Content-Encoding", "br").send("garbage"),
  },
  {
    name: "Content-Encoding: compress",
    expect: 415,
    send: (r, c) => r.set("Content-Type", "application/x-www-form-urlencoded").set("Content-Encoding", "compress").send(`_csrf=${c}`),
  },
  {
    name: "3,000 fields",
    expect: 413,
    send: (r, c) => r.type("form").send(`_csrf=${c}&${Array.from({ length: 3000 }, (_, i) => `f${i}=x`).join("&")}`),
  },
  { name: "300 kB", expect: 413, send: (r, c) => r.type("form").send(`_csrf=${c}&a=${"1".repeat(300_000)}`) },
];

/** Multipart bodies busboy refuses: for the upload form, signed in with a valid token. */
const MALFORMED_UPLOADS: { name: string; send: (r: request.Test) => request.Test }[] = [
  { name: "no boundary", send: (r) => r.set("Content-Type", "multipart/form-data").send("--x\r\n") },
  {
    name: "ends inside the file",
    send: (r) =>
      r
        .set("Content-Type", "multipart/form-data; boundary=x")
        .send('--x\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n身份证号,姓名\r\n'),
  },
  {
    name: "a part header never ends",
    send: (r) =>
      r
        .set("Content-Type", "multipart/form-data; boundary=x")
        .send(`--x\r\nContent-Disposition: form-data; name="kind"${"x".repeat(100_000)}`),
  },
];

function errorPageProblems(res: request.Response, want: number, json = false): string[] {
  const p: string[] = [];
  if (res.status !== want) p.push(`expected ${want}, got ${res.status}`);
  if (!(res.headers["content-type"] ?? "").startsWith(json ? "application/json" : "text/html"))
    p.push(`content type ${res.headers["content-type"]}`);
  if (!/[\u4e00-\u9fff]/.test(res.text ?? "")) p.push("no Chinese message");
  for (const leak of serverLeaks(res.text ?? "")) p.push(`shows ${leak}`);
  return p;
}

describe("refused bodies and malformed uploads: every state-changing route answers the app's page (4xx), never a stack, and writes nothing", () => {
  const writes = ROUTES.filter((r) => WRITES.has(r.method));
  for (const route of writes) {
    const key = routeKey(route);
    const entry = MATRIX[key];
    if (!entry) continue;
    it(key, async () => {
      const problems: string[] = [];
      const t = targetOf(entry, "in", "admin");
      const url = fillPath(route.path, t.params);
      // A key's last use is stamped once it is checked, before the body is read: that is not the body's doing.
      const data = (h: DbHandle) =>
        isApi(route) ? fingerprint(h, { audit: true }).replace(/^api_keys:.*$/m, "") : fingerprint(h, { audit: true });
      await onFresh(async (app, h) => {
        const before = data(h);
        if (isApi(route)) {
          // The platform API reads its body after the key: with a valid key, its JSON errors.
          const api = () => request(app).post(url).set("Authorization", `Bearer ${w.fx.keyDl.key}`);
          const cases: [string, request.Test][] = [
            ["malformed JSON", api().set("Content-Type", "application/json").send('{"batchId": ')],
            ["JSON in koi8-r", api().set("Content-Type", "application/json; charset=koi8-r").send("{}")],
            ["gzip JSON, not gzip", api().set("Content-Type", "application/json").set("Content-Encoding", "gzip").send("garbage")],
          ];
          for (const [name, req] of cases) for (const p of errorPageProblems(await req, 400, true)) problems.push(`${name}: ${p}`);
        } else {
          for (const caller of ["anon", "admin"] as const) {
            const s = caller === "anon" ? await visitorIn(app) : w.sessions[caller];
            for (const b of REFUSED_BODIES) {
              const res = await b.send(request(app).post(url).set("Cookie", s.cookie), s.csrf);
              for (const p of errorPageProblems(res, b.expect)) problems.push(`${caller}, ${b.name}: ${p}`);
            }
          }
          if (t.body && "multipart" in t.body) {
            for (const b of MALFORMED_UPLOADS) {
              const s = w.sessions.admin;
              const res = await b.send(
                request(app)
                  .post(`${url}?_csrf=${encodeURIComponent(s.csrf)}`)
                  .set("Cookie", s.cookie),
              );
              for (const p of errorPageProblems(res, 400)) problems.push(`upload, ${b.name}: ${p}`);
            }
          }
        }
        if (data(h) !== before) problems.push("the data changed");
      });
      expect(problems).toEqual([]);
    });
  }
});

// -- Code fields ------------------------------------------------------------------------------------------------------------------

/** Every code of every code list: a form field holding one is a code field. */
const ALL_CODES = new Set<string>([
  ...Object.values(codes).flatMap((v) => (v && typeof v === "object" && "keys" in v && Array.isArray(v.keys) ? (v.keys as string[]) : [])),
  ...Object.keys(codes.ETHNICITY),
]);

describe("code fields refuse the keys every object inherits (constructor, __proto__, toString), never a success, nothing written", () => {
  it("every form of the table, each code field in turn", async () => {
    const problems: string[] = [];
    const cases = ROUTES.filter((r) => WRITES.has(r.method) && !isApi(r)).flatMap((route) => {
      const t = targetOf(MATRIX[routeKey(route)]!, "in", "admin");
      if (!(t.body && "form" in t.body)) return [];
      const form = t.body.form;
      return (
        Object.entries(form)
          // Reference codes (industries, regions) are rows of a table, but a form sends them the same way.
          .filter(([k, v]) => typeof v === "string" && (ALL_CODES.has(v) || /^(industryCode|regionCode)$/.test(k)))
          .map(([field]) => ({ route, t, form, field }))
      );
    });
    // The member forms, the organization, enterprise and instructor forms, transfers, leads, accounts...
    expect(cases.length).toBeGreaterThan(20);
    await inBatches(cases, 4, async ({ route, t, form, field }) => {
      await onFresh(async (app, h) => {
        const before = fingerprint(h, { audit: true });
        for (const key of ["constructor", "__proto__", "toString"]) {
          const s = w.sessions.admin;
          const pairs: [string, string][] = [
            ["_csrf", s.csrf],
            ...Object.entries({ ...form, [field]: key }).flatMap(([k, v]) =>
              Array.isArray(v) ? v.map((x): [string, string] => [k, x]) : [[k, v] as [string, string]],
            ),
          ];
          const res = await request(app)
            .post(fillPath(route.path, t.params))
            .set("Cookie", s.cookie)
            .type("form")
            .send(new URLSearchParams(pairs).toString());
          if (res.status < 400 || res.status >= 500) problems.push(`${routeKey(route)} ${field}=${key}: ${res.status}`);
          if (/\[native code\]|function Object/.test(res.text))
            problems.push(`${routeKey(route)} ${field}=${key}: the page shows an inherited member`);
        }
        if (fingerprint(h, { audit: true }) !== before) problems.push(`${routeKey(route)} ${field}: the data changed`);
      });
    });
    expect(problems).toEqual([]);
  }, 120_000);
});

// -- A GET writes nothing ---------------------------------------------------------------------------------------------------------

/** The last day of the month `back` months before this one. */
function monthEndBefore(back: number): string {
  let month = todayIso().slice(0, 7);
  for (let i = 0; i < back; i++) month = previousMonth(month);
  return lastDayOfMonth(month);
}

/** Which tables differ between two fingerprints. */
function changedTables(before: string, after: string): string[] {
  const rows = (f: string) => new Map(f.split("\n").map((l) => [l.slice(0, l.indexOf(":")), l]));
  const a = rows(before);
  const b = rows(after);
  return [...new Set([...a.keys(), ...b.keys()])].filter((t) => a.get(t) !== b.get(t));
}

describe("a GET writes nothing: every page and download, for every caller, leaves every table as it was (an export adds only its audit entry)", () => {
  it("every GET route of the table, every caller and side, with and without ?unmask=1; the coverage workbook for this month and past ones", async () => {
    const problems: string[] = [];
    const gets: [RouteEntry, MatrixEntry][] = ROUTES.filter((r) => r.method === "GET" && MATRIX[routeKey(r)]).map((r) => [
      r,
      MATRIX[routeKey(r)]!,
    ]);
    expect(gets.length).toBeGreaterThan(40);
    // A past month without a snapshot, one with (the matrix world has none: the first download would have stored it), and this month.
    const download: RouteEntry = { method: "GET", path: "/reports/download" };
    const coverage: Target[] = [
      { query: { kind: "coverage" } },
      { query: { kind: "coverage", asOf: monthEndBefore(1) } },
      { query: { kind: "coverage", asOf: monthEndBefore(3), org: String(w.fx.dl.id) } },
    ];
    await onFresh(async (app, h) => {
      const notExports = () =>
        h.sqlite.prepare("SELECT action, entity, entity_id FROM audit_log WHERE action <> 'export' ORDER BY id").raw().all();
      const check = async (label: string, requests: [Caller, RouteEntry, Target][]) => {
        const before = fingerprint(h, { audit: false });
        const auditBefore = JSON.stringify(notExports());
        await inBatches(requests, 5, ([caller, route, t]) => send(app, route, t, w.sessions[caller]));
        const changed = changedTables(before, fingerprint(h, { audit: false }));
        if (changed.length) problems.push(`${label} wrote to ${changed.join(", ")}`);
        const added = (notExports() as unknown[][]).slice(JSON.parse(auditBefore).length);
        if (JSON.stringify(notExports()) !== auditBefore) problems.push(`${label} wrote audit entries ${JSON.stringify(added)}`);
      };
      for (const [route, entry] of gets) {
        const sides: Side[] = ["in", ...(entry.target ? (["out"] as const) : []), ...(entry.expect.other ? (["other"] as const) : [])];
        const requests: [Caller, RouteEntry, Target][] = [];
        for (const caller of CALLERS) {
          for (const side of sides) {
            const t = targetOf(entry, side, caller);
            requests.push([caller, route, t], [caller, route, { ...t, query: { ...t.query, unmask: "1" } }]);
          }
        }
        await check(routeKey(route), requests);
      }
      for (const t of coverage)
        await check(
          `GET /reports/download?${new URLSearchParams(t.query)}`,
          CALLERS.map((c): [Caller, RouteEntry, Target] => [c, download, t]),
        );
      // The control: the exports were made (and audited), so the downloads above did run.
      expect(
        h.sqlite.prepare("SELECT count(*) FROM audit_log WHERE action = 'export' AND entity_id = 'coverage'").pluck().get(),
      ).toBeGreaterThanOrEqual(coverage.length * 3);
    });
    expect(problems).toEqual([]);
  }, 180_000);
});

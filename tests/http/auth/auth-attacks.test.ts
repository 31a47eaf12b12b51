// Issue 10, items 8, 9 and 13 (sign-in): what an outsider tries against /login and what a taken
// session tries against /account/password, over HTTP against the real app.
import type { Express } from "express";
import request from "supertest";
import { afterEach, describe, expect, it, vi } from "vitest";
import { PASSWORD_CHECK_LIMITS, SIGN_IN_LIMITS } from "../../../server/auth/sign-in-limiter.js";
import { setUserStatus } from "../../../server/services/admin/users.js";
import { createTestApp, csrfFrom, signIn, type TestApp } from "../../helpers/app.js";
import { PASSWORD } from "../../helpers/fixtures.js";

let t: TestApp;
afterEach(() => {
  vi.useRealTimers();
  t?.close();
});

const REFUSED = "用户名或密码错误";
const THROTTLED = "登录尝试过于频繁";

/**
 * A browser at `ip`, reaching the app through the one proxy it trusts (TRUST_PROXY, as in
 * production), so each attempt comes from the address the test names. Its session cookie is
 * Secure, which supertest's agent would not send over plain HTTP: kept here by hand.
 */
type Browser = { app: Express; ip: string; cookie: string; token: string };

function via(b: Pick<Browser, "ip" | "cookie">, req: request.Test): request.Test {
  return req.set("X-Forwarded-For", b.ip).set("X-Forwarded-Proto", "https").set("Cookie", b.cookie);
}

async function browserAt(app: Express, ip: string): Promise<Browser> {
  const page = await via({ ip, cookie: "" }, request(app).get("/login"));
  const cookie = String(page.headers["set-cookie"]).split(";")[0]!;
  expect(cookie).toMatch(/^pc\.sid=/);
  return { app, ip, cookie, token: csrfFrom(page.text) };
}

async function attempt(b: Browser, username: string, password: string) {
  return via(b, request(b.app).post("/login")).type("form").send({ username, password, _csrf: b.token });
}

/** A page as it would read for any name: the echoed name and the session's CSRF token taken out. */
function sameForAnyName(html: string, username: string): string {
  return html.replace(`value="${username}"`, 'value="NAME"').replace(/name="_csrf" value="[^"]+"/, 'name="_csrf" value="TOKEN"');
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

describe("item 8: guessing passwords on /login", () => {
  it("five wrong passwords for the administrator from one address do not lock the administrator out from another", async () => {
    t = await createTestApp({ trustProxy: true });
    const attacker = await browserAt(t.app, "198.51.100.7");
    for (let i = 0; i < SIGN_IN_LIMITS.perNameAndIp; i++) {
      const res = await attempt(attacker, "t-admin", `guess-${i}-aaaa`);
      expect(res.status).toBe(401);
      expect(res.text).toContain(REFUSED);
    }
    // The attacker's own address is throttled for that name, even with the right password …
    const throttled = await attempt(attacker, "t-admin", PASSWORD);
    expect(throttled.status).toBe(429);
    expect(throttled.text).toContain(THROTTLED);
    // … and the administrator, elsewhere, signs in.
    const admin = await attempt(await browserAt(t.app, "203.0.113.20"), "t-admin", PASSWORD);
    expect(admin.status).toBe(303);
    expect(admin.headers.location).toBe("/");
  });

  it("a name no account has is refused and throttled exactly like an account's name: same statuses, same page, same wait", async () => {
    t = await createTestApp({ trustProxy: true });
    const attacker = await browserAt(t.app, "198.51.100.8");
    // Two names of one length, one an account's; interleaved so both see the same moments.
    const [known, unknown] = ["t-sec-dl", "t-sec-zz"];
    for (let i = 0; i <= SIGN_IN_LIMITS.perNameAndIp + 1; i++) {
      const last = i >= SIGN_IN_LIMITS.perNameAndIp;
      const a = await attempt(attacker, known!, last ? PASSWORD : `guess-${i}-aaaa`);
      const b = await attempt(attacker, unknown!, last ? PASSWORD : `guess-${i}-aaaa`);
      expect(a.status).toBe(last ? 429 : 401);
      expect(b.status).toBe(a.status);
      expect(sameForAnyName(b.text, unknown!)).toBe(sameForAnyName(a.text, known!));
      expect(a.text).toContain(last ? THROTTLED : REFUSED);
      if (last) {
        const [wa, wb] = [Number(a.headers["retry-after"]), Number(b.headers["retry-after"])];
        expect(wa).toBeGreaterThan(0);
        expect(wa).toBeLessThanOrEqual(SIGN_IN_LIMITS.windowSeconds);
        expect(Math.abs(wa - wb)).toBeLessThanOrEqual(1);
      }
    }
  });

  it("an unknown name, a wrong password and a disabled account (right or wrong password) take the same time: the password hash runs for each", async () => {
    t = await createTestApp({ trustProxy: true });
    setUserStatus(t.handle.db, null, t.city.userIds.secretaryPs!, "disabled");
    const cases = {
      wrongPassword: ["t-clerk-dl", "guess-aaaa-1234"],
      unknownName: ["t-nobody-here", "guess-aaaa-1234"],
      disabledRight: ["t-sec-ps", PASSWORD],
      disabledWrong: ["t-sec-ps", "guess-aaaa-1234"],
    } as const;
    const times: Record<string, number[]> = Object.fromEntries(Object.keys(cases).map((k) => [k, []]));
    let address = 0;
    // Interleaved, one address per attempt (no throttle), so that load on the machine falls on all alike.
    for (let round = 0; round < 7; round++) {
      for (const [name, [username, password]] of Object.entries(cases)) {
        const b = await browserAt(t.app, `192.0.2.${++address}`);
        const started = performance.now();
        const res = await attempt(b, username, password);
        times[name]!.push(performance.now() - started);
        expect(res.status).toBe(401);
      }
    }
    // An answer without the hash takes a few milliseconds against its ~65: a factor of two either way
    // tells them apart on a busy machine.
    const base = median(times.wrongPassword!);
    for (const name of ["unknownName", "disabledRight", "disabledWrong"]) {
      expect(median(times[name]!), name).toBeGreaterThan(base / 2);
      expect(median(times[name]!), name).toBeLessThan(base * 2);
    }
  });

  it("one address trying a password on many names is stopped at the per-address limit; other addresses are not", async () => {
    t = await createTestApp({ trustProxy: true });
    const sprayer = await browserAt(t.app, "198.51.100.9");
    const names = ["t-admin", "t-supervisor", "t-clerk-dl", "t-clerk-ps", "t-sec-dl", "t-sec-joint", "t-sec-ps"];
    for (let i = 0; i < SIGN_IN_LIMITS.perIp; i++) {
      const res = await attempt(sprayer, names[i % names.length] + (i < names.length ? "" : `-${i}`), "Summer2024-common");
      expect(res.status).toBe(401);
    }
    const next = await attempt(sprayer, "t-clerk-ps", PASSWORD);
    expect(next.status).toBe(429);
    expect(next.text).toContain(THROTTLED);
    expect((await attempt(await browserAt(t.app, "203.0.113.21"), "t-clerk-ps", PASSWORD)).status).toBe(303);
  });

  it("only failures count: a sign-in gives its attempt back, to the name and to the address", async () => {
    t = await createTestApp({ trustProxy: true });
    const office = await browserAt(t.app, "203.0.113.30");
    // A person who mistypes four times, signs in, and mistypes again later is not throttled.
    for (let i = 0; i < SIGN_IN_LIMITS.perNameAndIp - 1; i++)
      expect((await attempt(office, "t-sec-dl", `typo-${i}-aaaa`)).status).toBe(401);
    expect((await attempt(await browserAt(t.app, office.ip), "t-sec-dl", PASSWORD)).status).toBe(303);
    for (let i = 0; i < SIGN_IN_LIMITS.perNameAndIp - 1; i++)
      expect((await attempt(office, "t-sec-dl", `typo-${i}-bbbb`)).status).toBe(401);
    expect((await attempt(await browserAt(t.app, office.ip), "t-sec-dl", PASSWORD)).status).toBe(303);
    // The address: it has used all but one of its failures (the eight above and more under other names) …
    for (let i = 2 * (SIGN_IN_LIMITS.perNameAndIp - 1); i < SIGN_IN_LIMITS.perIp - 1; i++) {
      expect((await attempt(office, `colleague-${i}`, "typo-aaaa-1")).status).toBe(401);
    }
    // … a colleague signs in, which costs the address nothing, so one more failure is still answered.
    expect((await attempt(await browserAt(t.app, office.ip), "t-clerk-dl", PASSWORD)).status).toBe(303);
    expect((await attempt(office, "colleague-last", "typo-aaaa-1")).status).toBe(401);
    expect((await attempt(office, "colleague-after", "typo-aaaa-1")).status).toBe(429);
  });

  it("the throttle ends with its window: after 15 minutes the name may be tried again from that address", async () => {
    t = await createTestApp({ trustProxy: true });
    vi.useFakeTimers({ toFake: ["Date"], now: Date.now() });
    const b = await browserAt(t.app, "198.51.100.10");
    for (let i = 0; i < SIGN_IN_LIMITS.perNameAndIp; i++) await attempt(b, "t-sec-dl", `guess-${i}-aaaa`);
    expect((await attempt(b, "t-sec-dl", PASSWORD)).status).toBe(429);
    vi.setSystemTime(Date.now() + (SIGN_IN_LIMITS.windowSeconds - 60) * 1000);
    expect((await attempt(b, "t-sec-dl", PASSWORD)).status).toBe(429);
    vi.setSystemTime(Date.now() + 61_000);
    expect((await attempt(b, "t-sec-dl", PASSWORD)).status).toBe(303);
  });
});

describe("item 9: a disabled account", () => {
  it("answers its right password byte for byte as a wrong one, and as a name no account has", async () => {
    t = await createTestApp();
    setUserStatus(t.handle.db, null, t.city.userIds.secretaryPs!, "disabled");
    const agent = request.agent(t.app);
    const token = csrfFrom((await agent.get("/login")).text);
    const post = (username: string, password: string) => agent.post("/login").type("form").send({ username, password, _csrf: token });
    const right = await post("t-sec-ps", PASSWORD);
    const wrong = await post("t-sec-ps", "guess-aaaa-1234");
    expect(right.status).toBe(401);
    expect(wrong.status).toBe(401);
    expect(right.text).toBe(wrong.text);
    expect(right.text).toContain(REFUSED);
    expect(right.text).not.toContain("停用");
    // The same session goes on (its cookie's expiry, rolling, may have moved by a second).
    const sessionCookie = (r: request.Response) => String(r.headers["set-cookie"]).replace(/; Expires=[^;]+/, "");
    expect(sessionCookie(right)).toBe(sessionCookie(wrong));
    const unknown = await post("t-sec-zz", PASSWORD);
    expect(unknown.status).toBe(401);
    expect(sameForAnyName(unknown.text, "t-sec-zz")).toBe(sameForAnyName(right.text, "t-sec-ps"));
    // Enabled again, the same password signs in: the refusal above was the status, not the password.
    setUserStatus(t.handle.db, null, t.city.userIds.secretaryPs!, "active");
    expect((await post("t-sec-ps", PASSWORD)).status).toBe(303);
  });
});

describe("item 13: what failed sign-ins leave behind", () => {
  it("a password typed into the name box leaves no trace on the audit page or anywhere in the database", async () => {
    t = await createTestApp();
    const secret = "Gr8-Secret-passw0rd";
    const agent = request.agent(t.app);
    const token = csrfFrom((await agent.get("/login")).text);
    const res = await agent.post("/login").type("form").send({ username: secret, password: "t-clerk-dl", _csrf: token });
    expect(res.status).toBe(401);
    // A wrong password for a real account is still recorded under that account.
    await agent.post("/login").type("form").send({ username: "T-Clerk-DL", password: "guess-aaaa-1234", _csrf: token });

    const admin = await signIn(t.app, "t-admin");
    for (const path of ["/audit", "/audit?action=login_failed"]) {
      const page = await admin.get(path);
      expect(page.status).toBe(200);
      expect(page.text.toLowerCase()).not.toContain(secret.toLowerCase());
      expect(page.text).not.toContain(secret.slice(0, 6));
    }
    const failed = await admin.get("/audit?action=login_failed");
    expect(failed.text).toContain("t-clerk-dl");
    expect(failed.text).toContain("unknown_user");

    const tables = t.handle.sqlite.prepare("SELECT name FROM sqlite_master WHERE type = 'table'").pluck().all() as string[];
    for (const table of tables) {
      const rows = t.handle.sqlite.prepare(`SELECT * FROM "${table}"`).all();
      expect(JSON.stringify(rows).toLowerCase(), table).not.toContain(secret.toLowerCase());
    }
  });
});

describe("item 13: usernames that differ only in case", () => {
  it("are one account: an administrator cannot create T-Clerk-DL beside t-clerk-dl", async () => {
    t = await createTestApp();
    const admin = await signIn(t.app, "t-admin");
    const token = await admin.csrf("/admin/users/new");
    const res = await admin
      .post("/admin/users")
      .type("form")
      .send({
        username: "T-Clerk-DL",
        displayName: "冒名",
        role: "clerk",
        orgId: String(t.city.dl.id),
        password: "Another-passw0rd",
        _csrf: token,
      });
    expect(res.status).toBe(422);
    expect(res.text).toContain("该用户名已被使用");
    expect(res.text).toContain('value="T-Clerk-DL"');
    const n = t.handle.sqlite.prepare("SELECT count(*) FROM users WHERE lower(username) = 't-clerk-dl'").pluck().get();
    expect(n).toBe(1);
    // Nor can the table hold both, whatever writes it.
    expect(() => t.handle.sqlite.prepare("UPDATE users SET username = 'T-ADMIN' WHERE username = 't-supervisor'").run()).toThrow(/UNIQUE/);
  });

  it("sign in under any case of the name, to the same account", async () => {
    t = await createTestApp();
    const agent = await signIn(t.app, "T-CLERK-dl");
    expect((await agent.get("/")).status).toBe(200);
    const row = t.handle.sqlite.prepare("SELECT user_id, username FROM audit_log WHERE action = 'login' ORDER BY id DESC").get();
    expect(row).toEqual({ user_id: t.city.userIds.clerk, username: "t-clerk-dl" });
  });

  it("are one name to the throttle: failures as t-admin count against T-ADMIN", async () => {
    t = await createTestApp({ trustProxy: true });
    const b = await browserAt(t.app, "198.51.100.11");
    for (let i = 0; i < SIGN_IN_LIMITS.perNameAndIp; i++) {
      expect((await attempt(b, i % 2 ? "t-admin" : " T-Admin ", `guess-${i}-aaaa`)).status).toBe(401);
    }
    expect((await attempt(b, "T-ADMIN", PASSWORD)).status).toBe(429);
  });
});

describe("item 13: the current-password check on /account/password", () => {
  it(`is throttled: after ${PASSWORD_CHECK_LIMITS.perAccount} wrong current passwords even the right one is refused, and the password stays`, async () => {
    t = await createTestApp();
    const session = await signIn(t.app, "t-clerk-dl");
    const token = await session.csrf("/account/password");
    const change = (current: string) =>
      session
        .post("/account/password")
        .type("form")
        .send({ current, password: "Brand-new-passw0rd", confirm: "Brand-new-passw0rd", _csrf: token });
    for (let i = 0; i < PASSWORD_CHECK_LIMITS.perAccount; i++) {
      const res = await change(`guess-${i}-aaaa`);
      expect(res.status).toBe(422);
      expect(res.text).toContain("当前密码不正确");
    }
    const refused = await change(PASSWORD);
    expect(refused.status).toBe(429);
    expect(refused.text).toMatch(/当前密码输错次数过多，请 \d+ 分钟后再试。/);
    expect(refused.text).toContain('name="current"'); // the form again, not an error page
    // Still signed in, and the password is the old one.
    expect((await session.get("/account/password")).status).toBe(200);
    await signIn(t.app, "t-clerk-dl", PASSWORD);
    await expect(signIn(t.app, "t-clerk-dl", "Brand-new-passw0rd")).rejects.toThrow(/failed: 401/);
    // Another account's checks are its own.
    const other = await signIn(t.app, "t-clerk-ps");
    const otherToken = await other.csrf("/account/password");
    const ok = await other
      .post("/account/password")
      .type("form")
      .send({ current: PASSWORD, password: "Brand-new-passw0rd", confirm: "Brand-new-passw0rd", _csrf: otherToken });
    expect(ok.status).toBe(303);
  });
});

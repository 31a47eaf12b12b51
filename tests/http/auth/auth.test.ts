import request from "supertest";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../../server/app.js";
import { testConfig } from "../../../server/config.js";
import { memoryDb } from "../../helpers/db.js";
import { buildSmallCity, PASSWORD } from "../../helpers/fixtures.js";
import { createTestApp, csrfFrom, signIn, type TestApp } from "../../helpers/app.js";
import { setUserStatus } from "../../../server/services/admin/users.js";
import { RETURN_TO_MAX } from "../../../server/middleware/require-auth.js";

let t: TestApp;
afterEach(() => t?.close());

/** The small city behind an app whose clock the test moves forward. */
async function clockApp() {
  const handle = memoryDb();
  await buildSmallCity(handle);
  let clock = Date.now();
  const app = createApp({ db: handle, config: testConfig(), now: () => clock });
  t = { app, handle, city: null as never, close: () => handle.close() };
  return {
    app,
    tick: (ms: number) => {
      clock += ms;
    },
  };
}

/** The login form loaded and sent by `agent` (a browser keeping its cookies). */
async function submitLogin(agent: ReturnType<typeof request.agent>, username: string, password = PASSWORD) {
  const page = await agent.get("/login");
  return agent
    .post("/login")
    .type("form")
    .send({ username, password, _csrf: csrfFrom(page.text) });
}

async function tryLogin(app: TestApp["app"], username: string, password: string) {
  const agent = request.agent(app);
  return { agent, res: await submitLogin(agent, username, password) };
}

describe("sign-in", () => {
  it("signs in with the right password, regenerates the session id and lands on the home page", async () => {
    t = await createTestApp();
    const agent = request.agent(t.app);
    const page = await agent.get("/login");
    const before = /pc\.sid=([^;]+)/.exec(String(page.headers["set-cookie"]))?.[1];
    const res = await agent
      .post("/login")
      .type("form")
      .send({ username: "t-clerk-dl", password: PASSWORD, _csrf: csrfFrom(page.text) });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/");
    const after = /pc\.sid=([^;]+)/.exec(String(res.headers["set-cookie"]))?.[1];
    expect(after).toBeTruthy();
    expect(after).not.toBe(before);
    const home = await agent.get("/");
    expect(home.status).toBe(200);
    expect(home.text).toContain("t-clerk-dl".replace("t-clerk-dl", "clerk"));
    const audit = t.handle.sqlite.prepare("SELECT action FROM audit_log WHERE username = 't-clerk-dl' ORDER BY id").all() as {
      action: string;
    }[];
    expect(audit.map((a) => a.action)).toContain("login");
  });

  it("refuses a wrong password with a Chinese message and audits the failure", async () => {
    t = await createTestApp();
    const { res } = await tryLogin(t.app, "t-clerk-dl", "wrong-password-1");
    expect(res.status).toBe(401);
    expect(res.text).toContain("用户名或密码错误");
    // The guessing throttle's own tests, and what an attacker tries: auth-attacks.test.ts.
    const row = t.handle.sqlite.prepare("SELECT count(*) n FROM audit_log WHERE action = 'login_failed'").get() as { n: number };
    expect(row.n).toBe(1);
  });

  it("refuses a login without a CSRF token", async () => {
    t = await createTestApp();
    const res = await request(t.app).post("/login").type("form").send({ username: "t-clerk-dl", password: PASSWORD });
    expect(res.status).toBe(403);
    expect(res.text).toContain("页面已过期");
  });

  it("a visitor writes nothing to the database: the login form's session is kept in memory until the sign-in", async () => {
    t = await createTestApp();
    const changes = () => t.handle.sqlite.prepare("SELECT total_changes()").pluck().get() as number;
    const rows = () => t.handle.sqlite.prepare("SELECT count(*) FROM sessions").pluck().get() as number;
    const before = changes();
    const agent = request.agent(t.app);
    // Pages that send a visitor to the login form (remembering where they were going), the form itself, a 404.
    for (const path of ["/", "/members?q=x", "/orgs", "/login", "/login", "/no-such-page"]) await agent.get(path);
    for (let i = 0; i < 20; i++) await request(t.app).get("/login");
    expect(changes()).toBe(before);
    expect(rows()).toBe(0);
    // The same visitor signs in: the form's token and the page they were going to came through.
    const res = await submitLogin(agent, "t-clerk-dl");
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/orgs");
    expect(t.handle.sqlite.prepare("SELECT count(*) FROM sessions WHERE user_id IS NOT NULL").pluck().get()).toBe(1);
    expect(rows()).toBe(1);
  });

  it("a visitor's page to return to is kept only up to RETURN_TO_MAX characters (the session is in memory)", async () => {
    t = await createTestApp();
    const signInFrom = async (path: string) => {
      const agent = request.agent(t.app);
      await agent.get(path);
      return submitLogin(agent, "t-clerk-dl");
    };
    const fits = `/members?q=${"x".repeat(RETURN_TO_MAX - "/members?q=".length)}`;
    expect((await signInFrom(fits)).headers.location).toBe(fits);
    expect((await signInFrom(`${fits}y`)).headers.location).toBe("/");
  });

  it("logout destroys the session", async () => {
    t = await createTestApp();
    const agent = await signIn(t.app, "t-clerk-dl");
    const token = await agent.csrf("/");
    const res = await agent.post("/logout").type("form").send({ _csrf: token });
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/login");
    const after = await agent.get("/orgs");
    expect(after.status).toBe(303);
    expect(after.headers.location).toBe("/login");
    expect((t.handle.sqlite.prepare("SELECT count(*) n FROM sessions WHERE user_id IS NOT NULL").get() as { n: number }).n).toBe(0);
  });

  it("disabling an account ends its sessions at once", async () => {
    t = await createTestApp();
    const agent = await signIn(t.app, "t-sec-ps");
    expect((await agent.get("/orgs")).status).toBe(200);
    setUserStatus(t.handle.db, null, t.city.userIds.secretaryPs!, "disabled");
    const res = await agent.get("/orgs");
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/login");
  });

  it("expires a session after 30 idle minutes", async () => {
    const { app, tick } = await clockApp();
    const agent = await signIn(app, "t-clerk-dl");
    tick(29 * 60_000);
    expect((await agent.get("/orgs")).status).toBe(200);
    tick(31 * 60_000);
    expect((await agent.get("/orgs")).status).toBe(303);
  });

  it("ends a session after 12 hours even when it is used", async () => {
    const { app, tick } = await clockApp();
    const agent = await signIn(app, "t-clerk-dl");
    for (let i = 0; i < 28; i++) {
      tick(25 * 60_000);
      await agent.get("/orgs");
    }
    tick(25 * 60_000);
    expect((await agent.get("/orgs")).status).toBe(303);
  });
});

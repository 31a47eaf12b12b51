// Error pages as an outside attacker provokes them (issue 10, item 3): every body the parsers refuse
// (a charset, a Content-Encoding, too many fields, too much), a malformed upload, malformed JSON on
// the platform API, on the sign-in page, the public self-report form and a signed-in form, in
// production and in development. The answer is the app's own Chinese page (or the API's JSON):
// never a stack, a template's source or a path of the server.

import { gzipSync } from "node:zlib";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, todayIso } from "../../../server/domain/dates.js";
import { createLink } from "../../../server/services/finds/links.js";
import { issueApiKey } from "../../../server/services/admin/api-keys.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { type Agent, createTestApp, csrfFrom, signIn, type TestApp } from "../../helpers/app.js";
import { serverLeaks } from "../../helpers/hostile.js";

const REPO = path.resolve(import.meta.dirname, "../../..");

function expectAppPage(res: request.Response, status: number, what: string) {
  expect(res.status, `${what}: ${res.text.slice(0, 200)}`).toBe(status);
  expect(res.headers["content-type"], what).toMatch(/^text\/html/);
  expect(serverLeaks(res.text), what).toEqual([]);
  // The app's page: its title and its Chinese message, not Express's "Error".
  expect(res.text, what).toContain("新就业群体党建覆盖管理系统");
  expect(res.text, what).toMatch(/<p>[^<]*[\u4e00-\u9fff][^<]*<\/p>/);
}

function expectApiError(res: request.Response, status: number, what: string) {
  expect(res.status, `${what}: ${res.text.slice(0, 200)}`).toBe(status);
  expect(res.headers["content-type"], what).toMatch(/^application\/json/);
  expect(serverLeaks(res.text), what).toEqual([]);
  const body = res.body as { error?: { code?: string; message?: string } };
  expect(body.error?.code, what).toMatch(/^[a-z_]+$/);
  expect(body.error?.message, what).toMatch(/[\u4e00-\u9fff]/);
}

/** Every way the form body parser refuses a body, with the status the answer must have. */
function hostileBodies(fields: Record<string, string>): { name: string; status: number; send: (req: request.Test) => request.Test }[] {
  const plain = new URLSearchParams(fields).toString();
  const many = new URLSearchParams([
    ...Object.entries(fields),
    ...Array.from({ length: 3000 }, (_, i): [string, string] => [`f${i}`, "x"]),
  ]).toString();
  return [
    {
      name: "charset=koi8-r",
      status: 415,
      send: (r) => r.set("Content-Type", "application/x-www-form-urlencoded; charset=koi8-r").send(plain),
    },
    {
      name: "charset=utf-7",
      status: 415,
      send: (r) => r.set("Content-Type", "application/x-www-form-urlencoded; charset=utf-7").send(plain),
    },
    {
      name: "Content-Encoding: gzip, garbage",
      status: 400,
      send: (r) => r.set("Content-Type", "application/x-www-form-urlencoded").set("Content-Encoding", "gzip").send("not gzip at all"),
    },
    {
      name: "Content-Encoding: br, garbage",
      status: 400,
      send: (r) => r.set("Content-Type", "application/x-www-form-urlencoded").set("Content-Encoding", "br").send("not brotli either"),
    },
    {
      name: "Content-Encoding: compress",
      status: 415,
      send: (r) => r.set("Content-Encoding", "compress").set("Content-Type", "application/x-www-form-urlencoded").send(plain),
    },
    // A gzip body that inflates past the limit is refused like a plain one.
    {
      name: "gzip inflating past the limit",
      status: 413,
      send: (r) =>
        r
          .set("Content-Type", "application/x-www-form-urlencoded")
          .set("Content-Encoding", "gzip")
          // As bytes: superagent would serialise a Buffer given with a form type as a form.
          .serialize((b: unknown) => b as string)
          .send(gzipSync(Buffer.from(`${plain}&x=${"1".repeat(2_000_000)}`))),
    },
    { name: "a body over the limit", status: 413, send: (r) => r.type("form").send(`${plain}&x=${"1".repeat(300_000)}`) },
    { name: "more fields than the limit", status: 413, send: (r) => r.type("form").send(many) },
  ];
}

const envs = ["production", "development"] as const;

for (const env of envs) {
  describe(`NODE_ENV=${env}: refused bodies render the app's page`, () => {
    let t: TestApp;
    let dir: string;
    let clerk: Agent;
    let token: string;
    let apiKey: string;
    beforeAll(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-error-pages-"));
      t = await createTestApp({ env, uploadDir: dir });
      const actor = loadActor(t.handle.db, t.city.userIds.clerk!)!;
      token = createLink(
        t.handle.db,
        actor,
        { label: "某配送站", committeeId: t.city.dl.id, enterpriseId: null, expiresOn: addDays(todayIso(), 30) },
        todayIso(),
      ).token;
      apiKey = issueApiKey(t.handle.db, loadActor(t.handle.db, t.city.userIds.admin!)!, {
        label: "推送",
        platform: "某外卖平台",
        committeeId: t.city.dl.id,
      }).key;
      clerk = await signIn(t.app, "t-clerk-dl");
    }, 60_000);
    afterAll(() => {
      t?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("the sign-in page, signed out", async () => {
      const agent = request.agent(t.app);
      const csrf = csrfFrom((await agent.get("/login")).text);
      for (const b of hostileBodies({ username: "t-admin", password: "x", _csrf: csrf })) {
        expectAppPage(await b.send(agent.post("/login")), b.status, `/login, ${b.name}`);
      }
      // Nothing of it signed anyone in.
      expect((await agent.get("/members")).status).toBe(303);
    });

    it("the public self-report form, signed out", async () => {
      const agent = request.agent(t.app);
      const csrf = csrfFrom((await agent.get(`/r/${token}`)).text);
      const before = t.handle.sqlite.prepare("SELECT count(*) FROM leads").pluck().get();
      for (const b of hostileBodies({ name: "刘自报", idNumber: "x", consent: "on", _csrf: csrf })) {
        expectAppPage(await b.send(agent.post(`/r/${token}`)), b.status, `/r/:token, ${b.name}`);
      }
      expect(t.handle.sqlite.prepare("SELECT count(*) FROM leads").pluck().get()).toBe(before);
    });

    it("a signed-in form keeps the navigation of the signed-in user", async () => {
      const csrf = await clerk.csrf("/account/password");
      for (const b of hostileBodies({ number: "370000199001010000", _csrf: csrf })) {
        const res = await b.send(clerk.post("/members/search"));
        expectAppPage(res, b.status, `/members/search, ${b.name}`);
        expect(res.text, b.name).toContain('aria-label="主导航"');
      }
    });

    it("a request to no page, an undecodable path, a refused CSRF token: the app's page", async () => {
      expectAppPage(await request(t.app).get("/no-such-page"), 404, "404 signed out");
      expectAppPage(await clerk.get("/no-such-page"), 404, "404 signed in");
      expectAppPage(await clerk.get("/members/%E0%A4%A"), 400, "an undecodable path parameter");
      expectAppPage(await request(t.app).post("/login").type("form").send("username=a&password=b"), 403, "no CSRF token");
    });

    it("malformed multipart bodies on the upload answer 400, and leave no file behind", async () => {
      const csrf = await clerk.csrf("/imports/new");
      const upload = () => clerk.post(`/imports/new?_csrf=${encodeURIComponent(csrf)}`);
      const part = (name: string, body: string, file = "") =>
        `--xyz\r\nContent-Disposition: form-data; name="${name}"${file ? `; filename="${file}"` : ""}\r\n\r\n${body}\r\n`;
      const cases: [string, (r: request.Test) => request.Test][] = [
        ["no boundary", (r) => r.set("Content-Type", "multipart/form-data").send(part("kind", "roster"))],
        [
          "the body ends inside a file",
          (r) =>
            r
              .set("Content-Type", "multipart/form-data; boundary=xyz")
              .send(
                `${part("kind", "roster")}--xyz\r\nContent-Disposition: form-data; name="file"; filename="a.csv"\r\n\r\n身份证号,姓名\r\n`,
              ),
        ],
        [
          "a part without headers' end",
          (r) =>
            r
              .set("Content-Type", "multipart/form-data; boundary=xyz")
              .send(`--xyz\r\nContent-Disposition: form-data; name="kind"${"x".repeat(100_000)}`),
        ],
        [
          "no closing boundary",
          (r) => r.set("Content-Type", "multipart/form-data; boundary=xyz").send(part("file", "a,b\r\n1,2", "a.csv")),
        ],
      ];
      for (const [name, send] of cases) {
        expectAppPage(await send(upload()), 400, `upload, ${name}`);
      }
      expect(fs.readdirSync(dir), "no upload left on disk").toEqual([]);
      expect(t.handle.sqlite.prepare("SELECT count(*) FROM imports").pluck().get()).toBe(0);
    });

    it("the platform API answers refused bodies in its JSON", async () => {
      const api = () =>
        request(t.app)
          .post(`/api/v1/rosters/${encodeURIComponent("某外卖平台")}/batches`)
          .set("Authorization", `Bearer ${apiKey}`);
      expectApiError(await api().set("Content-Type", "application/json").send('{"batchId": "a", "workers": ['), 400, "malformed JSON");
      expectApiError(await api().set("Content-Type", "application/json; charset=koi8-r").send('{"batchId": "a"}'), 400, "JSON in koi8-r");
      expectApiError(await api().set("Content-Type", "application/json").set("Content-Encoding", "gzip").send("garbage"), 400, "gzip JSON");
      expectApiError(await api().set("Content-Type", "application/xml").send("<a/>"), 400, "XML");
      expectApiError(await request(t.app).get("/api/v1/anything"), 404, "no such endpoint");
      expect(t.handle.sqlite.prepare("SELECT count(*) FROM workers").pluck().get()).toBe(0);
    });
  });
}

describe("when the error page itself cannot be rendered", () => {
  let t: TestApp;
  let views: string;
  beforeAll(async () => {
    t = await createTestApp({ env: "development" });
    // The app's views, but an error page that throws and a layout that names a missing local.
    views = fs.mkdtempSync(path.join(os.tmpdir(), "pc-broken-views-"));
    fs.cpSync(path.join(REPO, "views"), views, { recursive: true });
    fs.writeFileSync(path.join(views, "errors", "error.ejs"), "<%- include('../layouts/head') %><%= noSuchLocal.field %>");
    t.app.set("views", views);
  });
  afterAll(() => {
    t?.close();
    fs.rmSync(views, { recursive: true, force: true });
  });

  it("answers a plain Chinese page with the same status, never Express's page with the template and the stack", async () => {
    expectAppPage(await request(t.app).get("/no-such-page"), 404, "404");
    const res = await request(t.app)
      .post("/login")
      .set("Content-Type", "application/x-www-form-urlencoded; charset=koi8-r")
      .send("username=a");
    expectAppPage(res, 415, "a refused charset");
    expect(res.text).not.toContain("noSuchLocal");
  });
});

// QR codes, posters and the API example carry the configured public address (PUBLIC_BASE_URL), else
// HOST:PORT, never the request's Host header. Tried as the attacker would: a clerk's (or a proxy's)
// request arrives with a forged Host or X-Forwarded-Host, and the poster printed from it must not
// send workers to the attacker's site.

import { afterEach, describe, expect, it } from "vitest";
import { type Config, loadConfig } from "../../../server/config.js";
import { addDays, todayIso } from "../../../server/domain/dates.js";
import { qrPng, qrSvg } from "../../../server/services/finds/links.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";

let t: TestApp;
afterEach(() => t?.close());

const EVIL = "evil.example";
const PUBLIC = "https://dangjian.example.cn";

/** Every request the clerk sends names the attacker's host, as a forged Host and as a proxy's X-Forwarded-Host. */
const forged = (req: ReturnType<Agent["get"]>) => req.set("Host", EVIL).set("X-Forwarded-Host", EVIL).set("X-Forwarded-Proto", "https");

async function linkWithForgedHost(overrides: Partial<Config>) {
  t = await createTestApp(overrides);
  const clerk = await signIn(t.app, "t-clerk-dl");
  const csrf = await clerk.csrf("/finds/links");
  const created = await clerk
    .post("/finds/links")
    .set("Host", EVIL)
    .type("form")
    .send({ label: "某某货运站", expiresOn: addDays(todayIso(), 60), _csrf: csrf });
  expect(created.status).toBe(303);
  const { id, token } = t.handle.sqlite.prepare("SELECT id, token FROM self_report_links ORDER BY id DESC").get() as {
    id: number;
    token: string;
  };
  const page = await forged(clerk.get(`/finds/links/${id}`));
  const poster = await forged(clerk.get(`/finds/links/${id}/poster`));
  const svg = await forged(clerk.get(`/finds/links/${id}/qr.svg`)).buffer(true);
  const png = await forged(clerk.get(`/finds/links/${id}/qr.png`)).buffer(true);
  for (const res of [page, poster, svg, png]) expect(res.status).toBe(200);
  return { token, page: page.text, poster: poster.text, svg: String(svg.body), png: png.body as Buffer };
}

describe("the address in self-report QR codes and posters", () => {
  it("is PUBLIC_BASE_URL when set, whatever Host the request names", async () => {
    const r = await linkWithForgedHost({ publicBaseUrl: PUBLIC });
    const url = `${PUBLIC}/r/${r.token}`;
    for (const text of [r.page, r.poster, r.svg]) expect(text).not.toContain(EVIL);
    expect(r.page).toContain(url);
    expect(r.poster).toContain(url);
    expect(r.page).not.toContain("PUBLIC_BASE_URL");
    // The QR codes encode exactly the public address (the generator is deterministic), not the forged one.
    expect(r.svg).toBe(await qrSvg(url));
    expect(r.png.equals(await qrPng(url))).toBe(true);
    expect(r.svg).not.toBe(await qrSvg(`https://${EVIL}/r/${r.token}`));
  });

  it("falls back to HOST:PORT when unset, never the request's Host, and the link page says it is not configured", async () => {
    const r = await linkWithForgedHost({ publicBaseUrl: undefined, host: "10.0.0.8", port: 8080 });
    const url = `http://10.0.0.8:8080/r/${r.token}`;
    for (const text of [r.page, r.poster, r.svg]) expect(text).not.toContain(EVIL);
    expect(r.poster).toContain(url);
    expect(r.svg).toBe(await qrSvg(url));
    expect(r.png.equals(await qrPng(url))).toBe(true);
    expect(r.page).toContain("系统未配置对外访问地址（PUBLIC_BASE_URL）");
  });

  it("the API key page's example request names the public address too", async () => {
    t = await createTestApp({ publicBaseUrl: PUBLIC });
    const admin = await signIn(t.app, "t-admin");
    const csrf = await admin.csrf("/admin/api-keys");
    const res = await admin
      .post("/admin/api-keys")
      .set("Host", EVIL)
      .set("X-Forwarded-Host", EVIL)
      .type("form")
      .send({ label: "每日推送", platform: "某货运平台", committeeId: String(t.city.dl.id), _csrf: csrf });
    expect(res.status).toBe(201);
    expect(res.text).toContain(`${PUBLIC}/api/v1/rosters/`);
    expect(res.text).not.toContain(EVIL);
  });
});

describe("PUBLIC_BASE_URL is checked at start", () => {
  it.each([
    ["https://dangjian.example.cn/", "https://dangjian.example.cn"],
    ["https://example.cn/dangjian//", "https://example.cn/dangjian"],
    ["", undefined],
  ])("%j is read as %j", (raw, want) => {
    expect(loadConfig({ PUBLIC_BASE_URL: raw }).publicBaseUrl).toBe(want);
  });

  it.each([
    "dangjian.example.cn",
    "javascript:alert(1)",
    "ftp://example.cn",
    "https://user:pw@example.cn",
    "https://example.cn/?next=x",
    "https://example.cn/#x",
  ])("%j is refused with the variable's name", (raw) => {
    expect(() => loadConfig({ PUBLIC_BASE_URL: raw })).toThrow(/PUBLIC_BASE_URL: must/);
  });
});

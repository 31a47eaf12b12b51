// The dashboard per role (its numbers are the statistics service's), the figure lists behind it, and
// the workbook downloads.

import ExcelJS from "exceljs";
import type { Response } from "supertest";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { todayIso } from "../../../server/domain/dates.js";
import { computeFigures, FIGURE_KEYS, type Figures } from "../../../server/services/coverage/coverage.service.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { duesCards } from "../../../server/services/dues/inbox.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { addEnterprise, addMember } from "../../helpers/fixtures.js";

let t: TestApp;
const agents: Record<string, Agent> = {};
const ROLES = ["admin", "supervisor", "clerk", "secretary", "secretaryJoint"] as const;

beforeAll(async () => {
  t = await createTestApp();
  const { city } = t;
  // An uncovered enterprise with three full members (应建未建) and a formula-like name.
  const e = addEnterprise(t.handle, city.dl.id, { name: '=HYPERLINK("http://x","y")' });
  for (let i = 0; i < 3; i++) addMember(t.handle, city.dl.id, { enterpriseId: e.id, relationStatus: "unattached", name: `未纳管${i}` });
  for (const role of ROLES) agents[role] = await signIn(t.app, city.users[role]!.username);
});
afterAll(() => t.close());

const actorOf = (role: (typeof ROLES)[number]) => loadActor(t.handle.db, t.city.userIds[role]!)!;

/** The numbers of the figure cards on the dashboard, by figure key. */
function cards(html: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of html.matchAll(/data-figure="([^"]+)">\s*<span class="n">([^<]*)<\/span>/g)) out[m[1]!] = Number(m[2]!.replace(/,/g, ""));
  return out;
}

function binary(res: request.Test) {
  return res.buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on("data", (c: Buffer) => chunks.push(c));
    r.on("end", () => cb(null, Buffer.concat(chunks)));
  });
}

async function workbook(res: Response): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as ArrayBuffer);
  return wb;
}

describe("dashboard", () => {
  it("asks who you are first", async () => {
    const res = await request(t.app).get("/");
    expect(res.status).toBe(303);
    expect(res.headers.location).toBe("/login");
  });

  it("sends the dashboard whole around its kept body: one document, its length declared; HEAD answers the headers alone", async () => {
    const a = agents.admin!;
    for (let i = 0; i < 2; i++) {
      const res = await a.get("/");
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toMatch(/^text\/html/);
      expect(Number(res.headers["content-length"])).toBe(Buffer.byteLength(res.text));
      expect(res.text.match(/<html/g)).toHaveLength(1);
      expect(res.text.trimEnd().endsWith("</html>")).toBe(true);
      expect(res.text).not.toContain("\u0000");
    }
    const head = await a.head("/");
    expect(head.status).toBe(200);
    expect(Number(head.headers["content-length"])).toBeGreaterThan(1000);
    expect(head.text ?? "").toBe("");
  });

  it.each(ROLES)("renders for %s, and every card shows the service's number for that user's scope", async (role) => {
    const res = await agents[role]!.get("/");
    expect(res.status).toBe(200);
    const shown = cards(res.text);
    const { figures } = computeFigures(t.handle.db, actorOf(role), {}, { asOf: todayIso() });
    // The coverage cards are the statistics service's; the dues cards (dues.*) the dues service's.
    const dues = duesCards(t.handle.db, actorOf(role), todayIso(), null);
    const duesShown: Record<string, number> = {
      "dues.collected": dues.figures.collectedFen / 100,
      "dues.paid": dues.figures.paid,
      "dues.unpaid6": dues.counts.flag,
      "dues.unpaid3": dues.counts.warning,
    };
    const keys = Object.keys(shown);
    expect(keys.filter((k) => !k.startsWith("dues.")).length).toBeGreaterThanOrEqual(16);
    for (const k of keys) expect({ k, n: shown[k] }).toEqual({ k, n: k.startsWith("dues.") ? duesShown[k] : figures[k as keyof Figures] });
    expect(res.text).toContain('src="data:image/svg+xml;charset=utf-8,%3Csvg ');
    expect(res.text).toContain('<caption class="sr-only">“四找”摸排纳管：按发现渠道</caption>');
    expect(res.headers["cache-control"]).toBe("no-store");
  });

  it("shows each role its own scope", async () => {
    const sup = cards((await agents.supervisor!.get("/")).text);
    const clerk = cards((await agents.clerk!.get("/")).text);
    const sec = cards((await agents.secretaryJoint!.get("/")).text);
    // Small city: HZ-DL has its branch's enterprise and the new one; HZ-PS has one.
    expect([sup.enterprises, clerk.enterprises, sec.enterprises]).toEqual([3, 2, 0]);
    expect([sup.shouldForm, clerk.shouldForm]).toEqual([1, 1]);
    expect([sup.members, clerk.members, sec.members]).toEqual([6, 5, 1]);
  });

  it("renders the breakdown tables beside the charts, with the rates", async () => {
    const res = await agents.supervisor!.get("/");
    expect(res.text).toContain("中共菏泽市道路运输行业委员会");
    expect(res.text).toMatch(
      /<th scope="row">中共菏泽市道路运输行业委员会<\/th>\s*<td class="num"><a href="\/reports\/figures\/enterprises\?scope=committee%3A\d+">2<\/a><\/td>\s*<td class="num"><a [^>]+>1<\/a><\/td>\s*<td class="num">50\.0%<\/td>/,
    );
    expect(res.text).not.toContain('<a href="http://x"');
  });

  it("narrows to a part of the scope, and refuses one outside it", async () => {
    const res = await agents.supervisor!.get(`/?scope=org:${t.city.ps.id}`);
    expect(res.status).toBe(200);
    expect(cards(res.text).enterprises).toBe(1);
    expect((await agents.clerk!.get(`/?scope=org:${t.city.ps.id}`)).status).toBe(404);
    expect((await agents.clerk!.get("/?scope=bogus")).status).toBe(400);
  });
});

describe("the list behind each figure", () => {
  it("lists exactly the rows the card counts, for every figure", async () => {
    const { figures } = computeFigures(t.handle.db, actorOf("supervisor"), {}, { asOf: todayIso() });
    for (const key of FIGURE_KEYS) {
      const res = await agents.supervisor!.get(`/reports/figures/${key}`);
      expect({ key, status: res.status }).toEqual({ key, status: 200 });
      const total = Number(/<strong data-total>([^<]*)<\/strong>/.exec(res.text)?.[1]?.replace(/,/g, ""));
      expect({ key, total }).toEqual({ key, total: figures[key] });
    }
  });

  it("shows the 应建未建 enterprise, its name escaped", async () => {
    const res = await agents.clerk!.get("/reports/figures/shouldForm");
    expect(res.text).toContain("=HYPERLINK(&#34;http://x&#34;,&#34;y&#34;)");
    expect(res.text).toContain("应建未建");
  });

  it("keeps to the user's scope", async () => {
    expect((await agents.clerk!.get(`/reports/figures/members?scope=org:${t.city.ps.id}`)).status).toBe(404);
    expect((await agents.clerk!.get("/reports/figures/nonsense")).status).toBe(404);
    const sec = await agents.secretary!.get("/reports/figures/members");
    expect(sec.text).toContain("张道路");
    expect(sec.text).not.toContain("王配送");
  });
});

describe("downloads", () => {
  it("lists the workbooks", async () => {
    const res = await agents.supervisor!.get("/reports");
    expect(res.status).toBe(200);
    for (const title of ["两个覆盖统计表", "党员花名册", "企业名单", "摸排线索", "组织关系转接台账"]) expect(res.text).toContain(title);
  });

  it("downloads the coverage workbook for the supervisor's city", async () => {
    const res = await binary(agents.supervisor!.get("/reports/download?kind=coverage"));
    expect(res.status).toBe(200);
    expect(res.headers["content-type"]).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect(res.headers["content-disposition"]).toContain(`filename*=UTF-8''${encodeURIComponent("两个覆盖统计表_")}`);
    const wb = await workbook(res);
    const ws = wb.getWorksheet("两个覆盖统计表")!;
    expect(ws.getCell("A1").value).toBe("菏泽市新就业群体党建“两个覆盖”情况统计表");
    const { figures } = computeFigures(t.handle.db, actorOf("supervisor"), {}, { asOf: todayIso() });
    // The first block's 合计 row: after the heading and one row per committee.
    let total = 0;
    ws.eachRow((row, n) => {
      if (n > 4 && row.getCell(2).value === "合计" && !total) total = n;
    });
    expect(ws.getCell(total, 3).value).toBe(figures.enterprises);
    expect(wb.getWorksheet("应建未建企业")!.getCell("B2").value).toBe(`'=HYPERLINK("http://x","y")`);
  });

  it("masks ID numbers for a secretary and keeps to the branch; audits the export", async () => {
    const res = await binary(agents.secretary!.get("/reports/download?kind=members"));
    expect(res.status).toBe(200);
    const ws = (await workbook(res)).worksheets[0]!;
    expect(ws.rowCount).toBe(2);
    expect(ws.getCell("A2").value).toBe("张道路");
    expect(ws.getCell("E2").value).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
    const audit = t.handle.sqlite
      .prepare("SELECT username, details FROM audit_log WHERE action = 'export' ORDER BY id DESC LIMIT 1")
      .get() as { username: string; details: string };
    expect(audit.username).toBe(t.city.users.secretary!.username);
    expect(JSON.parse(audit.details)).toMatchObject({ kind: "members", rows: 1, unmasked: false, completed: true });
  });

  it("refuses a future date or an organization outside the scope with a page, not a file", async () => {
    const future = await agents.supervisor!.get("/reports/download?kind=coverage&asOf=2999-01-01");
    expect(future.status).toBe(422);
    expect(future.headers["content-type"]).toMatch(/text\/html/);
    expect(future.text).toContain("统计截止日期不能晚于今天");
    expect((await agents.clerk!.get(`/reports/download?kind=members&org=${t.city.ps.id}`)).status).toBe(404);
    expect((await agents.clerk!.get("/reports/download?kind=bogus")).status).toBe(400);
  });
});

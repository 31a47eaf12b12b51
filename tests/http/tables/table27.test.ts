// Table 27 in the official tables over HTTP: the page and the workbook for a committee's clerk and a
// county-level committee's, every linked cell against its list page, the coverage workbook's sheet for
// the same scopes, and the refusals (another committee's code, a secretary above her branch).

import ExcelJS from "exceljs";
import type request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../../../server/services/admin/users.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { addEnterprise, addMember, addOrg, cover, PASSWORD } from "../../helpers/fixtures.js";

let t: TestApp;
let clerk: Agent;
let county: Agent;
let secretary: Agent;
let lonely: { idNumber: string };

beforeAll(async () => {
  t = await createTestApp();
  const h = t.handle;
  const c = t.city;
  // The small city: dlEnterprise (10 workers) has its own branch with 张道路.
  h.sqlite
    .prepare("UPDATE enterprises SET worker_count = 120, legal_rep_is_member = 1, legal_rep_is_secretary = 1 WHERE id = ?")
    .run(c.dlEnterprise.id);
  // Three more of the road-transport committee's: a joint branch's (60), one with two members and no organization (55), one with none (8).
  const joint = addEnterprise(h, c.dl.id, { name: "联建货运站", workerCount: 60, legalRepIsMember: true });
  cover(h, c.dlJoint.id, joint.id);
  const few = addEnterprise(h, c.dl.id, { name: "个别党员物流", workerCount: 55 });
  lonely = addMember(h, c.dl.id, { name: "未建组织党员", enterpriseId: few.id, relationStatus: "unattached" });
  addMember(h, c.dl.id, { name: "未建组织党员二", enterpriseId: few.id, relationStatus: "unattached" });
  addEnterprise(h, c.dl.id, { name: "无党员小店", workerCount: 8 });
  // A county-level committee with one enterprise and no organization in it.
  const md = addOrg(h, {
    code: "HZ-MD27",
    name: "中共牡丹区货运行业委员会",
    kind: "industry_committee",
    parentId: c.root.id,
    regionCode: "371702",
  });
  addEnterprise(h, md.id, { name: "牡丹区货运公司", workerCount: 150 });
  await createUser(h.db, null, { username: "t-clerk-md27", role: "clerk", orgId: md.id, displayName: "县区", password: PASSWORD });
  clerk = await signIn(t.app, "t-clerk-dl");
  county = await signIn(t.app, "t-clerk-md27");
  secretary = await signIn(t.app, "t-sec-dl");
});
afterAll(() => t.close());

async function workbook(agent: Agent, url: string) {
  const res = await (agent.get(url) as request.Test).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on("data", (ch: Buffer) => chunks.push(ch));
    r.on("end", () => cb(null, Buffer.concat(chunks)));
  });
  expect(res.status, url).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as ArrayBuffer);
  return wb;
}

function cellLinks(html: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of html.matchAll(/data-key="(r\d+_[A-Za-z0-9]+)">([\d,]+)<\/a>/g)) out.set(m[1]!, Number(m[2]!.replaceAll(",", "")));
  return out;
}
function formulaCells(html: string): number[] {
  return [...html.matchAll(/data-formula="[^"]*">([\d,]+)</g)].map((m) => Number(m[1]!.replaceAll(",", "")));
}

describe("table 27 in the official tables", () => {
  it("the committee's page: rows 1–17 by hand, every cell a link to its enterprises or members, sums and counts of branches marked", async () => {
    const page = await clerk.get("/tables/table27");
    expect(page.status).toBe(200);
    expect(page.text).toContain("填报单位：<strong>中共菏泽市道路运输行业委员会</strong>");
    const links = cellLinks(page.text);
    // Row 1: 4 enterprises; 50+: 120, 60, 55; 100+: 120; rep a member: 120, 60; secretary: 120.
    expect([1, 2, 3, 4, 5].map((_, i) => links.get(`r1_${["all", "workers50", "workers100", "repMember", "repSecretary"][i]}`))).toEqual([
      4, 3, 1, 2, 1,
    ]);
    expect(links.get("r5_all")).toBe(1); // the standalone branch
    expect(links.get("r9_all")).toBe(1); // 个别党员物流
    expect(links.get("r10_all")).toBe(1); // 无党员小店
    expect(links.get("r13_all")).toBe(3); // 张道路 + the two at 个别党员物流
    // Rows 7, 11, 12, 14, 16 are not counts of a list: shown with how they are made, not as links.
    expect(links.has("r12_all")).toBe(false);
    expect(formulaCells(page.text)).toEqual(expect.arrayContaining([243, 180]));
    expect(page.text).not.toContain('data-ok="false"');
  });

  it("every linked cell's number equals the length of its list, for the committee and the county-level committee", async () => {
    for (const [agent, org] of [
      [clerk, "HZ-DL"],
      [county, "HZ-MD27"],
    ] as const) {
      const links = cellLinks((await agent.get(`/tables/table27?org=${org}`)).text);
      expect(links.size).toBe(12 * 5);
      for (const [key, n] of links) {
        if (n === 0 && !key.endsWith("_all")) continue;
        const rows = await agent.get(`/tables/table27/rows?org=${org}&key=${key}`);
        expect(rows.status).toBe(200);
        expect(Number(/data-total>([\d,]+)</.exec(rows.text)![1]!.replaceAll(",", "")), `${org} ${key}`).toBe(n);
      }
    }
  });

  it("lists the members behind a 党员 cell masked, and the enterprises behind a unit cell", async () => {
    const members = await clerk.get("/tables/table27/rows?key=r13_all");
    expect(members.text).toContain("未建组织党员");
    expect(members.text).not.toContain(lonely.idNumber);
    expect(members.text).toContain(`${lonely.idNumber.slice(0, 6)}********${lonely.idNumber.slice(-4)}`);
    const ents = await clerk.get("/tables/table27/rows?key=r9_all");
    expect(ents.text).toContain("个别党员物流");
    expect(ents.text).toContain("家企业");
  });

  it("the workbook in the official layout for the committee and the county-level committee, audited", async () => {
    for (const [agent, unit, units] of [
      [clerk, "中共菏泽市道路运输行业委员会", 4],
      [county, "中共牡丹区货运行业委员会", 1],
    ] as const) {
      const ws = (await workbook(agent, "/tables/table27.xlsx")).worksheets[0]!;
      expect(String(ws.getCell(1, 1).value)).toContain("非公有制经济控制企业法人单位建立党的基层组织情况");
      expect(String(ws.getCell(3, 1).value)).toBe(`填报单位：${unit}`);
      let found = false;
      ws.eachRow((row) => {
        if (row.getCell(2).value === "1") {
          expect(row.getCell(3).value).toBe(units);
          found = true;
        }
      });
      expect(found).toBe(true);
      expect(ws.pageSetup.paperSize).toBe(9);
    }
    const audit = t.handle.sqlite.prepare("SELECT details FROM audit_log WHERE action = 'export' ORDER BY id DESC LIMIT 1").get() as {
      details: string;
    };
    expect(JSON.parse(audit.details)).toMatchObject({ kind: "table27", org: "HZ-MD27" });
  });

  it("the coverage workbook's sheet 6 for the committee and the county-level committee", async () => {
    const dl = (await workbook(clerk, "/reports/download?kind=coverage")).getWorksheet("党内统计表27")!;
    expect(dl.getCell("A2").value).toBe("填报单位：中共菏泽市道路运输行业委员会");
    expect([4, 5, 6, 7, 8].map((c) => dl.getCell(5, c).value)).toEqual([4, 3, 1, 2, 1]);
    expect(dl.getCell(16, 4).value).toBe(243); // row 12: 120 + 60 + 55 + 8
    const md = (await workbook(county, "/reports/download?kind=coverage")).getWorksheet("党内统计表27")!;
    expect([4, 5, 6, 7, 8].map((c) => md.getCell(5, c).value)).toEqual([1, 1, 1, 0, 0]);
  });

  it("refuses another committee's code, and a secretary above her branch", async () => {
    for (const url of ["/tables/table27?org=HZ-PS", "/tables/table27.xlsx?org=HZ-MD27", "/tables/table27/rows?org=HZ-PS&key=r1_all"])
      expect((await clerk.get(url)).status, url).toBe(404);
    expect((await county.get("/tables/table27?org=HZ-DL")).status).toBe(404);
    expect((await secretary.get("/tables/table27?org=HZ-DL")).status).toBe(404);
    const own = await secretary.get("/tables/table27");
    expect(own.status).toBe(200);
    expect(own.text).toContain("填报单位：<strong>中共菏泽某物流有限公司支部委员会</strong>");
    expect((await clerk.get("/tables/table27/rows?key=r99_all")).status).toBe(404);
  });
});

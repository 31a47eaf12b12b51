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
let clerkPs: Agent;
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
  const shop = addEnterprise(h, c.dl.id, { name: "无党员小店", workerCount: 8 });
  // Instructors: 道路运输's contacts 无党员小店 (not under 张道路's branch); 网约配送's contacts its station.
  const instr = h.sqlite.prepare("INSERT INTO instructors (name, kind, phone, committee_id) VALUES (?, 'instructor', ?, ?)");
  const assign = h.sqlite.prepare(
    "INSERT INTO instructor_assignments (instructor_id, enterprise_id, assigned_on) VALUES (?, ?, '2025-01-01')",
  );
  assign.run(instr.run("道路指导员", "13600003333", c.dl.id).lastInsertRowid, shop.id);
  assign.run(instr.run("配送指导员", "13700002222", c.ps.id).lastInsertRowid, c.psEnterprise.id);
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
  clerkPs = await signIn(t.app, "t-clerk-ps");
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

const num = (s: string) => Number(s.replaceAll(",", ""));
/** Every linked cell: its key, its number, and whether it is a sum (在岗职工). */
function cellLinks(html: string): Map<string, { n: number; sum: boolean }> {
  const out = new Map<string, { n: number; sum: boolean }>();
  for (const m of html.matchAll(/data-key="(r\d+_[A-Za-z0-9]+)"( data-sum-of="[^"]*")?>([\d,]+)<\/a>/g))
    out.set(m[1]!, { n: num(m[3]!), sum: !!m[2] });
  return out;
}
const total = (html: string) => num(/data-total>([\d,]+)</.exec(html)![1]!);

describe("table 27 in the official tables", () => {
  it("the committee's page: rows 1–17 by hand, every cell a link to its enterprises, joint branches, instructors or members", async () => {
    const page = await clerk.get("/tables/table27");
    expect(page.status).toBe(200);
    expect(page.text).toContain("填报单位：<strong>中共菏泽市道路运输行业委员会</strong>");
    const links = cellLinks(page.text);
    const n = (key: string) => links.get(key)?.n;
    // Row 1: 4 enterprises; 50+: 120, 60, 55; 100+: 120; rep a member: 120, 60; secretary: 120.
    expect(["all", "workers50", "workers100", "repMember", "repSecretary"].map((c) => n(`r1_${c}`))).toEqual([4, 3, 1, 2, 1]);
    expect(n("r5_all")).toBe(1); // the standalone branch
    expect(n("r7_all")).toBe(1); // the joint branch covering 联建货运站
    expect(n("r7_workers100")).toBe(0);
    expect(n("r9_all")).toBe(1); // 个别党员物流
    expect(n("r10_all")).toBe(1); // 无党员小店
    expect(n("r11_all")).toBe(1); // 道路指导员 (网约配送's is not this committee's)
    expect(n("r13_all")).toBe(3); // 张道路 + the two at 个别党员物流
    // 在岗职工: 120 + 60 + 55 + 8; organized: 120 + 60; no organization but an instructor: 8 (无党员小店).
    expect([n("r12_all"), n("r14_all"), n("r16_all")]).toEqual([243, 180, 8]);
    expect(["r12_all", "r14_all", "r16_all", "r1_all"].map((k) => links.get(k)!.sum)).toEqual([true, true, true, false]);
    expect(page.text).not.toContain("data-formula");
    expect(page.text).not.toContain("部分未登记的项目");
    expect(page.text).not.toContain('data-ok="false"');
  });

  it("every cell is a link whose list matches it: its length, or for 在岗职工 its total, for the committee and the county-level committee", async () => {
    for (const [agent, org] of [
      [clerk, "HZ-DL"],
      [county, "HZ-MD27"],
    ] as const) {
      const links = cellLinks((await agent.get(`/tables/table27?org=${org}`)).text);
      expect(links.size).toBe(17 * 5);
      for (const [key, { n, sum }] of links) {
        if (n === 0 && !key.endsWith("_all")) continue;
        const rows = await agent.get(`/tables/table27/rows?org=${org}&key=${key}`);
        expect(rows.status).toBe(200);
        if (sum) {
          expect(num(/data-sum>([\d,]+)</.exec(rows.text)![1]!), `${org} ${key}`).toBe(n);
          if (total(rows.text) > 0) expect(num(/data-sum-total>([\d,]+)</.exec(rows.text)![1]!), `${org} ${key}`).toBe(n);
          // The page's amounts add up to the cell (every list here is shorter than a page).
          const amounts = [...rows.text.matchAll(/data-amount="(\d*)"/g)].map((m) => Number(m[1] || 0));
          expect(
            amounts.reduce((a, b) => a + b, 0),
            `${org} ${key}`,
          ).toBe(n);
        } else expect(total(rows.text), `${org} ${key}`).toBe(n);
      }
    }
  });

  it("row 7 lists the joint branch with the enterprises it covers, row 11 the instructor masked, row 12 the worker counts and their total", async () => {
    const joint = await clerk.get("/tables/table27/rows?key=r7_all");
    expect(joint.text).toContain("中共菏泽货运联合支部委员会");
    expect(joint.text).toContain("覆盖本列企业1家：联建货运站");
    expect(joint.text).toContain("个党组织");
    const instr = await clerk.get("/tables/table27/rows?key=r11_all");
    expect(instr.text).toContain("道路指导员");
    expect(instr.text).toContain("136****3333");
    expect(instr.text).not.toContain("13600003333");
    expect(instr.text).toContain("联系本列企业1家：无党员小店");
    expect(instr.text).toContain("名党建工作指导员");
    expect(instr.text).not.toContain("配送指导员");
    const wb = await workbook(clerk, "/tables/table27/rows.xlsx?key=r12_all");
    const ws = wb.worksheets[0]!;
    expect(ws.getRow(2).values).toContain("计入从业人员数");
    const last = ws.getRow(ws.rowCount);
    expect([last.getCell(1).value, last.getCell(8).value]).toEqual(["合计", 243]);
    // The clerk's download holds the instructor's whole phone (audited, as ID numbers are).
    const iw = (await workbook(clerk, "/tables/table27/rows.xlsx?key=r11_all")).worksheets[0]!;
    expect(iw.getRow(3).getCell(3).value).toBe("13600003333");
  });

  it("an enterprise without a recorded worker count: the cell says how many it left out, the list names it", async () => {
    // The page was viewed before (kept in the tables' read cache): the write below must show at once.
    expect(cellLinks((await clerk.get("/tables/table27")).text).get("r1_all")!.n).toBe(4);
    const blank = addEnterprise(t.handle, t.city.dl.id, { name: "未登记人数车队", workerCount: 0 });
    try {
      const page = await clerk.get("/tables/table27");
      expect(cellLinks(page.text).get("r1_all")!.n).toBe(5);
      expect(cellLinks(page.text).get("r12_all")!.n).toBe(243);
      expect(page.text).toContain('data-missing="1"');
      expect(page.text).toContain("第12行“在岗职工（人）”·总数：其中1家企业未登记从业人员数，未计入");
      const rows = await clerk.get("/tables/table27/rows?key=r12_all");
      expect(total(rows.text)).toBe(5);
      expect(rows.text).toContain('data-sum-missing="1"');
      expect(rows.text).toContain("未登记人数车队");
      const ws = (await workbook(clerk, "/tables/table27.xlsx")).worksheets[0]!;
      const notes: string[] = [];
      ws.eachRow((r) => notes.push(String(r.getCell(1).value ?? "")));
      expect(notes).toContain("第12行“在岗职工（人）”·总数：其中1家企业未登记从业人员数，未计入");
    } finally {
      t.handle.sqlite.prepare("UPDATE enterprises SET status = 'closed' WHERE id = ?").run(blank.id);
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

  it("another committee's instructors: ?key= with its code is not found; each committee and a secretary see only their own", async () => {
    for (const url of ["/tables/table27/rows?org=HZ-PS&key=r11_all", "/tables/table27/rows.xlsx?org=HZ-PS&key=r11_all"])
      expect((await clerk.get(url)).status, url).toBe(404);
    expect((await clerkPs.get("/tables/table27/rows?org=HZ-DL&key=r11_all")).status).toBe(404);
    const ps = await clerkPs.get("/tables/table27/rows?key=r11_all");
    expect(ps.text).toContain("配送指导员");
    expect(ps.text).not.toContain("道路指导员");
    // 张道路's branch covers one enterprise, which no instructor contacts: an empty list, no other names.
    expect((await secretary.get("/tables/table27/rows?org=HZ-DL&key=r11_all")).status).toBe(404);
    const own = await secretary.get("/tables/table27/rows?key=r11_all");
    expect(own.status).toBe(200);
    expect(total(own.text)).toBe(0);
    expect(own.text).not.toMatch(/道路指导员|配送指导员/);
    expect(total((await secretary.get("/tables/table27/rows?key=r7_all")).text)).toBe(0);
  });
});

// The official tables over HTTP: each page and workbook for a committee's clerk and a county-level
// committee's, every cell's number against its list page, and the refusals (another committee's code,
// a secretary above her branch, the signed out), with downloads audited and masked by role.

import ExcelJS from "exceljs";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { todayIso } from "../../../server/domain/dates.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { systemActor } from "../../../server/policy/actor.js";
import { createUser } from "../../../server/services/admin/users.js";
import { getTable } from "../../../server/services/tables/tables.service.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { addMember, addOrg, PASSWORD } from "../../helpers/fixtures.js";

let t: TestApp;
let clerk: Agent;
let county: Agent;
let secretary: Agent;
const year = todayIso().slice(0, 4);
const lostOn = `${Number(year) - 2}-03-01`;
let lostMember: { id: number; idNumber: string };

beforeAll(async () => {
  t = await createTestApp();
  const h = t.handle;
  // A county's own online-delivery committee with a branch (DOMAIN.md: counties may have their own).
  const md = addOrg(h, {
    code: "HZ-MD",
    name: "中共牡丹区网约配送行业委员会",
    kind: "industry_committee",
    parentId: t.city.root.id,
    regionCode: "371702",
  });
  const mdBranch = addOrg(h, {
    code: "HZ-MD-001",
    name: "中共牡丹区某配送站支部委员会",
    kind: "branch",
    formation: "standalone",
    parentId: md.id,
  });
  addMember(h, mdBranch.id, { name: "县区党员", idNumber: makeIdNumber("371702", "1990-01-01", 801) });
  addMember(h, mdBranch.id, {
    name: "县区失联",
    idNumber: makeIdNumber("371702", "1990-01-01", 803),
    lostContactOn: lostOn,
    lostContactReason: "abroad",
  });
  await createUser(h.db, null, { username: "t-clerk-md", role: "clerk", orgId: md.id, displayName: "县区干事", password: PASSWORD });
  lostMember = addMember(h, t.city.dlBranch.id, {
    name: "道路失联",
    idNumber: makeIdNumber("371702", "1980-02-02", 805),
    lostContactOn: lostOn,
    lostContactReason: "migrant_work",
    education: "bachelor",
  });
  addMember(h, t.city.dlBranch.id, {
    name: "今年新发现",
    idNumber: makeIdNumber("371702", "1980-02-02", 807),
    discoveredOn: `${year}-01-05`,
  });
  clerk = await signIn(t.app, "t-clerk-dl");
  county = await signIn(t.app, "t-clerk-md");
  secretary = await signIn(t.app, "t-sec-dl");
});
afterAll(() => t.close());

async function workbook(agent: Agent, url: string) {
  const res = await agent
    .get(url)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status, url).toBe(200);
  expect(res.headers["content-type"]).toContain("spreadsheetml");
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as ArrayBuffer);
  return wb;
}

/** The links of a table page's cells: key → the number shown. */
function cellLinks(html: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const m of html.matchAll(/data-key="([A-Za-z0-9_]+)">([\d,]+)<\/a>/g)) out.set(m[1]!, Number(m[2]!.replaceAll(",", "")));
  return out;
}

describe("pages and workbooks", () => {
  it("the index lists the tables and periods for the caller's scope", async () => {
    const res = await clerk.get("/tables");
    expect(res.status).toBe(200);
    expect(res.text).toContain("党员数量变化情况");
    expect(res.text).toContain("失去联系党员情况");
    expect(res.text).toContain(`${year}年上半年`);
    expect(res.text).toContain("填报单位：中共菏泽市道路运输行业委员会");
  });

  for (const [who, unit] of [
    ["clerk", "中共菏泽市道路运输行业委员会"],
    ["county", "中共牡丹区网约配送行业委员会"],
  ] as const) {
    it(`tables 1 and 43 for the ${who}'s scope: the page, the workbook, the cross-checks`, async () => {
      const agent = who === "clerk" ? clerk : county;
      for (const id of ["table1", "table43"]) {
        const page = await agent.get(`/tables/${id}`);
        expect(page.status).toBe(200);
        expect(page.text).toContain(`填报单位：<strong>${unit}</strong>`);
        expect(page.text).not.toContain('data-ok="false"');
        const wb = await workbook(agent, `/tables/${id}.xlsx`);
        const ws = wb.worksheets[0]!;
        expect(String(ws.getCell(1, 1).value)).toMatch(/党员数量变化情况|失去联系党员情况/);
        expect(String(ws.getCell(3, 1).value)).toBe(`填报单位：${unit}`);
        expect(String(ws.getCell(3, 2).value)).toContain(`统计期：${year}年`);
        expect(ws.pageSetup.paperSize).toBe(9);
        expect(ws.pageSetup.fitToWidth).toBe(1);
        // The workbook's figures are the page's.
        const shown = cellLinks(page.text);
        const byLabel = new Map<string, unknown>();
        ws.eachRow((row) => byLabel.set(String(row.getCell(2).value ?? ""), row.getCell(3).value));
        const org = who === "clerk" ? "HZ-DL" : "HZ-MD";
        const computed = getTable(t.handle.db, systemActor(), id, { org });
        for (const row of computed.table.rows) {
          const c = row.cells[0];
          if (!c) continue;
          expect(byLabel.get(row.no), `${id} row ${row.no}`).toBe(c.value === null ? "—" : c.value);
          if (c.key) expect(shown.get(c.key), `${id} ${c.key}`).toBe(c.value);
        }
      }
    });
  }

  it("table 1's 实有数 agrees with the member list, and the member found this year explains a difference of one", async () => {
    const t1 = getTable(t.handle.db, systemActor(), "table1", { org: "HZ-DL" });
    expect(t1.table.crossChecks[0]).toMatchObject({ ok: true });
    expect(t1.table.crossChecks[0]!.expected).toBe(t1.lists.end!.length);
    const list = await clerk.get(`/members?committee=${t.city.dl.id}&standing=active`);
    expect(list.status).toBe(200);
    expect(t1.table.rows.find((r) => r.no === "17")!.cells[0]!.value).toBe(1);
    const surplus = await clerk.get("/tables/table1/rows?key=surplus");
    expect(surplus.text).toContain("今年新发现");
  });

  it("table 43 names the member out of contact, masked on the page", async () => {
    const res = await clerk.get("/tables/table43/rows?key=total");
    expect(res.status).toBe(200);
    expect(res.text).toContain("道路失联");
    expect(res.text).not.toContain(lostMember.idNumber);
    expect(res.text).toContain(`${lostMember.idNumber.slice(0, 6)}********${lostMember.idNumber.slice(-4)}`);
  });
});

describe("every cell's number equals the length of its list", () => {
  it("walks every linked cell of tables 1 and 43, for a committee and a county", async () => {
    for (const [agent, org] of [
      [clerk, "HZ-DL"],
      [county, "HZ-MD"],
    ] as const) {
      for (const id of ["table1", "table43"]) {
        const page = await agent.get(`/tables/${id}?org=${org}`);
        const links = cellLinks(page.text);
        expect(links.size).toBeGreaterThan(5);
        for (const [key, n] of links) {
          const rows = await agent.get(`/tables/${id}/rows?org=${org}&key=${key}`);
          expect(rows.status).toBe(200);
          const total = Number(/data-total>([\d,]+)</.exec(rows.text)![1]!.replaceAll(",", ""));
          expect(total, `${org} ${id} ${key}`).toBe(n);
          // The first page holds min(n, 50) rows.
          expect((rows.text.match(/<tr><td class="key nw" data-label="姓名">/g) ?? []).length, `${org} ${id} ${key} rows`).toBe(
            Math.min(n, 50),
          );
        }
      }
    }
  });
});

describe("attackers", () => {
  it("another committee's code is not found, on every route", async () => {
    for (const url of [
      "/tables?org=HZ-PS",
      "/tables/table1?org=HZ-PS",
      "/tables/table43.xlsx?org=HZ-PS",
      "/tables/table1/rows?org=HZ-PS&key=end",
      "/tables/table1/rows.xlsx?org=HZ-PS&key=end",
      "/tables/table1?org=HZ-MD",
      "/tables/table1?org=NO-SUCH",
    ])
      expect((await clerk.get(url)).status, url).toBe(404);
    expect((await county.get("/tables/table43?org=HZ-DL-001")).status).toBe(404);
  });

  it("a secretary sees her branch only: the committee above it is not found", async () => {
    const own = await secretary.get("/tables/table1");
    expect(own.status).toBe(200);
    expect(own.text).toContain("填报单位：<strong>中共菏泽某物流有限公司支部委员会</strong>");
    expect((await secretary.get("/tables/table1?org=HZ-DL")).status).toBe(404);
    expect((await secretary.get("/tables/table1?org=HZ-DL-002")).status).toBe(404);
  });

  it("the signed out are sent to sign in; unknown tables, cells and periods are refused", async () => {
    const { default: request } = await import("supertest");
    expect((await request(t.app).get("/tables/table1")).status).toBe(303);
    expect((await clerk.get("/tables/table99")).status).toBe(404);
    expect((await clerk.get("/tables/table1/rows?key=nosuch")).status).toBe(404);
    expect((await clerk.get(`/tables/table1?period=${Number(year) + 1}`)).status).toBe(404);
    expect((await clerk.get("/tables/table1?period=2026-H3")).status).toBe(400);
    expect((await clerk.get("/tables/table1?org=%27%20OR%201%3D1")).status).toBe(400);
  });

  it("downloads are audited; a cell's list is whole for a clerk and masked for a secretary", async () => {
    const audits = () =>
      t.handle.db.all<{ username: string; entity_id: string; details: string }>(
        sql`SELECT username, entity_id, details FROM audit_log WHERE action = 'export' AND entity_id LIKE 'table%' ORDER BY id`,
      );
    const before = audits().length;
    const mine = await workbook(clerk, "/tables/table43/rows.xlsx?key=total");
    const ids = (wb: ExcelJS.Workbook) => {
      const out: string[] = [];
      wb.worksheets[0]!.eachRow((row, n) => {
        if (n > 2) out.push(String(row.getCell(3).value));
      });
      return out;
    };
    expect(ids(mine)).toContain(lostMember.idNumber);
    const hers = await workbook(secretary, "/tables/table43/rows.xlsx?key=total");
    expect(ids(hers).length).toBe(1);
    expect(ids(hers)[0]).toMatch(/^\d{6}\*+\w{4}$/);
    expect(ids(hers)).not.toContain(lostMember.idNumber);
    await workbook(county, "/tables/table1.xlsx");
    const added = audits().slice(before);
    expect(added.map((a) => [a.username, a.entity_id])).toEqual([
      ["t-clerk-dl", "table43"],
      ["t-sec-dl", "table43"],
      ["t-clerk-md", "table1"],
    ]);
    expect(JSON.parse(added[0]!.details)).toMatchObject({ key: "total", unmasked: true, rows: 1, completed: true, org: "HZ-DL" });
    expect(JSON.parse(added[1]!.details)).toMatchObject({ unmasked: false, org: "HZ-DL-001" });
    expect(JSON.parse(added[2]!.details)).toMatchObject({ org: "HZ-MD", period: year, completed: true });
  });
});

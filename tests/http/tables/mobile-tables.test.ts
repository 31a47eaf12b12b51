// Tables 33 and 34 through the app, for a committee (HZ-DL of the small city) and a county-level scope
// (an installation for 曹县, its root a 县委社会工作部): the pages, every cell's number against its
// list, the workbooks read back, a closed period regenerated identically after a spell changes, and
// the refusals (another committee's code, a secretary's reach, masking, the audit log).

import { and, eq } from "drizzle-orm";
import ExcelJS from "exceljs";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { auditLog, members, mobileSpells, organizations } from "../../../db/schema.js";
import { createApp } from "../../../server/app.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { testConfig } from "../../../server/config.js";
import { maskIdNumber } from "../../../server/domain/masking.js";
import { parsePeriod } from "../../../server/domain/official-tables/periods.js";
import { createUser } from "../../../server/services/admin/users.js";
import { freezePeriod } from "../../../server/services/tables/tables.service.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { memoryDb } from "../../helpers/db.js";
import { addMember, addOrg, PASSWORD } from "../../helpers/fixtures.js";

type Spell = Partial<typeof mobileSpells.$inferInsert> & { direction: "in" | "out"; startedOn: string };
function mobile(h: DbHandle, orgId: number, over: Partial<typeof members.$inferInsert>, spell: Spell) {
  const m = addMember(h, orgId, over);
  h.db
    .insert(mobileSpells)
    .values({ memberId: m.id, orgId, ...spell })
    .run();
  return m;
}

/** The page's linked cells (key → number) and how many cells say "not recorded". */
function pageCells(html: string): { cells: Map<string, { value: number; href: string }>; missing: number } {
  const cells = new Map<string, { value: number; href: string }>();
  for (const m of html.matchAll(/<a href="([^"]+)" data-key="([^"]+)">([\d,]+)<\/a>/g))
    cells.set(m[2]!, { value: Number(m[3]!.replace(/,/g, "")), href: m[1]!.replace(/&amp;/g, "&") });
  return { cells, missing: (html.match(/<td class="missing"/g) ?? []).length };
}

/** Opens every cell's list and checks its length against the number; returns the figures by key. */
async function walkCells(agent: Agent, url: string): Promise<Map<string, number>> {
  const page = await agent.get(url);
  expect(page.status, url).toBe(200);
  const { cells } = pageCells(page.text);
  expect(cells.size).toBeGreaterThan(0);
  const out = new Map<string, number>();
  for (const [key, { value, href }] of cells) {
    const list = await agent.get(href);
    expect(list.status, href).toBe(200);
    const total = Number(/data-total>([\d,]+)</.exec(list.text)![1]!.replace(/,/g, ""));
    expect(total, `${url} ${key}`).toBe(value);
    // The page shows at most 50 rows: each is one member (or organization) link.
    const links = (list.text.match(/<td class="key[^"]*" data-label="[^"]+"><a href="\/(members|orgs)\/\d+"/g) ?? []).length;
    expect(links, `${url} ${key} rows`).toBe(Math.min(total, 50));
    out.set(key, value);
  }
  return out;
}

async function workbook(agent: Agent, url: string): Promise<ExcelJS.Worksheet> {
  const res = await agent
    .get(url)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status, url).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as ArrayBuffer);
  return wb.worksheets[0]!;
}

/** The data rows of a table's sheet: row number (column B) → the figures from column C on ("—" as null). */
function sheetRows(ws: ExcelJS.Worksheet, width: number): Map<string, (number | null)[]> {
  const out = new Map<string, (number | null)[]>();
  ws.eachRow((row) => {
    const no = String(row.getCell(2).value ?? "");
    if (!/^\d+$/.test(no)) return;
    const values: (number | null)[] = [];
    for (let c = 3; c < 3 + width; c++) {
      const v = row.getCell(c).value;
      values.push(typeof v === "number" ? v : v === "—" ? null : Number.NaN);
    }
    out.set(no, values);
  });
  return out;
}

const WIDTH = { table33: 15, table34: 5 } as const;

describe("a committee's tables 33 and 34 (HZ-DL)", () => {
  let t: TestApp;
  const agents: Record<string, Agent> = {};
  const m: Record<string, typeof members.$inferSelect> = {};
  beforeAll(async () => {
    t = await createTestApp();
    const { dlBranch, dlJoint, psBranch } = t.city;
    const h = t.handle;
    m.out1 = mobile(
      h,
      dlBranch.id,
      { occupation: "courier", relationStatus: "mobile_out" },
      { direction: "out", destinationCode: "440305", unitKind: "private_enterprise", certificateHeld: true, startedOn: "2025-03-01" },
    );
    m.out2 = mobile(
      h,
      dlJoint.id,
      { occupation: "truck_driver", relationStatus: "mobile_out" },
      { direction: "out", destinationCode: "370102", unitKind: "other", certificateHeld: false, startedOn: "2026-02-01" },
    );
    m.out3 = mobile(
      h,
      dlBranch.id,
      { occupation: null, relationStatus: "mobile_out" },
      { direction: "out", unitKind: "unknown_destination", certificateHeld: false, startedOn: "2026-05-01" },
    );
    m.back = mobile(
      h,
      dlBranch.id,
      { occupation: "courier", relationStatus: "local" },
      {
        direction: "out",
        destinationCode: "110105",
        unitKind: "organ",
        certificateHeld: true,
        startedOn: "2025-02-01",
        endedOn: "2026-03-01",
        endReason: "returned",
      },
    );
    m.in1 = mobile(
      h,
      dlBranch.id,
      { occupation: "delivery_rider", relationStatus: "mobile_in" },
      { direction: "in", homeRegionCode: "440305", homeOrgName: "深圳某支部", certificateHeld: true, startedOn: "2025-06-01" },
    );
    m.in2 = mobile(
      h,
      dlJoint.id,
      { occupation: "courier", relationStatus: "mobile_in" },
      { direction: "in", homeRegionCode: "371721", homeOrgName: "曹县某支部", certificateHeld: true, startedOn: "2026-01-15" },
    );
    m.ps = mobile(
      h,
      psBranch.id,
      { occupation: "courier", relationStatus: "mobile_out", name: "乙委流出" },
      { direction: "out", destinationCode: "330100", unitKind: "state_enterprise", certificateHeld: true, startedOn: "2025-01-01" },
    );
    for (const u of ["t-admin", "t-clerk-dl", "t-sec-dl"]) agents[u] = await signIn(t.app, u);
  });
  afterAll(() => t.close());

  it("table 33 this year: the figures worked out by hand, every cell equal to its list", async () => {
    const figures = await walkCells(agents["t-clerk-dl"]!, "/tables/table33?org=HZ-DL&period=2026");
    // out1 (深圳, 持证, 非公), out2 (济南: 省内跨市, 其他), out3 (不掌握流向, 原职业未登记); back returned in March.
    expect(figures.get("r1_total")).toBe(3);
    expect(figures.get("r1_cross_province")).toBe(1);
    expect(figures.get("r1_cross_city")).toBe(1);
    expect(figures.get("r1_certificate")).toBe(1);
    expect(figures.get("r1_unit_private_enterprise")).toBe(1);
    expect(figures.get("r1_unit_unknown_destination")).toBe(1);
    expect(figures.get("r2_total")).toBe(1); // 货车司机: out2
    expect(figures.get("r5_total")).toBe(1); // 快递员: out1
    expect(figures.get("r8_total")).toBe(1); // 原职业未登记: out3
    expect(figures.size).toBe(8 * 15);
    // The cross-checks: rows, reaches, unit kinds, certificates, and today's member list all agree.
    const page = await agents["t-clerk-dl"]!.get("/tables/table33?org=HZ-DL&period=2026");
    expect(page.text.match(/data-ok="true"/g)?.length).toBe(5);
    expect(page.text).not.toContain('data-ok="false"');
    expect(page.text).toContain("党员名册中组织关系状态为“流出党员”的在册党员人数");
    // A cross-check's list (市内流动, which the table does not list) opens like a cell's, named by its check.
    const within = await agents["t-clerk-dl"]!.get("/tables/table33/rows?org=HZ-DL&period=2026&key=r1_within_city");
    expect(within.status).toBe(200);
    expect(within.text).toMatch(/<h1[^>]*>跨省 \+ 省内跨市 \+ 市内流动（0人/);
    expect(within.text).toMatch(/data-total>0</);
  });

  it("table 34 this year: received members and the organizations receiving them", async () => {
    const figures = await walkCells(agents["t-clerk-dl"]!, "/tables/table34?org=HZ-DL&period=2026");
    expect([
      figures.get("r1_total"),
      figures.get("r1_cross_province"),
      figures.get("r1_cross_city"),
      figures.get("r1_certificate"),
      figures.get("r1_orgs"),
    ]).toEqual([2, 1, 0, 2, 2]);
    const orgs = await agents["t-clerk-dl"]!.get("/tables/table34/rows?org=HZ-DL&period=2026&key=r1_orgs");
    expect(orgs.text).toContain(t.city.dlBranch.name);
    expect(orgs.text).toContain(t.city.dlJoint.name);
    // Listed as organizations (their columns and links), not as members.
    expect(orgs.text).toContain("个党组织");
    expect(orgs.text).toContain(`href="/orgs/${t.city.dlBranch.id}"`);
  });

  it("the workbooks carry the page's figures in the official layout", async () => {
    for (const table of ["table33", "table34"] as const) {
      const url = `/tables/${table}?org=HZ-DL&period=2026`;
      const { cells } = pageCells((await agents["t-clerk-dl"]!.get(url)).text);
      const ws = await workbook(agents["t-clerk-dl"]!, `/tables/${table}.xlsx?org=HZ-DL&period=2026`);
      expect(String(ws.getCell(1, 1).value)).toBe(table === "table33" ? "流出党员情况" : "流入党员情况");
      expect(String(ws.getCell(3, 1).value)).toBe(`填报单位：${t.city.dl.name}`);
      expect(ws.pageSetup.paperSize).toBe(9);
      const rows = sheetRows(ws, WIDTH[table]);
      expect([...rows.keys()]).toEqual(["1", "2", "3", "4", "5", "6", "7", "8"]);
      for (const [key, { value }] of cells) {
        const [, no, col] = /^r(\d+)_(.+)$/.exec(key)!;
        const keys = [...cells.keys()].filter((k) => k.startsWith(`r${no}_`));
        expect(rows.get(no!)![keys.indexOf(`r${no}_${col}`)], key).toBe(value);
      }
    }
    const ws = await workbook(agents["t-clerk-dl"]!, "/tables/table33.xlsx?org=HZ-DL&period=2026");
    // 其中 over three columns, 流向单位类别 over eleven, 企业 over three (row 6).
    expect(ws.getCell(5, 4).value).toBe("其中");
    expect(ws.getCell(5, 7).value).toBe("流向单位类别");
    expect(ws.getCell(6, 9).value).toBe("企业");
    expect(ws.getCell(7, 10).value).toBe("集体企业");
  });

  it("a closed period regenerates identically after a spell of it changes", async () => {
    const agent = agents["t-clerk-dl"]!;
    await freezePeriod(t.handle.db, parsePeriod("2025")!);
    const before = pageCells((await agent.get("/tables/table33?org=HZ-DL&period=2025")).text).cells;
    const beforeSheet = sheetRows(await workbook(agent, "/tables/table33.xlsx?org=HZ-DL&period=2025"), 15);
    // 2025 as it was: out1 and back were out at the year's end.
    expect(before.get("r1_total")!.value).toBe(2);
    // Later, a clerk records that out1 came back in November 2025 (and the member's courier job is corrected).
    t.handle.db
      .update(mobileSpells)
      .set({ endedOn: "2025-11-01", endReason: "returned" })
      .where(eq(mobileSpells.memberId, m.out1!.id))
      .run();
    t.handle.db.update(members).set({ occupation: "other", relationStatus: "local" }).where(eq(members.id, m.out1!.id)).run();
    const after = pageCells((await agent.get("/tables/table33?org=HZ-DL&period=2025")).text).cells;
    expect([...after].map(([k, v]) => [k, v.value])).toEqual([...before].map(([k, v]) => [k, v.value]));
    expect(sheetRows(await workbook(agent, "/tables/table33.xlsx?org=HZ-DL&period=2025"), 15)).toEqual(beforeSheet);
    const list = await agent.get("/tables/table33/rows?org=HZ-DL&period=2025&key=r1_total");
    expect(list.text).toContain(m.out1!.name);
    // Today's table does follow the change.
    const now = pageCells((await agent.get("/tables/table33?org=HZ-DL&period=2026")).text).cells;
    expect(now.get("r1_total")!.value).toBe(2);
  });

  it("another committee's code is not found, on the page, the lists and the downloads", async () => {
    const clerk = agents["t-clerk-dl"]!;
    for (const url of [
      "/tables/table33?org=HZ-PS",
      "/tables/table34?org=HZ-PS",
      "/tables/table33/rows?org=HZ-PS&key=r1_total",
      "/tables/table33.xlsx?org=HZ-PS",
      "/tables/table33/rows.xlsx?org=HZ-PS&key=r1_total",
    ]) {
      const res = await clerk.get(url);
      expect(res.status, url).toBe(404);
      expect(res.text).not.toContain("乙委流出");
      expect(res.text).not.toContain(t.city.ps.name);
    }
    // The whole city's table counts HZ-PS's member; the clerk's own never does.
    const own = pageCells((await clerk.get("/tables/table33")).text).cells;
    const all = pageCells((await agents["t-admin"]!.get("/tables/table33?org=HZ")).text).cells;
    expect(all.get("r1_total")!.value - own.get("r1_total")!.value).toBe(1);
  });

  it("a secretary sees her branch only: the committee above and the sibling branch are not found", async () => {
    const sec = agents["t-sec-dl"]!;
    for (const org of ["HZ-DL", "HZ-DL-002", "HZ-PS", "HZ"]) expect((await sec.get(`/tables/table33?org=${org}`)).status, org).toBe(404);
    // Mid-2025 her branch had out1 and back out (both to other provinces); out2 sits in the joint branch.
    const own = pageCells((await sec.get("/tables/table33?org=HZ-DL-001&period=2025-H1")).text).cells;
    expect(own.get("r1_total")!.value).toBe(2);
    expect(own.get("r1_cross_province")!.value).toBe(2);
    const list = await sec.get(own.get("r1_total")!.href);
    expect(list.status).toBe(200);
    expect(list.text).toContain(m.out1!.name);
    expect(list.text).toContain(m.back!.name);
    expect(list.text).not.toContain(m.out2!.name);
  });

  it("lists mask ID numbers for everyone on the page, and in downloads for a secretary; each download is audited", async () => {
    const key = "/tables/table34/rows?org=HZ-DL-001&period=2026&key=r1_total";
    for (const u of ["t-clerk-dl", "t-sec-dl"]) {
      const page = await agents[u]!.get(key);
      expect(page.text).toContain(maskIdNumber(m.in1!.idNumber));
      expect(page.text).not.toContain(m.in1!.idNumber);
    }
    const cells = async (u: string) => {
      const ws = await workbook(agents[u]!, key.replace("/rows?", "/rows.xlsx?"));
      const found: string[] = [];
      ws.eachRow((r) => r.eachCell((c) => found.push(String(c.value))));
      return found;
    };
    expect(await cells("t-sec-dl")).toContain(maskIdNumber(m.in1!.idNumber));
    expect(await cells("t-sec-dl")).not.toContain(m.in1!.idNumber);
    expect(await cells("t-clerk-dl")).toContain(m.in1!.idNumber);
    const audits = t.handle.db
      .select()
      .from(auditLog)
      .where(and(eq(auditLog.action, "export"), eq(auditLog.entityId, "table34")))
      .all();
    expect(audits.length).toBeGreaterThanOrEqual(3);
    expect(audits.map((a) => a.userId)).toContain(t.city.userIds.secretary);
  });

  it("signed out: to the sign-in page", async () => {
    const res = await request(t.app).get("/tables/table33");
    expect(res.status).toBe(303);
    expect(res.headers.location).toMatch(/^\/login/);
  });
});

describe("a county-level installation's tables (曹县)", () => {
  let h: DbHandle;
  let agent: Agent;
  let committee: ReturnType<typeof addOrg>;
  beforeAll(async () => {
    h = memoryDb();
    prepareDatabase(h, { jurisdiction: { regionCode: "371721", rootCode: "CX" } });
    const root = h.db.select().from(organizations).where(eq(organizations.code, "CX")).get()!;
    committee = addOrg(h, {
      code: "CX-ZH",
      name: "中共曹县新就业群体综合委员会",
      kind: "comprehensive_committee",
      parentId: root.id,
      regionCode: "371721",
    });
    const branch = addOrg(h, {
      code: "CX-ZH-001",
      name: "中共曹县某快递网点支部委员会",
      kind: "branch",
      parentId: committee.id,
      regionCode: "371721",
    });
    // From 曹县: 牡丹区 is the same city (市内), 济南 another city, 深圳 another province.
    mobile(
      h,
      branch.id,
      { occupation: "courier", relationStatus: "mobile_out" },
      { direction: "out", destinationCode: "371702", unitKind: "urban_community", certificateHeld: true, startedOn: "2026-03-01" },
    );
    mobile(
      h,
      branch.id,
      { occupation: "courier", relationStatus: "mobile_out" },
      { direction: "out", destinationCode: "370102", unitKind: "private_enterprise", certificateHeld: false, startedOn: "2026-04-01" },
    );
    mobile(
      h,
      branch.id,
      { occupation: "live_streamer", relationStatus: "mobile_out" },
      { direction: "out", destinationCode: "440305", unitKind: "private_enterprise", certificateHeld: true, startedOn: "2026-04-01" },
    );
    mobile(
      h,
      committee.id,
      { occupation: "truck_driver", relationStatus: "mobile_in" },
      { direction: "in", homeRegionCode: "370102", homeOrgName: "济南某支部", certificateHeld: true, startedOn: "2026-05-01" },
    );
    await createUser(h.db, null, { username: "cx-admin", role: "admin", orgId: root.id, displayName: "曹县", password: PASSWORD });
    agent = await signIn(createApp({ db: h, config: testConfig() }), "cx-admin");
  });
  afterAll(() => h.close());

  it("the county's table 33: reaches measured from 曹县, every cell equal to its list; the workbook agrees", async () => {
    const figures = await walkCells(agent, "/tables/table33?period=2026");
    expect([
      figures.get("r1_total"),
      figures.get("r1_cross_province"),
      figures.get("r1_cross_city"),
      figures.get("r1_certificate"),
    ]).toEqual([3, 1, 1, 2]);
    expect(figures.get("r1_unit_private_enterprise")).toBe(2);
    expect(figures.get("r5_total")).toBe(2);
    const ws = await workbook(agent, "/tables/table33.xlsx?period=2026");
    expect(String(ws.getCell(3, 1).value)).toMatch(/^填报单位：.*曹县/);
    expect(sheetRows(ws, 15).get("1")!.slice(0, 4)).toEqual([3, 1, 1, 2]);
  });

  it("the county's table 34 and its committee's", async () => {
    const county = await walkCells(agent, "/tables/table34?period=2026");
    expect([county.get("r1_total"), county.get("r1_cross_city"), county.get("r1_orgs")]).toEqual([1, 1, 1]);
    const ws = await workbook(agent, "/tables/table34.xlsx?org=CX-ZH&period=2026");
    expect(String(ws.getCell(3, 1).value)).toBe(`填报单位：${committee.name}`);
    expect(sheetRows(ws, 5).get("1")).toEqual([1, 0, 1, 1, 1]);
  });
});

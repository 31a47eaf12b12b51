// The national member system's export and the completeness page, over HTTP: columns and order,
// scope (a committee, a county-level committee, a secretary's branch), masking and the audit entry.

import ExcelJS from "exceljs";
import type request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { COMPLETENESS_COLUMNS, NATIONAL_COLUMNS } from "../../../server/domain/national-members.js";
import { maskIdNumber, maskPhone } from "../../../server/domain/masking.js";
import { createUser } from "../../../server/services/admin/users.js";
import { createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { addMember, addOrg, PASSWORD } from "../../helpers/fixtures.js";

type Agent = Awaited<ReturnType<typeof signIn>>;

let t: TestApp;
let county: { id: number };
let countyBranch: { id: number };
const agents: Record<string, Agent> = {};

beforeAll(async () => {
  t = await createTestApp();
  const c = t.city;
  // A county-level committee under the online-delivery committee, with a branch and one member.
  county = addOrg(t.handle, {
    code: "CX-PS",
    name: "中共曹县网约配送行业委员会",
    kind: "industry_committee",
    parentId: c.ps.id,
    industryCode: "online_delivery",
    regionCode: "371721",
  });
  countyBranch = addOrg(t.handle, {
    code: "CX-PS-001",
    name: "中共曹县某配送站支部委员会",
    kind: "branch",
    formation: "standalone",
    parentId: county.id,
    regionCode: "371721",
  });
  addMember(t.handle, countyBranch.id, { name: "赵县级", education: "college", occupation: "delivery_rider" });
  // A probationary member in the joint branch, 13 months past joining: 转正时间 missing; and a 流入 member (not exported).
  addMember(t.handle, c.dlJoint.id, {
    name: "钱预备",
    category: "probationary",
    joinedOn: "2020-01-01",
    fullOn: null,
    phone: null,
    enterpriseId: c.dlEnterprise.id,
    occupation: "truck_driver",
  });
  addMember(t.handle, c.dlBranch.id, { name: "孙流入", relationStatus: "mobile_in", relationOrgName: "外地某村党支部" });
  await createUser(t.handle.db, null, { username: "t-clerk-cx", role: "clerk", orgId: county.id, displayName: "县级", password: PASSWORD });
  for (const u of ["t-clerk-dl", "t-sec-dl", "t-supervisor", "t-clerk-cx"]) agents[u] = await signIn(t.app, u);
});
afterAll(() => t.close());

async function workbook(agent: Agent, qs: string): Promise<{ status: number; ws?: ExcelJS.Worksheet }> {
  const res = await (agent.get(`/reports/download?kind=national-members${qs}`) as request.Test).buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on("data", (ch: Buffer) => chunks.push(ch));
    r.on("end", () => cb(null, Buffer.concat(chunks)));
  });
  if (res.status !== 200) return { status: res.status };
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as unknown as ArrayBuffer);
  return { status: 200, ws: wb.worksheets[0]! };
}

function rowsOf(ws: ExcelJS.Worksheet) {
  const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const out: Record<string, unknown>[] = [];
  ws.eachRow((row, n) => {
    if (n > 1) out.push(Object.fromEntries(header.map((h, i) => [h, (row.values as unknown[])[i + 1]])));
  });
  return { header, rows: out };
}

const memberRow = (name: string) =>
  t.handle.sqlite.prepare("SELECT id, id_number, phone FROM members WHERE name = ?").get(name) as {
    id: number;
    id_number: string;
    phone: string;
  };
const lastExportAudit = () =>
  JSON.parse(
    (t.handle.sqlite.prepare("SELECT details FROM audit_log WHERE action = 'export' ORDER BY id DESC LIMIT 1").get() as { details: string })
      .details,
  );

describe("the national member system's export", () => {
  it("has the national system's columns in its order, then the score; whole ID numbers as text for a clerk; audited", async () => {
    const { ws } = await workbook(agents["t-clerk-dl"]!, "");
    const { header, rows } = rowsOf(ws!);
    expect(header).toEqual([...NATIONAL_COLUMNS, ...COMPLETENESS_COLUMNS]);
    expect(header.slice(0, 16)).toEqual([
      "姓名",
      "公民身份号码",
      "性别",
      "出生日期",
      "民族",
      "学历",
      "入党时间",
      "转正时间",
      "工作岗位",
      "新的社会阶层 / 新就业群体",
      "人员类别",
      "手机号码",
      "所在党支部",
      "联合支部单位名称",
      "失去联系情形",
      "失去联系日期",
    ]);
    // The committee's members whose relationship is here: not the 流入 member, not the other committee's.
    expect(rows.map((r) => r.姓名).sort()).toEqual(["张道路", "李联合", "钱预备"].sort());
    const qian = rows.find((r) => r.姓名 === "钱预备")!;
    const m = memberRow("钱预备");
    expect(qian.公民身份号码).toBe(m.id_number);
    expect(typeof qian.公民身份号码).toBe("string");
    expect(ws!.getColumn(2).numFmt ?? ws!.getCell(2, 2).numFmt).toBe("@");
    expect(qian.手机号码).toBeUndefined();
    expect(qian.人员类别).toBe("预备党员");
    expect(qian.转正时间).toBeUndefined();
    expect(qian.工作岗位).toBe("货车司机");
    expect(qian["新的社会阶层 / 新就业群体"]).toBe("新就业群体");
    expect(qian.所在党支部).toBe(t.city.dlJoint.name);
    expect(qian.联合支部单位名称).toBe(t.city.dlEnterprise.name);
    // 学历, 转正时间 and 手机号码 missing of 12 required: 9/12.
    expect(qian["信息完整度（%）"]).toBe(75);
    expect(qian.缺少的信息项).toBe("学历、转正时间、手机号码");
    expect(lastExportAudit()).toMatchObject({ kind: "national-members", rows: 3, unmasked: true, completed: true });
  });

  it("masks ID numbers and phones for a secretary and holds her to her branch", async () => {
    const { ws } = await workbook(agents["t-sec-dl"]!, "");
    const { rows } = rowsOf(ws!);
    expect(rows.map((r) => r.姓名)).toEqual(["张道路"]);
    const m = memberRow("张道路");
    expect(rows[0]!.公民身份号码).toBe(maskIdNumber(m.id_number));
    expect(rows[0]!.手机号码).toBe(maskPhone(m.phone));
    expect(lastExportAudit()).toMatchObject({ kind: "national-members", rows: 1, unmasked: false });
    expect((await workbook(agents["t-sec-dl"]!, `&org=${t.city.dlJoint.id}`)).status).toBe(404);
  });

  it("exports a county-level committee's members, and refuses another committee's organization", async () => {
    const { ws } = await workbook(agents["t-clerk-cx"]!, "");
    expect(rowsOf(ws!).rows.map((r) => r.姓名)).toEqual(["赵县级"]);
    const sup = await workbook(agents["t-supervisor"]!, `&org=${county.id}`);
    expect(rowsOf(sup.ws!).rows.map((r) => r.姓名)).toEqual(["赵县级"]);
    expect(lastExportAudit()).toMatchObject({ kind: "national-members", org: "CX-PS", rows: 1 });
    const before = (t.handle.sqlite.prepare("SELECT count(*) n FROM audit_log WHERE action = 'export'").get() as { n: number }).n;
    expect((await workbook(agents["t-clerk-dl"]!, `&org=${t.city.psBranch.id}`)).status).toBe(404);
    expect((await workbook(agents["t-clerk-cx"]!, `&org=${t.city.dlBranch.id}`)).status).toBe(404);
    const after = (t.handle.sqlite.prepare("SELECT count(*) n FROM audit_log WHERE action = 'export'").get() as { n: number }).n;
    expect(after).toBe(before);
  });
});

describe("the completeness page", () => {
  it("lists the committee's least complete records first, with what is missing, the edit link and the scope's figure", async () => {
    const res = await agents["t-clerk-dl"]!.get("/national");
    expect(res.status).toBe(200);
    const names = [...res.text.matchAll(/<td class="key nw" data-label="姓名"><a href="\/members\/\d+">([^<]+)<\/a>/g)].map((x) => x[1]);
    // 钱预备 9/12 first; 张道路 and 李联合 10/12 (学历, 工作岗位).
    expect(names).toHaveLength(3);
    expect(names[0]).toBe("钱预备");
    expect(res.text).toContain(`href="/members/${memberRow("钱预备").id}/edit"`);
    expect(res.text).toContain("学历、转正时间、手机号码");
    expect(res.text).toContain("学历、工作岗位");
    expect(res.text).toMatch(/党员 <strong data-total>3<\/strong> 名，信息完整的 <strong data-complete>0<\/strong> 名/);
    expect(res.text).toContain("<strong data-mean>80.6%</strong>");
    expect(res.text).not.toContain("王配送");
    expect(res.text).not.toContain("孙流入");
  });

  it("narrows to a county-level committee, and answers 404 for another committee's organization", async () => {
    const res = await agents["t-supervisor"]!.get(`/national?org=${county.id}`);
    expect(res.status).toBe(200);
    expect(res.text).toContain("赵县级");
    expect(res.text).not.toContain("张道路");
    // A supervisor reads, never edits: the link opens the record.
    expect(res.text).not.toContain("/edit");
    const cx = await agents["t-clerk-cx"]!.get("/national");
    expect(cx.text).toContain("赵县级");
    expect(cx.text).not.toContain("张道路");
    expect((await agents["t-clerk-cx"]!.get(`/national?org=${t.city.dlBranch.id}`)).status).toBe(404);
    expect((await agents["t-clerk-dl"]!.get(`/national?org=${county.id}`)).status).toBe(404);
  });

  it("holds a secretary to her branch, and pages with the shared pager", async () => {
    const res = await agents["t-sec-dl"]!.get("/national");
    expect(res.status).toBe(200);
    expect(res.text).toContain("张道路");
    expect(res.text).not.toContain("李联合");
    expect((await agents["t-sec-dl"]!.get(`/national?org=${t.city.dlJoint.id}`)).status).toBe(404);
    const p = await agents["t-clerk-dl"]!.get("/national?size=20&page=1");
    expect(p.status).toBe(200);
    expect((await agents["t-clerk-dl"]!.get("/national?size=7")).status).toBe(400);
  });
});

// The whole journey of a committee adopting the app: a fresh installation (its regions and root
// organization only), an administrator downloads the three templates, fills them (a title and a
// 填报单位 line above the header, as a real sheet has), imports the organization tree, the
// enterprises and the instructors, then imports a platform's roster into a committee just onboarded
// — and the coverage pages count what was onboarded.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organizations } from "../../../db/schema.js";
import { createApp } from "../../../server/app.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { testConfig } from "../../../server/config.js";
import { makeCreditCode } from "../../../server/domain/credit-code.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { createUser } from "../../../server/services/admin/users.js";
import { type Agent, csrfFrom, signIn } from "../../helpers/app.js";
import { memoryDb } from "../../helpers/db.js";
import { PASSWORD } from "../../helpers/fixtures.js";
import { hiddenValue, onboard, previewMapping, waitImport } from "../../helpers/onboarding.js";

const h = memoryDb();
let dir: string;
let admin: Agent;
let rootCode: string;
let county: { code: string; name: string };

const CREDIT = [1, 2, 3, 4].map((i) => makeCreditCode("91", "371702", `MA7J0000${i}`));
const count = (sql: string, ...args: unknown[]) =>
  h.sqlite
    .prepare(sql)
    .pluck()
    .get(...args) as number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "journey-"));
  // A city that is not the demo's: Anshan, installed as `npm run setup -- --region 210300` would.
  prepareDatabase(h, { jurisdiction: { regionCode: "210300" } });
  const root = h.db.select().from(organizations).get()!;
  rootCode = root.code;
  county = h.sqlite.prepare("SELECT code, name FROM regions WHERE level = 'county' ORDER BY code LIMIT 1").get() as typeof county;
  await createUser(h.db, null, { username: "j-admin", displayName: "管理员", role: "admin", orgId: root.id, password: PASSWORD });
  const app = createApp({ db: h, config: testConfig({ uploadDir: path.join(dir, "uploads"), uploadLimitBytes: 1024 * 1024 }) });
  admin = await signIn(app, "j-admin");
});
afterAll(() => {
  h.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Downloads a template, replaces its example row by `rows` (keyed by header text without 必填), puts a title and a 填报单位 line above the header, saves it. */
async function fillTemplate(kind: string, rows: Record<string, string>[]): Promise<string> {
  const res = await admin
    .get(`/onboarding/templates/${kind}.xlsx`)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status).toBe(200);
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as ArrayBuffer);
  const sheet = wb.getWorksheet("填报")!;
  const headers = (sheet.getRow(1).values as (string | undefined)[]).slice(1).map((v) => String(v ?? "").replace("（必填）", ""));
  sheet.spliceRows(2, 1);
  for (const r of rows) {
    for (const k of Object.keys(r)) expect(headers, `template ${kind} has no column ${k}`).toContain(k);
    sheet.addRow(headers.map((k) => r[k] ?? ""));
  }
  sheet.spliceRows(1, 0, [`${kind} 导入表`], ["填报单位：社会工作部", "", "填报日期：2025-06-30"]);
  const file = path.join(dir, `${kind}.xlsx`);
  await wb.xlsx.writeFile(file);
  return file;
}

describe("onboarding a small city from the three templates, then importing a roster into it", () => {
  it("organizations, enterprises and instructors from the filled templates; a roster links to what was onboarded", async () => {
    const orgsFile = await fillTemplate("organizations", [
      // Children before their parent: the importer places parents first.
      {
        组织编码: "JN-WY-001",
        组织全称: "中共某外卖配送站支部委员会",
        组织类别: "631",
        上级组织编码: "JN-WY",
        组建方式: "单独组建",
        行业: "网约配送",
        行政区划: county.code,
      },
      {
        组织编码: "JN-WY-002",
        组织全称: "中共外卖配送联合支部委员会",
        组织类别: "联合党支部",
        上级组织编码: "JN-WY",
        行业: "网约配送",
        行政区划: county.name,
      },
      {
        组织编码: "JN-WY",
        组织全称: "中共网约配送行业委员会",
        组织类别: "611",
        上级组织编码: rootCode,
        行业: "网约配送",
        行政区划: county.code,
        成立日期: "2023-05-01",
        书记姓名: "赵书记",
        本届开始日期: "2023-05-01",
        本届届满日期: "2028-04-30",
      },
      { 组织编码: "JN-JS", 组织全称: "中共某街道“两新”组织综合党委", 组织类别: "党委", 上级组织编码: rootCode, 行政区划: county.code },
    ]);
    const orgs = await onboard(admin, orgsFile, "organizations", 1);
    expect(orgs.preview.text).toContain("第 3 行");
    expect(orgs.done).toMatchObject({ status: "succeeded", summary: { rows: 4, inserted: 4 } });
    const wy = h.sqlite.prepare("SELECT id, kind FROM organizations WHERE code = 'JN-WY'").get() as { id: number; kind: string };
    expect(wy.kind).toBe("industry_committee");
    expect(h.sqlite.prepare("SELECT kind FROM organizations WHERE code = 'JN-JS'").pluck().get()).toBe("comprehensive_committee");

    const entFile = await fillTemplate("enterprises", [
      {
        企业名称: "某外卖配送站",
        统一社会信用代码: CREDIT[0]!,
        企业类型: "站点",
        行业: "网约配送",
        所在县区: county.name,
        从业人员数: "40",
        法定代表人是党员: "是",
        法定代表人兼任党组织书记: "是",
        负责党委编码: "JN-WY",
        覆盖党组织编码: "JN-WY-001",
      },
      {
        企业名称: "某配送加盟商甲",
        统一社会信用代码: CREDIT[1]!,
        企业类型: "加盟商",
        行业: "online_delivery",
        所在县区: county.code,
        从业人员数: "12",
        负责党委编码: "JN-WY",
        覆盖党组织编码: "JN-WY-002",
      },
      {
        企业名称: "某配送加盟商乙",
        统一社会信用代码: CREDIT[2]!,
        企业类型: "加盟商",
        行业: "网约配送",
        所在县区: county.code,
        从业人员数: "9",
        负责党委编码: "JN-WY",
        覆盖党组织编码: "JN-WY-002",
      },
      {
        企业名称: "某配送加盟商丙",
        统一社会信用代码: CREDIT[3]!,
        企业类型: "加盟商",
        行业: "网约配送",
        所在县区: county.code,
        从业人员数: "6",
        负责党委编码: "JN-WY",
      },
    ]);
    const ents = await onboard(admin, entFile, "enterprises", wy.id);
    expect(ents.done).toMatchObject({ status: "succeeded", summary: { rows: 4, inserted: 4 } });

    const insFile = await fillTemplate("instructors", [
      { 姓名: "钱指导", 类别: "党建指导员", 手机号: "13900000011", 派出党委编码: "JN-WY", 联系企业: CREDIT[3]!, 派驻日期: "2025-04-01" },
    ]);
    const ins = await onboard(admin, insFile, "instructors", wy.id);
    expect(ins.done).toMatchObject({ status: "succeeded", summary: { rows: 1, inserted: 1 } });

    // The coverage pages count the onboarded enterprises: one standalone, two joint, one reached by an instructor.
    for (const [coverage, names] of [
      ["standalone", ["某外卖配送站"]],
      ["joint", ["某配送加盟商甲", "某配送加盟商乙"]],
      ["work", ["某配送加盟商丙"]],
    ] as const) {
      const page = await admin.get(`/enterprises?coverage=${coverage}`);
      expect(page.status).toBe(200);
      for (const n of names) expect(page.text, coverage).toContain(n);
      const others = ["某配送加盟商甲", "某配送加盟商乙", "某配送加盟商丙"].filter((n) => !(names as readonly string[]).includes(n));
      for (const n of others) expect(page.text, coverage).not.toContain(n);
    }

    // A platform's roster into the committee just onboarded: workers link to the onboarded station,
    // an ID number an export forced to text is read with a note, a Party member becomes a lead.
    const roster = path.join(dir, "roster.csv");
    const ids = [1, 2, 3].map((i) => makeIdNumber("371702", "1992-03-04", i));
    fs.writeFileSync(
      roster,
      `某平台骑手花名册\n姓名,身份证号,手机号,站点,政治面貌\n孙骑手,'${ids[0]},13800001001,某外卖配送站,中共党员\n李骑手,${ids[1]},13800001002,某外卖配送站,群众\n周骑手,${ids[2]},13800001003,某配送加盟商甲,群众\n`,
    );
    const page = await admin.get("/imports/new");
    const preview = await admin
      .post(`/imports/new?_csrf=${encodeURIComponent(csrfFrom(page.text))}`)
      .field("kind", "roster")
      .field("platform", "某外卖平台")
      .field("orgId", String(wy.id))
      .attach("file", roster);
    expect(preview.status).toBe(200);
    const start = await admin
      .post("/imports/start")
      .type("form")
      .send({
        _csrf: csrfFrom(preview.text),
        upload: hiddenValue(preview.text, "upload"),
        kind: "roster",
        platform: "某外卖平台",
        orgId: String(wy.id),
        mode: "run",
        ...previewMapping(preview.text),
      });
    expect(start.status).toBe(303);
    const done = await waitImport(admin, /\/imports\/(\d+)$/.exec(start.headers.location!)![1]!);
    expect(done).toMatchObject({ status: "succeeded", summary: { rows: 3, inserted: 3, corrected: 1, leadsCreated: 1 } });
    expect(
      count(
        "SELECT count(*) FROM workers w JOIN enterprises e ON e.id = w.enterprise_id WHERE e.credit_code = ? AND w.org_id = ?",
        CREDIT[0],
        wy.id,
      ),
    ).toBe(2);
    expect(count("SELECT count(*) FROM workers WHERE id_number = ?", ids[0])).toBe(1);
  });
});

// Installations outside Heze: a city (Anshan 210300), a county (Haicheng 210381) and a province
// (Shandong 370000). Each is installed as setup installs it, then given a few committees and
// enterprises in different divisions; the reference data, the root organization, the dashboard's
// breakdowns and the coverage workbook must name that place and its divisions, never Heze.

import ExcelJS from "exceljs";
import type { Express } from "express";
import type request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { createApp } from "../../../server/app.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { testConfig } from "../../../server/config.js";
import { createUser, loadActor } from "../../../server/services/admin/users.js";
import { computeFigures, parseScopeParam } from "../../../server/services/coverage/coverage.service.js";
import { type InstallResult, installJurisdiction, JurisdictionError } from "../../../server/services/jurisdiction/jurisdiction.service.js";
import { signIn } from "../../helpers/app.js";
import { memoryDb } from "../../helpers/db.js";
import { addEnterprise, addMember, addOrg, cover, PASSWORD } from "../../helpers/fixtures.js";

type Place = {
  code: string;
  root: string;
  title: string;
  /** Regions below the jurisdiction, by level, as GB/T 2260 has them (without the 市辖区 placeholders). */
  below: Record<string, number>;
  /** Two divisions enterprises are put in, and a committee's own division. */
  enterpriseRegions: [string, string];
  committeeRegion: string;
  /** Headings of the dashboard's region breakdowns (section ids), and rows each must show. */
  breakdowns: Record<string, string[]>;
  /** The workbook's block headings after 一、按行业党委. */
  blocks: string[];
  /** A breakdown row's scope and the one enterprise it holds (the first of enterpriseRegions). */
  narrowed: string;
};

const PLACES: Place[] = [
  {
    code: "210300",
    root: "中共鞍山市委社会工作部",
    title: "鞍山市新就业群体党建“两个覆盖”情况统计表",
    below: { county: 7, town: 98 },
    enterpriseRegions: ["210302", "210381"],
    committeeRegion: "210300",
    breakdowns: { "by-county": ["铁东区", "海城市"] },
    blocks: ["二、按县（区）"],
    narrowed: "county:210302",
  },
  {
    code: "210381",
    root: "中共海城市委社会工作部",
    title: "海城市新就业群体党建“两个覆盖”情况统计表",
    below: { town: 26 },
    // One enterprise in a street of Haicheng, one recorded at the county only.
    enterpriseRegions: ["210381001", "210381"],
    committeeRegion: "210381",
    breakdowns: { "by-town": ["海州街道", "海城市本级"] },
    blocks: ["二、按乡镇（街道）"],
    narrowed: "town:210381001",
  },
  {
    code: "370000",
    root: "中共山东省委社会工作部",
    title: "山东省新就业群体党建“两个覆盖”情况统计表",
    below: { city: 16, county: 153, town: 1853 },
    // 济南市市中区 and 枣庄市市中区 share a name: province mode names counties with their city.
    enterpriseRegions: ["370103", "370402"],
    committeeRegion: "370000",
    breakdowns: { "by-city": ["济南市", "枣庄市"], "by-county": ["济南市市中区", "枣庄市市中区"] },
    blocks: ["二、按市", "三、按县（区）"],
    narrowed: "city:370100",
  },
];

function binary(res: request.Test) {
  return res.buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on("data", (c: Buffer) => chunks.push(c));
    r.on("end", () => cb(null, Buffer.concat(chunks)));
  });
}

describe.each(PLACES)("an installation for $code", (place) => {
  let h: DbHandle;
  let app: Express;
  let installed: InstallResult;
  let supId: number;

  beforeAll(async () => {
    h = memoryDb();
    installed = prepareDatabase(h, { jurisdiction: { regionCode: place.code } })!;
    const root = installed.jurisdiction.rootOrg;
    const committee = addOrg(h, {
      code: `${place.code}-PS`,
      name: "中共网约配送行业委员会",
      kind: "industry_committee",
      parentId: root.id,
      industryCode: "online_delivery",
      regionCode: place.committeeRegion,
    });
    const branch = addOrg(h, {
      code: `${place.code}-PS-1`,
      name: "中共某配送站支部委员会",
      kind: "branch",
      formation: "standalone",
      parentId: committee.id,
      industryCode: "online_delivery",
      regionCode: place.enterpriseRegions[0],
    });
    const covered = addEnterprise(h, committee.id, { regionCode: place.enterpriseRegions[0], industryCode: "online_delivery" });
    addEnterprise(h, committee.id, { regionCode: place.enterpriseRegions[1], industryCode: "online_delivery" });
    cover(h, branch.id, covered.id);
    addMember(h, branch.id, { enterpriseId: covered.id });
    supId = (await createUser(h.db, null, { username: "sup", displayName: "督导", role: "supervisor", orgId: root.id, password: PASSWORD }))
      .id;
    app = createApp({ db: h, config: testConfig() });
  });
  afterAll(() => h.close());

  it("has the regions below it down to streets and townships, and the root named after it", () => {
    const counts = h.sqlite
      .prepare("SELECT level, count(*) AS n FROM regions WHERE code LIKE ? AND code <> ? GROUP BY level")
      .all(`${place.code.replace(/0+$/, "")}%`, place.code) as { level: string; n: number }[];
    expect(Object.fromEntries(counts.map((c) => [c.level, c.n]))).toEqual(place.below);
    expect(installed.status).toBe("installed");
    expect(installed.jurisdiction.rootOrg.name).toBe(place.root);
    expect(installed.jurisdiction.rootOrg.code).toBe(place.code);
    // Nothing of Heze in the reference data, unless the jurisdiction holds it (Shandong does).
    expect(h.sqlite.prepare("SELECT count(*) AS n FROM regions WHERE name LIKE '%菏泽%'").get()).toEqual({
      n: place.code === "370000" ? 3 : 0,
    });
    // Every region hangs from one in the table.
    expect(
      h.sqlite
        .prepare("SELECT count(*) AS n FROM regions r WHERE parent_code IS NOT NULL AND parent_code NOT IN (SELECT code FROM regions)")
        .get(),
    ).toEqual({ n: 0 });
  });

  it("breaks the dashboard down by the jurisdiction's divisions", async () => {
    const sup = await signIn(app, "sup");
    const html = (await sup.get("/")).text;
    expect(html).not.toContain("菏泽");
    const sections = [...html.matchAll(/<section[^>]*aria-labelledby="(by-(?:city|county|town))-h"/g)].map((m) => m[1]);
    expect(sections).toEqual(Object.keys(place.breakdowns));
    for (const [id, labels] of Object.entries(place.breakdowns)) {
      const at = html.indexOf(`id="${id}-h"`);
      const section = html.slice(at, html.indexOf("</section>", at));
      for (const label of labels) expect(section, `${id} names ${label}`).toContain(`>${label}<`);
    }
  });

  it("narrows to one row of a breakdown: its figures count its division and everything below", async () => {
    const sup = await signIn(app, "sup");
    const html = (await sup.get(`/reports/figures/enterprises?scope=${place.narrowed}`)).text;
    expect(html).toContain("测试企业");
    expect([...html.matchAll(/href="\/enterprises\/\d+"/g)]).toHaveLength(1);
    const actor = loadActor(h.db, supId)!;
    expect(computeFigures(h.db, actor, parseScopeParam(place.narrowed)!).figures.enterprises).toBe(1);
    expect(computeFigures(h.db, actor, {}).figures.enterprises).toBe(2);
  });

  it("titles the coverage workbook with the jurisdiction and its root as 填报单位", async () => {
    const sup = await signIn(app, "sup");
    const res = await binary(sup.get("/reports/download?kind=coverage"));
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.getCell("A1").text).toBe(place.title);
    expect(ws.getCell("A2").text).toBe(`填报单位：${place.root}`);
    const headings: string[] = [];
    ws.eachRow((row) => {
      const t = row.getCell(1).text;
      if (/^[一二三四]、/.test(t)) headings.push(t);
    });
    expect(headings).toEqual(["一、按行业党委", ...place.blocks]);
    for (const labels of Object.values(place.breakdowns)) {
      const names: string[] = [];
      ws.eachRow((row) => names.push(row.getCell(2).text));
      for (const label of labels) expect(names).toContain(label);
    }
    const text: string[] = [];
    for (const sheet of wb.worksheets) sheet.eachRow((row) => row.eachCell((c) => text.push(c.text)));
    expect(text.join("\n")).not.toContain("菏泽");
  });

  it("is a no-op when installed again, and refuses another jurisdiction now that it holds data", () => {
    const before = h.sqlite.prepare("SELECT count(*) AS n FROM regions").get();
    const again = installJurisdiction(h.db, { regionCode: place.code });
    expect(again.status).toBe("unchanged");
    expect(again.added).toEqual({});
    expect(h.sqlite.prepare("SELECT count(*) AS n FROM regions").get()).toEqual(before);
    let refusal: unknown;
    try {
      installJurisdiction(h.db, { regionCode: "371700" });
    } catch (err) {
      refusal = err;
    }
    expect(refusal).toBeInstanceOf(JurisdictionError);
    expect((refusal as JurisdictionError).code).toBe("holds_data");
    expect((refusal as JurisdictionError).message).toContain("不能改为菏泽市（371700）");
    expect((refusal as JurisdictionError).english).toContain("cannot be changed to 371700");
    expect(installJurisdiction(h.db, { regionCode: place.code }).jurisdiction.rootOrg.name).toBe(place.root);
  });
});

describe("installing", () => {
  it("names the root as asked, derives 县委 for two-character counties, and refuses what is no jurisdiction", () => {
    const h = memoryDb();
    try {
      expect(prepareDatabase(h, { jurisdiction: { regionCode: "371721" } })!.jurisdiction.rootOrg.name).toBe("中共曹县县委社会工作部");
      // An empty installation may still be moved elsewhere; Heze's regions nothing uses go with it.
      const moved = installJurisdiction(h.db, { regionCode: "210300", rootName: "中共鞍山市委“两新”工委" });
      expect(moved.jurisdiction.rootOrg.name).toBe("中共鞍山市委“两新”工委");
      expect(h.sqlite.prepare("SELECT count(*) AS n FROM regions WHERE code LIKE '37%'").get()).toEqual({ n: 0 });
      for (const [code, reason] of [
        ["999999", "unknown_region"],
        ["210301", "not_a_jurisdiction"],
        ["210302001", "unknown_region"],
      ] as const)
        expect(() => installJurisdiction(h.db, { regionCode: code })).toThrowError(
          expect.objectContaining({ code: reason }) as unknown as Error,
        );
    } finally {
      h.close();
    }
  });
});

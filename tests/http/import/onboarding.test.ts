// Onboarding over HTTP: the organization tree, enterprises and instructors imported through the
// import pages (upload → preview → run or dry run → result), with the files named after their case.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { onboard, uploadOnboarding } from "../../helpers/onboarding.js";

let t: TestApp;
let uploadDir: string;
let admin: Agent;
let clerk: Agent;
let clerkPs: Agent;

beforeAll(async () => {
  uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), "uploads-"));
  t = await createTestApp({ uploadDir, uploadLimitBytes: 1024 * 1024 });
  [admin, clerk, clerkPs] = await Promise.all([signIn(t.app, "t-admin"), signIn(t.app, "t-clerk-dl"), signIn(t.app, "t-clerk-ps")]);
});
afterAll(() => {
  t.close();
  fs.rmSync(uploadDir, { recursive: true, force: true });
});

const org = (code: string) =>
  t.handle.sqlite
    .prepare(
      "SELECT id, kind, formation, parent_id AS parentId, path, region_code AS region, industry_code AS industry FROM organizations WHERE code = ?",
    )
    .get(code) as
    | { id: number; kind: string; formation: string | null; parentId: number; path: string; region: string; industry: string | null }
    | undefined;
const count = (sql: string, ...args: unknown[]) =>
  t.handle.sqlite
    .prepare(sql)
    .pluck()
    .get(...args) as number;
const issues = (id: string) =>
  t.handle.sqlite
    .prepare(`SELECT row_number AS row, outcome, "column", value, reason FROM import_issues WHERE import_id = ? ORDER BY id`)
    .all(id) as {
    row: number;
    outcome: string;
    column: string | null;
    value: string | null;
    reason: string;
  }[];

describe("onboarding organizations", () => {
  it("finds the header under a title and a 填报单位 line, reads national kind codes and region names, and the same file again changes nothing", async () => {
    const { id, done, preview } = await onboard(admin, "orgs-title-and-unit-above-header.csv", "organizations", t.city.root.id);
    expect(preview.text).toContain("第 3 行");
    expect(done).toMatchObject({ status: "succeeded", summary: { rows: 4, inserted: 4, updated: 0, unchanged: 0, rejected: 0 } });
    expect(org("HZ-KD")).toMatchObject({
      kind: "industry_committee",
      parentId: t.city.root.id,
      industry: "express_delivery",
      region: "371700",
    });
    expect(org("HZ-KD-001")).toMatchObject({ kind: "branch", formation: "standalone", parentId: org("HZ-KD")!.id, region: "371702" });
    expect(org("HZ-KD-002")).toMatchObject({ kind: "branch", formation: "joint" });
    expect(org("HZ-MD")).toMatchObject({ kind: "comprehensive_committee", region: "371702" });
    // Audited: each organization created, and the import itself.
    expect(count("SELECT count(*) FROM audit_log WHERE entity = 'organization' AND action = 'create'")).toBe(4);
    expect(count("SELECT count(*) FROM audit_log WHERE entity = 'import' AND entity_id = ?", id)).toBe(1);

    const again = await onboard(admin, "orgs-title-and-unit-above-header.csv", "organizations", t.city.root.id);
    expect(again.done).toMatchObject({ status: "succeeded", summary: { rows: 4, inserted: 0, updated: 0, unchanged: 4 } });
    expect(count("SELECT count(*) FROM audit_log WHERE entity = 'organization'")).toBe(4);
    const show = await admin.get(`/imports/${again.id}`);
    expect(show.text).toContain("导入结果");
    expect(show.text).not.toContain("新摸排线索");
  });

  it("places parents before children whatever the file's order", async () => {
    const { done } = await onboard(admin, "orgs-children-before-parents.csv", "organizations", t.city.root.id);
    expect(done).toMatchObject({ status: "succeeded", summary: { inserted: 3 } });
    const committee = org("HZ-ZB")!;
    const branch = org("HZ-ZB-001")!;
    expect(branch.parentId).toBe(committee.id);
    expect(org("HZ-ZB-001-G1")).toMatchObject({ kind: "group", parentId: branch.id, path: `${branch.path}${org("HZ-ZB-001-G1")!.id}/` });
  });

  it("a cycle of parents rejects the rows on it, naming them, and the whole file writes nothing", async () => {
    const orgsBefore = count("SELECT count(*) FROM organizations");
    const auditBefore = count("SELECT count(*) FROM audit_log");
    const { id, done } = await onboard(admin, "orgs-parent-cycle.csv", "organizations", t.city.root.id);
    expect(done.status).toBe("failed");
    expect(done.error).toContain("第2行");
    expect(done.summary).toMatchObject({ rows: 3, rejected: 2 });
    const listed = issues(id);
    expect(listed.map((i) => [i.row, i.outcome])).toEqual([
      [2, "rejected"],
      [3, "rejected"],
    ]);
    expect(listed[0]!.reason).toBe("上级组织编码形成循环：HZ-X1 → HZ-X2 → HZ-X1（第2、3行）");
    // Row 4 was fine, and is not written either: a failing file writes nothing.
    expect(org("HZ-X3")).toBeUndefined();
    expect(count("SELECT count(*) FROM organizations")).toBe(orgsBefore);
    expect(count("SELECT count(*) FROM audit_log")).toBe(auditBefore);
    const show = await admin.get(`/imports/${id}`);
    expect(show.text).toContain("导入失败");
    expect(show.text).toContain("第2行");
  });

  it("a missing parent rejects its row and the rows below it", async () => {
    const { id, done } = await onboard(admin, "orgs-missing-parent.csv", "organizations", t.city.root.id);
    expect(done.status).toBe("failed");
    expect(issues(id).map((i) => [i.row, i.reason])).toEqual([
      [2, "上级组织编码“HZ-NOWHERE”在文件和系统中都不存在"],
      [3, "上级组织（第2行）未能导入"],
    ]);
    expect(org("HZ-Y1")).toBeUndefined();
  });

  it("a temporary organization (9xx) is imported as its kind, with a note; a dry run writes nothing", async () => {
    const dry = await onboard(admin, "orgs-temporary-kind.csv", "organizations", t.city.root.id, "dry");
    expect(dry.done).toMatchObject({ status: "dry_run", summary: { inserted: 1, corrected: 1 } });
    expect(org("HZ-DL-LS")).toBeUndefined();
    const { id, done } = await onboard(admin, "orgs-temporary-kind.csv", "organizations", t.city.root.id);
    expect(done).toMatchObject({ status: "succeeded", summary: { inserted: 1, corrected: 1 } });
    expect(org("HZ-DL-LS")).toMatchObject({ kind: "branch", formation: "joint", parentId: t.city.dl.id });
    expect(issues(id)[0]).toMatchObject({ outcome: "corrected", reason: "临时党组织（932）按联合党支部（632）导入" });
  });

  it("a clerk onboards below their own committee only: a parent or an organization outside the subtree is refused", async () => {
    // HZ-DL's clerk: the temporary branch's file names HZ-DL as parent (inside), and HZ-DL-LS exists now: unchanged.
    const inside = await onboard(clerk, "orgs-temporary-kind.csv", "organizations", t.city.dl.id);
    expect(inside.done).toMatchObject({ status: "succeeded", summary: { unchanged: 1 } });
    // The same file from HZ-PS's clerk: HZ-DL-LS belongs to another committee.
    const outside = await onboard(clerkPs, "orgs-temporary-kind.csv", "organizations", t.city.ps.id);
    expect(outside.done.status).toBe("failed");
    expect(issues(outside.id).find((i) => i.outcome === "rejected")!.reason).toBe("组织编码“HZ-DL-LS”已被您管辖范围以外的党组织使用");
    // A branch under HZ-DL is fine, one under HZ-PS (another committee) is not: the file writes nothing.
    const across = await onboard(clerk, "orgs-parent-outside-clerks-subtree.csv", "organizations", t.city.dl.id);
    expect(across.done.status).toBe("failed");
    expect(issues(across.id)).toEqual([
      { row: 3, outcome: "rejected", column: "上级组织编码", value: null, reason: "上级党组织不存在或不在您的管辖范围内" },
    ]);
    expect(org("HZ-DL-003")).toBeUndefined();
    // The import's organization must be in scope too.
    const foreign = await uploadOnboarding(clerkPs, "orgs-temporary-kind.csv", "organizations", t.city.dl.id);
    expect(foreign.status).toBe(422);
    expect(foreign.text).toContain("所选党组织不存在或不在您的管辖范围内");
  });

  it("a file whose header is another onboarding kind's is refused naming the kind to choose, and writes nothing", async () => {
    const before = count("SELECT count(*) FROM imports");
    const ents = await uploadOnboarding(admin, "enterprises-good.csv", "organizations", t.city.root.id);
    expect(ents.status).toBe(422);
    expect(ents.text).toContain("这是企业名册的表头，请选择‘企业’导入");
    expect(ents.text).not.toContain("缺少必需的列");
    // The organization file's header sits under a title and a 填报单位 line: found there too.
    const orgs = await uploadOnboarding(admin, "orgs-title-and-unit-above-header.csv", "enterprises", t.city.dl.id);
    expect(orgs.status).toBe(422);
    expect(orgs.text).toContain("这是党组织名册的表头，请选择‘党组织’导入");
    // A header of no onboarding kind: the preview asks for the missing columns, as before.
    const other = path.join(uploadDir, "no-kind.csv");
    fs.writeFileSync(other, "企业名称,统一社会信用代码,备注\r\n菏泽甲货运有限公司,91371702MA3C00001R,无\r\n");
    const neither = await uploadOnboarding(admin, other, "organizations", t.city.root.id);
    expect(neither.text).toContain("缺少必需的列");
    expect(neither.text).not.toContain("的表头，请选择");
    expect(count("SELECT count(*) FROM imports")).toBe(before);
  });

  it("secretaries and supervisors are refused the page, the templates and the upload", async () => {
    for (const name of ["t-sec-dl", "t-supervisor"]) {
      const a = await signIn(t.app, name);
      expect((await a.get("/onboarding")).status).toBe(403);
      expect((await a.get("/onboarding/templates/organizations.xlsx")).status).toBe(403);
    }
    // A secretary forging the upload form (the token of a page they may open).
    const sec = await signIn(t.app, "t-sec-dl");
    const res = await sec
      .post(`/imports/new?_csrf=${encodeURIComponent(await sec.csrf("/members"))}`)
      .field("kind", "organizations")
      .field("orgId", String(t.city.dlBranch.id))
      .attach("file", path.join("tests/fixtures/onboarding", "orgs-temporary-kind.csv"));
    expect(res.status).toBe(403);
    expect(org("HZ-DL-LS")).toBeDefined();
    expect(count("SELECT count(*) FROM imports WHERE user_id = ?", t.city.userIds.secretary)).toBe(0);
  });
});

describe("onboarding templates", () => {
  it("each kind downloads as a workbook with the header row, an example row and the instructions listing the installation's codes", async () => {
    for (const [kind, header] of [
      ["organizations", "组织编码（必填）"],
      ["enterprises", "企业名称（必填）"],
      ["instructors", "姓名（必填）"],
    ] as const) {
      const res = await clerk
        .get(`/onboarding/templates/${kind}.xlsx`)
        .buffer(true)
        .parse((r, cb) => {
          const chunks: Buffer[] = [];
          r.on("data", (c: Buffer) => chunks.push(c));
          r.on("end", () => cb(null, Buffer.concat(chunks)));
        });
      expect(res.status).toBe(200);
      expect(res.headers["content-type"]).toContain("spreadsheetml");
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.load(res.body as ArrayBuffer);
      const sheet = wb.getWorksheet("填报")!;
      expect((sheet.getRow(1).values as string[]).filter(Boolean)[0]).toBe(header);
      expect(sheet.rowCount).toBe(2);
      const help = wb.getWorksheet("填写说明")!;
      const text = help.getSheetValues().flat().join(" ");
      if (kind === "organizations") expect(text).toContain("632");
      if (kind !== "instructors") expect(text).toContain("牡丹区");
      // The clerk's own committee, not the other one.
      expect(text).toContain("HZ-DL");
      expect(text).not.toContain("HZ-PS");
    }
    expect((await clerk.get("/onboarding/templates/members.xlsx")).status).toBe(404);
  });
});

describe("onboarding enterprises and instructors", () => {
  it("imports enterprises with their credit codes and covering organizations; the same file again changes nothing", async () => {
    const { done } = await onboard(clerk, "enterprises-good.csv", "enterprises", t.city.dl.id);
    expect(done).toMatchObject({ status: "succeeded", summary: { rows: 3, inserted: 3, corrected: 1 } });
    const covered = count(
      "SELECT count(*) FROM organization_enterprises oe JOIN organizations o ON o.id = oe.organization_id WHERE o.code = 'HZ-DL-002'",
    );
    expect(covered).toBe(2);
    expect(
      t.handle.sqlite
        .prepare("SELECT kind, region_code, worker_count, legal_rep_is_secretary FROM enterprises WHERE credit_code = '91371702MA3C00001R'")
        .get(),
    ).toEqual({
      kind: "transport_company",
      region_code: "371702",
      worker_count: 60,
      legal_rep_is_secretary: 1,
    });
    const again = await onboard(clerk, "enterprises-good.csv", "enterprises", t.city.dl.id);
    expect(again.done).toMatchObject({ status: "succeeded", summary: { inserted: 0, updated: 0, unchanged: 3 } });
  });

  it("a bad credit code (GB 32100 check) rejects its row and the file writes nothing", async () => {
    const before = count("SELECT count(*) FROM enterprises");
    const { id, done } = await onboard(clerk, "enterprises-bad-credit-code.csv", "enterprises", t.city.dl.id);
    expect(done.status).toBe("failed");
    expect(issues(id)).toEqual([
      { row: 3, outcome: "rejected", column: "统一社会信用代码", value: "91371702MA3C000050", reason: "统一社会信用代码校验位不正确" },
    ]);
    expect(count("SELECT count(*) FROM enterprises")).toBe(before);
  });

  it("another committee's clerk cannot take over enterprises or name a committee outside their scope", async () => {
    const { id, done } = await onboard(clerkPs, "enterprises-good.csv", "enterprises", t.city.ps.id);
    expect(done.status).toBe("failed");
    expect(
      issues(id)
        .filter((i) => i.outcome === "rejected")
        .map((i) => i.column),
    ).toEqual(["负责党委编码", "负责党委编码", "负责党委编码"]);
    expect(count("SELECT count(*) FROM enterprises e JOIN organizations o ON o.id = e.committee_id WHERE o.code = 'HZ-PS'")).toBe(1);
  });

  it("imports instructors with their assignments (one person on two rows is one instructor); again changes nothing", async () => {
    const { done } = await onboard(clerk, "instructors-with-assignments.csv", "instructors", t.city.dl.id);
    expect(done).toMatchObject({ status: "succeeded", summary: { rows: 3, inserted: 3, rejected: 0 } });
    expect(count("SELECT count(*) FROM instructors WHERE name = '周指导'")).toBe(1);
    expect(
      count(
        "SELECT count(*) FROM instructor_assignments ia JOIN instructors i ON i.id = ia.instructor_id WHERE i.name = '周指导' AND ia.ended_on IS NULL",
      ),
    ).toBe(2);
    expect(count("SELECT count(*) FROM instructors WHERE name = '吴联络' AND kind = 'liaison'")).toBe(1);
    const again = await onboard(clerk, "instructors-with-assignments.csv", "instructors", t.city.dl.id);
    expect(again.done).toMatchObject({ status: "succeeded", summary: { inserted: 0, updated: 0, unchanged: 3 } });
    expect(count("SELECT count(*) FROM instructor_assignments")).toBe(2);
  });

  it("another committee's clerk cannot dispatch instructors from HZ-DL", async () => {
    const { done } = await onboard(clerkPs, "instructors-with-assignments.csv", "instructors", t.city.ps.id);
    expect(done.status).toBe("failed");
    expect(count("SELECT count(*) FROM instructors")).toBe(2);
  });
});

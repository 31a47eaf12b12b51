import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { fixtureId } from "../../fixtures/rosters/people.js";
import { type Agent, createTestApp, csrfFrom, signIn, type TestApp } from "../../helpers/app.js";
import { ROSTERS_DIR } from "../../helpers/paths.js";

const FIX = ROSTERS_DIR;

let t: TestApp;
let uploadDir: string;
beforeEach(async () => {
  uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), "uploads-"));
  t = await createTestApp({ uploadDir, uploadLimitBytes: 1024 * 1024 });
});
afterEach(() => {
  t.close();
  fs.rmSync(uploadDir, { recursive: true, force: true });
});

/** Uploads a fixture through the form and returns the preview page. */
async function upload(agent: Agent, file: string, fields: Record<string, string>) {
  const page = await agent.get("/imports/new");
  expect(page.status).toBe(200);
  const token = csrfFrom(page.text);
  let req = agent.post(`/imports/new?_csrf=${encodeURIComponent(token)}`);
  for (const [k, v] of Object.entries(fields)) req = req.field(k, v);
  return req.attach("file", path.join(FIX, file));
}

function hidden(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m) throw new Error(`no ${name} in page`);
  return m[1]!;
}

async function waitDone(agent: Agent, id: string) {
  for (let i = 0; i < 100; i++) {
    const p = await agent.get(`/imports/${id}/progress`).set("Accept", "application/json");
    expect(p.status).toBe(200);
    if (p.body.phase === "done") return p.body;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error("import did not finish");
}

describe("imports over HTTP", () => {
  it("upload → preview → run → progress → summary → error list, and the leads page shows the finds", async () => {
    const clerk = await signIn(t.app, "t-clerk-ps");
    const preview = await upload(clerk, "gbk-crlf.csv", { kind: "roster", platform: "某外卖平台", orgId: String(t.city.ps.id) });
    expect(preview.status).toBe(200);
    expect(preview.text).toContain("GBK / GB18030");
    expect(preview.text).toContain("逗号分隔");
    expect(preview.text).toContain('<option value="公民身份号码" selected>');
    expect(preview.text).toContain("张伟");
    // The sample shows what each column holds, not whose it is: ID and phone numbers masked.
    expect(preview.text).toContain("371702********1008");
    expect(preview.text).toContain("138****0001");
    expect(preview.text).not.toContain("371702199001011008");
    expect(preview.text).not.toContain("13800000001");
    const upload_ = hidden(preview.text, "upload");
    expect(upload_).toMatch(/^[a-f0-9]{32}$/);
    // The stored file has a server-made name, not the client's.
    expect(fs.readdirSync(uploadDir)).toEqual([upload_]);

    const start = await clerk
      .post("/imports/start")
      .type("form")
      .send({
        _csrf: csrfFrom(preview.text),
        upload: upload_,
        kind: "roster",
        platform: "某外卖平台",
        orgId: String(t.city.ps.id),
        mode: "run",
        map_idNumber: "公民身份号码",
        map_name: "骑手姓名",
        map_politicalStatus: "政治面貌",
      });
    expect(start.status).toBe(303);
    const id = /\/imports\/(\d+)$/.exec(start.headers.location ?? "")![1]!;
    const done = await waitDone(clerk, id);
    expect(done).toMatchObject({ status: "succeeded", rowsDone: 5 });
    expect(done.summary).toMatchObject({ rows: 5, inserted: 5, leadsCreated: 2 });

    const show = await clerk.get(`/imports/${id}`);
    expect(show.status).toBe(200);
    expect(show.text).toContain("导入结果");
    expect(show.text).not.toContain("imports.js");

    const list = await clerk.get("/imports");
    expect(list.text).toContain(`/imports/${id}`);

    const leads = await clerk.get("/leads?status=open");
    expect(leads.status).toBe(200);
    expect(leads.text).toContain("张伟");
    expect(leads.text).toContain("陈静");
    expect(leads.text).toContain('摸排线索<span class="badge">2</span>'); // the nav badge: open leads
    expect(leads.text).not.toContain(fixtureId(0)); // masked
    expect(leads.text).toContain(`${fixtureId(0).slice(0, 6)}********${fixtureId(0).slice(-4)}`);
  });

  it("a dry run shows what would happen, then runs for real from its page", async () => {
    const clerk = await signIn(t.app, "t-clerk-ps");
    const preview = await upload(clerk, "duplicate-rows.csv", { kind: "roster", platform: "P", orgId: String(t.city.ps.id) });
    const dry = await clerk
      .post("/imports/start")
      .type("form")
      .send({
        _csrf: csrfFrom(preview.text),
        upload: hidden(preview.text, "upload"),
        kind: "roster",
        platform: "P",
        orgId: String(t.city.ps.id),
        mode: "dry",
        map_idNumber: "身份证号",
        map_name: "姓名",
      });
    const dryId = /\/imports\/(\d+)$/.exec(dry.headers.location ?? "")![1]!;
    expect((await waitDone(clerk, dryId)).status).toBe("dry_run");
    expect(t.handle.sqlite.prepare("SELECT count(*) FROM workers").pluck().get()).toBe(0);
    const page = await clerk.get(`/imports/${dryId}`);
    expect(page.text).toContain("试运行结果（未写入数据库）");
    expect(page.text).toContain("确认无误，正式导入");
    const real = await clerk
      .post("/imports/start")
      .type("form")
      .send({
        _csrf: csrfFrom(page.text),
        upload: hidden(page.text, "upload"),
        kind: "roster",
        platform: "P",
        orgId: String(t.city.ps.id),
        mode: "run",
        map_idNumber: hidden(page.text, "map_idNumber"),
        map_name: hidden(page.text, "map_name"),
      });
    const realId = /\/imports\/(\d+)$/.exec(real.headers.location ?? "")![1]!;
    expect(await waitDone(clerk, realId)).toMatchObject({ status: "succeeded", summary: { inserted: 3, duplicates: 2 } });
    expect(t.handle.sqlite.prepare("SELECT count(*) FROM workers").pluck().get()).toBe(3);
    // A real run does not keep the upload.
    await new Promise((r) => setTimeout(r, 50));
    expect(fs.readdirSync(uploadDir)).toEqual([]);
  });

  it("shows the error list and serves it as .xlsx", async () => {
    const clerk = await signIn(t.app, "t-clerk-ps");
    const preview = await upload(clerk, "excel-scientific-ids.csv", { kind: "roster", platform: "P", orgId: String(t.city.ps.id) });
    const start = await clerk
      .post("/imports/start")
      .type("form")
      .send({
        _csrf: csrfFrom(preview.text),
        upload: hidden(preview.text, "upload"),
        kind: "roster",
        platform: "P",
        orgId: String(t.city.ps.id),
        mode: "run",
        map_idNumber: "身份证号",
        map_name: "姓名",
      });
    const id = /\/imports\/(\d+)$/.exec(start.headers.location ?? "")![1]!;
    await waitDone(clerk, id);
    const show = await clerk.get(`/imports/${id}`);
    expect(show.text).toContain("问题清单（3 条）");
    expect(show.text).toContain("第2行");
    const xlsx = await clerk
      .get(`/imports/${id}/issues.xlsx`)
      .buffer(true)
      .parse((res, cb) => {
        const parts: Buffer[] = [];
        res.on("data", (c: Buffer) => parts.push(c));
        res.on("end", () => cb(null, Buffer.concat(parts)));
      });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers["content-type"]).toBe("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
    expect((xlsx.body as Buffer).subarray(0, 2).toString()).toBe("PK");
  });

  it("refuses files that are not tables, with the reason, and keeps nothing", async () => {
    const clerk = await signIn(t.app, "t-clerk-ps");
    const res = await upload(clerk, "binary-renamed.csv", { kind: "roster", platform: "P", orgId: String(t.city.ps.id) });
    expect(res.status).toBe(422);
    expect(res.text).toContain("文件不是表格");
    expect(fs.readdirSync(uploadDir)).toEqual([]);
    const missing = await upload(clerk, "missing-id-column.csv", { kind: "roster", platform: "P", orgId: String(t.city.ps.id) });
    expect(missing.status).toBe(200);
    expect(missing.text).toContain("缺少必需的列");
  });

  it("asks for the platform of a roster before previewing", async () => {
    const clerk = await signIn(t.app, "t-clerk-ps");
    const res = await upload(clerk, "utf8-bom.csv", { kind: "roster", platform: " ", orgId: String(t.city.ps.id) });
    expect(res.status).toBe(422);
    expect(res.text).toContain("请填写平台名称");
    expect(fs.readdirSync(uploadDir)).toEqual([]);
  });

  it("refuses an upload over the limit", async () => {
    const clerk = await signIn(t.app, "t-clerk-ps");
    const big = path.join(uploadDir, "..", `big-${process.pid}.csv`);
    fs.writeFileSync(big, `姓名,身份证号\n${"张伟,1\n".repeat(200_000)}`);
    const page = await clerk.get("/imports/new");
    const res = await clerk
      .post(`/imports/new?_csrf=${encodeURIComponent(csrfFrom(page.text))}`)
      .field("kind", "roster")
      .field("platform", "P")
      .field("orgId", String(t.city.ps.id))
      .attach("file", big);
    fs.rmSync(big);
    expect(res.status).toBe(413);
    expect(res.text).toContain("超过上传上限");
  });

  it("refuses a multipart upload without the CSRF token", async () => {
    const clerk = await signIn(t.app, "t-clerk-ps");
    const res = await clerk.post("/imports/new").field("kind", "roster").attach("file", path.join(FIX, "utf8-bom.csv"));
    expect(res.status).toBe(403);
    expect(fs.readdirSync(uploadDir)).toEqual([]);
  });

  it("keeps another committee's imports out of reach, and secretaries out of imports", async () => {
    const clerk = await signIn(t.app, "t-clerk-ps");
    const preview = await upload(clerk, "utf8-bom.csv", { kind: "roster", platform: "P", orgId: String(t.city.ps.id) });
    const start = await clerk
      .post("/imports/start")
      .type("form")
      .send({
        _csrf: csrfFrom(preview.text),
        upload: hidden(preview.text, "upload"),
        kind: "roster",
        platform: "P",
        orgId: String(t.city.ps.id),
        mode: "run",
        map_idNumber: "身份证号",
        map_name: "姓名",
      });
    const id = /\/imports\/(\d+)$/.exec(start.headers.location ?? "")![1]!;
    await waitDone(clerk, id);
    const other = await signIn(t.app, "t-clerk-dl");
    expect((await other.get(`/imports/${id}`)).status).toBe(404);
    expect((await other.get(`/imports/${id}/progress`)).status).toBe(404);
    expect((await other.get(`/imports/${id}/issues.xlsx`)).status).toBe(404);
    expect((await other.get("/imports")).text).not.toContain(`/imports/${id}"`);
    // Another clerk cannot run an upload that is not theirs, nor import into a committee outside their scope.
    const stolen = await other
      .post("/imports/start")
      .type("form")
      .send({
        _csrf: await other.csrf("/imports/new"),
        upload: hidden(preview.text, "upload"),
        kind: "roster",
        platform: "P",
        orgId: String(t.city.dl.id),
        mode: "run",
      });
    expect(stolen.status).toBe(422);
    const page = await other.get("/imports/new");
    expect(page.text).not.toContain(`value="${t.city.ps.id}"`);
    const sec = await signIn(t.app, "t-sec-ps");
    expect((await sec.get("/imports/new")).status).toBe(403);
    expect((await sec.get(`/imports/${id}`)).status).toBe(403);
  });

  it("verifies a lead into a branch, rejects another", async () => {
    const clerk = await signIn(t.app, "t-clerk-ps");
    const preview = await upload(clerk, "gbk-crlf.csv", { kind: "roster", platform: "P", orgId: String(t.city.ps.id) });
    const start = await clerk
      .post("/imports/start")
      .type("form")
      .send({
        _csrf: csrfFrom(preview.text),
        upload: hidden(preview.text, "upload"),
        kind: "roster",
        platform: "P",
        orgId: String(t.city.ps.id),
        mode: "run",
        map_idNumber: "公民身份号码",
        map_name: "骑手姓名",
        map_politicalStatus: "政治面貌",
      });
    await waitDone(clerk, /\/imports\/(\d+)$/.exec(start.headers.location ?? "")![1]!);
    const ids = t.handle.sqlite.prepare("SELECT id FROM leads ORDER BY id_number").pluck().all() as number[];
    const detail = await clerk.get(`/leads/${ids[0]}`);
    expect(detail.status).toBe(200);
    const v = await clerk
      .post(`/leads/${ids[0]}/verify`)
      .type("form")
      .send({ _csrf: csrfFrom(detail.text), branchId: String(t.city.psBranch.id) });
    expect(v.status).toBe(303);
    expect(v.headers.location).toMatch(/^\/members\/\d+$/);
    const emptyReason = await clerk
      .post(`/leads/${ids[1]}/reject`)
      .type("form")
      .send({ _csrf: csrfFrom(detail.text), reason: " " });
    expect(emptyReason.status).toBe(422);
    expect(emptyReason.text).toContain("请填写排除原因");
    const r = await clerk
      .post(`/leads/${ids[1]}/reject`)
      .type("form")
      .send({ _csrf: csrfFrom(detail.text), reason: "平台填报有误" });
    expect(r.status).toBe(303);
    expect(t.handle.sqlite.prepare("SELECT status FROM leads ORDER BY id_number").pluck().all()).toEqual(["verified", "rejected"]);
    const other = await signIn(t.app, "t-clerk-dl");
    expect((await other.get(`/leads/${ids[0]}`)).status).toBe(404);
  });
});

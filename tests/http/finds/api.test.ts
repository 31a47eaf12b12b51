import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import iconv from "iconv-lite";
import request from "supertest";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { Config } from "../../../server/config.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";

let t: TestApp;
let dir: string;
let admin: Agent;

async function setup(over: Partial<Config> = {}) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-api-test-"));
  t = await createTestApp({ uploadDir: dir, ...over });
  admin = await signIn(t.app, "t-admin");
}
beforeEach(() => setup());
afterEach(() => {
  t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const PLATFORM = "某外卖平台";
const url = (platform = PLATFORM) => `/api/v1/rosters/${encodeURIComponent(platform)}/batches`;

/** Issues a key through the admin page and reads it off the page that shows it once. */
async function issueKey(platform = PLATFORM, committeeId = t.city.dl.id): Promise<{ key: string; html: string }> {
  const csrf = await admin.csrf("/admin/api-keys");
  const res = await admin
    .post("/admin/api-keys")
    .type("form")
    .send({ label: "每日推送", platform, committeeId: String(committeeId), _csrf: csrf });
  expect(res.status).toBe(201);
  const m = /<code class="secret" id="api-key">([^<]+)<\/code>/.exec(res.text);
  if (!m) throw new Error("no key on the page");
  return { key: m[1]!, html: res.text };
}

const W = (i: number, over: Record<string, unknown> = {}) => ({
  idNumber: makeIdNumber("371702", "1990-01-01", 100 + i),
  name: `骑手${i}`,
  phone: `1390000${String(i).padStart(4, "0")}`,
  station: "东门站",
  ...over,
});

function batch(over: Record<string, unknown> = {}) {
  return {
    batchId: "2025-06-01.a",
    complete: true,
    workers: [W(1), W(2, { politicalStatus: "中共党员" }), W(3, { politicalStatus: "群众", occupation: "外卖骑手" })],
    ...over,
  };
}

const count = (table: string) => t.handle.sqlite.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
const counts = () => ({
  imports: count("imports"),
  workers: count("workers"),
  leads: count("leads"),
  files: fs.existsSync(path.join(dir, "api")) ? fs.readdirSync(path.join(dir, "api")).length : 0,
});
const NOTHING = { imports: 0, workers: 0, leads: 0, files: 0 };

function expectError(res: request.Response, status: number, code: string) {
  expect(res.status).toBe(status);
  expect(res.headers["content-type"]).toContain("application/json");
  expect(res.body.error.code).toBe(code);
  expect(typeof res.body.error.message).toBe("string");
  expect(res.headers["set-cookie"]).toBeUndefined();
}

describe("API keys", () => {
  it("shows a key once and stores only its SHA-256; the list shows prefix, platform, committee and use", async () => {
    const { key } = await issueKey();
    expect(key).toMatch(/^pck_[A-Za-z0-9_-]{43}$/);
    const row = t.handle.sqlite.prepare("SELECT * FROM api_keys").get() as Record<string, unknown>;
    expect(row.key_hash).toBe(createHash("sha256").update(key).digest("hex"));
    expect(row.prefix).toBe(key.slice(0, 12));
    const everything = JSON.stringify([
      t.handle.sqlite.prepare("SELECT * FROM api_keys").all(),
      t.handle.sqlite.prepare("SELECT * FROM audit_log").all(),
    ]);
    expect(everything).not.toContain(key);
    const list = await admin.get("/admin/api-keys");
    expect(list.text).toContain(`${key.slice(0, 12)}…`);
    expect(list.text).not.toContain(key);
    expect(list.text).toContain(PLATFORM);
    expect(list.text).toContain(t.city.dl.name);
    expect(list.text).toContain("从未使用");
    await request(t.app).post(url()).set("Authorization", `Bearer ${key}`).send(batch());
    expect((await admin.get("/admin/api-keys")).text).not.toContain("从未使用");
  });

  it("is for administrators only", async () => {
    const clerk = await signIn(t.app, "t-clerk-dl");
    expect((await clerk.get("/admin/api-keys")).status).toBe(403);
  });
});

describe("platform feed: refusals (nothing written)", () => {
  it("answers 401 unauthorized without a key, with a wrong key, and with a revoked key", async () => {
    const { key } = await issueKey();
    expectError(await request(t.app).post(url()).send(batch()), 401, "unauthorized");
    expectError(
      await request(t.app)
        .post(url())
        .set("Authorization", `Bearer pck_${"x".repeat(43)}`)
        .send(batch()),
      401,
      "unauthorized",
    );
    expectError(
      await request(t.app)
        .post(url())
        .set("Authorization", `Basic ${Buffer.from(`a:${key}`).toString("base64")}`)
        .send(batch()),
      401,
      "unauthorized",
    );
    const id = t.handle.sqlite.prepare("SELECT id FROM api_keys").pluck().get();
    const csrf = await admin.csrf("/admin/api-keys");
    expect((await admin.post(`/admin/api-keys/${id}/revoke`).type("form").send({ _csrf: csrf })).status).toBe(303);
    const revoked = await request(t.app).post(url()).set("Authorization", `Bearer ${key}`).send(batch());
    expectError(revoked, 401, "unauthorized");
    expect(revoked.body.error.message).toContain("吊销");
    expect(counts()).toEqual(NOTHING);
  });

  it("answers 403 forbidden_platform for a key of another platform", async () => {
    const { key } = await issueKey("某货运平台");
    expectError(await request(t.app).post(url()).set("Authorization", `Bearer ${key}`).send(batch()), 403, "forbidden_platform");
    expect(counts()).toEqual(NOTHING);
  });

  it("answers 400 invalid_payload for malformed JSON, a wrong shape, an unknown field, an empty batch or a missing content type", async () => {
    const { key } = await issueKey();
    const auth = `Bearer ${key}`;
    expectError(
      await request(t.app)
        .post(url())
        .set("Authorization", auth)
        .set("Content-Type", "application/json")
        .send('{"batchId": "x", "workers": ['),
      400,
      "invalid_payload",
    );
    // An ID number sent as a JSON number has already lost its last digits: refused, never rounded.
    const shape = await request(t.app)
      .post(url())
      .set("Authorization", auth)
      .set("Content-Type", "application/json")
      .send('{"batchId": "b1", "complete": "yes", "workers": [{"idNumber": 370102199001011234, "name": "x"}]}');
    expectError(shape, 400, "invalid_payload");
    expect(shape.body.error.fields).toMatchObject({ complete: expect.any(String), "workers.0.idNumber": expect.any(String) });
    const unknown = await request(t.app)
      .post(url())
      .set("Authorization", auth)
      .send(batch({ workers: [{ ...W(1), politcalStatus: "中共党员" }] }));
    expectError(unknown, 400, "invalid_payload");
    expect(unknown.body.error.message).toContain("politcalStatus");
    expectError(
      await request(t.app)
        .post(url())
        .set("Authorization", auth)
        .send(batch({ workers: [] })),
      400,
      "invalid_payload",
    );
    expectError(
      await request(t.app)
        .post(url())
        .set("Authorization", auth)
        .send(batch({ batchId: "../etc/passwd" })),
      400,
      "invalid_payload",
    );
    expectError(
      await request(t.app).post(url()).set("Authorization", auth).set("Content-Type", "application/xml").send("<x/>"),
      400,
      "invalid_payload",
    );
    expect(counts()).toEqual(NOTHING);
  });

  it("answers 400 invalid_payload for a CSV without the required columns, or without batchId", async () => {
    const { key } = await issueKey();
    const noId = await request(t.app)
      .post(`${url()}?batchId=c1&complete=true`)
      .set("Authorization", `Bearer ${key}`)
      .set("Content-Type", "text/csv")
      .send("姓名,手机号\n张三,13900000000\n");
    expectError(noId, 400, "invalid_payload");
    expect(noId.body.error.message).toContain("身份证号");
    const noBatch = await request(t.app)
      .post(url())
      .set("Authorization", `Bearer ${key}`)
      .set("Content-Type", "text/csv")
      .send(`身份证号,姓名\n${W(1).idNumber},张三\n`);
    expectError(noBatch, 400, "invalid_payload");
    expect(counts()).toEqual(NOTHING);
  });

  it("answers 413 payload_too_large over the limit, for JSON and for CSV", async () => {
    t.close();
    fs.rmSync(dir, { recursive: true, force: true });
    await setup({ uploadLimitBytes: 2048 });
    const { key } = await issueKey();
    const many = batch({ workers: Array.from({ length: 60 }, (_, i) => W(i)) });
    expectError(await request(t.app).post(url()).set("Authorization", `Bearer ${key}`).send(many), 413, "payload_too_large");
    const csv = `身份证号,姓名\n${Array.from({ length: 120 }, (_, i) => `${W(i).idNumber},骑手${i}`).join("\n")}\n`;
    expectError(
      await request(t.app)
        .post(`${url()}?batchId=c1&complete=true`)
        .set("Authorization", `Bearer ${key}`)
        .set("Content-Type", "text/csv")
        .send(csv),
      413,
      "payload_too_large",
    );
    // Streamed without a Content-Length: counted while written, the partial file removed.
    const chunked = await new Promise<request.Response>((resolve, reject) => {
      const req = request(t.app)
        .post(`${url()}?batchId=c2&complete=true`)
        .set("Authorization", `Bearer ${key}`)
        .set("Content-Type", "text/csv");
      for (let i = 0; i < 8; i++) req.write(csv.slice(i * 500, (i + 1) * 500));
      req.end((err, res) => (res ? resolve(res) : reject(err)));
    });
    expectError(chunked, 413, "payload_too_large");
    expect((chunked as unknown as { req: { getHeader(n: string): unknown } }).req.getHeader("content-length")).toBeUndefined();
    expect(counts()).toEqual(NOTHING);
  });

  it("answers unknown API paths with JSON 404 and no session", async () => {
    expectError(await request(t.app).get("/api/v1/nothing-here"), 404, "not_found");
  });
});

describe("platform feed: batches through the roster pipeline", () => {
  it("imports a JSON batch, answers the CLI's summary, raises a platform_report lead, and shows in the import history", async () => {
    const { key } = await issueKey();
    const res = await request(t.app).post(url()).set("Authorization", `Bearer ${key}`).send(batch());
    expect(res.status).toBe(200);
    expect(res.headers["set-cookie"]).toBeUndefined();
    expect(Object.keys(res.body).sort()).toEqual(
      [
        "importId",
        "kind",
        "encoding",
        "rows",
        "inserted",
        "updated",
        "unchanged",
        "corrected",
        "duplicates",
        "rejected",
        "membersMatched",
        "leadsCreated",
        "departed",
      ].sort(),
    );
    expect(res.body).toMatchObject({ kind: "roster", rows: 3, inserted: 3, rejected: 0, leadsCreated: 1, departed: 0 });
    const imp = t.handle.sqlite
      .prepare("SELECT source, platform, org_id AS orgId, status, original_name AS name, user_id AS userId FROM imports WHERE id = ?")
      .get(res.body.importId);
    expect(imp).toEqual({
      source: "api",
      platform: PLATFORM,
      orgId: t.city.dl.id,
      status: "succeeded",
      name: "API 批次 2025-06-01.a",
      userId: null,
    });
    const lead = t.handle.sqlite.prepare("SELECT channel, committee_id AS committeeId, platform FROM leads").get();
    expect(lead).toEqual({ channel: "platform_report", committeeId: t.city.dl.id, platform: PLATFORM });
    expect(t.handle.sqlite.prepare("SELECT occupation FROM workers WHERE id_number = ?").pluck().get(W(3).idNumber)).toBe("delivery_rider");
  });

  it("rejects bad rows one by one (the pipeline's reasons) and keeps the good ones", async () => {
    const { key } = await issueKey();
    const bad = W(9).idNumber.slice(0, 17) + (W(9).idNumber.endsWith("1") ? "2" : "1");
    const res = await request(t.app)
      .post(url())
      .set("Authorization", `Bearer ${key}`)
      .send(batch({ workers: [W(1), W(9, { idNumber: bad }), W(1)] }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 3, inserted: 1, rejected: 1, duplicates: 1 });
    const issue = t.handle.sqlite.prepare("SELECT row_number AS row, reason FROM import_issues WHERE outcome = 'rejected'").get();
    expect(issue).toEqual({ row: 3, reason: "身份证号校验位不正确" });
  });

  it("changes nothing when the same batch is sent again (the pipeline's idempotency)", async () => {
    const { key } = await issueKey();
    const first = await request(t.app).post(url()).set("Authorization", `Bearer ${key}`).send(batch());
    const before = { ...counts(), events: count("member_events") };
    const again = await request(t.app).post(url()).set("Authorization", `Bearer ${key}`).send(batch());
    expect(again.status).toBe(200);
    expect(again.body.importId).not.toBe(first.body.importId);
    expect(again.body).toMatchObject({ rows: 3, inserted: 0, updated: 0, unchanged: 3, leadsCreated: 0, departed: 0 });
    const after = { ...counts(), events: count("member_events") };
    expect(after).toEqual({ ...before, imports: before.imports + 1, files: before.files + 1 });
  });

  it("marks departures for a complete batch that leaves someone out", async () => {
    const { key } = await issueKey();
    await request(t.app).post(url()).set("Authorization", `Bearer ${key}`).send(batch());
    const res = await request(t.app)
      .post(url())
      .set("Authorization", `Bearer ${key}`)
      .send(batch({ batchId: "2025-06-02", workers: [W(1), W(2, { politicalStatus: "中共党员" })] }));
    expect(res.body).toMatchObject({ departed: 1 });
    expect(t.handle.sqlite.prepare("SELECT left_on IS NOT NULL FROM workers WHERE id_number = ?").pluck().get(W(3).idNumber)).toBe(1);
  });

  it("marks nobody departed for a partial batch (complete: false), and refreshes only the workers it names", async () => {
    const { key } = await issueKey();
    await request(t.app).post(url()).set("Authorization", `Bearer ${key}`).send(batch());
    // Everyone was last seen "yesterday"; the partial batch names W(1) and a new hire W(4).
    t.handle.sqlite.prepare("UPDATE workers SET last_seen_on = '2000-01-01'").run();
    const res = await request(t.app)
      .post(url())
      .set("Authorization", `Bearer ${key}`)
      .send(batch({ batchId: "2025-06-02.partial", complete: false, workers: [W(1), W(4, { politicalStatus: "中共预备党员" })] }));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ rows: 2, inserted: 1, departed: 0, leadsCreated: 1 });
    const seen = t.handle.sqlite
      .prepare("SELECT id_number AS id, last_seen_on AS seen, left_on AS leftOn FROM workers ORDER BY id_number")
      .all() as { id: string; seen: string; leftOn: string | null }[];
    expect(seen.every((w) => w.leftOn === null)).toBe(true);
    const today = seen.find((w) => w.id === W(4).idNumber)!.seen;
    expect(today).not.toBe("2000-01-01");
    expect(Object.fromEntries(seen.map((w) => [w.id, w.seen]))).toEqual({
      [W(1).idNumber]: today,
      [W(2).idNumber]: "2000-01-01",
      [W(3).idNumber]: "2000-01-01",
      [W(4).idNumber]: today,
    });
    // The clerk's import history names the source and does not claim departures were checked.
    const clerk = await signIn(t.app, "t-clerk-dl");
    const history = await clerk.get("/imports");
    expect(history.text).toContain("API 批次 2025-06-02.partial");
    expect(history.text).toContain("平台接口");
    const shown = await clerk.get(`/imports/${res.body.importId}`);
    expect(shown.text).toContain("不判断（平台报送的是部分名单）");
    // A later whole roster still finds who has gone.
    const whole = await request(t.app)
      .post(url())
      .set("Authorization", `Bearer ${key}`)
      .send(batch({ batchId: "2025-06-03", workers: [W(1), W(4)] }));
    expect(whole.body).toMatchObject({ departed: 2 });
  });

  it("reads a whole roster again after a partial batch with the same content (departures are not skipped)", async () => {
    const { key } = await issueKey();
    await request(t.app).post(url()).set("Authorization", `Bearer ${key}`).send(batch());
    const partial = await request(t.app)
      .post(url())
      .set("Authorization", `Bearer ${key}`)
      .send(batch({ batchId: "p", complete: false, workers: [W(1)] }));
    expect(partial.body).toMatchObject({ departed: 0, unchanged: 1 });
    const whole = await request(t.app)
      .post(url())
      .set("Authorization", `Bearer ${key}`)
      .send(batch({ batchId: "p", workers: [W(1)] }));
    expect(whole.body).toMatchObject({ departed: 2 });
  });

  it("imports a CSV batch (GBK too) with batchId and complete in the query string", async () => {
    const { key } = await issueKey();
    const csv = `身份证号,姓名,政治面貌\r\n${W(1).idNumber},张三,中共预备党员\r\n${W(2).idNumber},李四,群众\r\n`;
    const res = await request(t.app)
      .post(`${url()}?batchId=csv-1&complete=true`)
      .set("Authorization", `Bearer ${key}`)
      .set("Content-Type", "text/csv; charset=gbk")
      .send(iconv.encode(csv, "gbk"));
    expect(res.status).toBe(200);
    expect(res.body).toMatchObject({ kind: "roster", encoding: "gb18030", rows: 2, inserted: 2, leadsCreated: 1 });
    expect(t.handle.sqlite.prepare("SELECT name FROM leads").pluck().get()).toBe("张三");
  });
});

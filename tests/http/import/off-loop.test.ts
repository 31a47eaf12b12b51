// Web and API imports on a database file run in a worker thread with their own connection
// (import-thread.ts), so the server is never frozen by one.
//
// 1. A large web import: while it reads, stages and applies 200,000 rows (the apply is one
//    synchronous transaction), /healthz is asked one request after another, ~50 ms apart. What is
//    measured: the longest time the server went without answering, and how many answers came while
//    the import was in its "applying" phase. Run inline (the code before), the longest silence was
//    the whole apply — 1.8 s at 200,000 rows, 4.5 s at 500,000 on an idle machine — and no answer
//    ever came while applying. Timings are loose on purpose (a loaded 2-core machine).
// 2. Stopping (server shutdown) during the apply of 100,000 rows: the worker's transaction rolls back, the record is marked failed,
//    the owner lock and scratch files are gone, and the platform can be imported again at once.
// 3. The platform API: a batch's summary, and a refusal found only while reading (an unclosed quote
//    deep in the file), answer exactly as on an in-memory database, where the import runs inline.

import fs from "node:fs";
import type { Server } from "node:http";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { person, writeRoster } from "../../../scripts/bench/synthetic.js";
import { executeImportOffLoop, prepareImport, runImport, stopImportThreads } from "../../../server/services/import/import.service.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { type Agent, createTestApp, csrfFrom, signIn, type TestApp } from "../../helpers/app.js";
import { waitFor } from "../../helpers/children.js";
import { tempFileDb } from "../../helpers/db.js";

const ROWS = 200_000;

let t: TestApp;
let dir: string;
let roster: string;
let smaller: string;
let server: Server;
let base: string;
beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "import-off-loop-"));
  fs.mkdirSync(path.join(dir, "uploads"));
  // importThreadMinBytes 0: the small batches below run in a worker too (the comparison with inline).
  t = await createTestApp(
    { uploadDir: path.join(dir, "uploads"), uploadLimitBytes: 200 * 1024 * 1024, importThreadMinBytes: 0 },
    tempFileDb(),
  );
  roster = path.join(dir, "roster.csv");
  await writeRoster(roster, ROWS);
  smaller = path.join(dir, "smaller.csv");
  await writeRoster(smaller, 100_000, 7);
  server = t.app.listen(0, "127.0.0.1");
  await new Promise((r) => server.once("listening", r));
  const addr = server.address();
  base = `http://127.0.0.1:${typeof addr === "object" && addr ? addr.port : 0}`;
});
afterAll(async () => {
  await new Promise((r) => server?.close(r));
  t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

type Progress = { status: string; phase: string; error: string | null; summary: Record<string, number> | null };

/** Upload → preview → run, as the pages do; returns the import's id. */
async function startWebImport(clerk: Agent, platform: string, file = roster): Promise<number> {
  const page = await clerk.get("/imports/new");
  const preview = await clerk
    .post(`/imports/new?_csrf=${encodeURIComponent(csrfFrom(page.text))}`)
    .field("kind", "roster")
    .field("platform", platform)
    .field("orgId", String(t.city.ps.id))
    .attach("file", file);
  expect(preview.status).toBe(200);
  const upload = /name="upload" value="([a-f0-9]{32})"/.exec(preview.text)![1]!;
  const start = await clerk
    .post("/imports/start")
    .type("form")
    .send({
      _csrf: csrfFrom(preview.text),
      upload,
      kind: "roster",
      platform,
      orgId: String(t.city.ps.id),
      mode: "run",
      map_name: "骑手姓名",
      map_idNumber: "身份证号",
      map_phone: "手机号",
      map_station: "站点",
      map_franchisee: "加盟商",
      map_occupation: "从业类型",
      map_politicalStatus: "政治面貌",
      map_hiredOn: "入职日期",
    });
  expect(start.status).toBe(303);
  return Number(/\/imports\/(\d+)$/.exec(start.headers.location ?? "")![1]);
}

const workers = () => t.handle.sqlite.prepare("SELECT count(*) FROM workers").pluck().get() as number;
const record = (id: number) =>
  t.handle.sqlite.prepare("SELECT status, bytes_done, size_bytes, error FROM imports WHERE id = ?").get(id) as {
    status: string;
    bytes_done: number;
    size_bytes: number;
    error: string | null;
  };
const importsDir = () => `${t.handle.path}-imports`;

describe("a large web import on a database file", () => {
  it("leaves the server answering while it reads and applies 200,000 rows, and succeeds", { timeout: 90_000 }, async () => {
    const clerk = await signIn(t.app, "t-clerk-ps");
    const startedAt = Date.now();
    const id = await startWebImport(clerk, "美团");
    const startMs = Date.now() - startedAt;

    let last = Date.now();
    let longestSilence = 0;
    let answers = 0;
    let answersWhileApplying = 0;
    let progress: Progress | null = null;
    const until = Date.now() + 80_000;
    const importStart = Date.now();
    while (Date.now() < until) {
      const res = await fetch(`${base}/healthz`);
      expect(res.status).toBe(200);
      await res.arrayBuffer();
      const now = Date.now();
      longestSilence = Math.max(longestSilence, now - last);
      last = now;
      answers++;
      progress = (await clerk.get(`/imports/${id}/progress`).set("Accept", "application/json")).body as Progress;
      if (progress.phase === "applying") answersWhileApplying++;
      if (progress.phase === "done") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const importMs = Date.now() - importStart;
    console.log(
      `web import of ${ROWS} rows: upload and start ${startMs} ms, then ${importMs} ms; /healthz answered ${answers} times, ` +
        `${answersWhileApplying} while applying; longest silence ${longestSilence} ms`,
    );

    expect(progress, JSON.stringify(progress)).toMatchObject({ status: "succeeded", phase: "done" });
    expect(progress!.summary).toMatchObject({ rows: ROWS, inserted: ROWS, updated: 0, rejected: 0, duplicates: 0 });
    expect(progress!.summary!.leadsCreated).toBeGreaterThan(ROWS * 0.03);
    expect(workers()).toBe(ROWS);
    // Answered through the apply too (inline: never), and never silent for long (inline: the whole
    // apply, about a third of the import's time; loose bounds for a loaded machine).
    expect(answersWhileApplying).toBeGreaterThanOrEqual(3);
    expect(longestSilence).toBeLessThan(Math.max(1_000, importMs * 0.1));
    // Its owner lock and scratch directory go once the thread has exited (just after the final status).
    await waitFor(() => fs.readdirSync(importsDir()).length === 0, "the lock and scratch files to go", 10_000);
  });

  it("stopped (server shutdown) while applying: rolled back, marked failed, lock and scratch gone; the platform can import again", {
    timeout: 90_000,
  }, async () => {
    const clerk = await signIn(t.app, "t-clerk-ps");
    const before = workers();
    const id = await startWebImport(clerk, "饿了么", smaller);
    await waitFor(
      () => {
        const r = record(id);
        if (r.status !== "running") throw new Error(`import ended before it could be stopped: ${r.status} ${r.error}`);
        return r.bytes_done >= r.size_bytes;
      },
      "the import to reach its apply",
      80_000,
      20,
    );
    expect(await stopImportThreads()).toBe(1);
    expect(record(id)).toMatchObject({ status: "failed", error: "服务器关闭，导入已中止；数据库未被修改，请重新导入。" });
    expect(workers()).toBe(before);
    expect(fs.readdirSync(importsDir())).toEqual([]);
    expect(await stopImportThreads()).toBe(0);
    // Not refused as "another import is running".
    const again = await startWebImport(clerk, "饿了么", smaller);
    const done = await waitFor(() => (record(again).status === "running" ? undefined : record(again)), "the second import", 80_000, 50);
    expect(done.status).toBe("succeeded");
    expect(workers()).toBe(before + 100_000);
  });
});

describe("where an import runs", () => {
  /** Runs a 200-row roster through executeImportOffLoop; tells whether it ran on this thread (only there do hooks run). */
  async function ranInline(threadMinBytes: number): Promise<boolean> {
    const file = path.join(dir, `small-${threadMinBytes}.csv`);
    await writeRoster(file, 200, 11 + threadMinBytes);
    const clerk = loadActor(t.handle.db, t.city.userIds.clerk!)!;
    let progressed = false;
    const prep = await prepareImport(t.handle, clerk, {
      kind: "roster",
      file,
      platform: `小平台${threadMinBytes}`,
      orgId: t.city.dl.id,
      source: "api",
      onProgress: () => {
        progressed = true;
      },
    });
    const summary = await executeImportOffLoop(t.handle, prep, { threadMinBytes });
    expect(summary).toMatchObject({ rows: 200, inserted: 200 });
    return progressed;
  }

  it("runs a file smaller than threadMinBytes on the server's thread, and a bigger one in a worker", async () => {
    expect(await ranInline(1024 * 1024)).toBe(true);
    expect(await ranInline(0)).toBe(false);
  });
});

describe("the platform API on a database file", () => {
  const PLATFORM = "某外卖平台";
  const url = `/api/v1/rosters/${encodeURIComponent(PLATFORM)}/batches`;

  async function apiKey(app: TestApp): Promise<string> {
    const admin = await signIn(app.app, "t-admin");
    const csrf = await admin.csrf("/admin/api-keys");
    const res = await admin
      .post("/admin/api-keys")
      .type("form")
      .send({ label: "推送", platform: PLATFORM, committeeId: String(app.city.dl.id), _csrf: csrf });
    return /<code class="secret" id="api-key">([^<]+)<\/code>/.exec(res.text)![1]!;
  }

  /** The same requests to an app on an in-memory database (inline) and to the file one (worker). */
  async function both(send: (app: TestApp, key: string) => Promise<request.Response>) {
    const mem = await createTestApp({ uploadDir: path.join(dir, "uploads") });
    try {
      const inline = await send(mem, await apiKey(mem));
      const threaded = await send(t, await apiKey(t));
      return { inline, threaded };
    } finally {
      mem.close();
    }
  }

  it("answers a batch with the same summary as inline", { timeout: 90_000 }, async () => {
    const body = {
      batchId: "b1",
      complete: true,
      workers: Array.from({ length: 50 }, (_, i) => ({
        idNumber: person(900_000 + i),
        name: `骑手${i}`,
        station: "东门站",
        politicalStatus: i % 10 ? "群众" : "中共党员",
      })),
    };
    const { inline, threaded } = await both((app, key) => request(app.app).post(url).set("Authorization", `Bearer ${key}`).send(body));
    expect(threaded.status).toBe(200);
    expect(threaded.body).toMatchObject({ rows: 50, inserted: 50, leadsCreated: 5 });
    expect({ ...threaded.body, importId: 0 }).toEqual({ ...inline.body, importId: 0 });
  });

  it("in a worker too: a worker another committee holds is neither imported nor touched, and a member held elsewhere is answered as a stranger", {
    timeout: 90_000,
  }, async () => {
    // HZ-PS holds a rider of this platform (imported inline, as its clerk would from the CLI).
    const held = person(700_001);
    const file = path.join(dir, "ps-rider.csv");
    fs.writeFileSync(file, `身份证号,姓名,手机号,入职日期\n${held},周骑手,13700007001,2023-05-06\n`);
    await runImport(t.handle, loadActor(t.handle.db, t.city.userIds.clerkPs!)!, {
      kind: "roster",
      file,
      platform: PLATFORM,
      orgId: t.city.ps.id,
      source: "cli",
    });
    const heldRow = () => t.handle.sqlite.prepare("SELECT * FROM workers WHERE platform = ? AND id_number = ?").get(PLATFORM, held);
    const before = heldRow();
    const key = await apiKey(t);
    const send = async (workers: Record<string, string>[]) => {
      const res = await request(t.app).post(url).set("Authorization", `Bearer ${key}`).send({ batchId: "held", complete: false, workers });
      expect(res.status).toBe(200);
      const { importId: _id, ...answer } = res.body as Record<string, unknown>;
      return answer;
    };
    expect(await send([{ idNumber: held, name: "改名字" }])).toMatchObject({ rows: 1, inserted: 0, updated: 0, rejected: 1 });
    expect(heldRow()).toEqual(before);
    const member = await send([{ idNumber: t.city.psMember.idNumber, name: "试探", politicalStatus: "中共党员" }]);
    const stranger = await send([{ idNumber: person(700_002), name: "试探", politicalStatus: "中共党员" }]);
    expect(member).toEqual(stranger);
    expect(stranger).toMatchObject({ rows: 1, inserted: 1, membersMatched: 0, leadsCreated: 1 });
  });

  it("answers a refusal found while reading (an unclosed quote at row 3,000) with the same code, message and status as inline", async () => {
    const lines = ["身份证号,姓名"];
    for (let i = 0; i < 5_000; i++) lines.push(i === 2_998 ? `${person(800_000 + i)},"未闭合` : `${person(800_000 + i)},骑手${i}`);
    const csv = `${lines.join("\n")}\n`;
    const { inline, threaded } = await both((app, key) =>
      request(app.app)
        .post(`${url}?batchId=q1&complete=false`)
        .set("Authorization", `Bearer ${key}`)
        .set("Content-Type", "text/csv")
        .send(csv),
    );
    expect(inline.status).toBe(400);
    expect(inline.body.error.code).toBe("invalid_payload");
    expect(inline.body.error.message).toContain("引号没有闭合");
    expect(threaded.status).toBe(inline.status);
    expect(threaded.body).toEqual(inline.body);
    const failed = t.handle.sqlite.prepare("SELECT status, error FROM imports WHERE source = 'api' ORDER BY id DESC LIMIT 1").get();
    expect(failed).toEqual({ status: "failed", error: inline.body.error.message });
  });
});

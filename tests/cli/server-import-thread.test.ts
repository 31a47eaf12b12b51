// The server process with an import running in its worker thread (import-thread.ts), sent by the
// platform API and caught in its apply transaction:
//
// - SIGTERM: the import is stopped and rolled back, its record marked failed saying so, the batch
//   answered 503, and the server exits 0; no owner lock or scratch file is left.
// - SIGKILL: nothing of the import is visible; its record says "running" with its owner known dead
//   (the lock the server's process held is gone with it), and the next start marks it failed and
//   removes its scratch files.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { writeRoster } from "../../scripts/bench/synthetic.js";
import { issueApiKey } from "../../server/services/admin/api-keys.js";
import { ownerIsGone } from "../../server/services/import/owner-lock.js";
import { loadActor } from "../../server/services/admin/users.js";
import { type Child, integrityCheck, kill9, killChildren, spawnTsx, waitFor, withDb } from "../helpers/children.js";
import { dbTemplate } from "../helpers/db.js";
import { buildSmallCity } from "../helpers/fixtures.js";

const ROWS = 100_000;
const PLATFORM = "美团";

let dir: string;
let template: Awaited<ReturnType<typeof dbTemplate>>;
let roster: string;
let key: string;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "server-import-thread-"));
  roster = path.join(dir, "roster.csv");
  await writeRoster(roster, ROWS);
  template = await dbTemplate(dir, async (h) => {
    const city = await buildSmallCity(h);
    key = issueApiKey(h.db, loadActor(h.db, city.userIds.admin!)!, { label: "推送", platform: PLATFORM, committeeId: city.ps.id }).key;
  });
}, 60_000);
afterEach(killChildren);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const copyOfTemplate = (name: string) => template.copy(name);

async function startServer(db: string): Promise<{ server: Child; url: string }> {
  const server = spawnTsx("server/index.ts", [], {
    DATABASE_PATH: db,
    PORT: "0",
    HOST: "127.0.0.1",
    LOG_LEVEL: "info",
    UPLOAD_DIR: path.join(dir, "uploads"),
  });
  const url = await Promise.race([
    waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(server.stdout())?.[1], "the server to listen", 30_000),
    server.exited.then((e) => {
      throw new Error(`server exited early: ${e.stdout}${e.stderr}`);
    }),
  ]);
  return { server, url };
}

/** Posts the roster as one CSV batch; the answer comes when the import ends. */
function postBatch(url: string): Promise<Response> {
  return fetch(`${url}/api/v1/rosters/${encodeURIComponent(PLATFORM)}/batches?batchId=all&complete=true`, {
    method: "POST",
    headers: { Authorization: `Bearer ${key}`, "Content-Type": "text/csv" },
    body: fs.readFileSync(roster),
  });
}

type ImportRow = { id: number; status: string; bytes_done: number; size_bytes: number | null; error: string | null };
function latestImport(db: string): ImportRow | undefined {
  const s = new Database(db, { readonly: true });
  try {
    return s.prepare("SELECT id, status, bytes_done, size_bytes, error FROM imports ORDER BY id DESC LIMIT 1").get() as
      | ImportRow
      | undefined;
  } finally {
    s.close();
  }
}

/** Waits until the import has read the whole file and is staging's index or the apply transaction. */
async function untilApplying(db: string, server: Child): Promise<ImportRow> {
  return Promise.race([
    waitFor(
      () => {
        const r = latestImport(db);
        if (r && r.status !== "running") throw new Error(`the import ended (${r.status} ${r.error}) before it could be interrupted`);
        return r && r.size_bytes !== null && r.bytes_done >= r.size_bytes ? r : undefined;
      },
      "the import to reach its apply",
      60_000,
      10,
    ),
    server.exited.then((e) => {
      throw new Error(`server exited early: ${e.stdout}${e.stderr}`);
    }),
  ]);
}

const workers = (db: string) => withDb(db, (s) => s.prepare("SELECT count(*) FROM workers").pluck().get() as number);
const leftovers = (db: string) => (fs.existsSync(`${db}-imports`) ? fs.readdirSync(`${db}-imports`) : []);

describe("the server with an import running in its worker thread", () => {
  it("SIGTERM: the import is rolled back and marked failed, the batch answered 503, the server exits 0", async () => {
    const db = copyOfTemplate("sigterm.db");
    const { server, url } = await startServer(db);
    const answer = postBatch(url);
    const imp = await untilApplying(db, server);
    server.proc.kill("SIGTERM");
    const res = await answer;
    expect(res.status).toBe(503);
    expect(await res.json()).toEqual({ error: { code: "busy", message: "服务器关闭，导入已中止；数据库未被修改，请重新导入。" } });
    const exit = await server.exited;
    expect(exit.code, exit.stdout + exit.stderr).toBe(0);
    expect(exit.stdout).toContain("running imports stopped and marked failed");
    expect(latestImport(db)).toMatchObject({ id: imp.id, status: "failed", error: "服务器关闭，导入已中止；数据库未被修改，请重新导入。" });
    expect(workers(db)).toBe(0);
    expect(leftovers(db)).toEqual([]);
    expect(integrityCheck(db)).toBe("ok");
  }, 120_000);

  it("SIGKILL: nothing of it is visible, its owner is known dead, and the next start marks it failed", async () => {
    const db = copyOfTemplate("sigkill.db");
    const first = await startServer(db);
    const answer = postBatch(first.url).catch((e: unknown) => e);
    const imp = await untilApplying(db, first.server);
    expect((await kill9(first.server)).signal).toBe("SIGKILL");
    expect(await answer).toBeInstanceOf(Error); // the connection died with the server
    expect(latestImport(db)).toMatchObject({ id: imp.id, status: "running" });
    expect(ownerIsGone(db, imp.id)).toBe(true);
    expect(workers(db)).toBe(0);
    expect(integrityCheck(db)).toBe("ok");
    expect(leftovers(db).length).toBeGreaterThan(0); // its lock file and scratch directory

    const second = await startServer(db);
    await waitFor(
      () => second.server.stdout().includes("imports interrupted by a crash marked failed"),
      "the start to report the orphaned import",
      10_000,
    );
    expect(latestImport(db)).toMatchObject({ id: imp.id, status: "failed", error: "导入进程意外中断，已作废；数据库未被修改。" });
    expect(leftovers(db)).toEqual([]);
    // The platform can send its batch again at once, and it goes through.
    const again = await postBatch(second.url);
    expect(again.status).toBe(200);
    expect(await again.json()).toMatchObject({ rows: ROWS, inserted: ROWS });
    expect(workers(db)).toBe(ROWS);
  }, 120_000);
});

// npm run setup, run as an adopter runs it on a fresh clone, then npm start: an Anshan installation.
import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

let dir: string;
let dbPath: string;
let server: ChildProcess | null = null;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-setup-"));
  dbPath = path.join(dir, "app.db");
});
afterAll(() => {
  server?.kill("SIGKILL");
  fs.rmSync(dir, { recursive: true, force: true });
});

function run(script: string, args: string[], env: Record<string, string> = {}) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join("scripts", script), ...args], {
    env: { ...process.env, DATABASE_PATH: dbPath, NODE_ENV: "test", LOG_LEVEL: "silent", REGION_CODE: "", ...env },
    encoding: "utf8",
    timeout: 150_000,
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

/** `npm start` on the database; resolves with its address once it listens. */
function start(env: Record<string, string> = {}): Promise<string> {
  const proc = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATABASE_PATH: dbPath, LOG_LEVEL: "info", REGION_CODE: "", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  server = proc;
  let out = "";
  return new Promise((resolve, reject) => {
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.stderr!.on("data", (d: Buffer) => {
      out += d.toString();
    });
    proc.on("exit", (code) => reject(new Error(`server exited with ${code}: ${out}`)));
  });
}

/** Signs in through the login form; returns the session cookie. */
async function signIn(url: string, username: string, password: string): Promise<string> {
  const page = await fetch(`${url}/login`);
  const cookie = page.headers
    .getSetCookie()
    .map((c) => c.split(";")[0])
    .join("; ");
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await page.text())![1]!;
  const res = await fetch(`${url}/login`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded", cookie },
    body: new URLSearchParams({ username, password, _csrf: csrf }).toString(),
  });
  expect(res.status).toBe(303);
  return (
    res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ") || cookie
  );
}

describe("npm run setup", { timeout: 180_000 }, () => {
  it("refuses a start with no jurisdiction, saying how to choose one", () => {
    const r = spawnSync(process.execPath, ["--import", "tsx", "server/index.ts"], {
      env: { ...process.env, PORT: "0", DATABASE_PATH: path.join(dir, "none.db"), LOG_LEVEL: "silent", REGION_CODE: "" },
      encoding: "utf8",
      timeout: 150_000,
    });
    expect(r.status).toBe(1);
    expect(r.stderr).toContain("no jurisdiction installed: run `npm run setup -- --region CODE`");
  });

  it("asks for --region, and refuses a code that is no division or no jurisdiction", () => {
    expect(run("setup.ts", [])).toMatchObject({ code: 2, err: expect.stringContaining("error: --region is required") });
    expect(run("setup.ts", ["--region", "123456"])).toEqual({
      code: 1,
      out: "",
      err: "error: 123456 is not a division code of GB/T 2260 (6 digits, e.g. 210300 for Anshan, 370000 for Shandong)",
    });
    expect(run("setup.ts", ["--region", "210301"]).err).toBe(
      "error: 210301 (市辖区) cannot be a jurisdiction: choose a province, a city or a county",
    );
  });

  it("installs Anshan, then changes nothing when run again", () => {
    const first = run("setup.ts", ["--region", "210300"]);
    expect(first.err).toBe("");
    expect(first.code).toBe(0);
    expect(first.out).toContain(
      "installed 210300 鞍山市 (city): root organization 中共鞍山市委社会工作部 (code 210300); regions added: 7 counties and districts, 98 streets and townships",
    );
    const again = run("setup.ts", ["--region", "210300"]);
    expect(again.code).toBe(0);
    expect(again.out).toBe(`${dbPath}: unchanged: this database already serves 210300 鞍山市 (root organization 中共鞍山市委社会工作部)`);
  });

  it("then npm start serves Anshan: the dashboard and the coverage workbook name it and its districts", async () => {
    const url = await start({ ADMIN_PASSWORD: "Anshan-admin-42" });
    const cookie = await signIn(url, "admin", "Anshan-admin-42");
    // A committee and an enterprise in 铁东区, entered as an administrator would (the tree's form is
    // another area's): straight into the database the server uses.
    const db = new Database(dbPath);
    try {
      const root = db.prepare("SELECT id FROM organizations WHERE parent_id IS NULL").get() as { id: number };
      const c = db
        .prepare(
          "INSERT INTO organizations (code, name, kind, parent_id, path, depth, region_code, industry_code) VALUES ('AS-PS', '中共鞍山市网约配送行业委员会', 'industry_committee', ?, '/', 1, '210300', 'online_delivery') RETURNING id",
        )
        .get(root.id) as { id: number };
      db.prepare("UPDATE organizations SET path = ? WHERE id = ?").run(`/${root.id}/${c.id}/`, c.id);
      db.prepare(
        "INSERT INTO enterprises (name, credit_code, kind, industry_code, region_code, committee_id, worker_count) VALUES ('鞍山某配送站', '91210302MA0000001X', 'station', 'online_delivery', '210302', ?, 12)",
      ).run(c.id);
    } finally {
      db.close();
    }
    const home = await (await fetch(url, { headers: { cookie } })).text();
    expect(home).toContain("按县（区）");
    expect(home).toContain(">铁东区<");
    expect(home).not.toContain("菏泽");
    const res = await fetch(`${url}/reports/download?kind=coverage`, { headers: { cookie } });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(await res.arrayBuffer());
    const ws = wb.worksheets[0]!;
    expect(ws.getCell("A1").text).toBe("鞍山市新就业群体党建“两个覆盖”情况统计表");
    expect(ws.getCell("A2").text).toBe("填报单位：中共鞍山市委社会工作部");
    server!.kill("SIGTERM");
  });

  it("refuses another jurisdiction now that the database holds data, in English, exit code 1", () => {
    const r = run("setup.ts", ["--region", "370000"]);
    expect(r.code).toBe(1);
    expect(r.err).toBe(
      "error: this database serves 210300 (鞍山市) and already holds organizations, enterprises or members: its jurisdiction cannot be changed to 370000 (山东省); use a new database (DATABASE_PATH)",
    );
  });
});

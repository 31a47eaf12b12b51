// npm run user, run as an operator runs it: names are one account whatever their case, here as on the web.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedDbFile } from "../helpers/db.js";
import { buildSmallCity } from "../helpers/fixtures.js";

let dir: string;
let dbPath: string;

beforeAll(async () => {
  ({ dir, path: dbPath } = await closedDbFile(buildSmallCity));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function user(args: string[], input = "") {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join("scripts", "user.ts"), ...args], {
    env: { ...process.env, DATABASE_PATH: dbPath, NODE_ENV: "test", LOG_LEVEL: "silent" },
    input,
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

describe("npm run user and the case of names", () => {
  it("refuses to add T-ADMIN beside t-admin, and finds t-sec-dl when told T-SEC-DL", () => {
    const add = user(["add", "--username", "T-ADMIN", "--role", "admin", "--org", "HZ", "--password-stdin"], "Another-passw0rd\n");
    expect(add.code).toBe(1);
    expect(add.err).toMatch(/^error: .*\(username: 该用户名已被使用（用户名不区分大小写）\)$/);

    const disable = user(["disable", "--username", "T-SEC-DL"]);
    expect(disable.err).toBe("");
    expect(disable.out).toBe("disabled t-sec-dl");

    const db = new Database(dbPath, { readonly: true });
    try {
      expect(
        db.prepare("SELECT username, status FROM users WHERE lower(username) IN ('t-admin', 't-sec-dl') ORDER BY username").all(),
      ).toEqual([
        { username: "t-admin", status: "active" },
        { username: "t-sec-dl", status: "disabled" },
      ]);
    } finally {
      db.close();
    }
  });
});

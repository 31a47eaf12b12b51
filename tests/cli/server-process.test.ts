import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, describe, expect, it } from "vitest";

let child: ChildProcess | null = null;
let dir = "";
afterEach(() => {
  child?.kill("SIGKILL");
  child = null;
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

/** Starts `server/index.ts` as `npm start` would, on a random port over a fresh database. */
function startServer(env: Record<string, string>) {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-server-"));
  const proc = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    env: { ...process.env, PORT: "0", HOST: "127.0.0.1", DATABASE_PATH: path.join(dir, "app.db"), LOG_LEVEL: "info", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child = proc;
  let out = "";
  const listening = new Promise<string>((resolve, reject) => {
    proc.stdout!.on("data", (d: Buffer) => {
      out += d.toString();
      const m = /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(out);
      if (m) resolve(m[1]!);
    });
    proc.on("exit", (code) => reject(new Error(`server exited early with ${code}: ${out}`)));
  });
  return { proc, listening, output: () => out };
}

describe("the server process", () => {
  it("creates admin with a printed random password on an empty database, answers /healthz, and stops cleanly on SIGTERM", async () => {
    const s = startServer({ REGION_CODE: "210300" });
    const url = await s.listening;
    expect(s.output()).toMatch(/已创建管理员账号 admin，初始密码 \S{12,}/);
    expect(s.output()).toMatch(/"region":"210300","root":"中共鞍山市委社会工作部".*"msg":"jurisdiction installed"/);
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toEqual({ status: "ok" });
    const login = await fetch(`${url}/login`);
    expect(login.headers.get("content-security-policy")).toContain("frame-ancestors 'none'");
    // No personal data or query strings in the request log lines.
    await fetch(`${url}/members?q=13812345678`);
    const exited = new Promise<number | null>((resolve) => s.proc.on("exit", (code) => resolve(code)));
    s.proc.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(s.output()).not.toContain("13812345678");
    expect(s.output()).toContain('"msg":"shutting down"');
  });

  it("uses ADMIN_PASSWORD for the first admin and never prints it", async () => {
    const s = startServer({ ADMIN_PASSWORD: "first-admin-pw-42", REGION_CODE: "370000" });
    await s.listening;
    expect(s.output()).not.toContain("first-admin-pw-42");
    expect(s.output()).not.toContain("初始密码");
  });

  it("refuses to start with a bad configuration, naming the variable", async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-server-"));
    const proc = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
      env: { ...process.env, PORT: "not-a-port" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    child = proc;
    let err = "";
    proc.stderr!.on("data", (d: Buffer) => {
      err += d.toString();
    });
    const code = await new Promise<number | null>((resolve) => proc.on("exit", resolve));
    expect(code).toBe(1);
    expect(err).toContain("PORT");
    expect(err).not.toMatch(/at .*\.ts:\d+/); // no stack trace
  });
});

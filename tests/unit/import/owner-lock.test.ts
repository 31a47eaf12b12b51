// The owner lock tells a dead import's process from a live one (the crash test kills a real CLI;
// here a child process holds the lock and is SIGKILLed).

import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb } from "../../../db/client.js";
import { runMigrations } from "../../../db/migrate.js";
import { failOrphanedImports } from "../../../server/services/import/import.service.js";
import { acquireOwnerLock, ownerIsGone, removeOwnerLock, stagePrefix } from "../../../server/services/import/owner-lock.js";

let dir: string;
let dbFile: string;
let child: ChildProcess | null = null;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "owner-lock-"));
  dbFile = path.join(dir, "app.db");
});
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  child = null;
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("import owner lock", () => {
  it("is held while the owner lives, and its file is gone once released", () => {
    const lock = acquireOwnerLock(dbFile, 7)!;
    expect(fs.existsSync(path.join(`${dbFile}-imports`, "7.lock"))).toBe(true);
    // Another connection in the same process (the web server checking its own import) sees it held.
    expect(ownerIsGone(dbFile, 7)).toBe(false);
    expect(ownerIsGone(dbFile, 8)).toBeNull(); // no lock file: unknown, the heartbeat decides
    lock.release();
    expect(fs.existsSync(path.join(`${dbFile}-imports`, "7.lock"))).toBe(false);
    expect(ownerIsGone(dbFile, 7)).toBeNull();
  });

  it("an in-memory database has no owner lock", () => {
    expect(acquireOwnerLock(":memory:", 1)).toBeNull();
    expect(ownerIsGone(":memory:", 1)).toBeNull();
  });

  it("reads a SIGKILLed owner as gone", async () => {
    const script = `
      import { acquireOwnerLock } from ${JSON.stringify(path.resolve("server/services/import/owner-lock.ts"))};
      acquireOwnerLock(${JSON.stringify(dbFile)}, 3);
      process.stdout.write("held\\n");
      setInterval(() => {}, 1000);
    `;
    child = spawn(process.execPath, ["--import", "tsx", "--input-type=module", "-e", script], { stdio: ["ignore", "pipe", "inherit"] });
    await new Promise<void>((resolve, reject) => {
      child!.stdout!.on("data", (d: Buffer) => d.toString().includes("held") && resolve());
      child!.on("exit", (code) => reject(new Error(`lock holder exited early (${code})`)));
    });
    expect(ownerIsGone(dbFile, 3)).toBe(false);
    const exited = new Promise((r) => child!.once("exit", r));
    child.kill("SIGKILL");
    await exited;
    expect(ownerIsGone(dbFile, 3)).toBe(true);
    removeOwnerLock(dbFile, 3);
    expect(ownerIsGone(dbFile, 3)).toBeNull();
  });

  it("at server start, imports whose owner is gone are marked failed; live and unknown ones are left", () => {
    const h = openDb(dbFile);
    try {
      runMigrations(h);
      h.sqlite.prepare("INSERT INTO regions (code, name, parent_code, level) VALUES ('371700', '菏泽市', NULL, 'city')").run();
      h.sqlite
        .prepare(
          "INSERT INTO organizations (id, code, name, kind, path, region_code) VALUES (1, 'HZ', '市委社会工作部', 'city_department', '/1/', '371700')",
        )
        .run();
      const add = (id: number) =>
        h.sqlite
          .prepare(
            "INSERT INTO imports (id, kind, platform, org_id, status, started_at, heartbeat_at) VALUES (?, 'roster', ?, 1, 'running', ?, ?)",
          )
          .run(id, `P${id}`, new Date().toISOString(), new Date().toISOString());
      add(1); // its process died: a lock file nobody holds, and a scratch directory
      fs.mkdirSync(`${dbFile}-imports`, { recursive: true });
      fs.writeFileSync(path.join(`${dbFile}-imports`, "1.lock"), "");
      fs.mkdtempSync(stagePrefix(dbFile, 1)!);
      add(2); // alive: this process holds its lock
      const live = acquireOwnerLock(dbFile, 2)!;
      add(3); // no lock file: the heartbeat decides later
      expect(failOrphanedImports(h)).toBe(1);
      const rows = h.sqlite.prepare("SELECT id, status, error FROM imports ORDER BY id").all();
      expect(rows).toEqual([
        { id: 1, status: "failed", error: "导入进程意外中断，已作废；数据库未被修改。" },
        { id: 2, status: "running", error: null },
        { id: 3, status: "running", error: null },
      ]);
      expect(fs.readdirSync(`${dbFile}-imports`)).toEqual(["2.lock"]);
      live.release();
    } finally {
      h.close();
    }
  });
});

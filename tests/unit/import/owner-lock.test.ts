// The owner lock tells a dead import's process from a live one (the crash test kills a real CLI;
// here a child process holds the lock and is SIGKILLed).

import { type ChildProcess, spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { acquireOwnerLock, ownerIsGone, removeOwnerLock } from "../../../server/services/import/owner-lock.js";

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
});

import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { backupDatabase, restoreDatabase, verifyDatabase } from "../../server/services/backup.service.js";
import { tempFileDb } from "../helpers/db.js";
import { buildSmallCity } from "../helpers/fixtures.js";

const require = createRequire(import.meta.url);
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A second process that keeps inserting audit rows into the database until killed. */
function startWriter(dbPath: string) {
  const code = `
    const D = require(${JSON.stringify(require.resolve("better-sqlite3"))});
    const db = new D(${JSON.stringify(dbPath)}); db.pragma("busy_timeout = 10000");
    const ins = db.prepare("INSERT INTO audit_log (action, details) VALUES ('load', ?)");
    let n = 0; process.stdout.write("ready\\n");
    for (;;) { db.transaction(() => { for (let i = 0; i < 50; i++) ins.run(JSON.stringify({ n: n++ })); })(); }
  `;
  const child = spawn(process.execPath, ["-e", code], { stdio: ["ignore", "pipe", "inherit"] });
  const ready = new Promise<void>((resolve) => child.stdout.once("data", () => resolve()));
  return { child, ready };
}

describe("backup and restore", () => {
  it("takes a consistent online backup while another process writes, and restores it", async () => {
    const h = tempFileDb();
    cleanup.push(() => h.close());
    await buildSmallCity(h);
    const writer = startWriter(path.join(h.dir, "app.db"));
    cleanup.push(() => writer.child.kill("SIGKILL"));
    await writer.ready;
    await new Promise((r) => setTimeout(r, 300));
    const before = (h.sqlite.prepare("SELECT count(*) n FROM audit_log WHERE action = 'load'").get() as { n: number }).n;
    const out = path.join(h.dir, "backup", "copy.db");
    const r = await backupDatabase(path.join(h.dir, "app.db"), out);
    const after = (h.sqlite.prepare("SELECT count(*) n FROM audit_log WHERE action = 'load'").get() as { n: number }).n;
    writer.child.kill("SIGKILL");
    expect(before).toBeGreaterThan(0);
    expect(r.integrity).toBe("ok");
    expect(verifyDatabase(out)).toBe("ok");
    const copy = new Database(out, { readonly: true });
    const copied = (copy.prepare("SELECT count(*) n FROM audit_log WHERE action = 'load'").get() as { n: number }).n;
    // Writes come in transactions of 50: a consistent snapshot never holds a partial one.
    expect(copied % 50).toBe(0);
    expect(copied).toBeGreaterThanOrEqual(before - (before % 50));
    expect(copied).toBeLessThanOrEqual(after);
    expect((copy.prepare("SELECT count(*) n FROM members").get() as { n: number }).n).toBe(3);
    copy.close();

    // Restore into a stopped instance: a fresh path, then over an existing database (kept aside).
    const target = path.join(h.dir, "restored", "app.db");
    expect(restoreDatabase(out, target).kept).toBeNull();
    const other = new Database(path.join(h.dir, "other.db"));
    other.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1);");
    other.close();
    const r2 = restoreDatabase(out, path.join(h.dir, "other.db"));
    expect(r2.kept && fs.existsSync(r2.kept)).toBeTruthy();
    const restored = new Database(path.join(h.dir, "other.db"), { readonly: true });
    expect((restored.prepare("SELECT count(*) n FROM members").get() as { n: number }).n).toBe(3);
    restored.close();
  });

  it("refuses to restore over a database that a running instance holds open", async () => {
    const h = tempFileDb();
    cleanup.push(() => h.close());
    await buildSmallCity(h);
    const out = path.join(h.dir, "copy.db");
    await backupDatabase(path.join(h.dir, "app.db"), out);
    h.sqlite.exec("BEGIN IMMEDIATE");
    expect(() => restoreDatabase(out, path.join(h.dir, "app.db"))).toThrow(/in use/);
    h.sqlite.exec("ROLLBACK");
  });

  it("refuses a damaged backup file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-bad-"));
    cleanup.push(() => fs.rmSync(dir, { recursive: true, force: true }));
    const bad = path.join(dir, "bad.db");
    fs.writeFileSync(bad, Buffer.alloc(8192, 7));
    expect(() => restoreDatabase(bad, path.join(dir, "target.db"))).toThrow();
    expect(fs.existsSync(path.join(dir, "target.db"))).toBe(false);
  });
});

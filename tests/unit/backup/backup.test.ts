import { spawn } from "node:child_process";
import fs from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterEach, describe, expect, it } from "vitest";
import { backupDatabase, restoreDatabase, verifyDatabase } from "../../../server/services/backup/backup.service.js";
import { fingerprint, waitFor } from "../../helpers/children.js";
import { tempFileDb } from "../../helpers/db.js";
import { buildSmallCity } from "../../helpers/fixtures.js";

const require = createRequire(import.meta.url);
const cleanup: (() => void)[] = [];
afterEach(() => {
  for (const c of cleanup.splice(0)) c();
});

/** A second process that commits audit rows in transactions of 50, as fast as it can, until killed. */
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

/** Sleeps the thread (the backup's progress callback is synchronous, and must wait for the writer there). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

describe("backup and restore", () => {
  it("takes a consistent online backup while another process commits between every two steps, and restores it", async () => {
    const h = tempFileDb();
    cleanup.push(() => h.close());
    await buildSmallCity(h);
    // ~24 MB, so that the copy takes several steps (1,024 pages each) for the writer to commit between.
    const fill = h.sqlite.prepare("INSERT INTO audit_log (action, details) VALUES ('fill', ?)");
    h.sqlite.transaction(() => {
      for (let i = 0; i < 20_000; i++) fill.run(JSON.stringify({ i, pad: "x".repeat(1000) }));
    })();
    const dbPath = path.join(h.dir, "app.db");
    const loads = h.sqlite.prepare("SELECT count(*) FROM audit_log WHERE action = 'load'").pluck();
    const writer = startWriter(dbPath);
    cleanup.push(() => writer.child.kill("SIGKILL"));
    await writer.ready;
    await waitFor(() => (loads.get() as number) > 0, "the writer's first commit");

    const before = loads.get() as number;
    let atFirstStep = -1;
    const seen: number[] = [];
    const donePages: number[] = [];
    const out = path.join(h.dir, "backup", "copy.db");
    const r = await backupDatabase(dbPath, out, {
      onProgress: (p) => {
        if (p.phase !== "copy") return;
        // SQLite restarts a backup from page 1 when it sees another connection's commit: the pages
        // done would fall. They must only grow.
        if (donePages.length && p.donePages < donePages.at(-1)!)
          throw new Error(`backup restarted: ${donePages.at(-1)} → ${p.donePages} pages`);
        donePages.push(p.donePages);
        // The writer commits between every two steps: wait here (between steps) until it has.
        if (atFirstStep < 0) atFirstStep = loads.get() as number;
        const last = seen.at(-1) ?? atFirstStep;
        const until = Date.now() + 20_000;
        let now = loads.get() as number;
        while (now === last) {
          if (Date.now() > until) throw new Error("the writer made no commit in 20 s");
          sleepSync(1);
          now = loads.get() as number;
        }
        seen.push(now);
      },
    });
    const after = loads.get() as number;
    writer.child.kill("SIGKILL");

    const copySteps = donePages.filter((d, i) => i === 0 || d > donePages[i - 1]!).length;
    expect(copySteps).toBeGreaterThanOrEqual(5);
    expect(seen.length).toBeGreaterThanOrEqual(copySteps);
    expect(r.integrity).toBe("ok");
    expect(r.file).toBe(out);
    // One file: no partial copy, and no -wal or -shm beside it.
    expect(fs.readdirSync(path.dirname(out))).toEqual(["copy.db"]);
    expect(verifyDatabase(out)).toBe("ok");
    const copy = new Database(out, { readonly: true });
    const copied = copy.prepare("SELECT count(*) FROM audit_log WHERE action = 'load'").pluck().get() as number;
    // One moment: taken after the backup started and before its first step was reported, so none
    // of the commits made while it ran are in it …
    expect(copied).toBeGreaterThanOrEqual(before);
    expect(copied).toBeLessThanOrEqual(atFirstStep);
    expect(after).toBeGreaterThan(atFirstStep);
    // … and no part of one: the writer commits 50 rows at a time, numbered from 0.
    expect(copied % 50).toBe(0);
    const ns = copy
      .prepare("SELECT json_extract(details, '$.n') FROM audit_log WHERE action = 'load' ORDER BY id")
      .pluck()
      .all() as number[];
    expect(ns).toEqual(Array.from({ length: copied }, (_, i) => i));
    expect(copy.prepare("SELECT count(*) FROM audit_log WHERE action = 'fill'").pluck().get()).toBe(20_000);
    expect(copy.prepare("SELECT count(*) FROM members").pluck().get()).toBe(3);
    copy.close();

    // Restore into a stopped instance: a fresh path, then over an existing database (kept aside).
    const target = path.join(h.dir, "restored", "app.db");
    expect(restoreDatabase(out, target).kept).toBeNull();
    expect(fingerprint(target)).toEqual(fingerprint(out));
    const other = new Database(path.join(h.dir, "other.db"));
    other.exec("CREATE TABLE t (x); INSERT INTO t VALUES (1);");
    other.close();
    const r2 = restoreDatabase(out, path.join(h.dir, "other.db"));
    expect(r2.kept && fs.existsSync(r2.kept)).toBeTruthy();
    const restored = new Database(path.join(h.dir, "other.db"), { readonly: true });
    expect(restored.prepare("SELECT count(*) FROM audit_log WHERE action = 'load'").pluck().get()).toBe(copied);
    expect(restored.prepare("SELECT count(*) FROM members").pluck().get()).toBe(3);
    restored.close();
    // A guard, not a measure: the steps wait for the writer's commits, however slow a loaded machine is.
  }, 180_000);

  it("refuses to write over a backup, or beside one in progress", async () => {
    const h = tempFileDb();
    cleanup.push(() => h.close());
    await buildSmallCity(h);
    const dbPath = path.join(h.dir, "app.db");
    const out = path.join(h.dir, "copy.db");
    await backupDatabase(dbPath, out);
    const size = fs.statSync(out).size;
    await expect(backupDatabase(dbPath, out)).rejects.toThrow(/refusing to overwrite/);
    expect(fs.statSync(out).size).toBe(size);
    const other = path.join(h.dir, "other.db");
    fs.writeFileSync(`${other}.partial`, "");
    await expect(backupDatabase(dbPath, other)).rejects.toThrow(/another backup .* is running, or one was interrupted/);
    expect(fs.existsSync(other)).toBe(false);
    expect(fs.existsSync(`${other}.partial`)).toBe(true);
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

// The server's backup schedule (BACKUP_DIR, BACKUP_EVERY_HOURS, BACKUP_KEEP), for real: short
// periods, real worker threads, real files; a failure in the log and on the administrators' pages.

import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { pino } from "pino";
import { afterEach, describe, expect, it } from "vitest";
import { createApp } from "../../../server/app.js";
import { loadConfig, testConfig } from "../../../server/config.js";
import { BackupSchedule, backupAlert, backupFileName, type BackupStatus, listBackups } from "../../../server/services/backup/schedule.js";
import { createTestApp, signIn } from "../../helpers/app.js";
import { integrityCheck, killChildren, spawnTsx, waitFor } from "../../helpers/children.js";
import { tempFileDb } from "../../helpers/db.js";
import { buildSmallCity } from "../../helpers/fixtures.js";

const cleanup: (() => void | Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
  await killChildren();
});

/** A guard, not a measure: these tests wait for events (waitFor), however slow a loaded machine is. */
const LONG = 180_000;

type LogLine = { level: number; msg: string; [k: string]: unknown };

/** A pino logger whose lines are kept, parsed. */
function capturingLogger() {
  const lines: LogLine[] = [];
  const logger = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { logger, lines };
}

async function smallCityFile() {
  const h = tempFileDb();
  cleanup.push(() => h.close());
  const city = await buildSmallCity(h);
  return { h, city, dbPath: path.join(h.dir, "app.db") };
}

function schedule(dbPath: string, dir: string, everyMs: number, keep: number) {
  const { logger, lines } = capturingLogger();
  const s = new BackupSchedule({ databasePath: dbPath, dir, everyMs, keep, logger });
  cleanup.push(() => s.stop());
  return { s, lines };
}

/** The backup line of the accounts page. */
function backupLine(html: string): string {
  const m = /<p class="muted" id="backup">([\s\S]*?)<\/p>/.exec(html);
  if (!m) throw new Error("no backup line on the page");
  return m[1]!;
}

const taken = (lines: LogLine[]) => lines.filter((l) => l.msg === "backup taken");

describe("the backup schedule", () => {
  it(
    "takes a copy every period in a worker thread, keeps only the newest N of its own, and logs each",
    async () => {
      const { dbPath } = await smallCityFile();
      const dir = path.join(path.dirname(dbPath), "backups");
      fs.mkdirSync(dir);
      // Not this schedule's: a cron job's copy (another naming), another file, another database's copy.
      const foreign = ["app-2026-11-22.db", "notes.txt", "other-2020-01-01T00-00-00-000Z.db"];
      for (const f of foreign) fs.writeFileSync(path.join(dir, f), "x");
      // A partial copy left by a server killed during a backup: removed by the next run.
      const stale = path.join(dir, `${backupFileName(dbPath, new Date(Date.UTC(2020, 0, 1)))}.partial`);
      fs.writeFileSync(stale, "");
      const { s, lines } = schedule(dbPath, dir, 200, 2);
      s.start();
      await waitFor(() => taken(lines).length >= 4, "four scheduled backups", 60_000);
      await s.stop();

      const kept = listBackups(dir, dbPath);
      expect(kept).toHaveLength(2);
      const logged = taken(lines).map((l) => l.file as string);
      // The two newest of those taken, each a consistent, complete copy.
      expect(kept.map((k) => k.file)).toEqual(logged.slice(-2).reverse());
      for (const k of kept) {
        expect(integrityCheck(k.file)).toBe("ok");
        const copy = new Database(k.file, { readonly: true });
        expect(copy.prepare("SELECT count(*) FROM members").pluck().get()).toBe(3);
        copy.close();
      }
      for (const l of taken(lines)) {
        expect(l.level).toBe(30);
        expect(l.bytes).toBeGreaterThan(0);
        expect(l.integrity).toBe("ok");
      }
      expect(lines.some((l) => l.msg === "old backups deleted")).toBe(true);
      for (const f of foreign) expect(fs.existsSync(path.join(dir, f))).toBe(true);
      expect(fs.existsSync(stale)).toBe(false);
      expect(fs.readdirSync(dir).filter((f) => f.includes(".partial"))).toEqual([]);
      expect(lines.filter((l) => l.level >= 50)).toEqual([]);
      const st = s.status();
      expect(st.lastOk?.file).toBe(kept[0]!.file);
      expect(st.lastFailure).toBeNull();
      expect(st.nextAt).toBeNull(); // stopped
    },
    LONG,
  );

  it(
    "logs a failure loudly and shows it to administrators on every page, not to others; a later copy clears it",
    async () => {
      const { h, city, dbPath } = await smallCityFile();
      // BACKUP_DIR under a regular file: the directory cannot be made.
      const blocker = path.join(h.dir, "blocker");
      fs.writeFileSync(blocker, "");
      const dir = path.join(blocker, "backups");
      const { s, lines } = schedule(dbPath, dir, 300, 3);
      const app = createApp({ db: h, config: testConfig(), backups: s });
      s.start();
      const failure = await waitFor(() => s.status().lastFailure ?? undefined, "the first failure", 30_000);
      expect(failure.message).toMatch(/ENOTDIR/);
      const errors = lines.filter((l) => l.level >= 50);
      expect(errors.length).toBeGreaterThanOrEqual(1);
      expect(errors[0]!.msg).toMatch(/^BACKUP FAILED: .*ENOTDIR/);

      const admin = await signIn(app, city.users.admin!.username);
      for (const page of ["/", "/members", "/admin/users"]) {
        const res = await admin.get(page);
        expect(res.status).toBe(200);
        expect(res.text).toContain('id="backup-alert"');
        expect(res.text).toContain("自动备份失败");
        expect(res.text).toContain("ENOTDIR");
      }
      expect(backupLine((await admin.get("/admin/users")).text)).toContain("最近一次失败");
      for (const who of ["supervisor", "clerk", "secretary"] as const) {
        const agent = await signIn(app, city.users[who]!.username);
        const res = await agent.get("/");
        expect(res.status).toBe(200);
        expect(res.text).not.toContain("backup-alert");
        expect(res.text).not.toContain("自动备份");
        expect(res.text).not.toContain("ENOTDIR");
        expect((await agent.get("/admin/users")).status).toBe(403);
      }

      // The directory becomes writable: the retry (after a period here) succeeds and the alert goes.
      fs.rmSync(blocker);
      await waitFor(() => taken(lines).length >= 1, "a backup after the failure", 30_000);
      const res = await admin.get("/");
      expect(res.text).not.toContain("backup-alert");
      expect(backupLine((await admin.get("/admin/users")).text)).toContain("最近一次成功");
    },
    LONG,
  );

  it("after a restart, counts from the newest copy in the directory, and says when copies are overdue", async () => {
    const { dbPath } = await smallCityFile();
    const dir = path.join(path.dirname(dbPath), "backups");
    fs.mkdirSync(dir);
    const hour = 3_600_000;
    const recent = new Date(Date.now() - 0.5 * hour);
    fs.writeFileSync(path.join(dir, backupFileName(dbPath, new Date(Date.now() - 30 * hour))), "old");
    fs.writeFileSync(path.join(dir, backupFileName(dbPath, recent)), "recent");
    const { s } = schedule(dbPath, dir, 24 * hour, 7);
    s.start();
    const st = s.status();
    expect(st.lastOk?.at).toBe(recent.toISOString());
    expect(st.lastOk?.bytes).toBe(6);
    // Next copy a period after the newest, not at once.
    expect(Date.parse(st.nextAt!)).toBeGreaterThan(Date.now() + 23 * hour);
    expect(backupAlert(st, Date.now())).toBeNull();
    // Two periods without a copy (the server was down): overdue; not while one is being taken.
    expect(backupAlert(st, Date.now() + 48 * hour)).toEqual({ kind: "overdue", lastAt: recent.toISOString() });
    const running: BackupStatus = { ...st, runningSince: new Date().toISOString() };
    expect(backupAlert(running, Date.now() + 48 * hour)).toBeNull();
    // No copy yet and no failure: nothing to say.
    expect(backupAlert({ ...st, lastOk: null }, Date.now() + 48 * hour)).toBeNull();
  });

  it("without BACKUP_DIR, the accounts page says there is no built-in schedule and no page warns", async () => {
    const t = await createTestApp();
    cleanup.push(() => t.close());
    const admin = await signIn(t.app, t.city.users.admin!.username);
    expect(backupLine((await admin.get("/admin/users")).text)).toContain("未启用内置定时备份");
    expect((await admin.get("/")).text).not.toContain("backup-alert");
  });

  it("reads BACKUP_DIR, BACKUP_EVERY_HOURS and BACKUP_KEEP", () => {
    const off = loadConfig({});
    expect(off.backupDir).toBeNull();
    expect(off.backupEveryMs).toBe(24 * 3_600_000);
    expect(off.backupKeep).toBe(7);
    const on = loadConfig({ BACKUP_DIR: "/srv/backups", BACKUP_EVERY_HOURS: "0.5", BACKUP_KEEP: "30" });
    expect([on.backupDir, on.backupEveryMs, on.backupKeep]).toEqual(["/srv/backups", 1_800_000, 30]);
    expect(loadConfig({ BACKUP_DIR: "" }).backupDir).toBeNull();
    expect(() => loadConfig({ BACKUP_EVERY_HOURS: "0" })).toThrow(/BACKUP_EVERY_HOURS/);
    expect(() => loadConfig({ BACKUP_EVERY_HOURS: "600" })).toThrow(/BACKUP_EVERY_HOURS/);
    expect(() => loadConfig({ BACKUP_KEEP: "0" })).toThrow(/BACKUP_KEEP/);
  });

  it(
    "runs in the real server from the environment, and a SIGTERM leaves no partial copy",
    async () => {
      const { h, dbPath } = await smallCityFile();
      h.sqlite.pragma("wal_checkpoint(TRUNCATE)");
      const dir = path.join(h.dir, "backups");
      // 0.0002 h: a copy every 0.72 s.
      const server = spawnTsx("server/index.ts", [], {
        DATABASE_PATH: dbPath,
        PORT: "0",
        HOST: "127.0.0.1",
        LOG_LEVEL: "info",
        BACKUP_DIR: dir,
        BACKUP_EVERY_HOURS: "0.0002",
        BACKUP_KEEP: "2",
      });
      await waitFor(() => (server.stdout().match(/"msg":"backup taken"/g) ?? []).length >= 3, "three backups by the server", 60_000);
      expect(server.stdout()).toContain('"msg":"backup schedule on"');
      server.proc.kill("SIGTERM");
      const exit = await server.exited;
      expect(exit.code).toBe(0);
      const files = fs.readdirSync(dir);
      expect(files.filter((f) => f.includes(".partial"))).toEqual([]);
      const kept = listBackups(dir, dbPath);
      expect(kept).toHaveLength(2);
      for (const k of kept) expect(integrityCheck(k.file)).toBe("ok");
      expect(exit.stdout).not.toMatch(/"level":50/);
    },
    LONG,
  );
});

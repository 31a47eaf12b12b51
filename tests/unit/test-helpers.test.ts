// The test helpers copy database images instead of building each database again (run-cache.ts):
// a copy must be exactly what it replaces, or every test built on it proves less than it says.

import fs from "node:fs";
import { afterAll, describe, expect, it } from "vitest";
import { type DbHandle, openDb } from "../../db/client.js";
import { runMigrations } from "../../db/migrate.js";
import { verifyPassword } from "../../server/auth/password.js";
import { createTestApp, signIn } from "../helpers/app.js";
import { closedDbFile, memoryDb, tempFileDb } from "../helpers/db.js";
import { addEnterprise, addMember, buildSmallCity, PASSWORD } from "../helpers/fixtures.js";

const PRAGMAS = ["foreign_keys", "journal_mode", "busy_timeout", "synchronous", "cache_size", "temp_store", "page_size", "user_version"];
const pragmas = (h: DbHandle) => Object.fromEntries(PRAGMAS.map((p) => [p, h.sqlite.pragma(p, { simple: true })]));
const schemaOf = (h: DbHandle) => h.sqlite.prepare("SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name").all();
const migrationsOf = (h: DbHandle) => h.sqlite.prepare("SELECT hash, created_at FROM __drizzle_migrations ORDER BY id").all();
const tablesOf = (h: DbHandle) =>
  h.sqlite
    .prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .pluck()
    .all() as string[];
const countsOf = (h: DbHandle) =>
  Object.fromEntries(tablesOf(h).map((t) => [t, h.sqlite.prepare(`SELECT count(*) FROM "${t}"`).pluck().get()]));

const open: DbHandle[] = [];
function keep<T extends DbHandle>(h: T): T {
  open.push(h);
  return h;
}
afterAll(() => {
  for (const h of open) h.close();
});

describe("database images", () => {
  it("memoryDb is a freshly migrated in-memory database: same schema, migrations, pragmas, no rows", () => {
    const fresh = keep(openDb(":memory:"));
    runMigrations(fresh);
    const copy = keep(memoryDb());
    expect(schemaOf(copy)).toEqual(schemaOf(fresh));
    expect(migrationsOf(copy)).toEqual(migrationsOf(fresh));
    expect(pragmas(copy)).toEqual(pragmas(fresh));
    expect(countsOf(copy)).toEqual(countsOf(fresh));
    // Each call is a database of its own.
    copy.sqlite.exec("INSERT INTO settings (key, value) VALUES ('k', 'v')");
    expect(keep(memoryDb()).sqlite.prepare("SELECT count(*) FROM settings").pluck().get()).toBe(0);
  });

  it("tempFileDb is a freshly migrated WAL file, as openDb and runMigrations make one", () => {
    const dir = fs.mkdtempSync("/tmp/pc-helpers-");
    const fresh = keep(openDb(`${dir}/fresh.db`));
    runMigrations(fresh);
    const copy = keep(tempFileDb());
    expect(schemaOf(copy)).toEqual(schemaOf(fresh));
    expect(migrationsOf(copy)).toEqual(migrationsOf(fresh));
    expect(pragmas(copy)).toEqual({ ...pragmas(fresh) });
    expect(pragmas(copy).journal_mode).toBe("wal");
    expect(countsOf(copy)).toEqual(countsOf(fresh));
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it("the small city copied (createTestApp, a file) holds what building it afresh holds", async () => {
    // An in-memory database a test made is always built afresh: with and without an app over it.
    const appAfresh = await createTestApp({}, keep(memoryDb()));
    const afresh = keep(memoryDb());
    const cityAfresh = await buildSmallCity(afresh);
    const t = await createTestApp();
    keep(t.handle);
    const file = keep(tempFileDb());
    const cityInFile = await buildSmallCity(file);

    for (const [h, like] of [
      [t.handle, appAfresh.handle],
      [file, afresh],
    ] as const) {
      expect(countsOf(h)).toEqual(countsOf(like));
      expect(h.sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
      expect(h.sqlite.pragma("foreign_key_check")).toEqual([]);
      // Every row but those numbered by the fixtures' counters (credit codes, ID numbers, phones) and timestamps.
      const rows = (x: DbHandle) =>
        x.sqlite.prepare("SELECT id, code, name, kind, parent_id, path, depth FROM organizations ORDER BY id").all();
      expect(rows(h)).toEqual(rows(like));
      const accounts = (x: DbHandle) => x.sqlite.prepare("SELECT id, username, role, org_id, status FROM users ORDER BY id").all();
      expect(accounts(h)).toEqual(accounts(like));
      const settings = (x: DbHandle) => x.sqlite.prepare("SELECT key FROM settings ORDER BY key").pluck().all();
      expect(settings(h)).toEqual(settings(like));
    }
    for (const city of [t.city, cityInFile]) {
      expect(Object.keys(city).sort()).toEqual(Object.keys(cityAfresh).sort());
      expect(city.users).toEqual(cityAfresh.users);
      expect(city.userIds).toEqual(cityAfresh.userIds);
      expect({ ...city.dlBranch, createdAt: null, updatedAt: null }).toEqual({ ...cityAfresh.dlBranch, createdAt: null, updatedAt: null });
    }
    // Copied, not built again (a hash is salted afresh each time it is made), and copied into the file too.
    const hashOf = (x: DbHandle) => x.sqlite.prepare("SELECT password_hash FROM users WHERE username = 't-admin'").pluck().get();
    expect(hashOf(file)).toBe(hashOf(t.handle));
    expect(hashOf(afresh)).not.toBe(hashOf(t.handle));
    // The accounts' hashes are real argon2id hashes of PASSWORD: signing in works.
    const hash = t.handle.sqlite.prepare("SELECT password_hash FROM users WHERE username = 't-admin'").pluck().get() as string;
    expect(await verifyPassword(hash, PASSWORD)).toBe(true);
    const agent = await signIn(t.app, "t-clerk-dl");
    expect((await agent.get("/")).status).toBe(200);
    // A copy is private: a change to one is not in the next.
    addMember(t.handle, t.city.dlBranch.id);
    expect(countsOf(keep((await createTestApp()).handle)).members).toBe(countsOf(afresh).members);
  }, 90_000); // three cities built afresh (21 argon2 hashes), for the comparison

  it("a test's own enterprises and members never repeat the copied city's credit codes or ID numbers", async () => {
    const t = await createTestApp();
    keep(t.handle);
    const e = addEnterprise(t.handle, t.city.dl.id);
    const m = addMember(t.handle, t.city.dlBranch.id);
    expect([t.city.dlEnterprise.creditCode, t.city.psEnterprise.creditCode]).not.toContain(e.creditCode);
    expect([t.city.dlMember.idNumber, t.city.dlJointMember.idNumber, t.city.psMember.idNumber]).not.toContain(m.idNumber);
  });

  it("closedDbFile(buildSmallCity) leaves a closed, checkpointed file a child process can open", async () => {
    const { dir, path } = await closedDbFile(buildSmallCity);
    try {
      const h = keep(openDb(path));
      expect(h.sqlite.prepare("SELECT count(*) FROM users").pluck().get()).toBe(7);
      expect(h.sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

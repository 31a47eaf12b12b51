// Migration 0011 (usernames one account whatever their case; failed sign-ins forget unknown names),
// run over a database as builds before it left it.
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DbHandle, openDb } from "../../../db/client.js";
import { MIGRATIONS_FOLDER, runMigrations } from "../../../db/migrate.js";
import { DUMMY_HASH, hashPassword, verifyPassword } from "../../../server/auth/password.js";

const TAG = "0011_users-username-nocase";

let dir: string;
let h: DbHandle;

/** A database migrated up to the one before 0011, from a copy of the migrations without it and later ones. */
function databaseBefore0011(): DbHandle {
  const folder = path.join(dir, "migrations");
  fs.cpSync(MIGRATIONS_FOLDER, folder, { recursive: true });
  const journalFile = path.join(folder, "meta", "_journal.json");
  const journal = JSON.parse(fs.readFileSync(journalFile, "utf8")) as { entries: { idx: number; tag: string }[] };
  const cut = journal.entries.findIndex((e) => e.tag === TAG);
  expect(cut).toBeGreaterThan(0);
  journal.entries = journal.entries.slice(0, cut);
  fs.writeFileSync(journalFile, JSON.stringify(journal));
  const handle = openDb(":memory:");
  migrate(handle.db, { migrationsFolder: folder });
  // An organization for the accounts to belong to (its region and parents are beside the point).
  handle.sqlite.pragma("foreign_keys = OFF");
  handle.sqlite
    .prepare(
      "INSERT INTO organizations (id, code, name, kind, path, depth, region_code) VALUES (1, 'HZ', '市委社会工作部', 'city_department', '/1/', 0, '371700')",
    )
    .run();
  handle.sqlite.pragma("foreign_keys = ON");
  return handle;
}

const addUser = (username: string) =>
  h.sqlite
    .prepare("INSERT INTO users (username, display_name, password_hash, role, org_id) VALUES (?, ?, 'x', 'admin', 1)")
    .run(username, username);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "users-migration-"));
  h = databaseBefore0011();
});
afterEach(() => {
  h.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe("migration 0011: case-insensitive usernames", () => {
  it("is refused, naming the accounts, while two differ only in case; it runs once one is renamed", () => {
    addUser("admin");
    addUser("Admin");
    addUser("zhang.san");
    addUser("ZHANG.SAN");
    addUser("li.si");
    expect(() => runMigrations(h)).toThrow(
      /cannot make usernames case-insensitive \(migration 0011\): these accounts differ only in case: \[admin, Admin\] \[zhang\.san, ZHANG\.SAN\]\. Rename all but one/,
    );
    // Nothing of it applied.
    expect(h.sqlite.prepare("SELECT count(*) FROM pragma_table_info('users') WHERE name = 'failed_attempts'").pluck().get()).toBe(1);

    h.sqlite.prepare("UPDATE users SET username = 'admin2' WHERE username = 'Admin'").run();
    h.sqlite.prepare("UPDATE users SET username = 'zhang.san2' WHERE username = 'ZHANG.SAN'").run();
    runMigrations(h);
    expect(() => addUser("LI.SI")).toThrow(/UNIQUE constraint failed/);
    expect(
      h.sqlite.prepare("SELECT count(*) FROM pragma_table_info('users') WHERE name IN ('failed_attempts', 'locked_until')").pluck().get(),
    ).toBe(0);
    // And the check does not stand in the way of later starts.
    expect(() => runMigrations(h)).not.toThrow();
  });

  it("forgets the names typed at failed sign-ins under no account, and keeps the rest of the log", () => {
    addUser("t-admin");
    const log = h.sqlite.prepare("INSERT INTO audit_log (user_id, username, action, entity, details) VALUES (?, ?, ?, 'user', ?)");
    log.run(null, "Gr8-Secret-passw0rd", "login_failed", JSON.stringify({ reason: "unknown_user" }));
    log.run(1, "t-admin", "login_failed", JSON.stringify({ reason: "wrong_password", attempt: 1, locked: false }));
    log.run(1, "t-admin", "login", JSON.stringify({}));
    h.sqlite
      .prepare(
        "INSERT INTO rate_limits (key, points, expire) VALUES ('login_user_ip:gr8-secret-passw0rd|1.2.3.4', 1, ?), ('login_ip:1.2.3.4', 1, ?)",
      )
      .run(Date.now() + 60_000, Date.now() + 60_000);
    runMigrations(h);
    const rows = h.sqlite.prepare("SELECT username, action FROM audit_log ORDER BY id").all();
    expect(rows).toEqual([
      { username: null, action: "login_failed" },
      { username: "t-admin", action: "login_failed" },
      { username: "t-admin", action: "login" },
    ]);
    expect(h.sqlite.prepare("SELECT key FROM rate_limits").pluck().all()).toEqual(["login_ip:1.2.3.4"]);
  });
});

describe("the hash an unknown name is checked against", () => {
  it("has the parameters of the hashes accounts get, so checking against it costs the same, and matches nothing", async () => {
    const params = (phc: string) => phc.split("$").slice(1, 4).join("$");
    expect(params(DUMMY_HASH)).toBe(params(await hashPassword("any-passw0rd")));
    expect(await verifyPassword(DUMMY_HASH, "")).toBe(false);
  });
});

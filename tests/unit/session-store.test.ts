// The session store (server/auth/session-store.ts): a signed-in account's session is a row of the
// sessions table; a visitor's (no account yet) is kept in memory, bounded, and never written.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../db/client.js";
import { SqliteSessionStore } from "../../server/auth/session-store.js";
import { prepareDatabase } from "../../server/bootstrap.js";
import { memoryDb } from "../helpers/db.js";

let h: DbHandle;
let clock: number;
let userId: number;
const IDLE = 30 * 60_000;
const ABSOLUTE = 12 * 3_600_000;

beforeEach(() => {
  h = memoryDb();
  prepareDatabase(h, { jurisdiction: { regionCode: "371700" } });
  const org = h.sqlite.prepare("SELECT id FROM organizations WHERE parent_id IS NULL").pluck().get();
  userId = Number(
    h.sqlite.prepare("INSERT INTO users (username, display_name, password_hash, role, org_id) VALUES ('u', 'U', 'x', 'clerk', ?)").run(org)
      .lastInsertRowid,
  );
  clock = 1_000_000;
});
afterEach(() => h.close());

const store = (anonymousMax?: number) => new SqliteSessionStore(h, { idleMs: IDLE, absoluteMs: ABSOLUTE, now: () => clock, anonymousMax });
const visitor = (token: string) => ({ cookie: {}, csrfToken: token }) as never;
const signedIn = () => ({ cookie: {}, passport: { user: userId } }) as never;
const changes = () => h.sqlite.prepare("SELECT total_changes()").pluck().get() as number;
const rows = () => h.sqlite.prepare("SELECT sid, user_id AS userId FROM sessions ORDER BY sid").all();
const read = (s: SqliteSessionStore, sid: string) =>
  new Promise<unknown>((resolve, reject) => s.get(sid, (err, session) => (err ? reject(err) : resolve(session))));

describe("session store", () => {
  it("keeps a visitor's session without writing the database, through set, touch, get and destroy", async () => {
    const s = store();
    const before = changes();
    s.set("v1", visitor("t1"));
    s.touch("v1", visitor("t1"));
    expect(await read(s, "v1")).toEqual({ cookie: {}, csrfToken: "t1" });
    s.destroy("v1");
    expect(await read(s, "v1")).toBeNull();
    expect(changes()).toBe(before);
    expect(rows()).toEqual([]);
  });

  it("keeps at most anonymousMax visitors, the oldest going first", async () => {
    const s = store(3);
    for (const sid of ["v1", "v2", "v3", "v4"]) s.set(sid, visitor(sid));
    expect(await read(s, "v1")).toBeNull();
    for (const sid of ["v2", "v3", "v4"]) expect(await read(s, sid)).toEqual({ cookie: {}, csrfToken: sid });
    // Saving a visitor's session again makes it the newest.
    s.set("v2", visitor("v2"));
    s.set("v5", visitor("v5"));
    expect(await read(s, "v3")).toBeNull();
    expect(await read(s, "v2")).not.toBeNull();
    const length = await new Promise<number | undefined>((r) => s.length((_e, n) => r(n)));
    expect(length).toBe(3);
  });

  it("ends a visitor's session after the idle time, and after the absolute lifetime however often it is touched", async () => {
    const s = store();
    s.set("idle", visitor("a"));
    s.set("busy", visitor("b"));
    clock += IDLE - 1;
    s.touch("busy", visitor("b"));
    expect(await read(s, "idle")).not.toBeNull();
    clock += 2;
    expect(await read(s, "idle")).toBeNull();
    expect(await read(s, "busy")).not.toBeNull();
    for (let t = 0; t < ABSOLUTE; t += IDLE / 2) {
      clock += IDLE / 2;
      s.touch("busy", visitor("b"));
    }
    expect(await read(s, "busy")).toBeNull();
  });

  it("prune drops the visitors whose time is up", async () => {
    const s = store();
    s.set("old", visitor("o"));
    clock += IDLE + 1;
    s.set("new", visitor("n"));
    s.prune();
    const length = await new Promise<number | undefined>((r) => s.length((_e, n) => r(n)));
    expect(length).toBe(1);
  });

  it("writes a signed-in session as a row, and removes the row when the session loses its account", async () => {
    const s = store();
    s.set("v1", visitor("t"));
    s.set("v1", signedIn());
    expect(rows()).toEqual([{ sid: "v1", userId }]);
    expect(await read(s, "v1")).toEqual({ cookie: {}, passport: { user: userId } });
    // Signed out without being destroyed (passport's logout saves the session without the account).
    s.set("v1", visitor("t2"));
    expect(rows()).toEqual([]);
    expect(await read(s, "v1")).toEqual({ cookie: {}, csrfToken: "t2" });
  });
});

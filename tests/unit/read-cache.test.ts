// The read cache serves a result again only while the data is unchanged; session bookkeeping is
// not a change; another process's commits are picked up once the entry is older than the limit.

import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.js";
import { prepareDatabase } from "../../server/bootstrap.js";
import { SqliteSessionStore, TOUCH_EVERY_MS } from "../../server/auth/session-store.js";
import { ReadCache } from "../../server/services/read-cache.js";
import { tempFileDb } from "../helpers/db.js";

let h: ReturnType<typeof tempFileDb>;
let clock = 1_000_000;
let computed = 0;
const count = () => {
  computed++;
  return h.sqlite.prepare("SELECT count(*) FROM industries").pluck().get() as number;
};

beforeEach(() => {
  h = tempFileDb();
  computed = 0;
  clock = 1_000_000;
});
afterEach(() => h.close());

describe("ReadCache", () => {
  it("computes once while nothing changes, and again after a write on this connection", () => {
    const cache = new ReadCache<number>(h.sqlite, { max: 10, othersMaxAgeMs: 30_000, now: () => clock });
    expect(cache.get("k", count)).toBe(0);
    expect(cache.get("k", count)).toBe(0);
    expect(computed).toBe(1);
    h.sqlite.prepare("INSERT INTO industries (code, name) VALUES ('x', 'X')").run();
    expect(cache.get("k", count)).toBe(1);
    expect(computed).toBe(2);
    // A statement that changes no row is no change.
    h.sqlite.prepare("DELETE FROM industries WHERE code = 'none'").run();
    expect(cache.get("k", count)).toBe(1);
    expect(computed).toBe(2);
  });

  it("getAsync: one count for concurrent requests; a write made while counting is counted again next time", async () => {
    const cache = new ReadCache<number>(h.sqlite, { max: 10, othersMaxAgeMs: 30_000, now: () => clock });
    let release!: () => void;
    const gate = new Promise<void>((r) => {
      release = r;
    });
    const slow = async () => {
      await gate;
      return count();
    };
    const a = cache.getAsync("k", slow);
    const b = cache.getAsync("k", slow);
    // Written after the count was asked for: the kept value must not pass for the newer data.
    h.sqlite.prepare("INSERT INTO industries (code, name) VALUES ('x', 'X')").run();
    release();
    expect(await a).toBe(1);
    expect(await b).toBe(1);
    expect(computed).toBe(1);
    expect(await cache.getAsync("k", async () => count())).toBe(1);
    expect(computed).toBe(2);
    expect(await cache.getAsync("k", async () => count())).toBe(1);
    expect(computed).toBe(2);
    // A failed count is not kept.
    await expect(cache.getAsync("j", () => Promise.reject(new Error("thread failed")))).rejects.toThrow("thread failed");
    expect(await cache.getAsync("j", async () => count())).toBe(1);
    expect(computed).toBe(3);
  });

  it("session writes are bookkeeping, not data", () => {
    const cache = new ReadCache<number>(h.sqlite, { max: 10, othersMaxAgeMs: 30_000, now: () => clock });
    const store = new SqliteSessionStore(h, { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000, now: () => clock });
    cache.get("k", count);
    store.set("sid-1", { cookie: {} } as never);
    store.touch("sid-1", { cookie: {} } as never);
    store.destroy("sid-1");
    expect(cache.get("k", count)).toBe(0);
    expect(computed).toBe(1);
  });

  it("another process's commit is picked up once the entry is older than the limit", () => {
    const cache = new ReadCache<number>(h.sqlite, { max: 10, othersMaxAgeMs: 30_000, now: () => clock });
    const other = openDb(h.path);
    try {
      cache.get("k", count);
      other.sqlite.prepare("INSERT INTO industries (code, name) VALUES ('y', 'Y')").run();
      clock += 29_000;
      expect(cache.get("k", count)).toBe(0); // still within the limit
      clock += 2_000;
      expect(cache.get("k", count)).toBe(1);
      expect(computed).toBe(2);
    } finally {
      other.close();
    }
  });

  it("keeps at most `max` entries, evicting the least recently used", () => {
    const cache = new ReadCache<string>(h.sqlite, { max: 2, othersMaxAgeMs: 30_000 });
    let n = 0;
    const v = (s: string) => () => {
      n++;
      return s;
    };
    cache.get("a", v("a"));
    cache.get("b", v("b"));
    cache.get("a", v("a"));
    cache.get("c", v("c")); // evicts b
    expect(n).toBe(3);
    cache.get("a", v("a"));
    expect(n).toBe(3);
    cache.get("b", v("b"));
    expect(n).toBe(4);
  });
});

/** A signed-in account's session (a visitor's is kept in memory, not in the table: auth-sessions tests). */
function signedIn(): never {
  prepareDatabase(h, { jurisdiction: { regionCode: "371700" } });
  const org = h.sqlite.prepare("SELECT id FROM organizations WHERE parent_id IS NULL").pluck().get();
  const user = h.sqlite
    .prepare("INSERT INTO users (username, display_name, password_hash, role, org_id) VALUES ('u', 'U', 'x', 'clerk', ?)")
    .run(org).lastInsertRowid;
  return { cookie: {}, passport: { user: Number(user) } } as never;
}

describe("session touch", () => {
  it("writes the idle expiry at most every TOUCH_EVERY_MS", () => {
    const store = new SqliteSessionStore(h, { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000, now: () => clock });
    store.set("sid-1", signedIn());
    const expiry = () => {
      const r = new Database(h.path, { readonly: true });
      try {
        return r.prepare("SELECT expires_at FROM sessions WHERE sid = 'sid-1'").pluck().get() as number;
      } finally {
        r.close();
      }
    };
    const first = expiry();
    clock += TOUCH_EVERY_MS - 1;
    store.touch("sid-1", { cookie: {} } as never);
    expect(expiry()).toBe(first);
    clock += 1;
    store.touch("sid-1", { cookie: {} } as never);
    expect(expiry()).toBe(first + TOUCH_EVERY_MS);
  });

  it("does not wait while another process holds the write lock, and writes on a later request", () => {
    const store = new SqliteSessionStore(h, { idleMs: 30 * 60_000, absoluteMs: 12 * 3_600_000, now: () => clock });
    store.set("sid-2", signedIn());
    const other = new Database(h.path);
    const expiry = () => h.sqlite.prepare("SELECT expires_at FROM sessions WHERE sid = 'sid-2'").pluck().get() as number;
    const first = expiry();
    try {
      other.exec("BEGIN IMMEDIATE"); // an import applying its roster
      clock += TOUCH_EVERY_MS;
      const t0 = performance.now();
      let err: unknown = "not called";
      store.touch("sid-2", { cookie: {} } as never, (e) => {
        err = e;
      });
      expect(err).toBeUndefined();
      expect(performance.now() - t0).toBeLessThan(1_000); // the connection's busy_timeout is 10 s
      other.exec("COMMIT");
      expect(expiry()).toBe(first);
      expect(h.sqlite.pragma("busy_timeout", { simple: true })).toBe(10_000);
      store.touch("sid-2", { cookie: {} } as never);
      expect(expiry()).toBe(first + TOUCH_EVERY_MS);
    } finally {
      other.close();
    }
  });
});

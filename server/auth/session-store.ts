import { Store, type SessionData } from "express-session";
import type { DbHandle } from "../../db/client.js";
import { noteBookkeepingWrites } from "../services/read-cache.js";

// express-session store over our own `sessions` table. Ours rather than a package: the available
// SQLite stores have no types and keep a timer alive; ours also records user_id so that disabling
// an account can end its sessions at once, and enforces the absolute lifetime.
//
// A session without a signed-in account (a visitor's: the login form's CSRF token, the page to
// return to) is kept in memory, never in the table: written there, every anonymous request that
// reached the login page was a row and a write transaction, so anyone could make the server write
// to its database as fast as they could ask, and wait behind an import's write lock. The memory is
// bounded (the oldest visitors' sessions go first: under such a flood a real visitor may have to
// load the login form again); signing in regenerates the session, and the signed-in one is a row.

type Row = { data: string; expires_at: number; created_at: number };

/**
 * A session's idle expiry is written at most this often. Rolling sessions touch on every request;
 * writing each touch made every page view a write transaction (and, while an import holds the
 * write lock, a wait). The idle timeout is therefore exact to within this much.
 */
export const TOUCH_EVERY_MS = 60_000;

/** How many sessions without a signed-in account are kept, in memory (see the top of this file). */
export const ANONYMOUS_SESSIONS_MAX = 10_000;

type Kept = { data: string; expiresAt: number; createdAt: number };

function signedInUser(session: SessionData): number | null {
  const user = (session as { passport?: { user?: unknown } }).passport?.user;
  return typeof user === "number" ? user : null;
}

export class SqliteSessionStore extends Store {
  private readonly stmts;
  private readonly sqlite: DbHandle["sqlite"];
  /** The expiry last written per session id (touch skips writes that would move it by less than TOUCH_EVERY_MS). */
  private readonly written = new Map<string, number>();
  /** Sessions without a signed-in account, oldest first. */
  private readonly anonymous = new Map<string, Kept>();

  constructor(
    handle: DbHandle,
    private readonly opts: { idleMs: number; absoluteMs: number; now?: () => number; anonymousMax?: number },
  ) {
    super();
    const s = handle.sqlite;
    this.sqlite = s;
    this.stmts = {
      get: s.prepare<[string], Row>("SELECT data, expires_at, created_at FROM sessions WHERE sid = ?"),
      upsert: s.prepare(
        `INSERT INTO sessions (sid, user_id, data, expires_at, created_at) VALUES (@sid, @userId, @data, @expiresAt, @now)
         ON CONFLICT(sid) DO UPDATE SET user_id = excluded.user_id, data = excluded.data, expires_at = excluded.expires_at`,
      ),
      touch: s.prepare("UPDATE sessions SET expires_at = ? WHERE sid = ?"),
      destroy: s.prepare("DELETE FROM sessions WHERE sid = ?"),
      prune: s.prepare("DELETE FROM sessions WHERE expires_at < ? OR created_at < ?"),
      clear: s.prepare("DELETE FROM sessions"),
      count: s.prepare<[], { n: number }>("SELECT count(*) AS n FROM sessions"),
    };
  }

  private now(): number {
    return this.opts.now ? this.opts.now() : Date.now();
  }

  /**
   * A write that must not wait: while another process holds the write lock (an import applying a
   * roster holds it for seconds), waiting would stall the whole server. Returns false when the
   * database is busy; a touch is simply tried again on the session's next request.
   */
  private tryWrite(stmt: { run(...args: unknown[]): { changes: number } }, ...args: unknown[]): boolean {
    const timeout = this.sqlite.pragma("busy_timeout", { simple: true }) as number;
    this.sqlite.pragma("busy_timeout = 0");
    try {
      this.write(stmt, ...args);
      return true;
    } catch (err) {
      if ((err as { code?: string }).code === "SQLITE_BUSY") return false;
      throw err;
    } finally {
      this.sqlite.pragma(`busy_timeout = ${timeout}`);
    }
  }

  /** Runs a write on the sessions table, reported as bookkeeping (not data) to the read cache. */
  private write(stmt: { run(...args: unknown[]): { changes: number } }, ...args: unknown[]): number {
    const changes = stmt.run(...args).changes;
    noteBookkeepingWrites(this.sqlite, changes);
    return changes;
  }

  private expired(k: { expiresAt: number; createdAt: number }, now: number): boolean {
    return k.expiresAt < now || k.createdAt + this.opts.absoluteMs < now;
  }

  override get(sid: string, cb: (err: unknown, session?: SessionData | null) => void): void {
    try {
      const now = this.now();
      const kept = this.anonymous.get(sid);
      if (kept) {
        if (this.expired(kept, now)) {
          this.anonymous.delete(sid);
          cb(null, null);
        } else {
          cb(null, JSON.parse(kept.data) as SessionData);
        }
        return;
      }
      const row = this.stmts.get.get(sid);
      if (!row) {
        cb(null, null);
      } else if (this.expired({ expiresAt: row.expires_at, createdAt: row.created_at }, now)) {
        this.write(this.stmts.destroy, sid);
        this.written.delete(sid);
        cb(null, null);
      } else {
        cb(null, JSON.parse(row.data) as SessionData);
      }
    } catch (err) {
      cb(err);
    }
  }

  override set(sid: string, session: SessionData, cb?: (err?: unknown) => void): void {
    try {
      const userId = signedInUser(session);
      const now = this.now();
      const expiresAt = now + this.opts.idleMs;
      if (userId === null) {
        const createdAt = this.anonymous.get(sid)?.createdAt ?? now;
        this.anonymous.delete(sid);
        this.anonymous.set(sid, { data: JSON.stringify(session), expiresAt, createdAt });
        const max = this.opts.anonymousMax ?? ANONYMOUS_SESSIONS_MAX;
        for (const oldest of this.anonymous.keys()) {
          if (this.anonymous.size <= max) break;
          this.anonymous.delete(oldest);
        }
        // One that had an account (signed out but not destroyed) loses its row.
        if (this.stmts.get.get(sid)) this.write(this.stmts.destroy, sid);
        this.written.delete(sid);
        cb?.();
        return;
      }
      this.anonymous.delete(sid);
      this.write(this.stmts.upsert, { sid, userId, data: JSON.stringify(session), expiresAt, now });
      this.written.set(sid, expiresAt);
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  override touch(sid: string, _session: SessionData, cb?: (err?: unknown) => void): void {
    try {
      const expiresAt = this.now() + this.opts.idleMs;
      const kept = this.anonymous.get(sid);
      if (kept) {
        kept.expiresAt = expiresAt;
        cb?.();
        return;
      }
      const last = this.written.get(sid);
      if ((last === undefined || expiresAt - last >= TOUCH_EVERY_MS) && this.tryWrite(this.stmts.touch, expiresAt, sid))
        this.written.set(sid, expiresAt);
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  override destroy(sid: string, cb?: (err?: unknown) => void): void {
    try {
      // A session is in one place or the other (set moves it): a visitor's leaves the table alone.
      if (!this.anonymous.delete(sid)) this.write(this.stmts.destroy, sid);
      this.written.delete(sid);
      cb?.();
    } catch (err) {
      cb?.(err);
    }
  }

  override clear(cb?: (err?: unknown) => void): void {
    this.write(this.stmts.clear);
    this.written.clear();
    this.anonymous.clear();
    cb?.();
  }

  override length(cb: (err: unknown, length?: number) => void): void {
    cb(null, this.stmts.count.get()!.n + this.anonymous.size);
  }

  /** Removes expired sessions; called at start and hourly. Returns how many rows of the table went. */
  prune(): number {
    const now = this.now();
    for (const [sid, kept] of this.anonymous) if (this.expired(kept, now)) this.anonymous.delete(sid);
    return this.write(this.stmts.prune, now, now - this.opts.absoluteMs);
  }
}

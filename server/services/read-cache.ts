// A cache for expensive read-only results (the dashboard's figures over a million workers take
// seconds), kept exactly as fresh as the data:
//
// - A change made through this process's connection (an acceptance, an edit, an import run by the
//   web app) invalidates every entry at once: `total_changes()` counts the rows this connection has
//   written. Session bookkeeping (touching a session's expiry, CSRF tokens, flash messages) is not
//   data: the session store reports its writes here and they are subtracted.
// - A change committed by another process (the import CLI, whose progress heartbeat commits every
//   250 ms while it runs) is seen through `PRAGMA data_version`; an entry is then recomputed once it
//   is older than `othersMaxAgeMs`, so a running import cannot force a recomputation per request.

import type Database from "better-sqlite3";

type Probe = { changes: Database.Statement; dataVersion: Database.Statement; bookkeeping: number };
const probes = new WeakMap<Database.Database, Probe>();

function probeOf(sqlite: Database.Database): Probe {
  let p = probes.get(sqlite);
  if (!p) {
    p = {
      changes: sqlite.prepare("SELECT total_changes()").pluck(),
      dataVersion: sqlite.prepare("PRAGMA data_version").pluck(),
      bookkeeping: 0,
    };
    probes.set(sqlite, p);
  }
  return p;
}

/** Rows written on `sqlite` that are bookkeeping, not data (the session store calls this). */
export function noteBookkeepingWrites(sqlite: Database.Database, rows: number): void {
  if (rows > 0) probeOf(sqlite).bookkeeping += rows;
}

type Entry<T> = { value: T; own: number; others: number; at: number };

/** What a cache over `sqlite` is kept under: the rows this connection wrote (bookkeeping aside) and PRAGMA data_version. */
export type CacheVersion = { own: number; others: number };

/** The version of the data as `sqlite` sees it now (what another thread's caches are told to follow: members/list-thread.ts). */
export function versionOf(sqlite: Database.Database): CacheVersion {
  const p = probeOf(sqlite);
  return { own: Number(p.changes.get()) - p.bookkeeping, others: Number(p.dataVersion.get()) };
}

export class ReadCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  private readonly inFlight = new Map<string, { own: number; others: number; value: Promise<T> }>();

  constructor(
    private readonly sqlite: Database.Database,
    private readonly opts: {
      max: number;
      othersMaxAgeMs: number;
      now?: () => number;
      /** Another connection's version to follow instead of this one's (a thread reading for the server's thread). */
      version?: () => CacheVersion;
    },
  ) {}

  private version(): CacheVersion {
    return this.opts.version ? this.opts.version() : versionOf(this.sqlite);
  }

  /** The cached value for `key`, or `compute()`'s (then cached) when the data changed since. */
  get(key: string, compute: () => T): T {
    const now = this.opts.now ? this.opts.now() : Date.now();
    const v = this.version();
    const e = this.fresh(key, v, now);
    if (e) return e.value;
    const value = compute();
    this.keep(key, value, v, now);
    return value;
  }

  /**
   * As get, for a value counted elsewhere (another thread): kept under the version read before it
   * was asked for, so a write made meanwhile counts it again next time. Requests for the same key
   * and version while it is being counted share the one count.
   */
  async getAsync(key: string, compute: () => Promise<T>): Promise<T> {
    const now = this.opts.now ? this.opts.now() : Date.now();
    const v = this.version();
    const e = this.fresh(key, v, now);
    if (e) return e.value;
    const running = this.inFlight.get(key);
    if (running && running.own === v.own && running.others === v.others) return running.value;
    const value = compute();
    const flight = { ...v, value };
    this.inFlight.set(key, flight);
    try {
      const result = await value;
      this.keep(key, result, v, now);
      return result;
    } finally {
      if (this.inFlight.get(key) === flight) this.inFlight.delete(key);
    }
  }

  /** The entry for `key` if still valid at version `v`, made the most recently used (the first key is the one to evict). */
  private fresh(key: string, v: { own: number; others: number }, now: number) {
    const e = this.entries.get(key);
    if (!e || e.own !== v.own || (e.others !== v.others && now - e.at >= this.opts.othersMaxAgeMs)) return null;
    this.entries.delete(key);
    this.entries.set(key, e);
    return e;
  }

  private keep(key: string, value: T, v: { own: number; others: number }, now: number): void {
    this.entries.delete(key);
    this.entries.set(key, { value, own: v.own, others: v.others, at: now });
    while (this.entries.size > this.opts.max) this.entries.delete(this.entries.keys().next().value as string);
  }

  clear(): void {
    this.entries.clear();
  }
}

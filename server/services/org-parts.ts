// Counts kept per holding organization: a person (or a branch) is held by one organization and
// every scope is a set of organizations, so a scope's counts are the sum of its organizations'
// counts. After a clerk's write, only the organizations whose counters moved are counted again.
//
// An organization's part is kept under its counters 'org:<id>' (migration 0019: members inserted or
// deleted, their coverage fields, leads) and 'risk:<id>' (migration 0021: the other member fields,
// transfers, mobile spells, meetings, attendance, dues entries), beside the globals 'coverage' (an
// organization's kind, status or place: which members are managed), 'workers' for counts that read
// the rosters, and the day (every cutoff moves with it). The counters and the recount are read in
// one read transaction, so a part is exactly as new as the counters it is kept under, whichever
// connection or process wrote. Used by the drift-risk counts (risk/parts.ts) and organizational
// life (meetings/parts.ts).

import type Database from "better-sqlite3";
import { type SQL, sql } from "drizzle-orm";
import type { AnySQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Db } from "../../db/client.js";
import { type Actor, scopePath } from "../policy/actor.js";

/**
 * The rows held by the organizations `only` (all when null). A list of literals (integers, checked),
 * not a parameter: the planner then reads those organizations' rows through the org_id index
 * (over json_each it scanned the members for the other conditions' indexes).
 */
export function heldBy(only: readonly number[] | null | undefined, orgIdColumn: AnySQLiteColumn | SQL): SQL {
  if (!only) return sql`1 = 1`;
  if (only.length === 0) return sql`0 = 1`;
  return sql`${orgIdColumn} IN (${sql.raw(only.map((id) => String(Math.trunc(Number(id)))).join(", "))})`;
}

export type Counts = Record<string, number>;
/** Each organization's counts, for the organizations `only` (all when null). */
export type CountByOrg<R extends Counts> = (db: Db, today: string, only: readonly number[] | null) => Map<number, R>;

type Versions = { global: string; orgs: Map<number, string> };

type PartsClass<P> = new (sqlite: Database.Database) => P;

/** The instances kept per connection, per subclass (OrgParts.of). */
const keptByClass = new WeakMap<object, WeakMap<Database.Database, unknown>>();

function keptFor<P>(kind: PartsClass<P>, sqlite: Database.Database): P {
  let kept = keptByClass.get(kind) as WeakMap<Database.Database, P> | undefined;
  if (!kept) {
    kept = new WeakMap();
    keptByClass.set(kind, kept);
  }
  let parts = kept.get(sqlite);
  if (parts === undefined) {
    parts = new kind(sqlite);
    kept.set(sqlite, parts);
  }
  return parts;
}

export class OrgParts<R extends Counts> {
  /**
   * The parts of this kind kept for a connection: one per connection, made on first use, shared by
   * the dashboard's cards and the navigation badges (`MeetingParts.of(sqlite)`).
   */
  static of<P>(this: PartsClass<P>, sqlite: Database.Database): P {
    // biome-ignore lint/complexity/noThisInStatic: `this` is the subclass called (MeetingParts, DuesParts): the kind kept
    return keptFor(this, sqlite);
  }

  /** `of` the connection under a drizzle database, when it shows one. */
  static ofDb<P>(this: PartsClass<P>, db: Db): P | null {
    const sqlite = (db as { $client?: Database.Database }).$client;
    // biome-ignore lint/complexity/noThisInStatic: as in `of`
    return sqlite?.open ? keptFor(this, sqlite) : null;
  }

  private readonly parts = new Map<number, { version: string; counts: R }>();
  private global: string | null = null;
  private readonly versionOf: Database.Statement;
  private readonly counters: Database.Statement;
  private readonly orgs: Database.Statement;
  /** How many organizations were counted rather than reused (tests, benchmarks). */
  orgsCounted = 0;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly countByOrg: CountByOrg<R>,
    private readonly empty: () => R,
    /** The counters every part depends on ('coverage', and 'workers' for counts that read the rosters). */
    private readonly globals: readonly string[] = ["coverage"],
  ) {
    this.versionOf = sqlite.prepare("SELECT version FROM data_versions WHERE name = ?").pluck();
    // Two ranges of the primary key ('org:' < 'org:<digits>' < 'org;'), no scan.
    this.counters = sqlite
      .prepare("SELECT name, version FROM data_versions WHERE (name > 'org:' AND name < 'org;') OR (name > 'risk:' AND name < 'risk;')")
      .raw();
    this.orgs = sqlite.prepare("SELECT id, path FROM organizations").raw();
  }

  private versions(today: string): Versions {
    const global = [today, ...this.globals.map((name) => this.versionOf.get(name) ?? "-")].join("|");
    const orgs = new Map<number, string>();
    for (const [name, v] of this.counters.all() as [string, number][]) {
      const [kind, id] = name.split(":") as [string, string];
      const key = Number(id);
      orgs.set(key, kind === "org" ? `${v}|${orgs.get(key) ?? ""}` : `${orgs.get(key) ?? ""}|${v}`);
    }
    return { global, orgs };
  }

  /**
   * The counts in the actor's scope, from kept parts where their counters are unchanged. Inside a
   * transaction (a version read there may belong to writes rolled back later) everything is counted
   * live.
   */
  counts(db: Db, actor: Actor, today: string): R {
    if (this.sqlite.inTransaction) return this.sum(actor, this.countByOrg(db, today, null), this.orgs.all() as [number, string][]);
    return this.sqlite.transaction(() => {
      const v = this.versions(today);
      const orgs = this.orgs.all() as [number, string][];
      if (v.global !== this.global) {
        this.parts.clear();
        this.global = v.global;
      }
      // Only the scope's parts: a county clerk's first badge after a start (or a new day) counted every
      // member of a province on the server's thread (5.4 s at 500,000 members); the others wait until
      // someone whose scope holds them asks.
      const prefix = scopePath(actor);
      const stale = orgs.filter(([id, path]) => path.startsWith(prefix) && this.parts.get(id)?.version !== (v.orgs.get(id) ?? ""));
      if (stale.length > 0) {
        const counted = this.countByOrg(db, today, stale.length === orgs.length ? null : stale.map(([id]) => id));
        for (const [id] of stale) this.parts.set(id, { version: v.orgs.get(id) ?? "", counts: counted.get(id) ?? this.empty() });
        this.orgsCounted += stale.length;
      }
      const present = new Set(orgs.map(([id]) => id));
      for (const id of this.parts.keys()) if (!present.has(id)) this.parts.delete(id);
      return this.sum(actor, new Map([...this.parts].map(([id, p]) => [id, p.counts])), orgs);
    })();
  }

  private sum(actor: Actor, byOrg: Map<number, R>, orgs: [number, string][]): R {
    const prefix = scopePath(actor);
    const out = this.empty();
    for (const [id, path] of orgs) {
      const c = byOrg.get(id);
      if (c && path.startsWith(prefix)) for (const k of Object.keys(out)) (out as Counts)[k]! += c[k]!;
    }
    return out;
  }
}

// The expensive part of the statistics kept across data changes that cannot affect it: the city's
// workers counted per (organization, enterprise) at a date — a scan of a million rows — is kept
// until the workers' version moves (data_versions, bumped by triggers on the workers table in the
// same transaction as the change, whichever connection or process makes it: migration 0008). A
// clerk verifying a lead, an acceptance, an enterprise edit leave it alone; an import that adds,
// moves or marks departed workers moves it. Everything else (scope, attribution to committee and
// county, the other sources) is counted afresh on top of the kept groups, so the figures are the
// same as counting everything anew.
//
// The sums of the other sources that grow with the data (enterprises, members, the four finds) are
// kept per holding organization (partitions.ts) under that organization's counter ('org:<id>',
// bumped by migration 0019's triggers) and 'coverage' (bumped by writes that move every committee):
// a clerk's write counts again only the parts it touched.
//
// Kept outside transactions only: inside one, the version read may belong to writes that are then
// rolled back, and its number reused by a later commit with other data.

import type Database from "better-sqlite3";

/** The workers on the roll at one date, per (organization, enterprise): [org_id, enterprise_id, n]. */
export type WorkerGroupRow = [number, number | null, number];

/** The counters the kept committee sums are checked against (null inside a transaction). */
export type CoverageVersions = { coverage: number; orgs: Map<number, number> };

export class StatsCache {
  private readonly entries = new Map<string, { version: number; json: string }>();
  private readonly parts = new Map<string, { version: string; value: unknown }>();
  private readonly versionOf: Database.Statement;
  private readonly orgVersions: Database.Statement;
  /** How many times the worker groups were counted rather than reused (tests, benchmarks). */
  workerScans = 0;
  /** How many committee parts were counted rather than reused (tests, benchmarks). */
  partCounts = 0;

  constructor(
    private readonly sqlite: Database.Database,
    private readonly max = 16,
    private maxParts = 4096,
  ) {
    this.versionOf = sqlite.prepare("SELECT version FROM data_versions WHERE name = ?").pluck();
    // 'org:' < 'org:<digits>' < 'org;' (';' follows ':'): the primary key's range, no scan.
    this.orgVersions = sqlite.prepare("SELECT name, version FROM data_versions WHERE name > 'org:' AND name < 'org;'").raw();
  }

  /** The counters of migration 0019, read before counting; null inside a transaction (count live). */
  coverageVersions(): CoverageVersions | null {
    if (this.sqlite.inTransaction) return null;
    const coverage = this.versionOf.get("coverage");
    if (typeof coverage !== "number" && typeof coverage !== "bigint") return null;
    const orgs = new Map<number, number>();
    for (const [name, v] of this.orgVersions.all() as [string, number][]) orgs.set(Number(name.slice(4)), Number(v));
    return { coverage: Number(coverage), orgs };
  }

  /** A kept part under `key`, counted by `count` unless kept under the same `version`. */
  part<T>(key: string, version: string, count: () => T): T {
    const hit = this.keptPart<T>(key, version);
    if (hit !== undefined) return hit;
    const value = count();
    this.keepPart(key, version, value);
    return value;
  }

  /**
   * A value kept under `key` while the counter `counter` of data_versions is unchanged (the trend's
   * snapshots: 'snapshots', migration 0023); counted live inside a transaction or without the counter.
   */
  underCounter<T>(key: string, counter: string, count: () => T): T {
    if (this.sqlite.inTransaction) return count();
    // Read before counting: the value is at least as new as the counter it is kept under.
    const v = this.versionOf.get(counter);
    if (typeof v !== "number" && typeof v !== "bigint") return count();
    const version = `${counter}:${v}`;
    const hit = this.keptPart<T>(key, version);
    if (hit !== undefined) return hit;
    const value = count();
    this.store(key, version, value);
    return value;
  }

  /** The part kept under `key` and `version`, or undefined. */
  keptPart<T>(key: string, version: string): T | undefined {
    const hit = this.parts.get(key);
    if (!hit || hit.version !== version) return undefined;
    this.parts.delete(key);
    this.parts.set(key, hit);
    return hit.value as T;
  }

  /**
   * Makes room for `n` parts besides others' (partitions.ts: one view's parts, which must all stay
   * kept together). The room only grows, up to twice the largest scope seen: a province of 5,000
   * organizations keeps its 5,000 parts and another scope's beside them (a few kB a part).
   */
  holdParts(n: number): void {
    if (2 * n > this.maxParts) this.maxParts = 2 * n;
  }

  /** Keeps a part just counted (several may be counted together: partitions.ts). */
  keepPart(key: string, version: string, value: unknown): void {
    this.partCounts++;
    this.store(key, version, value);
  }

  private store(key: string, version: string, value: unknown): void {
    this.parts.delete(key);
    this.parts.set(key, { version, value });
    while (this.parts.size > this.maxParts) this.parts.delete(this.parts.keys().next().value as string);
  }

  /**
   * The worker groups at `asOf` as a JSON array of WorkerGroupRow, from the cache when the workers
   * have not changed since; null inside a transaction (the caller counts live).
   */
  workerGroups(asOf: string, count: () => WorkerGroupRow[]): string | null {
    if (this.sqlite.inTransaction) return null;
    // Read before counting: the groups are at least as new as the version they are stored under.
    const v = this.versionOf.get("workers");
    if (typeof v !== "number" && typeof v !== "bigint") return null;
    const version = Number(v);
    const hit = this.entries.get(asOf);
    if (hit && hit.version === version) return hit.json;
    this.workerScans++;
    const json = JSON.stringify(count());
    this.entries.delete(asOf);
    this.entries.set(asOf, { version, json });
    while (this.entries.size > this.max) this.entries.delete(this.entries.keys().next().value as string);
    return json;
  }
}

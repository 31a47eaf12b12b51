// The drift-risk counts (dashboard card, inbox, navigation badge) kept per holding organization: a
// person is held by one organization (a member by members.org_id, a lead by leads.committee_id) and
// every scope is a set of organizations, so a scope's counts are the sum of its organizations'
// counts. After a clerk's write, only the organizations whose counters moved are counted again
// (no_org_life over 80,000 members took seconds; one branch's members take milliseconds).
//
// An organization's part is kept under its counters 'org:<id>' (migration 0019: members inserted or
// deleted, their coverage fields, leads) and 'risk:<id>' (migration 0021: the other member fields,
// transfers, mobile spells, meetings, attendance, dues entries), beside the globals 'coverage' (an
// organization's kind or place: which members are managed) and 'workers' (the rosters
// left_platforms reads) and the day (every signal's cutoffs move with it). The counters and the
// recount are read in one read transaction, so a part is exactly as new as the counters it is kept
// under, whichever connection or process wrote.

import type Database from "better-sqlite3";
import type { Db } from "../../../db/client.js";
import { RISK_SIGNAL_CODES, type RiskSignalCode } from "../../domain/risk-rules.js";
import { type Actor, scopePath, systemActor } from "../../policy/actor.js";
import { RISK_SIGNALS } from "./signals/index.js";

export type RiskCounts = Record<RiskSignalCode, number> & { total: number };

export function emptyCounts(): RiskCounts {
  return { ...(Object.fromEntries(RISK_SIGNAL_CODES.map((c) => [c, 0])) as Record<RiskSignalCode, number>), total: 0 };
}

/**
 * Each organization's counts: the people its signals name (`only`: the organizations to count, all
 * when null), each counted once in total and once per signal that applies.
 */
export function countsByOrg(db: Db, today: string, only: readonly number[] | null): Map<number, RiskCounts> {
  const system = systemActor();
  const people = new Map<string, { orgId: number; signals: Set<RiskSignalCode> }>();
  for (const s of RISK_SIGNALS)
    for (const hit of s.hits(db, system, today, only)) {
      const key = `${hit.subject}:${hit.id}`;
      const p = people.get(key);
      if (p) p.signals.add(hit.signal);
      else people.set(key, { orgId: hit.orgId, signals: new Set([hit.signal]) });
    }
  const out = new Map<number, RiskCounts>();
  for (const { orgId, signals } of people.values()) {
    const c = out.get(orgId) ?? emptyCounts();
    out.set(orgId, c);
    c.total++;
    for (const code of signals) c[code]++;
  }
  return out;
}

function add(into: RiskCounts, c: RiskCounts): void {
  into.total += c.total;
  for (const code of RISK_SIGNAL_CODES) into[code] += c[code];
}

type Versions = { global: string; orgs: Map<number, string> };

export class RiskParts {
  private readonly parts = new Map<number, { version: string; counts: RiskCounts }>();
  private global: string | null = null;
  private readonly versionOf: Database.Statement;
  private readonly counters: Database.Statement;
  private readonly orgs: Database.Statement;
  /** How many organizations were counted rather than reused (tests, benchmarks). */
  orgsCounted = 0;

  constructor(private readonly sqlite: Database.Database) {
    this.versionOf = sqlite.prepare("SELECT version FROM data_versions WHERE name = ?").pluck();
    // Two ranges of the primary key ('org:' < 'org:<digits>' < 'org;'), no scan.
    this.counters = sqlite
      .prepare("SELECT name, version FROM data_versions WHERE (name > 'org:' AND name < 'org;') OR (name > 'risk:' AND name < 'risk;')")
      .raw();
    this.orgs = sqlite.prepare("SELECT id, path FROM organizations").raw();
  }

  private versions(today: string): Versions {
    const global = `${today}|${this.versionOf.get("coverage") ?? "-"}|${this.versionOf.get("workers") ?? "-"}`;
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
  counts(db: Db, actor: Actor, today: string): RiskCounts {
    if (this.sqlite.inTransaction) return this.sum(actor, countsByOrg(db, today, null), this.orgs.all() as [number, string][]);
    return this.sqlite.transaction(() => {
      const v = this.versions(today);
      const orgs = this.orgs.all() as [number, string][];
      if (v.global !== this.global) {
        this.parts.clear();
        this.global = v.global;
      }
      const stale = orgs.filter(([id]) => this.parts.get(id)?.version !== (v.orgs.get(id) ?? ""));
      if (stale.length > 0) {
        const counted = countsByOrg(db, today, stale.length === orgs.length ? null : stale.map(([id]) => id));
        for (const [id] of stale) this.parts.set(id, { version: v.orgs.get(id) ?? "", counts: counted.get(id) ?? emptyCounts() });
        this.orgsCounted += stale.length;
      }
      const present = new Set(orgs.map(([id]) => id));
      for (const id of this.parts.keys()) if (!present.has(id)) this.parts.delete(id);
      return this.sum(actor, new Map([...this.parts].map(([id, p]) => [id, p.counts])), orgs);
    })();
  }

  private sum(actor: Actor, byOrg: Map<number, RiskCounts>, orgs: [number, string][]): RiskCounts {
    const prefix = scopePath(actor);
    const out = emptyCounts();
    for (const [id, path] of orgs) {
      const c = byOrg.get(id);
      if (c && path.startsWith(prefix)) add(out, c);
    }
    return out;
  }
}

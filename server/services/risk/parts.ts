// The drift-risk counts (dashboard card, inbox, navigation badge) kept per holding organization: a
// person is held by one organization (a member by members.org_id, a lead by leads.committee_id) and
// every scope is a set of organizations, so a scope's counts are the sum of its organizations'
// counts. After a clerk's write, only the organizations whose counters moved are counted again
// (no_org_life over 80,000 members took seconds; one branch's members take milliseconds).
//
// How the parts are kept and invalidated: org-parts.ts.

import type Database from "better-sqlite3";
import type { Db } from "../../../db/client.js";
import { OrgParts } from "../org-parts.js";
import { RISK_SIGNAL_CODES, type RiskSignalCode } from "../../domain/risk-rules.js";
import { systemActor } from "../../policy/actor.js";
import { RISK_SIGNALS } from "./signals/index.js";
import type { RiskSubject } from "./signals/types.js";

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
  // Per subject, each person's holder and the signals naming them (bit i: RISK_SIGNAL_CODES[i]).
  const people: Record<RiskSubject, Map<number, { orgId: number; signals: number }>> = { member: new Map(), lead: new Map() };
  const out = new Map<number, RiskCounts>();
  const countsOf = (orgId: number) => {
    const c = out.get(orgId) ?? emptyCounts();
    out.set(orgId, c);
    return c;
  };
  for (const s of RISK_SIGNALS) {
    // A signal alone about its subject names people no other signal names: each hit is a person of
    // its own, so its count per organization is counted, not its hits built.
    if (s.countByOrg && RISK_SIGNALS.every((o) => o === s || o.subject !== s.subject)) {
      for (const [orgId, n] of s.countByOrg(db, today, only)) {
        const c = countsOf(orgId);
        c.total += n;
        c[s.code] += n;
      }
      continue;
    }
    const bit = 1 << RISK_SIGNAL_CODES.indexOf(s.code);
    const byId = people[s.subject];
    const held = s.heldIds ? s.heldIds(db, today, only) : s.hits(db, system, today, only).map((h): [number, number] => [h.id, h.orgId]);
    for (const [id, orgId] of held) {
      const p = byId.get(id);
      if (p) p.signals |= bit;
      else byId.set(id, { orgId, signals: bit });
    }
  }
  for (const byId of Object.values(people)) {
    for (const { orgId, signals } of byId.values()) {
      const c = countsOf(orgId);
      c.total++;
      RISK_SIGNAL_CODES.forEach((code, i) => {
        if (signals & (1 << i)) c[code]++;
      });
    }
  }
  return out;
}

/** The drift-risk counts kept per organization (org-parts.ts). */
export class RiskParts extends OrgParts<RiskCounts> {
  constructor(sqlite: Database.Database) {
    // left_platforms reads the rosters.
    super(sqlite, countsByOrg, emptyCounts, ["coverage", "workers"]);
  }
}

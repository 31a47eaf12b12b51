// What the dashboard counts, in one call: the statistics (coverage/dashboard.ts, kept in parts),
// the drift-risk card (risk/parts.ts), organizational life with the funnel's took-part counts
// (meetings/parts.ts) and the dues ledger's cards (dues/parts.ts), all kept per organization, and
// the navigation badges. The same function runs on the counting thread (thread.ts) and, for an
// in-memory database or when that thread has failed, on the server's own thread; its result is
// plain data, so it crosses between threads as it is.

import type { Db } from "../../../db/client.js";
import type { Actor } from "../../policy/actor.js";
import type { StatsScope } from "../coverage/coverage.service.js";
import { buildDashboard, type Dashboard } from "../coverage/dashboard.js";
import type { StatsCache } from "../coverage/stats-cache.js";
import type { MeetingFigures } from "../meetings/meetings.service.js";
import type { MeetingParts } from "../meetings/parts.js";
import type { RiskCounts, RiskParts } from "../risk/parts.js";
import { riskCounts } from "../risk/risk.service.js";
import { type DuesCards, duesCards } from "../dues/inbox.js";
import { type NavCounts, navCounts } from "../nav.service.js";
// The areas that register a navigation badge, so that the counting thread counts every badge too.
import "../inbox.service.js";
import "../finds/leads.js";

export type DashboardTask = { actor: Actor; scope: StatsScope; today: string };

export type DashboardCards = {
  d: Dashboard;
  /** Of the user's whole scope (the list they open is), whatever the dashboard is narrowed to. */
  risk: RiskCounts;
  /** Organizational life over the user's own scope. */
  meetingFigures: MeetingFigures;
  /** Beside the funnel only when the dashboard is not narrowed. */
  tookPart: Record<string, number> | null;
  /** The dues ledger's cards: each reads every member of the scope (a province's 500,000). */
  dues: DuesCards;
  /**
   * The navigation badges of the actor (role and scope: no badge depends on more), counted here so
   * that after a write the dashboard's own page counts none on the server's thread (36 ms at a city).
   */
  nav: NavCounts;
};

/** The parts kept across writes, one set per connection that counts (both follow data_versions). */
export type KeptParts = { stats: StatsCache; riskParts: RiskParts; meetingParts: MeetingParts };

export function countDashboardCards(db: Db, kept: KeptParts, { actor, scope, today }: DashboardTask): DashboardCards {
  const d = buildDashboard(db, actor, scope, { cache: kept.stats });
  return {
    d,
    risk: riskCounts(db, actor, today, kept.riskParts),
    meetingFigures: kept.meetingParts.figures(db, actor, today),
    tookPart: d.scopeParam ? null : kept.meetingParts.tookPartByChannel(db, actor, today),
    dues: duesCards(db, actor, today),
    nav: navCounts(db, actor),
  };
}

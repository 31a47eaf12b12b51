// Organizational life (三会一课): recording meetings (record.ts), a branch's year (year.ts), who
// takes part (participation.ts), and here the flags and figures over a scope: each figure is the
// count of one condition, and its drill-down lists the same condition's rows.

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { DISCOVERY_CHANNEL, DISCOVERY_CHANNELS, type DiscoveryChannel } from "../../domain/codes.js";
import { todayIso } from "../../domain/dates.js";
import { MEETING_TYPE, PARTICIPATION_LIMIT_MONTHS, PARTICIPATION_WARNING_MONTHS } from "../../domain/organizational-life-rules.js";
import { AppError } from "../../errors.js";
import type { Actor } from "../../policy/actor.js";
import { registerNavCounts } from "../nav.service.js";
import { MeetingParts } from "./parts.js";
import { countMembers, lapsedCond, listMembers, managedCond, managedCount, tookPartCond, warningCond } from "./participation.js";
import { branchesCond, countBranches, listBranches, meetsMonthlyRuleCond, missesMonthlyRuleCond } from "./year.js";

export * from "./participation.js";
export * from "./record.js";
export * from "./year.js";

export const FIGURE_KEYS = [
  "branches",
  "branchesMeeting",
  "branchesMissing",
  "tookPart3",
  "tookPart6",
  "lapsedWarning",
  "lapsedLimit",
] as const;
export type FigureKey = (typeof FIGURE_KEYS)[number];

type Figure = { kind: "branches" | "members"; label: string; cond: (actor: Actor, today: string) => SQL };

const month = (today: string) => today.slice(0, 7);
const flagNames = `${MEETING_TYPE.label.theme_day}、${MEETING_TYPE.label.branch_committee}`;

export const FIGURES: Record<FigureKey, Figure> = {
  branches: { kind: "branches", label: "开展组织生活的党支部", cond: (a) => branchesCond(a) },
  branchesMeeting: { kind: "branches", label: `本月已召开${flagNames}的党支部`, cond: (a, t) => meetsMonthlyRuleCond(a, month(t)) },
  branchesMissing: { kind: "branches", label: `本月尚未召开${flagNames}的党支部`, cond: (a, t) => missesMonthlyRuleCond(a, month(t)) },
  tookPart3: {
    kind: "members",
    label: `近 ${PARTICIPATION_WARNING_MONTHS} 个月参加过组织生活的党员`,
    cond: (a, t) => tookPartCond(a, PARTICIPATION_WARNING_MONTHS, t),
  },
  tookPart6: {
    kind: "members",
    label: `近 ${PARTICIPATION_LIMIT_MONTHS} 个月参加过组织生活的党员`,
    cond: (a, t) => tookPartCond(a, PARTICIPATION_LIMIT_MONTHS, t),
  },
  lapsedWarning: {
    kind: "members",
    label: `${PARTICIPATION_WARNING_MONTHS} 个月以上未参加组织生活（不满 ${PARTICIPATION_LIMIT_MONTHS} 个月）`,
    cond: (a, t) => warningCond(a, t),
  },
  lapsedLimit: {
    kind: "members",
    label: `${PARTICIPATION_LIMIT_MONTHS} 个月以上未参加组织生活`,
    cond: (a, t) => lapsedCond(a, PARTICIPATION_LIMIT_MONTHS, t),
  },
};

export function isFigureKey(k: unknown): k is FigureKey {
  return typeof k === "string" && (FIGURE_KEYS as readonly string[]).includes(k);
}

/** Every figure's count over the actor's scope, and the managed members they are read against. */
export function meetingFigures(db: Db, actor: Actor, today = todayIso()) {
  const values = Object.fromEntries(
    FIGURE_KEYS.map((k) => {
      const f = FIGURES[k];
      const cond = f.cond(actor, today);
      return [k, f.kind === "branches" ? countBranches(db, cond) : countMembers(db, cond)];
    }),
  ) as Record<FigureKey, number>;
  return { ...values, managed: managedCount(db, actor), month: month(today) };
}

export type MeetingFigures = ReturnType<typeof meetingFigures>;

/**
 * Each figure's count over each organization's own rows (members by their organization, branches
 * themselves), and the managed members, by organization id: the monthly snapshots
 * (coverage/month-pass.ts) add them up the tree instead of counting each subtree. Every condition is
 * its rows' own plus the scope, so a subtree's count is the sum of its organizations'.
 */
export function meetingFiguresByOrg(db: Db, actor: Actor, today = todayIso()): Map<FigureKey | "managed", Map<number, number>> {
  const byOrg = (q: SQL) => new Map(db.all<{ id: number; n: number }>(q).map((r) => [r.id, r.n]));
  const out = new Map<FigureKey | "managed", Map<number, number>>();
  for (const k of FIGURE_KEYS) {
    const f = FIGURES[k];
    const cond = f.cond(actor, today);
    out.set(
      k,
      f.kind === "branches"
        ? byOrg(sql`SELECT o.id AS id, count(*) AS n FROM organizations o WHERE ${cond} GROUP BY o.id`)
        : byOrg(sql`SELECT m.org_id AS id, count(*) AS n FROM members m WHERE ${cond} GROUP BY m.org_id`),
    );
  }
  out.set("managed", byOrg(sql`SELECT m.org_id AS id, count(*) AS n FROM members m WHERE ${managedCond(actor)} GROUP BY m.org_id`));
  return out;
}

/**
 * The figures over one organization's subtree inside the actor's scope (the statistics' scope
 * picker and the monthly snapshots): the actor narrowed to that organization for the scope SQL only.
 */
export function meetingFiguresUnder(db: Db, actor: Actor, root: { id: number; path: string } | null, asOf = todayIso()): MeetingFigures {
  const narrowed: Actor = root ? { ...actor, role: "supervisor", orgId: root.id, orgPath: root.path } : actor;
  return meetingFigures(db, narrowed, asOf);
}

/**
 * The four-finds funnel's evidence: per discovery channel, the managed members who took part in
 * organizational life within the rule's six months (the drill-down is tookPart6 with the channel).
 */
export function tookPartByChannel(db: Db, actor: Actor, today = todayIso()): Record<string, number> {
  const out: Record<string, number> = { all: 0 };
  for (const ch of DISCOVERY_CHANNELS) {
    out[ch] = countMembers(db, sql`${tookPartCond(actor, PARTICIPATION_LIMIT_MONTHS, today)} AND m.discovery_channel = ${ch}`);
    out.all! += out[ch]!;
  }
  return out;
}

/** The rows behind one figure (the drill-down), of one discovery channel when given (members' figures only). */
export function figureRows(db: Db, actor: Actor, key: string, today = todayIso(), limit = 500, channel: DiscoveryChannel | null = null) {
  if (!isFigureKey(key)) throw AppError.notFound("统计项");
  const f = FIGURES[key];
  const cond = channel && f.kind === "members" ? sql`${f.cond(actor, today)} AND m.discovery_channel = ${channel}` : f.cond(actor, today);
  if (f.kind === "branches") {
    return {
      key,
      label: f.label,
      kind: f.kind,
      count: countBranches(db, cond),
      branches: listBranches(db, cond, month(today), limit),
      members: [],
    };
  }
  const label = channel ? `${f.label}（${DISCOVERY_CHANNEL.label[channel]}）` : f.label;
  return { key, label, kind: f.kind, channel, count: countMembers(db, cond), branches: [], members: listMembers(db, cond, today, limit) };
}

/** What the inbox shows: branches missing this month's 主题党日 or 支委会, members without organizational life for 3 and 6 months. */
export function meetingFlags(db: Db, actor: Actor, today = todayIso(), limit = 50) {
  const missing = missesMonthlyRuleCond(actor, month(today));
  const warning = warningCond(actor, today);
  const limitCond = lapsedCond(actor, PARTICIPATION_LIMIT_MONTHS, today);
  return {
    branchesMissing: listBranches(db, missing, month(today), limit),
    warning: listMembers(db, warning, today, limit),
    limit: listMembers(db, limitCond, today, limit),
    counts: { branchesMissing: countBranches(db, missing), warning: countMembers(db, warning), limit: countMembers(db, limitCond) },
    shown: limit,
  };
}

// The navigation badge of 组织生活: branches behind this month and members at the rule's threshold.
// Supervisors only read, so nothing waits for them.
registerNavCounts((db, actor): Record<string, number> => {
  if (actor.role === "supervisor") return {};
  const today = todayIso();
  // The same two figures, kept per organization (parts.ts): after a write, counted again only where it touched.
  const kept = MeetingParts.ofDb(db)?.figures(db, actor, today);
  if (kept) return { meetings: kept.branchesMissing + kept.lapsedLimit };
  return {
    meetings:
      countBranches(db, missesMonthlyRuleCond(actor, month(today))) +
      countMembers(db, lapsedCond(actor, PARTICIPATION_LIMIT_MONTHS, today)),
  };
});

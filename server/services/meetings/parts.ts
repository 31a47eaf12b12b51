// Organizational life's figures (the dashboard's card, the funnel's took-part counts by channel)
// kept per holding organization (org-parts.ts): a member figure counts members by members.org_id, a
// branch figure counts the branch itself, so a scope's figures are the sums over its organizations
// and a write counts again only the organizations it touched (every figure over 100,000 members
// took seconds). The conditions are the figures' own (FIGURES, tookPartCond), over the whole city
// and narrowed to the organizations counted.

import type Database from "better-sqlite3";
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { DISCOVERY_CHANNELS } from "../../domain/codes.js";
import { PARTICIPATION_LIMIT_MONTHS } from "../../domain/organizational-life-rules.js";
import { type Actor, systemActor } from "../../policy/actor.js";
import { type Counts, heldBy, OrgParts } from "../org-parts.js";
import { FIGURE_KEYS, FIGURES, type MeetingFigures } from "./meetings.service.js";
import { managedMemberSql } from "./sql.js";
import { tookPartCond } from "./participation.js";

const took = (ch: string) => `took:${ch}`;

function empty(): Counts {
  return Object.fromEntries([...FIGURE_KEYS, "managed", ...DISCOVERY_CHANNELS.map(took)].map((k) => [k, 0]));
}

function countByOrg(db: Db, today: string, only: readonly number[] | null): Map<number, Counts> {
  const system = systemActor();
  const out = new Map<number, Counts>();
  const add = (key: string, rows: { org: number; n: number }[]) => {
    for (const { org, n } of rows) {
      const c = out.get(org) ?? empty();
      out.set(org, c);
      c[key] = n;
    }
  };
  const members = (cond: SQL) =>
    db.all<{ org: number; n: number }>(
      sql`SELECT m.org_id AS org, count(*) AS n FROM members m WHERE ${cond} AND ${heldBy(only, sql.raw("m.org_id"))} GROUP BY m.org_id`,
    );
  for (const k of FIGURE_KEYS) {
    const f = FIGURES[k];
    const cond = f.cond(system, today);
    add(
      k,
      f.kind === "branches"
        ? db.all<{ org: number; n: number }>(
            sql`SELECT o.id AS org, count(*) AS n FROM organizations o WHERE ${cond} AND ${heldBy(only, sql.raw("o.id"))} GROUP BY o.id`,
          )
        : members(cond),
    );
  }
  add("managed", members(managedMemberSql("m")));
  for (const ch of DISCOVERY_CHANNELS)
    add(took(ch), members(sql`${tookPartCond(system, PARTICIPATION_LIMIT_MONTHS, today)} AND m.discovery_channel = ${ch}`));
  return out;
}

export class MeetingParts extends OrgParts<Counts> {
  constructor(sqlite: Database.Database) {
    super(sqlite, countByOrg, empty);
  }

  /** meetingFigures, from the kept parts. */
  figures(db: Db, actor: Actor, today: string): MeetingFigures {
    const c = this.counts(db, actor, today);
    const values = Object.fromEntries(FIGURE_KEYS.map((k) => [k, c[k]!])) as Record<(typeof FIGURE_KEYS)[number], number>;
    return { ...values, managed: c.managed!, month: today.slice(0, 7) };
  }

  /** tookPartByChannel, from the kept parts. */
  tookPartByChannel(db: Db, actor: Actor, today: string): Record<string, number> {
    const c = this.counts(db, actor, today);
    const out: Record<string, number> = { all: 0 };
    for (const ch of DISCOVERY_CHANNELS) {
      out[ch] = c[took(ch)]!;
      out.all! += out[ch]!;
    }
    return out;
  }
}

// The dues cards (last month's collection, members unpaid) kept per ledger organization (org-parts.ts):
// both read every member of the scope and every dues entry, 1.6–2.7 s over a city of 100,000 members
// with a year of entries, after every write (the dashboard's cards) and on the server's thread for
// every clerk's navigation badge. A member is counted by the organization holding them (unpaid) or
// keeping the ledger row (collection: rosterSql), and migration 0021's triggers bump 'risk:<id>' for
// both organizations of a dues entry written and for a member's organizations when its dates or
// place change; 'org:<id>' (0019) follows members added; 'coverage' an organization's kind.

import type Database from "better-sqlite3";
import type { Db } from "../../../db/client.js";
import { addMonthsToMonth } from "../../domain/dues-rules.js";
import type { Actor } from "../../policy/actor.js";
import { OrgParts } from "../org-parts.js";
import { type DuesFigures, duesFiguresByOrg } from "./summary.js";
import { unpaidCountsByOrg } from "./unpaid.js";

const KEYS = ["flag", "warning", "members", "paid", "delayed", "dueFen", "collectedFen"] as const;
type DuesCounts = Record<(typeof KEYS)[number], number>;

const empty = (): DuesCounts => Object.fromEntries(KEYS.map((k) => [k, 0])) as DuesCounts;

/** The month the dashboard's collection card shows: the last whole one. */
export const cardMonth = (today: string) => addMonthsToMonth(today.slice(0, 7), -1);

function countByOrg(db: Db, today: string, only: readonly number[] | null): Map<number, DuesCounts> {
  const out = new Map<number, DuesCounts>();
  const at = (org: number) => {
    let c = out.get(org);
    if (!c) {
      c = empty();
      out.set(org, c);
    }
    return c;
  };
  for (const [org, f] of duesFiguresByOrg(db, cardMonth(today), only)) Object.assign(at(org), f);
  for (const [org, u] of unpaidCountsByOrg(db, today, only)) Object.assign(at(org), u);
  return out;
}

export class DuesParts extends OrgParts<DuesCounts> {
  constructor(sqlite: Database.Database) {
    super(sqlite, countByOrg, empty);
  }

  /** The cards of the actor's scope, from the kept parts. */
  cards(db: Db, actor: Actor, today: string): { figures: DuesFigures; counts: { flag: number; warning: number } } {
    const c = this.counts(db, actor, today);
    return {
      figures: {
        month: cardMonth(today),
        members: c.members,
        paid: c.paid,
        delayed: c.delayed,
        dueFen: c.dueFen,
        collectedFen: c.collectedFen,
      },
      counts: { flag: c.flag, warning: c.warning },
    };
  }
}

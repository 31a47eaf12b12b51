// What the dues ledger adds to the inbox, the dashboard and the navigation badge: members unpaid
// for the flag's months (the warning's as a count), and last month's collection.

import type { Db } from "../../../db/client.js";
import { todayIso } from "../../domain/dates.js";
import type { Actor } from "../../policy/actor.js";
import { registerNavCounts } from "../nav.service.js";
import { cardMonth, DuesParts } from "./parts.js";
import { type DuesFigures, duesFigures } from "./summary.js";
import { unpaidCounts, unpaidMembers } from "./unpaid.js";

export function duesInbox(db: Db, actor: Actor, today = todayIso(), limit = 50) {
  return { counts: unpaidCounts(db, actor, today), rows: unpaidMembers(db, actor, "flag", today, limit) };
}

export type DuesCards = { figures: DuesFigures; counts: { flag: number; warning: number } };

/**
 * Last month's collection and the unpaid counts: plain data, counted with the dashboard's other cards
 * (counting/cards.ts), from the parts kept per organization (parts.ts) unless `kept` is null.
 */
export function duesCards(db: Db, actor: Actor, today = todayIso(), kept: DuesParts | null = DuesParts.ofDb(db)): DuesCards {
  if (kept) return kept.cards(db, actor, today);
  return { figures: duesFigures(db, actor, cardMonth(today)), counts: unpaidCounts(db, actor, today) };
}

// The badge on 党费: members unpaid for the flag's months (supervisors only read: nothing waits for them).
registerNavCounts(
  (db, actor): Record<string, number> => (actor.role === "supervisor" ? {} : { duesUnpaid: duesCards(db, actor).counts.flag }),
);

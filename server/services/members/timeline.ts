// The member's timeline (member_events): what happened to a member and who did it, written in the
// same transaction as the change itself and never edited or deleted. addTimelineEntries is the only
// writer of the table, so every entry, from a form, a transfer, a find or an import, is made alike.

import { desc, eq, SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { memberEvents, users } from "../../../db/schema.js";
import type { Actor } from "../../policy/actor.js";

export type TimelineEntry = {
  memberId: number;
  /** created, updated, verified, filed, transfer_*, mobile_*, lost_contact … (db/schema/members.ts). */
  kind: string;
  /** The Chinese one-liner the member page shows. */
  summary: string;
  details?: Record<string, unknown> | null;
};

/**
 * Appends entries to members' timelines, signed by `by` when it is a user (an API key, the system
 * and the public self-report form have no user to name).
 *
 * The entries are either listed, written in their order, or selected by a query — for an import,
 * one statement for every row it touched — whose columns are named member_id, kind, summary and
 * details (JSON text). A list goes in as one JSON parameter, so any number of entries is one statement.
 */
export function addTimelineEntries(db: Pick<Db, "run">, by: Pick<Actor, "id"> | null, entries: readonly TimelineEntry[] | SQL): void {
  const userId = by && by.id > 0 ? by.id : null;
  let rows: SQL;
  if (entries instanceof SQL) rows = entries;
  else {
    if (entries.length === 0) return;
    const list = entries.map((e) => [e.memberId, e.kind, e.summary, e.details == null ? null : JSON.stringify(e.details)]);
    rows = sql`SELECT value ->> 0 AS member_id, value ->> 1 AS kind, value ->> 2 AS summary, value ->> 3 AS details FROM json_each(${JSON.stringify(list)})`;
  }
  db.run(
    sql`INSERT INTO member_events (member_id, user_id, kind, summary, details) SELECT e.member_id, ${userId}, e.kind, e.summary, e.details FROM (${rows}) e`,
  );
}

/** The member's timeline, newest first, with the name of whoever made each entry. */
export function memberTimeline(db: Db, memberId: number) {
  return db
    .select({
      id: memberEvents.id,
      at: memberEvents.at,
      kind: memberEvents.kind,
      summary: memberEvents.summary,
      userName: users.displayName,
    })
    .from(memberEvents)
    .leftJoin(users, eq(users.id, memberEvents.userId))
    .where(eq(memberEvents.memberId, memberId))
    .orderBy(desc(memberEvents.id))
    .all();
}

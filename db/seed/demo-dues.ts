// A year of dues for the demo branches: most members pay every month (on their wage, or riders and
// drivers on the last quarter's average net income, students and the unemployed 0.2 yuan); some
// stopped paying four months ago (the warning) or seven (the six-month flag), a few are delayed with
// a reason. Months where everyone is settled are closed. Deterministic (by member id and `today`);
// prepared statements in one transaction, as the other bulk seeds.

import type { DbHandle } from "../client.js";
import { addMonthsToMonth, computeDue, type DueInput } from "../../server/domain/dues-rules.js";

export type DemoDuesCounts = { duesEntries: number; duesClosings: number };

const METHODS = ["cash", "transfer", "online"] as const;

export function seedDemoDues(handle: DbHandle, today: string): DemoDuesCounts {
  const sqlite = handle.sqlite;
  const thisMonth = today.slice(0, 7);
  const months = Array.from({ length: 12 }, (_, k) => addMonthsToMonth(thisMonth, k - 12));
  const people = sqlite
    .prepare(
      `SELECT m.id, m.org_id, substr(m.joined_on, 1, 7) AS joined, m.occupation FROM members m JOIN organizations o ON o.id = m.org_id
        WHERE o.kind IN ('branch', 'general_branch') AND m.joined_on IS NOT NULL AND m.left_on IS NULL AND m.relation_status <> 'transferred_out'
        ORDER BY m.id`,
    )
    .all() as { id: number; org_id: number; joined: string; occupation: string | null }[];
  const insert = sqlite.prepare(
    `INSERT INTO dues_entries (member_id, org_id, month, basis, base_fen, rate_bp, due_fen, paid_fen, paid_on, method, collector, delayed, delay_reason)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const close = sqlite.prepare("INSERT INTO dues_month_closings (org_id, month, members, due_fen, paid_fen) VALUES (?, ?, ?, ?, ?)");
  let entries = 0;
  let closings = 0;
  sqlite.transaction(() => {
    // Per (org, month): members listed, all settled so far, sums.
    const tally = new Map<string, { orgId: number; month: string; members: number; settled: boolean; due: number; paid: number }>();
    for (const p of people) {
      const stopAfter = p.id % 17 === 0 ? addMonthsToMonth(thisMonth, -8) : p.id % 11 === 0 ? addMonthsToMonth(thisMonth, -4) : null;
      const delayedFrom = p.id % 29 === 0 ? addMonthsToMonth(thisMonth, -2) : null;
      const income = (250_000 + ((p.id * 3_701) % 900_000)) | 0;
      const input: DueInput =
        p.id % 10 === 0
          ? { basis: "flat" }
          : p.occupation
            ? { basis: "irregular", quarterIncomeFen: income * 3 }
            : { basis: "regular", incomeFen: income };
      const due = computeDue(input);
      for (const month of [...months, thisMonth]) {
        if (month < p.joined) continue;
        // The current month: about half have paid already.
        if (month === thisMonth && p.id % 2 === 0) continue;
        const key = `${p.org_id}:${month}`;
        const t = tally.get(key) ?? { orgId: p.org_id, month, members: 0, settled: true, due: 0, paid: 0 };
        tally.set(key, t);
        t.members++;
        if (stopAfter && month > stopAfter) {
          t.settled = false;
          continue;
        }
        const delayed = delayedFrom !== null && month >= delayedFrom;
        const paid = delayed ? 0 : due.dueFen;
        insert.run(
          p.id,
          p.org_id,
          month,
          due.basis,
          due.baseFen,
          due.rateBp,
          due.dueFen,
          paid,
          paid ? `${month}-${String(5 + (p.id % 20)).padStart(2, "0")}` : null,
          paid ? METHODS[p.id % 3] : null,
          paid ? "支部书记" : null,
          delayed ? 1 : 0,
          delayed ? "外出务工，已联系，下月补交" : null,
        );
        entries++;
        t.due += due.dueFen;
        t.paid += paid;
      }
    }
    // Past months where every member is settled are closed (the current month stays open).
    for (const t of tally.values()) {
      if (t.month === thisMonth || !t.settled) continue;
      close.run(t.orgId, t.month, t.members, t.due, t.paid);
      closings++;
    }
  })();
  return { duesEntries: entries, duesClosings: closings };
}

// A roster's links from the platform's workers to the members with their ID numbers (数据交互线上找),
// each on the member's timeline: the steps of apply-roster.ts that find and write them.

import type Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import { type ApplyContext, addEntries } from "./apply.js";

/**
 * Links this platform's workers under the import's organization to the members with their ID
 * numbers (数据交互线上找), on each member's timeline. Other organizations' workers are theirs to link.
 *
 * The timeline entries are selected in SQL before the link, as the link selects its rows, not
 * returned to JavaScript: a million-row roster links tens of thousands of members, whose entries
 * as one JSON list raised the import's peak RSS by ~45 MB (176 → 222 MB, 60,000 links).
 */
export function linkKnownMembers(sqlite: Database.Database, ctx: ApplyContext): void {
  const summary = `在“${ctx.platform}”平台的从业人员花名册中比对到本人`;
  const details = JSON.stringify({ importId: ctx.importId, platform: ctx.platform });
  addEntries(
    sqlite,
    ctx,
    // Driven by the members in ID-number order, each probing the workers' index in the same order
    // (as the link below); by their ids instead, the probes land at random.
    sql`SELECT m.id AS member_id, 'platform_matched' AS kind, ${summary} AS summary, ${details} AS details
        FROM members m INDEXED BY members_id_number_uq CROSS JOIN workers w ON w.platform = ${ctx.platform} AND w.id_number = m.id_number
        WHERE w.member_id IS NULL AND +w.org_id = ${ctx.orgId}
        ORDER BY m.id`,
  );
  sqlite
    .prepare(
      // Driven by the members (the IN list probes the workers' ID-number index), not by every worker
      // (the unary + keeps SQLite off the organization's index, which would walk all its workers).
      `UPDATE workers SET member_id = (SELECT m.id FROM members m WHERE m.id_number = workers.id_number)
       WHERE workers.platform = ? AND workers.member_id IS NULL AND +workers.org_id = ? AND workers.id_number IN (SELECT id_number FROM members)`,
    )
    .run(ctx.platform, ctx.orgId);
}

/**
 * As linkKnownMembers, from what applyRoster read before its upsert: the roster's people who are
 * members (`matched`), now this organization's workers unless held elsewhere, and its other
 * people of the platform (`others`). The same links and entries, without reading every member
 * against the platform's index (a province: 500,000 members, 2.3 s inside the apply).
 */
export function linkMatched(sqlite: Database.Database, ctx: ApplyContext, a: string): void {
  sqlite.exec(`CREATE TABLE ${a}.links (worker_id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL)`);
  sqlite
    .prepare(
      `INSERT INTO ${a}.links (worker_id, member_id)
       SELECT w.id, x.member_id FROM ${a}.matched x CROSS JOIN workers w ON w.platform = @platform AND w.id_number = x.id_number
       WHERE w.member_id IS NULL AND w.org_id = @org`,
    )
    .run({ platform: ctx.platform, org: ctx.orgId });
  sqlite
    .prepare(
      `INSERT OR IGNORE INTO ${a}.links (worker_id, member_id)
       SELECT o.id, m.id FROM ${a}.others o CROSS JOIN members m ON m.id_number = o.id_number WHERE o.unlinked`,
    )
    .run();
  const summary = `在“${ctx.platform}”平台的从业人员花名册中比对到本人`;
  const details = JSON.stringify({ importId: ctx.importId, platform: ctx.platform });
  addEntries(
    sqlite,
    ctx,
    sql`SELECT member_id, 'platform_matched' AS kind, ${summary} AS summary, ${details} AS details
        FROM ${sql.raw(a)}.links ORDER BY member_id`,
  );
  sqlite.prepare(`UPDATE workers SET member_id = l.member_id FROM ${a}.links l WHERE workers.id = l.worker_id`).run();
}

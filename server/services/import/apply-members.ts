// Apply, for a member list (members created and updated, workers linked) and for a reference
// member list (kept for matching, leads raised). The rules every apply keeps (rows held by
// others, one transaction) are at the top of apply.ts.

import type Database from "better-sqlite3";
import { sql } from "drizzle-orm";
import { type ApplyContext, type ApplyCounts, addEntries, IMPORTER_SCOPE, SCOPE, step } from "./apply.js";
import type { Stage } from "./stage.js";

/** A member list: create members not yet known, update the basic facts of known ones in scope, link workers. */
export function applyMembers(sqlite: Database.Database, stage: Stage, ctx: ApplyContext): ApplyCounts {
  const a = stage.alias;
  const p = {
    org: ctx.orgId,
    orgPath: ctx.orgPath,
    scopePath: ctx.scopePath,
    today: ctx.today,
    importId: ctx.importId,
    userId: ctx.userId,
    relation: ctx.newMemberRelation,
  };

  // 0. People already members of an organization outside the import's: left alone, their rows not imported.
  const heldElsewhere = sqlite
    .prepare(`SELECT count(*) FROM ${a}.rows s JOIN members m ON m.id_number = s.id_number WHERE m.org_id NOT IN ${SCOPE}`)
    .pluck()
    .get(p) as number;

  // 1. Known members in scope whose facts differ.
  sqlite.exec(`CREATE TABLE ${a}.changed (member_id INTEGER PRIMARY KEY, id_number TEXT NOT NULL)`);
  sqlite
    .prepare(
      `INSERT INTO ${a}.changed (member_id, id_number)
       SELECT m.id, s.id_number FROM ${a}.rows s JOIN members m ON m.id_number = s.id_number
       WHERE m.org_id IN ${SCOPE}
         AND (m.name IS NOT s.name
          OR (s.phone IS NOT NULL AND s.phone IS NOT m.phone)
          OR (s.ethnicity IS NOT NULL AND s.ethnicity IS NOT m.ethnicity)
          OR (s.education IS NOT NULL AND s.education IS NOT m.education)
          OR (s.category IS NOT NULL AND s.category IS NOT m.category)
          OR (s.joined_on IS NOT NULL AND s.joined_on IS NOT m.joined_on)
          OR (s.full_on IS NOT NULL AND s.full_on IS NOT m.full_on)
          OR (s.occupation IS NOT NULL AND s.occupation IS NOT m.occupation)
          OR (s.relation_org_name IS NOT NULL AND m.relation_status <> 'local' AND s.relation_org_name IS NOT m.relation_org_name))`,
    )
    .run(p);
  const updated = sqlite
    .prepare(
      `UPDATE members SET
         name = s.name,
         phone = coalesce(s.phone, members.phone),
         phone_last4 = coalesce(substr(s.phone, -4), members.phone_last4),
         ethnicity = coalesce(s.ethnicity, members.ethnicity),
         education = coalesce(s.education, members.education),
         category = coalesce(s.category, members.category),
         joined_on = coalesce(s.joined_on, members.joined_on),
         full_on = coalesce(s.full_on, members.full_on),
         occupation = coalesce(s.occupation, members.occupation),
         relation_org_name = CASE WHEN members.relation_status = 'local' THEN members.relation_org_name ELSE coalesce(s.relation_org_name, members.relation_org_name) END,
         updated_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now')
       FROM ${a}.changed c JOIN ${a}.rows s ON s.id_number = c.id_number
       WHERE members.id = c.member_id`,
    )
    .run().changes;
  addEntries(
    sqlite,
    ctx,
    sql`SELECT c.member_id AS member_id, 'updated' AS kind, '党员名单导入更新了基本信息' AS summary, json_object('importId', ${ctx.importId}) AS details
        FROM ${sql.raw(a)}.changed c`,
  );
  step(ctx, "members_updated");

  // 2. New members.
  const maxId = (sqlite.prepare("SELECT coalesce(max(id), 0) FROM members").pluck().get() as number) ?? 0;
  const inserted = sqlite
    .prepare(
      `INSERT INTO members (name, gender, ethnicity, birth_date, id_number, id_last4, phone, phone_last4, education, category,
                            joined_on, full_on, occupation, org_id, relation_status, relation_org_name)
       SELECT s.name, s.gender, coalesce(s.ethnicity, '01'), s.birth_date, s.id_number, substr(s.id_number, -4), s.phone, substr(s.phone, -4),
              s.education, coalesce(s.category, 'full'), s.joined_on, s.full_on, s.occupation, @org, @relation, s.relation_org_name
       FROM ${a}.rows s
       WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.id_number = s.id_number)
       ORDER BY s.id_number`,
    )
    .run(p).changes;
  addEntries(
    sqlite,
    ctx,
    sql`SELECT id AS member_id, 'created' AS kind, '由党员名单导入建立' AS summary, json_object('importId', ${ctx.importId}) AS details
        FROM members WHERE id > ${maxId} ORDER BY id`,
  );
  step(ctx, "members_created");

  // 3. Workers already on platform rosters in the importer's scope who are these members (the
  // members held elsewhere are not this import's to link: their rows were not imported).
  // Found once into the stage, then written: the timeline entries by SQL from there, not returned
  // to JavaScript (tens of thousands of links as one JSON list: ~45 MB of peak RSS, see apply-roster-links.ts).
  sqlite.exec(`CREATE TABLE ${a}.links (worker_id INTEGER PRIMARY KEY, member_id INTEGER NOT NULL, platform TEXT NOT NULL)`);
  sqlite
    .prepare(
      `INSERT INTO ${a}.links (worker_id, member_id, platform)
       SELECT workers.id, (SELECT m.id FROM members m WHERE m.id_number = workers.id_number), workers.platform FROM workers
       WHERE +workers.member_id IS NULL AND workers.org_id IN ${IMPORTER_SCOPE}
         AND workers.id_number IN (SELECT s.id_number FROM ${a}.rows s JOIN members m ON m.id_number = s.id_number WHERE m.org_id IN ${SCOPE})`,
    )
    .run(p);
  addEntries(
    sqlite,
    ctx,
    // The import's number cast: bound as a REAL, json_object would write it 2.0, not as JSON.stringify did.
    sql`SELECT member_id, 'platform_matched' AS kind, '在“' || platform || '”平台的从业人员花名册中比对到本人' AS summary,
               json_object('importId', CAST(${ctx.importId} AS INTEGER), 'platform', platform) AS details
        FROM ${sql.raw(a)}.links ORDER BY worker_id`,
  );
  sqlite.prepare(`UPDATE workers SET member_id = l.member_id FROM ${a}.links l WHERE workers.id = l.worker_id`).run();
  // The list's members (now all in the import's subtree, but those held elsewhere) found on a roster in the importer's scope.
  const membersMatched = sqlite
    .prepare(
      `SELECT count(*) FROM ${a}.rows s JOIN members m ON m.id_number = s.id_number
       WHERE m.org_id IN ${SCOPE} AND EXISTS (SELECT 1 FROM workers w WHERE w.id_number = s.id_number AND w.org_id IN ${IMPORTER_SCOPE})`,
    )
    .pluck()
    .get(p) as number;
  step(ctx, "workers_linked");
  return { inserted, updated, membersMatched, leadsCreated: 0, departed: 0, heldElsewhere, platformLeadsCreated: null };
}

/**
 * A reference member list (only for matching): keep it as the import organization's own list,
 * and raise leads for workers in its subtree found in it. Other organizations' lists, even of the
 * same people, are theirs: never read or written here, so the counts say nothing about them.
 */
export function applyReference(sqlite: Database.Database, stage: Stage, ctx: ApplyContext): ApplyCounts {
  const a = stage.alias;
  const p = { org: ctx.orgId, orgPath: ctx.orgPath, today: ctx.today, importId: ctx.importId };
  const updated = sqlite
    .prepare(
      `UPDATE reference_members SET name = s.name, home_org_name = coalesce(s.relation_org_name, reference_members.home_org_name), import_id = @importId
       FROM ${a}.rows s
       WHERE reference_members.org_id = @org AND reference_members.id_number = s.id_number
         AND (reference_members.name IS NOT s.name
          OR (s.relation_org_name IS NOT NULL AND s.relation_org_name IS NOT reference_members.home_org_name))`,
    )
    .run(p).changes;
  const inserted = sqlite
    .prepare(
      `INSERT INTO reference_members (id_number, name, org_id, home_org_name, import_id)
       SELECT s.id_number, s.name, @org, s.relation_org_name, @importId FROM ${a}.rows s
       WHERE NOT EXISTS (SELECT 1 FROM reference_members r WHERE r.org_id = @org AND r.id_number = s.id_number)
       ORDER BY s.id_number`,
    )
    .run(p).changes;
  step(ctx, "reference");

  const leads = sqlite
    .prepare(
      `INSERT INTO leads (id_number, name, phone, channel, committee_id, worker_id, import_id, enterprise_id, occupation, platform, home_org_name, note, found_on, status)
       SELECT s.id_number, s.name, w.phone, 'data_match', w.org_id, w.id, @importId, w.enterprise_id, w.occupation, w.platform, s.relation_org_name,
              '在党员名单中比对到', @today, 'open'
       FROM ${a}.rows s
       JOIN workers w ON w.id = (SELECT min(w2.id) FROM workers w2 WHERE w2.id_number = s.id_number AND w2.org_id IN ${SCOPE})
       WHERE NOT EXISTS (SELECT 1 FROM members m WHERE m.id_number = s.id_number)
       ON CONFLICT (id_number) DO NOTHING`,
    )
    .run(p).changes;
  const membersMatched = sqlite
    .prepare(
      `SELECT count(*) FROM ${a}.rows s WHERE EXISTS (SELECT 1 FROM workers w WHERE w.id_number = s.id_number AND w.org_id IN ${SCOPE})`,
    )
    .pluck()
    .get(p) as number;
  step(ctx, "leads");
  return { inserted, updated, membersMatched, leadsCreated: leads, departed: 0, heldElsewhere: 0, platformLeadsCreated: null };
}

// Apply: staged rows become workers / members / reference members, then the finds are matched —
// all set-based SQL on the UNIQUE indexes (a JOIN matches 100k members against a 1M roster in
// 0.2 s; a JavaScript Set over loaded rows is 3–6× slower). The caller runs every function here
// inside ONE transaction: an import applies completely or not at all.
//
// Rows held by others (docs/ARCHITECTURE.md, "Imports and rows held by others"). A worker is one
// row per (platform, ID number) and a member one row per ID number, city-wide; whoever holds such
// a row outside the importer's scope keeps it: no statement here moves it, overwrites it, or
// copies its stored values into what the importer sees. The file's row for that person is not
// imported and is listed as such (heldElsewhereIssues) with a reason that names neither the holder
// nor any stored value. That the person is held elsewhere is all the importer learns — the same
// answer the member form gives (one record per person cannot hide it: the importer sees its own
// roster and member list). Reference lists are kept per holder, so they answer nothing at all.
// Counts in the summary count only records inside the importer's scope.

import type Database from "better-sqlite3";
import { type SQL, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { addTimelineEntries, type TimelineEntry } from "../members/timeline.js";
import type { Stage } from "./stage.js";

export type ApplyContext = {
  importId: number;
  orgId: number;
  /** Materialised path of the import's organization: members and reference lists are its subtree's. */
  orgPath: string;
  /**
   * The importer's scope (scopePath of the actor: a clerk's organization, an API key's committee,
   * "/" for an administrator). Workers held outside it are never touched, and summary counts
   * count only records inside it.
   */
  scopePath: string;
  /**
   * The importer is a platform company (an API key): an outside party, answered only what concerns
   * the batch's rows in its own committee (platformLeadsCreated; docs/API.md).
   */
  outsideParty: boolean;
  platform: string | null;
  today: string;
  userId: number | null;
  /** Relationship status given to members created by a member list. */
  newMemberRelation: "local" | "unattached";
  /**
   * A roster that is the platform's whole list under this organization (the default) marks
   * everyone it leaves out as departed; a partial one (an API batch sent with complete: false)
   * only refreshes the people it names.
   */
  complete: boolean;
  /** Test-only: called after each step, inside the transaction, so a test can fail an import mid-apply. */
  afterStep?: (step: string) => void;
};

export type ApplyCounts = {
  inserted: number;
  updated: number;
  membersMatched: number;
  leadsCreated: number;
  departed: number;
  /** Staged rows not imported because another organization, outside the importer's scope, holds the person. */
  heldElsewhere: number;
  /** For a platform (outsideParty): leadsCreated as it may be told (see applyRoster); else null. */
  platformLeadsCreated: number | null;
};

/** The import's organization and its subtree. */
const SCOPE = `(SELECT id FROM organizations WHERE substr(path, 1, length(@orgPath)) = @orgPath)`;
/** The importer's scope (ApplyContext.scopePath). */
const IMPORTER_SCOPE = `(SELECT id FROM organizations WHERE substr(path, 1, length(@scopePath)) = @scopePath)`;
/** The holders of the reference lists that apply to the import's organization: itself and the organizations above it. */
const LISTS_FOR_ORG = `(SELECT id FROM organizations WHERE substr(@orgPath, 1, length(path)) = path)`;

const HELD_WORKER = "该人员在本平台的花名册中已由其他党组织登记，本行未导入；如人员已变动，请联系上级党组织核实";
const HELD_MEMBER = "该身份证号已由其他党组织登记为党员，本行未导入；请联系上级党组织核实";

function step(ctx: ApplyContext, name: string): void {
  ctx.afterStep?.(name);
}

/** The import's entries on members' timelines, signed by the importing user. */
function addEntries(sqlite: Database.Database, ctx: ApplyContext, entries: TimelineEntry[] | SQL): void {
  addTimelineEntries(drizzle(sqlite), { id: ctx.userId ?? 0 }, entries);
}

function insertEvents(sqlite: Database.Database, ctx: ApplyContext, rows: { memberId: number }[], kind: string, summary: string): void {
  const details = { importId: ctx.importId, platform: ctx.platform };
  addEntries(sqlite, ctx, rows.map((r) => ({ memberId: r.memberId, kind, summary, details })));
}

/**
 * Links this platform's workers under the import's organization to the members with their ID
 * numbers (数据交互线上找), on each member's timeline. Other organizations' workers are theirs to link.
 */
function linkKnownMembers(sqlite: Database.Database, ctx: ApplyContext): void {
  const linked = sqlite
    .prepare(
      // Driven by the members (the IN list probes this platform's index), not by every worker
      // (the unary + keeps SQLite off the organization's index, which would walk all its workers).
      `UPDATE workers SET member_id = (SELECT m.id FROM members m WHERE m.id_number = workers.id_number)
       WHERE workers.platform = ? AND workers.member_id IS NULL AND +workers.org_id = ? AND workers.id_number IN (SELECT id_number FROM members)
       RETURNING workers.member_id AS memberId`,
    )
    .all(ctx.platform, ctx.orgId) as { memberId: number }[];
  insertEvents(sqlite, ctx, linked, "platform_matched", `在“${ctx.platform}”平台的从业人员花名册中比对到本人`);
}

/**
 * A platform roster: upsert workers, mark departures, link known members, raise leads.
 *
 * A person of this platform held by an organization outside the importer's scope stays there,
 * untouched (see the top of this file): the upsert skips the row, counts it in heldElsewhere, and
 * nothing later in the import reads that row (departures, last-seen dates, links and leads are
 * about the import organization's own workers).
 */
export function applyRoster(sqlite: Database.Database, stage: Stage, ctx: ApplyContext): ApplyCounts {
  const a = stage.alias;
  const p = { platform: ctx.platform, org: ctx.orgId, orgPath: ctx.orgPath, scopePath: ctx.scopePath, today: ctx.today, importId: ctx.importId };
  const countWorkers = sqlite.prepare("SELECT count(*) FROM workers WHERE platform = ?").pluck();
  const before = countWorkers.get(ctx.platform) as number;
  sqlite.exec(`CREATE TABLE ${a}.held (id_number TEXT PRIMARY KEY) WITHOUT ROWID`);

  // 0. For a platform: whom this batch reports as members (政治面貌) that the importer's scope has
  // not had reported so before — read before the upsert records the batch (see platformLeadsCreated).
  if (ctx.outsideParty) {
    sqlite.exec(`CREATE TABLE ${a}.reported (id_number TEXT PRIMARY KEY) WITHOUT ROWID`);
    sqlite
      .prepare(
        `INSERT INTO ${a}.reported (id_number)
         SELECT r.id_number FROM ${a}.party r
         WHERE NOT EXISTS (SELECT 1 FROM workers w WHERE w.platform = @platform AND w.id_number = r.id_number
                             AND w.org_id IN ${IMPORTER_SCOPE} AND w.political_status IN ('party_member', 'probationary_member'))`,
      )
      .run(p);
  }

  // 1. Upsert. A row is written only when something in it changed (absent values never erase
  // known ones), so a second import of the same file writes nothing here.
  // The guard: a conflicting row held outside the importer's scope is skipped whole (RAISE(IGNORE):
  // not moved, not overwritten, not counted as changed) and noted in `held`. A trigger, because the
  // upsert already finds that row: a query of its own would probe every staged row again (1.4 s
  // per million), while the trigger runs only for rows the upsert would change, and looks the
  // scope up (an indexed copy: a subquery over organizations would be run again for every row,
  // 30 s per 200,000) only for a row of another organization. Nobody can hold a row of a platform
  // that has none, and an administrator's scope holds every row: no guard then.
  const guard = before > 0 && ctx.scopePath !== "/";
  if (guard) {
    sqlite.exec(`CREATE TABLE ${a}.scope (org_id INTEGER PRIMARY KEY)`);
    sqlite.prepare(`INSERT INTO ${a}.scope (org_id) SELECT id FROM organizations WHERE substr(path, 1, length(@scopePath)) = @scopePath`).run(p);
    sqlite.exec(
      `CREATE TEMP TRIGGER ${a}_guard BEFORE UPDATE ON main.workers
       WHEN OLD.org_id IS NOT NEW.org_id AND OLD.org_id NOT IN (SELECT org_id FROM ${a}.scope)
       BEGIN
         INSERT OR IGNORE INTO ${a}.held (id_number) VALUES (OLD.id_number);
         SELECT RAISE(IGNORE);
       END`,
    );
  }
  let upsert: Database.RunResult;
  try {
    upsert = sqlite
      .prepare(
        `INSERT INTO workers (platform, id_number, name, phone, org_id, enterprise_id, station, franchisee, occupation,
                              political_status, hired_on, first_seen_on, last_seen_on, last_import_id)
         SELECT @platform, s.id_number, s.name, s.phone, @org, s.enterprise_id, s.station, s.franchisee, s.occupation, s.political_status, s.hired_on, @today, @today, @importId
         FROM ${a}.rows s WHERE true ORDER BY s.id_number
         ON CONFLICT (platform, id_number) DO UPDATE SET
           name = excluded.name,
           phone = coalesce(excluded.phone, workers.phone),
           org_id = excluded.org_id,
           enterprise_id = coalesce(excluded.enterprise_id, workers.enterprise_id),
           station = coalesce(excluded.station, workers.station),
           franchisee = coalesce(excluded.franchisee, workers.franchisee),
           occupation = coalesce(excluded.occupation, workers.occupation),
           political_status = coalesce(excluded.political_status, workers.political_status),
           hired_on = coalesce(excluded.hired_on, workers.hired_on),
           last_seen_on = excluded.last_seen_on,
           last_import_id = excluded.last_import_id,
           left_on = NULL
         WHERE workers.name IS NOT excluded.name
            OR workers.org_id IS NOT excluded.org_id
            OR workers.left_on IS NOT NULL
            OR (excluded.phone IS NOT NULL AND excluded.phone IS NOT workers.phone)
            OR (excluded.enterprise_id IS NOT NULL AND excluded.enterprise_id IS NOT workers.enterprise_id)
            OR (excluded.station IS NOT NULL AND excluded.station IS NOT workers.station)
            OR (excluded.franchisee IS NOT NULL AND excluded.franchisee IS NOT workers.franchisee)
            OR (excluded.occupation IS NOT NULL AND excluded.occupation IS NOT workers.occupation)
            OR (excluded.political_status IS NOT NULL AND excluded.political_status IS NOT workers.political_status)
            OR (excluded.hired_on IS NOT NULL AND excluded.hired_on IS NOT workers.hired_on)`,
      )
      .run(p);
  } finally {
    if (guard) sqlite.exec(`DROP TRIGGER IF EXISTS temp.${a}_guard`);
  }
  const heldElsewhere = guard ? (sqlite.prepare(`SELECT count(*) FROM ${a}.held`).pluck().get() as number) : 0;
  const after = countWorkers.get(ctx.platform) as number;
  const inserted = after - before;
  const updated = upsert.changes - inserted;
  step(ctx, "workers");

  // 2. Departures, then last-seen dates — of this organization's people only. One scan of this
  // platform's people under this organization tells whether either is needed: every staged row
  // not held elsewhere is now one of them, so more active people than those rows means some have
  // left; an old last-seen date means a refresh.
  // (A platform with no workers before this import has nobody to lose and nothing to refresh.)
  const staged = stage.stagedCount() - heldElsewhere;
  let departedRows: { memberId: number | null }[] = [];
  if (before > 0 && !ctx.complete) {
    // Only the people this batch names were seen today; nobody can be judged gone from it.
    sqlite
      .prepare(
        `UPDATE workers SET last_seen_on = @today
         WHERE platform = @platform AND org_id = @org AND left_on IS NULL AND last_seen_on <> @today
           AND id_number IN (SELECT id_number FROM ${a}.rows)`,
      )
      .run(p);
  } else if (before > 0) {
    const active = sqlite
      .prepare(
        `SELECT count(*) AS active, coalesce(sum(last_seen_on <> @today), 0) AS stale
         FROM workers WHERE platform = @platform AND org_id = @org AND left_on IS NULL`,
      )
      .get(p) as { active: number; stale: number };
    if (active.active > staged) {
      departedRows = sqlite
        .prepare(
          `UPDATE workers SET left_on = @today
           WHERE platform = @platform AND org_id = @org AND left_on IS NULL
             AND id_number NOT IN (SELECT id_number FROM ${a}.rows)
           RETURNING member_id AS memberId`,
        )
        .all(p) as { memberId: number | null }[];
    }
    if (active.stale > 0) {
      // Whoever is still active was in this roster: unchanged people seen again on a later day.
      sqlite
        .prepare("UPDATE workers SET last_seen_on = @today WHERE platform = @platform AND org_id = @org AND left_on IS NULL AND last_seen_on <> @today")
        .run(p);
    }
  }
  const departedMembers = departedRows.filter((r): r is { memberId: number } => r.memberId !== null);
  insertEvents(sqlite, ctx, departedMembers, "platform_left", `已不在“${ctx.platform}”平台的花名册中（流失风险，请及时联系）`);
  step(ctx, "departures");

  // 4. Known members: link the worker to the member (数据交互线上找). Matched against every member
  // (a known member is never a lead), counted only for members held in the importer's scope.
  linkKnownMembers(sqlite, ctx);
  const membersMatched = sqlite
    .prepare(
      `SELECT count(*) FROM members m JOIN ${a}.rows s ON s.id_number = m.id_number
       WHERE m.org_id IN ${IMPORTER_SCOPE} AND s.id_number NOT IN (SELECT id_number FROM ${a}.held)`,
    )
    .pluck()
    .get(p) as number;
  step(ctx, "members");

  // 5. Leads, for this organization's workers. (CROSS JOIN fixes the join order: from the few
  // candidates to the many workers; without statistics SQLite would walk every worker of the platform.)
  // A person in a reference member list that applies here (数据交互线上找: this organization's
  // list or one above it) first, then a 政治面貌 that says member (平台公司实时找). Never a known
  // member; never a second lead for one person. Of two lists naming one person, this organization's own gives the home organization.
  const leadCols = "id_number, name, phone, channel, committee_id, worker_id, import_id, enterprise_id, occupation, platform, home_org_name, note, found_on, status";
  const fromReference = sqlite
    .prepare(
      `INSERT INTO leads (${leadCols})
       SELECT s.id_number, s.name, s.phone, 'data_match', @org, w.id, @importId, w.enterprise_id, w.occupation, @platform, r.home_org_name,
              '在党员名单中比对到', @today, 'open'
       FROM reference_members r
       CROSS JOIN ${a}.rows s ON s.id_number = r.id_number
       CROSS JOIN workers w ON w.platform = @platform AND w.id_number = s.id_number
       WHERE r.org_id IN ${LISTS_FOR_ORG} AND w.org_id = @org
         AND NOT EXISTS (SELECT 1 FROM members m WHERE m.id_number = s.id_number)
       ORDER BY s.id_number, r.org_id = @org DESC, r.id
       ON CONFLICT (id_number) DO NOTHING`,
    )
    .run(p);
  const fromPlatform = sqlite
    .prepare(
      `INSERT INTO leads (${leadCols})
       SELECT s.id_number, s.name, s.phone, 'platform_report', @org, w.id, @importId, w.enterprise_id, w.occupation, @platform, NULL,
              CASE s.political_status WHEN 'probationary_member' THEN '花名册政治面貌：中共预备党员' ELSE '花名册政治面貌：中共党员' END,
              @today, 'open'
       FROM ${a}.party p
       CROSS JOIN ${a}.rows s ON s.id_number = p.id_number
       CROSS JOIN workers w ON w.platform = @platform AND w.id_number = s.id_number
       WHERE w.org_id = @org AND NOT EXISTS (SELECT 1 FROM members m WHERE m.id_number = s.id_number)
       ON CONFLICT (id_number) DO NOTHING`,
    )
    .run(p);

  // What a platform is told instead of leadsCreated. Whether a lead is raised depends on records
  // anywhere in the city (a member or a lead elsewhere raises none), so its count would tell an
  // outside party whether any ID number is a member. It is told the rows it reported as members
  // for the first time (step 0) that the importer's scope knows neither as a member nor as a lead
  // found before this import: the same answer for a member of another committee as for a stranger.
  const platformLeadsCreated = ctx.outsideParty
    ? (sqlite
        .prepare(
          `SELECT count(*) FROM ${a}.reported r
           WHERE r.id_number NOT IN (SELECT id_number FROM ${a}.held)
             AND NOT EXISTS (SELECT 1 FROM members m WHERE m.id_number = r.id_number AND m.org_id IN ${IMPORTER_SCOPE})
             AND NOT EXISTS (SELECT 1 FROM leads l WHERE l.id_number = r.id_number AND l.committee_id IN ${IMPORTER_SCOPE} AND l.import_id IS NOT @importId)`,
        )
        .pluck()
        .get(p) as number)
    : null;
  step(ctx, "leads");

  return {
    inserted,
    updated,
    membersMatched,
    leadsCreated: fromReference.changes + fromPlatform.changes,
    departed: departedRows.length,
    heldElsewhere,
    platformLeadsCreated,
  };
}

/** A member list: create members not yet known, update the basic facts of known ones in scope, link workers. */
export function applyMembers(sqlite: Database.Database, stage: Stage, ctx: ApplyContext): ApplyCounts {
  const a = stage.alias;
  const p = { org: ctx.orgId, orgPath: ctx.orgPath, scopePath: ctx.scopePath, today: ctx.today, importId: ctx.importId, userId: ctx.userId, relation: ctx.newMemberRelation };

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
  const linked = sqlite
    .prepare(
      `UPDATE workers SET member_id = (SELECT m.id FROM members m WHERE m.id_number = workers.id_number)
       WHERE +workers.member_id IS NULL AND workers.org_id IN ${IMPORTER_SCOPE}
         AND workers.id_number IN (SELECT s.id_number FROM ${a}.rows s JOIN members m ON m.id_number = s.id_number WHERE m.org_id IN ${SCOPE})
       RETURNING workers.member_id AS memberId, workers.platform AS platform`,
    )
    .all(p) as { memberId: number; platform: string }[];
  addEntries(
    sqlite,
    ctx,
    linked.map((l) => ({ memberId: l.memberId, kind: "platform_matched", summary: `在“${l.platform}”平台的从业人员花名册中比对到本人`, details: { importId: ctx.importId, platform: l.platform } })),
  );
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
    .prepare(`SELECT count(*) FROM ${a}.rows s WHERE EXISTS (SELECT 1 FROM workers w WHERE w.id_number = s.id_number AND w.org_id IN ${SCOPE})`)
    .pluck()
    .get(p) as number;
  step(ctx, "leads");
  return { inserted, updated, membersMatched, leadsCreated: leads, departed: 0, heldElsewhere: 0, platformLeadsCreated: null };
}

/**
 * The same roster file again, the same day, with no other import of the platform in between:
 * its rows would change nothing (no insert, update, departure or last-seen date). Only what other
 * imports may have brought since is done: links to members created since, and data_match leads
 * from reference lists (that apply here) imported since. Counts mean what applyRoster's mean; the
 * rows held elsewhere are still held there (only an import of this platform could move them) and
 * stay in the earlier import's counts and issue list. A platform is told no lead: the file reports
 * nobody for the first time.
 */
export function applyRosterRepeat(sqlite: Database.Database, ctx: ApplyContext): ApplyCounts {
  const p = { platform: ctx.platform, org: ctx.orgId, orgPath: ctx.orgPath, scopePath: ctx.scopePath, today: ctx.today, importId: ctx.importId };
  linkKnownMembers(sqlite, ctx);
  // The file's people are this platform's active workers under this organization (the last import left it so).
  const membersMatched = sqlite
    .prepare(
      `SELECT count(*) FROM workers w JOIN members m ON m.id = w.member_id
       WHERE w.platform = @platform AND w.org_id = @org AND w.left_on IS NULL AND m.org_id IN ${IMPORTER_SCOPE}`,
    )
    .pluck()
    .get(p) as number;
  step(ctx, "members");
  const leads = sqlite
    .prepare(
      `INSERT INTO leads (id_number, name, phone, channel, committee_id, worker_id, import_id, enterprise_id, occupation, platform, home_org_name, note, found_on, status)
       SELECT w.id_number, w.name, w.phone, 'data_match', @org, w.id, @importId, w.enterprise_id, w.occupation, @platform, r.home_org_name,
              '在党员名单中比对到', @today, 'open'
       FROM reference_members r
       CROSS JOIN workers w ON w.platform = @platform AND w.id_number = r.id_number
       WHERE r.org_id IN ${LISTS_FOR_ORG} AND w.org_id = @org AND w.left_on IS NULL
         AND NOT EXISTS (SELECT 1 FROM members m WHERE m.id_number = w.id_number)
       ORDER BY w.id_number, r.org_id = @org DESC, r.id
       ON CONFLICT (id_number) DO NOTHING`,
    )
    .run(p).changes;
  step(ctx, "leads");
  return { inserted: 0, updated: 0, membersMatched, leadsCreated: leads, departed: 0, heldElsewhere: 0, platformLeadsCreated: ctx.outsideParty ? 0 : null };
}

/**
 * Lists the rows of the file not imported because another organization, outside the importer's
 * scope, holds the person (ApplyCounts.heldElsewhere > 0). Read from the app's tables, which the
 * apply never changes for those rows: right after the apply, in its transaction, and as well
 * after a dry run's rollback (which takes back whatever the apply wrote to the stage).
 */
export function heldElsewhereIssues(sqlite: Database.Database, stage: Stage, ctx: ApplyContext): void {
  const a = stage.alias;
  if (stage.kind === "roster") {
    sqlite
      .prepare(
        `INSERT INTO ${a}.issues (row_number, outcome, col, value, reason)
         SELECT s.row_number, 'rejected', '身份证号', s.id_number, @reason
         FROM workers w CROSS JOIN ${a}.rows s ON s.id_number = w.id_number
         WHERE w.platform = @platform AND w.org_id NOT IN ${IMPORTER_SCOPE}`,
      )
      .run({ platform: ctx.platform, scopePath: ctx.scopePath, reason: HELD_WORKER });
  } else if (stage.kind === "members") {
    sqlite
      .prepare(
        `INSERT INTO ${a}.issues (row_number, outcome, col, value, reason)
         SELECT s.row_number, 'rejected', '身份证号', s.id_number, @reason
         FROM ${a}.rows s JOIN members m ON m.id_number = s.id_number
         WHERE m.org_id NOT IN ${SCOPE}`,
      )
      .run({ orgPath: ctx.orgPath, reason: HELD_MEMBER });
  }
}

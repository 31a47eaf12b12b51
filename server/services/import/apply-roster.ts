// Apply, for a platform roster: staged workers upserted, departures marked, known members linked,
// leads raised; and the same file again the same day. The rules every apply keeps (rows held by
// others, one transaction) are at the top of apply.ts.

import type Database from "better-sqlite3";
import { type ApplyContext, type ApplyCounts, addEntries, IMPORTER_SCOPE, LISTS_FOR_ORG, step } from "./apply.js";
import { linkKnownMembers, linkMatched } from "./apply-roster-links.js";
import type { Stage } from "./stage.js";

function insertEvents(sqlite: Database.Database, ctx: ApplyContext, rows: { memberId: number }[], kind: string, summary: string): void {
  const details = { importId: ctx.importId, platform: ctx.platform };
  addEntries(
    sqlite,
    ctx,
    rows.map((r) => ({ memberId: r.memberId, kind, summary, details })),
  );
}

/**
 * A platform roster: upsert workers, mark departures, link known members, raise leads.
 *
 * A person of this platform held by an organization outside the importer's scope stays there,
 * untouched (see the top of apply.ts): the upsert skips the row, counts it in heldElsewhere, and
 * nothing later in the import reads that row (departures, last-seen dates, links and leads are
 * about the import organization's own workers).
 */
export function applyRoster(sqlite: Database.Database, stage: Stage, ctx: ApplyContext): ApplyCounts {
  const a = stage.alias;
  const p = {
    platform: ctx.platform,
    org: ctx.orgId,
    orgPath: ctx.orgPath,
    scopePath: ctx.scopePath,
    today: ctx.today,
    importId: ctx.importId,
  };
  // The rows the upsert inserts are those with a larger id than any before it (AUTOINCREMENT):
  // counted by id, not by platform, which no index leads (the platform's count was a scan of
  // every worker in a province).
  const lastId = sqlite.prepare("SELECT coalesce(max(id), 0) FROM workers").pluck().get() as number;
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

  // What departures, last-seen dates and links (steps 2 and 4) need to know is read before the
  // upsert, while this organization's people of the platform are only those it had: after it they
  // include the whole roster (in a province, a county's 1,700 people became 1,000,000, and finding
  // among them the few who left, and the members, took 6 s of scans and random reads). The upsert
  // changes only the roster's people, so who is gone (active here and not in the roster) and who
  // else here is unlinked stay as read; of the roster's people, only those seen on an earlier day
  // can still need today's date after it (what the upsert changes gets today's date).
  // - matched: the roster's people who are members (their organization: the importer's scope counts
  //   them). The members in ID-number order, each looked up in the staged rows' index in the same
  //   order, so both are read front to back (a province's 500,000 members against a million rows:
  //   0.25 s of CPU; from the staged rows, 0.6 s; the city's 100,000: 0.1 s against 0.4 s).
  sqlite.exec(`CREATE TABLE ${a}.matched (id_number TEXT PRIMARY KEY, member_id INTEGER NOT NULL, org_id INTEGER NOT NULL) WITHOUT ROWID`);
  sqlite
    .prepare(
      `INSERT INTO ${a}.matched (id_number, member_id, org_id)
       SELECT m.id_number, m.id, m.org_id FROM members m INDEXED BY members_id_number_uq CROSS JOIN ${a}.rows s ON s.id_number = m.id_number
       ORDER BY m.id_number`,
    )
    .run();
  // - others: this organization's people of the platform not in the roster (gone if still active).
  sqlite.exec(
    `CREATE TABLE ${a}.others (id INTEGER PRIMARY KEY, id_number TEXT NOT NULL, active INTEGER NOT NULL, unlinked INTEGER NOT NULL)`,
  );
  let gone = 0;
  let stale = false;
  sqlite
    .prepare(
      `INSERT INTO ${a}.others (id, id_number, active, unlinked)
       SELECT id, id_number, left_on IS NULL, member_id IS NULL FROM workers
       WHERE platform = @platform AND org_id = @org AND id_number NOT IN (SELECT id_number FROM ${a}.rows)`,
    )
    .run(p);
  if (ctx.complete) {
    gone = sqlite.prepare(`SELECT count(*) FROM ${a}.others WHERE active`).pluck().get() as number;
    // One is enough to know a refresh is needed (the next day's import: the first row it reads).
    // The unary + keeps SQLite on this organization's rows, not probing the ID-number index
    // with each of the roster's (3.7 s for a province's county).
    stale =
      sqlite
        .prepare(
          `SELECT EXISTS (SELECT 1 FROM workers WHERE platform = @platform AND org_id = @org AND left_on IS NULL
                            AND last_seen_on <> @today AND +id_number IN (SELECT id_number FROM ${a}.rows))`,
        )
        .pluck()
        .get(p) === 1;
  }

  // 1. Upsert. A row is written only when something in it changed (absent values never erase
  // known ones), so a second import of the same file writes nothing here.
  // The guard: a conflicting row held outside the importer's scope is skipped whole (RAISE(IGNORE):
  // not moved, not overwritten, not counted as changed) and noted in `held`. A trigger, because the
  // upsert already finds that row: a query of its own would probe every staged row again (1.4 s
  // per million), while the trigger runs only for rows the upsert would change, and looks the
  // scope up (an indexed copy: a subquery over organizations would be run again for every row,
  // 30 s per 200,000) only for a row of another organization. Nobody can hold a row of a platform
  // that has none (the trigger is then never run: nothing conflicts), and an administrator's scope
  // holds every row: no guard then.
  const guard = ctx.scopePath !== "/";
  if (guard) {
    sqlite.exec(`CREATE TABLE ${a}.scope (org_id INTEGER PRIMARY KEY)`);
    sqlite
      .prepare(`INSERT INTO ${a}.scope (org_id) SELECT id FROM organizations WHERE substr(path, 1, length(@scopePath)) = @scopePath`)
      .run(p);
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
  const inserted = sqlite.prepare("SELECT count(*) FROM workers WHERE id > ?").pluck().get(lastId) as number;
  const updated = upsert.changes - inserted;
  step(ctx, "workers");

  // 2. Departures, then last-seen dates — of this organization's people only (judged above).
  let departedRows: { memberId: number | null }[] = [];
  if (!ctx.complete) {
    // Only the people this batch names were seen today; nobody can be judged gone from it.
    sqlite
      .prepare(
        `UPDATE workers SET last_seen_on = @today
         WHERE platform = @platform AND org_id = @org AND left_on IS NULL AND last_seen_on <> @today
           AND id_number IN (SELECT id_number FROM ${a}.rows)`,
      )
      .run(p);
  } else {
    if (gone > 0) {
      departedRows = sqlite
        .prepare(
          `UPDATE workers SET left_on = @today
           WHERE id IN (SELECT id FROM ${a}.others WHERE active) AND left_on IS NULL
           RETURNING member_id AS memberId`,
        )
        .all(p) as { memberId: number | null }[];
    }
    if (stale) {
      // Whoever is still active was in this roster: unchanged people seen again on a later day.
      sqlite
        .prepare(
          "UPDATE workers SET last_seen_on = @today WHERE platform = @platform AND org_id = @org AND left_on IS NULL AND last_seen_on <> @today",
        )
        .run(p);
    }
  }
  const departedMembers = departedRows.filter((r): r is { memberId: number } => r.memberId !== null);
  insertEvents(sqlite, ctx, departedMembers, "platform_left", `已不在“${ctx.platform}”平台的花名册中（流失风险，请及时联系）`);
  step(ctx, "departures");

  // 4. Known members: link the worker to the member (数据交互线上找). Matched against every member
  // (a known member is never a lead), counted only for members held in the importer's scope.
  linkMatched(sqlite, ctx, a);
  const membersMatched = sqlite
    .prepare(
      `SELECT count(*) FROM ${a}.matched x
       WHERE x.org_id IN ${IMPORTER_SCOPE} AND x.id_number NOT IN (SELECT id_number FROM ${a}.held)`,
    )
    .pluck()
    .get(p) as number;
  step(ctx, "members");

  // 5. Leads, for this organization's workers. (CROSS JOIN fixes the join order: from the few
  // candidates to the many workers; without statistics SQLite would walk every worker of the platform.)
  // A person in a reference member list that applies here (数据交互线上找: this organization's
  // list or one above it) first, then a 政治面貌 that says member (平台公司实时找). Never a known
  // member; never a second lead for one person. Of two lists naming one person, this organization's own gives the home organization.
  const leadCols =
    "id_number, name, phone, channel, committee_id, worker_id, import_id, enterprise_id, occupation, platform, home_org_name, note, found_on, status";
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
  const p = {
    platform: ctx.platform,
    org: ctx.orgId,
    orgPath: ctx.orgPath,
    scopePath: ctx.scopePath,
    today: ctx.today,
    importId: ctx.importId,
  };
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
  return {
    inserted: 0,
    updated: 0,
    membersMatched,
    leadsCreated: leads,
    departed: 0,
    heldElsewhere: 0,
    platformLeadsCreated: ctx.outsideParty ? 0 : null,
  };
}

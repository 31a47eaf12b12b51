import type Database from "better-sqlite3";
import type { Passport } from "passport";
import type { Logger } from "pino";
import type { Db, DbHandle } from "../db/client.js";
import type { Config } from "./config.js";
import type { BackupStatus } from "./services/backup/schedule.js";
import type { Actor } from "./policy/actor.js";
import type { DashboardCards } from "./services/counting/cards.js";
import type { RiskCounts } from "./services/risk/risk.service.js";
import { RiskParts } from "./services/risk/parts.js";
import { MeetingParts } from "./services/meetings/parts.js";
import { StatsCache } from "./services/coverage/stats-cache.js";
import type { loadOrgs, memberFilterOptions } from "./services/members/list.js";
import type { NavCounts } from "./services/nav.service.js";
import { ReadCache } from "./services/read-cache.js";
import type { ComputedTable } from "./domain/official-tables/table.js";

/** What route files receive: services get `db` from here; route files never import drizzle. */
export type Deps = {
  db: Db;
  handle: DbHandle;
  config: Readonly<Config>;
  logger: Logger;
  passport: InstanceType<typeof Passport>;
  /** The server's backup schedule, when BACKUP_DIR is set: its state is shown to administrators. */
  backups: { status(): BackupStatus } | null;
  caches: Caches;
  /** Whether the dashboard router counts the whole installation as soon as it is built (createApp's warmDashboard). */
  warmDashboard: boolean;
};

export type Caches = ReturnType<typeof createCaches>;

/**
 * The read caches of one app, built once by createApp: routers and middleware are handed them and
 * never build their own. Each is kept exactly as fresh as the data (read-cache.ts).
 */
export function createCaches(sqlite: Database.Database) {
  return {
    // The signed-in account, read on every request (a join and a query build: ~0.4 ms, a tenth of a
    // list page), is kept until the data changes. A write by another process (the user CLI disabling
    // an account) counts at once too (othersMaxAgeMs 0), so a disabled account still ends on its very
    // next request. Frozen: one object is shared by that account's requests.
    actors: new ReadCache<Readonly<Actor> | null>(sqlite, { max: 1000, othersMaxAgeMs: 0 }),
    // The navigation badges (inbox, open leads) are counts over the user's whole scope on every page
    // view; they are counted again only when the data has changed.
    nav: new ReadCache<NavCounts>(sqlite, { max: 1000, othersMaxAgeMs: 30_000 }),
    // Over a million workers the dashboard's cards take seconds to count from nothing; they are
    // counted again only when the data has changed, per scope: the same for everyone with the same
    // scope (organizational life and the risk card over the user's whole scope are in them).
    dashboard: new ReadCache<DashboardCards>(sqlite, { max: 100, othersMaxAgeMs: 30_000 }),
    // When the data has changed, the million workers are counted again only if the workers have
    // (an import, not a clerk's edit): stats-cache.ts.
    stats: new StatsCache(sqlite),
    // The drift-risk counts by signal (dashboard card, inbox), per scope, likewise.
    risk: new ReadCache<RiskCounts>(sqlite, { max: 1000, othersMaxAgeMs: 30_000 }),
    // Under it, the counts kept per organization: a write counts again only the organizations it
    // touched (risk/parts.ts).
    riskParts: new RiskParts(sqlite),
    // Organizational life's figures (the dashboard's card, the funnel's took-part counts), likewise.
    meetingParts: MeetingParts.of(sqlite),
    // The total under the member list (a count over up to 100,000 members: most of a page's cost);
    // paging and re-sorting reuse it.
    memberCounts: new ReadCache<number>(sqlite, { max: 500, othersMaxAgeMs: 30_000 }),
    // The member list's select options (every committee, branch and enterprise in scope), likewise.
    memberFilters: new ReadCache<ReturnType<typeof memberFilterOptions>>(sqlite, { max: 500, othersMaxAgeMs: 30_000 }),
    // Every organization (scope, committee filter, the member list's row labels): hundreds of rows read
    // and mapped on each page (~1 ms). Another process's change counts at once: the scope must never
    // lag behind a moved organization.
    orgs: new ReadCache<ReturnType<typeof loadOrgs>>(sqlite, { max: 1, othersMaxAgeMs: 0 }),
    // The official tables of a running period, per table, scope, period and day (the city's table 1 is
    // ~1.5 s CPU at 100,000 members). Another process's write counts at once (an official figure never
    // lags the records); a closed period is read from its snapshot and not kept here. Few entries: the
    // city's table 1 holds two lists of every member (~10 MB at 100,000 members).
    tables: new ReadCache<ComputedTable>(sqlite, { max: 32, othersMaxAgeMs: 0 }),
  };
}

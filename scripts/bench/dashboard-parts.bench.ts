// Each part of the city's dashboard counted cold, on a copy of a kept bench:http database: the sums
// of each row source (grouped by committee and county, as the dashboard counts them), the figures
// and breakdowns, funnel, trend, the whole dashboard; then with the worker counts kept
// (stats-cache.ts), and after verifying one lead (THE DATABASE IS CHANGED: use a copy), checking the
// kept result against counting anew. Not a test.
//
//   cp /tmp/party-http-bench-XXXX/bench.db /tmp/copy.db && npm run bench:dashboard-parts -- /tmp/copy.db
import fs from "node:fs";
import { sql } from "drizzle-orm";
import { openDb } from "../../db/client.js";
import { prepareDatabase } from "../../server/bootstrap.js";
import { DEMO_JURISDICTION } from "../../server/domain/reference-data.js";
import { systemActor } from "../../server/policy/actor.js";
import { buildDashboard } from "../../server/services/coverage/dashboard.js";
import { computeFiguresAndBreakdowns, funnel, resolveScope, statsDates } from "../../server/services/coverage/coverage.service.js";
import { FIGURE_KEYS, FIGURES } from "../../server/services/coverage/figures.js";
import { groupedCount, isGroupedSource, sumSource } from "../../server/services/coverage/sources.js";
import { StatsCache } from "../../server/services/coverage/stats-cache.js";
import { verifyLead } from "../../server/services/finds/leads.js";
import { trend } from "../../server/services/coverage/snapshots.js";
import { todayIso } from "../../server/domain/dates.js";

const file = process.argv[2];
if (!file || !fs.existsSync(file)) {
  console.error(
    "usage: npm run bench:dashboard-parts -- FILE  (FILE: a copy of bench.db kept by `npm run bench:http -- --keep`; it is changed)",
  );
  process.exit(2);
}
const h = openDb(file);
prepareDatabase(h, { jurisdiction: DEMO_JURISDICTION });
const actor = systemActor();
const t = <T>(label: string, f: () => T): T => {
  const t0 = performance.now();
  const v = f();
  process.stdout.write(`${label.padEnd(44)} ${(performance.now() - t0).toFixed(0).padStart(6)} ms\n`);
  return v;
};
for (let round = 0; round < 2; round++) {
  process.stdout.write(`-- round ${round}\n`);
  const ctx = { rs: resolveScope(h.db, actor, {}), ...statsDates({}) };
  for (const source of ["enterprise", "org", "member", "found", "worker", "transfer"] as const) {
    const keys = FIGURE_KEYS.filter((k) => FIGURES[k].source === source);
    const cols = sql.raw(
      keys
        .map((k) =>
          groupedCount(source, k)
            ? `coalesce(sum(${groupedCount(source, k)}), 0) AS "${k}"`
            : `coalesce(sum(CASE WHEN ${FIGURES[k].flag} THEN ${isGroupedSource(source) ? "s.n" : "1"} ELSE 0 END), 0) AS "${k}"`,
        )
        .join(", "),
    );
    t(`sums ${source} (both)`, () =>
      h.db.all(sumSource(ctx, source, sql`s.committee_id AS grp, s.county AS grp2, ${cols}`, sql.raw("GROUP BY s.committee_id, s.county"))),
    );
  }
  const all = t("computeFiguresAndBreakdowns", () => computeFiguresAndBreakdowns(h.db, actor, {}));
  t("funnel", () => funnel(all.figures));
  t("trend (live given)", () => trend(h.db, actor, {}, { months: 12, live: all.figures }));
  t("buildDashboard (no cache)", () => buildDashboard(h.db, actor, {}));
}
const cache = new StatsCache(h.sqlite);
t("buildDashboard (cache, first)", () => buildDashboard(h.db, actor, {}, { cache }));
t("buildDashboard (cache, workers unchanged)", () => buildDashboard(h.db, actor, {}, { cache }));
const lead = h.sqlite.prepare("SELECT id FROM leads WHERE status = 'open' ORDER BY id LIMIT 1").pluck().get() as number;
t("verifyLead", () => verifyLead(h.db, actor, lead, {}, todayIso()));
const after = t("buildDashboard (cache) after verifying a lead", () => buildDashboard(h.db, actor, {}, { cache }));
const fresh = t("buildDashboard (no cache) after verifying", () => buildDashboard(h.db, actor, {}));
const same =
  JSON.stringify([after.figures, after.byCommittee, after.byCounty]) === JSON.stringify([fresh.figures, fresh.byCommittee, fresh.byCounty]);
process.stdout.write(`worker scans ${cache.workerScans}; cached = fresh: ${same}\n`);
h.close();

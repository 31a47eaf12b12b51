// Each part of the city's dashboard counted cold, on a copy of a kept bench:http database: the sums
// of each row source (grouped by committee and county, as the dashboard counts them), the figures
// and breakdowns, funnel, trend, the whole dashboard; then with the worker counts kept
// (stats-cache.ts, partitions.ts) and the risk and organizational-life cards kept per organization
// (org-parts.ts), and after each kind of write a clerk makes (THE DATABASE IS
// CHANGED: use a copy): the view with the kept parts beside the same view counted anew in the same
// run, checked equal. Not a test.
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
import { rejectLead, verifyLead } from "../../server/services/finds/leads.js";
import { markLostContact } from "../../server/services/members/contact.js";
import { trend } from "../../server/services/coverage/snapshots.js";
import { todayIso } from "../../server/domain/dates.js";
import { meetingFigures, tookPartByChannel } from "../../server/services/meetings/meetings.service.js";
import { MeetingParts } from "../../server/services/meetings/parts.js";
import { RiskParts } from "../../server/services/risk/parts.js";
import { riskCounts } from "../../server/services/risk/risk.service.js";

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
const same = (a: ReturnType<typeof buildDashboard>, b: ReturnType<typeof buildDashboard>) =>
  JSON.stringify([a.figures, a.byCommittee, a.byCounty, a.funnel, a.charts]) ===
  JSON.stringify([b.figures, b.byCommittee, b.byCounty, b.funnel, b.charts]);
const openLeads = h.sqlite.prepare("SELECT id FROM leads WHERE status = 'open' ORDER BY id").pluck().all() as number[];
const member = h.sqlite
  .prepare("SELECT id FROM members WHERE left_on IS NULL AND lost_contact_on IS NULL AND relation_status = 'local' ORDER BY id LIMIT 1")
  .pluck()
  .get() as number;
const writes: [string, () => void][] = [
  ["verifying a lead", () => verifyLead(h.db, actor, openLeads[0]!, {}, todayIso())],
  ["verifying another lead", () => verifyLead(h.db, actor, openLeads[1]!, {}, todayIso())],
  ["rejecting a lead", () => rejectLead(h.db, actor, openLeads.at(-1)!, "压测", todayIso())],
  [
    "marking a member out of contact",
    () => markLostContact(h.db, actor, member, { lostContactOn: todayIso(), lostContactReason: "migrant_work" }),
  ],
];
// The other cards the dashboard counts (drift-risk, organizational life with the funnel's took-part
// counts), kept per organization (org-parts.ts): counted whole once, then kept.
const riskParts = new RiskParts(h.sqlite);
const lifeParts = new MeetingParts(h.sqlite);
const cards = (kept: boolean) => {
  const today = todayIso();
  return kept
    ? [riskParts.counts(h.db, actor, today), lifeParts.figures(h.db, actor, today), lifeParts.tookPartByChannel(h.db, actor, today)]
    : [riskCounts(h.db, actor, today), meetingFigures(h.db, actor, today), tookPartByChannel(h.db, actor, today)];
};
t("risk + organizational life, counted anew", () => cards(false));
t("risk + organizational life, first kept count", () => cards(true));
t("risk + organizational life, kept, unchanged", () => cards(true));
// The baseline of each row: the same dashboard counted anew (no kept parts), in the same run.
process.stdout.write(
  `\n${"after".padEnd(36)} ${"write".padStart(8)} ${"kept".padStart(8)} ${"parts".padStart(6)} ${"anew".padStart(8)}  same ${"cards kept".padStart(10)} ${"orgs".padStart(5)} ${"anew".padStart(8)}  same\n`,
);
for (const [label, write] of writes) {
  const t0 = performance.now();
  write();
  const w = performance.now() - t0;
  const parts = cache.partCounts;
  const t1 = performance.now();
  const after = buildDashboard(h.db, actor, {}, { cache });
  const kept = performance.now() - t1;
  const t2 = performance.now();
  const fresh = buildDashboard(h.db, actor, {});
  const anew = performance.now() - t2;
  const orgs = riskParts.orgsCounted + lifeParts.orgsCounted;
  const t3 = performance.now();
  const keptCards = cards(true);
  const cardsKept = performance.now() - t3;
  const t4 = performance.now();
  const freshCards = cards(false);
  const cardsAnew = performance.now() - t4;
  const ms = (v: number) => `${v.toFixed(0)} ms`;
  process.stdout.write(
    `${label.padEnd(36)} ${ms(w).padStart(8)} ${ms(kept).padStart(8)} ${String(cache.partCounts - parts).padStart(6)} ${ms(anew).padStart(8)}  ${same(after, fresh)} ${ms(cardsKept).padStart(10)} ${String(riskParts.orgsCounted + lifeParts.orgsCounted - orgs).padStart(5)} ${ms(cardsAnew).padStart(8)}  ${JSON.stringify(keptCards) === JSON.stringify(freshCards)}\n`,
  );
}
process.stdout.write(`worker scans ${cache.workerScans}\n`);
h.close();

// The dashboard keeps the city's worker counts (a scan of a million rows) while the workers have not
// changed (stats-cache.ts, migration 0008's triggers). Whatever is written, by whom, the figures
// must be those of counting everything anew; and writes that leave the counted workers alone must
// not count them again.

import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { type DbHandle, openDb } from "../../../db/client.js";
import { todayIso } from "../../../server/domain/dates.js";
import type { Actor } from "../../../server/policy/actor.js";
import { computeFigures, computeFiguresAndBreakdowns, type StatsScope } from "../../../server/services/coverage/coverage.service.js";
import { StatsCache } from "../../../server/services/coverage/stats-cache.js";
import { buildDashboard } from "../../../server/services/coverage/dashboard.js";
import { runImport } from "../../../server/services/import/import.service.js";
import { verifyLead } from "../../../server/services/finds/leads.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { fixtureId } from "../../fixtures/rosters/people.js";
import { memoryDb, tempFileDb } from "../../helpers/db.js";
import { buildSmallCity, type SmallCity } from "../../helpers/fixtures.js";
import { AS_OF, buildFixture, clerkDL, clerkPS, secretaryJoint, supervisor } from "./fixture.js";
import { ROSTERS_DIR } from "../../helpers/paths.js";

const FIX = ROSTERS_DIR;

describe("worker counts kept across data changes", () => {
  let h: DbHandle & { dir: string };
  let city: SmallCity;
  let clerkPs: Actor;
  let viewer: Actor;
  let cache: StatsCache;
  beforeEach(async () => {
    h = tempFileDb();
    city = await buildSmallCity(h);
    clerkPs = loadActor(h.db, city.userIds.clerkPs!)!;
    viewer = loadActor(h.db, city.userIds.supervisor!)!;
    // Five workers of HZ-PS; 张伟 (中共党员) and 陈静 (中共预备党员) become leads.
    await runImport(h, clerkPs, { kind: "roster", file: path.join(FIX, "gbk-crlf.csv"), platform: "某外卖平台", orgId: city.ps.id });
    cache = new StatsCache(h.sqlite);
  });
  afterEach(() => h.close());

  const leadId = (id: string) => h.sqlite.prepare("SELECT id FROM leads WHERE id_number = ?").pluck().get(id) as number;
  /** The dashboard through the cache, checked against the dashboard counted anew. */
  const view = (scope: StatsScope = {}) => {
    const d = buildDashboard(h.db, viewer, scope, { cache });
    const fresh = buildDashboard(h.db, viewer, scope);
    expect({ figures: d.figures, byCommittee: d.byCommittee, byCounty: d.byCounty, funnel: d.funnel }).toEqual({
      figures: fresh.figures,
      byCommittee: fresh.byCommittee,
      byCounty: fresh.byCounty,
      funnel: fresh.funnel,
    });
    return d;
  };

  it("verifying a lead changes the funnel on the next view, without counting the workers again", () => {
    const before = view();
    expect(before.figures.workers).toBe(5);
    expect(cache.workerScans).toBe(1);
    // Verifying links the platform's worker to the new member (workers.member_id): not a counted column.
    verifyLead(h.db, clerkPs, leadId(fixtureId(4)), { branchId: city.psBranch.id }, todayIso());
    expect(h.sqlite.prepare("SELECT count(*) FROM workers WHERE member_id IS NOT NULL").pluck().get()).toBe(1);
    const after = view();
    expect(after.funnel[0]).toMatchObject({
      workers: 5,
      found: before.funnel[0]!.found,
      verified: before.funnel[0]!.verified + 1,
      managed: before.funnel[0]!.managed + 1,
    });
    expect(after.figures.members).toBe(before.figures.members + 1);
    expect(cache.workerScans).toBe(1);
  });

  it("writes to other tables, and the roster's last-seen dates, do not count the workers again", () => {
    view();
    h.sqlite.prepare("UPDATE enterprises SET region_code = '371721' WHERE id = ?").run(city.psEnterprise.id);
    h.sqlite.prepare("UPDATE members SET relation_status = 'mobile_in' WHERE id = ?").run(city.psMember.id);
    h.sqlite.prepare("UPDATE workers SET last_seen_on = '2000-01-01', station = '新站'").run();
    view();
    view({ committeeId: city.ps.id });
    expect(cache.workerScans).toBe(1);
  });

  it("an import is counted again after it: the same five people on a second platform stay five people", async () => {
    expect(view().figures.workers).toBe(5);
    await runImport(h, clerkPs, { kind: "roster", file: path.join(FIX, "gbk-crlf.csv"), platform: "另一平台", orgId: city.ps.id });
    expect(h.sqlite.prepare("SELECT count(*) FROM workers").pluck().get()).toBe(10);
    expect(view().figures.workers).toBe(5);
    expect(cache.workerScans).toBe(2);
  });

  it("a last-seen date of a person on two platforms counts again: it decides where the person is counted", () => {
    h.sqlite
      .prepare(
        "INSERT INTO workers (platform, id_number, name, org_id, first_seen_on, last_seen_on) SELECT '另一平台', id_number, name, ?, '2020-01-01', '2020-01-01' FROM workers WHERE id = (SELECT min(id) FROM workers)",
      )
      .run(city.dl.id);
    expect(view({ committeeId: city.dl.id }).figures.workers).toBe(0);
    h.sqlite.prepare("UPDATE workers SET last_seen_on = ? WHERE platform = '另一平台'").run(todayIso());
    expect(view({ committeeId: city.dl.id }).figures.workers).toBe(1);
    expect(view({ committeeId: city.ps.id }).figures.workers).toBe(4);
    expect(cache.workerScans).toBe(2);
  });

  it("a worker moved or marked gone by another connection shows at once", () => {
    expect(view().figures.workers).toBe(5);
    const other = openDb(path.join(h.dir, "app.db"));
    try {
      other.sqlite.prepare("UPDATE workers SET left_on = ? WHERE id = (SELECT min(id) FROM workers)").run(todayIso());
      expect(view().figures.workers).toBe(4);
      other.sqlite.prepare("UPDATE workers SET org_id = ? WHERE id = (SELECT max(id) FROM workers)").run(city.dl.id);
      const d = view({ committeeId: city.dl.id });
      expect(d.figures.workers).toBe(1);
      other.sqlite.prepare("DELETE FROM workers WHERE id = (SELECT max(id) FROM workers)").run();
      expect(view().figures.workers).toBe(3);
    } finally {
      other.close();
    }
    expect(cache.workerScans).toBe(4);
  });

  it("inside a transaction counts live, and keeps nothing a rollback undoes", () => {
    expect(view().figures.workers).toBe(5);
    const insert = h.sqlite.prepare(
      "INSERT INTO workers (platform, id_number, name, org_id, first_seen_on, last_seen_on) VALUES ('临时', '371702199001069990', '临时', ?, '2020-01-01', '2020-01-01')",
    );
    expect(() =>
      h.sqlite.transaction(() => {
        insert.run(city.ps.id);
        expect(computeFigures(h.db, viewer, {}, { cache }).figures.workers).toBe(6);
        throw new Error("rolled back");
      })(),
    ).toThrow("rolled back");
    expect(view().figures.workers).toBe(5);
    // The rolled-back write's version number is taken again by a different commit: still exact.
    insert.run(city.dl.id);
    expect(view({ committeeId: city.dl.id }).figures.workers).toBe(1);
    expect(view({ committeeId: city.ps.id }).figures.workers).toBe(5);
  });

  it("keeps one entry per as-of date", () => {
    const today = todayIso();
    computeFigures(h.db, viewer, {}, { asOf: today, cache });
    expect(computeFigures(h.db, viewer, {}, { asOf: "2000-01-01", cache }).figures.workers).toBe(0);
    expect(computeFigures(h.db, viewer, {}, { asOf: today, cache }).figures.workers).toBe(5);
    expect(cache.workerScans).toBe(2);
  });
});

describe("figures through the cache equal the figures counted anew (the hand-worked fixture)", () => {
  let h: DbHandle;
  beforeEach(() => {
    h = memoryDb();
    buildFixture(h.sqlite);
  });
  afterEach(() => h.close());

  const cases: [string, Actor, StatsScope, string][] = [
    ["supervisor, city", supervisor, {}, AS_OF],
    ["supervisor, one committee", supervisor, { committeeId: 2 }, AS_OF],
    ["supervisor, a county", supervisor, { county: "371702" }, AS_OF],
    ["supervisor, an organization", supervisor, { orgId: 3 }, AS_OF],
    ["supervisor, earlier as-of", supervisor, {}, "2024-06-30"],
    ["clerk DL", clerkDL, {}, AS_OF],
    ["clerk PS", clerkPS, {}, AS_OF],
    ["secretary of the joint branch", secretaryJoint, {}, AS_OF],
  ];
  it.each(cases)("%s", (_label, actor, scope, asOf) => {
    // One cache for every case: the city's groups are shared, the scope applies on top.
    const cache = new StatsCache(h.sqlite);
    for (let i = 0; i < 2; i++) {
      expect(computeFiguresAndBreakdowns(h.db, actor, scope, { asOf, cache })).toEqual(
        computeFiguresAndBreakdowns(h.db, actor, scope, { asOf }),
      );
    }
    expect(cache.workerScans).toBe(1);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import {
  backfillSnapshots,
  finalisePreviousMonth,
  lastDayOfMonth,
  previousMonth,
  readSnapshot,
  reportForExport,
  startSnapshotTimer,
  takeMonthlySnapshots,
  takeSnapshot,
  trend,
} from "../../../server/services/coverage/snapshots.js";
import { StatsCache } from "../../../server/services/coverage/stats-cache.js";
import { memoryDb } from "../../helpers/db.js";
import { buildFixture, clerkDL, supervisor } from "./fixture.js";

let h: DbHandle;
beforeEach(() => {
  h = memoryDb();
  buildFixture(h.sqlite);
});
afterEach(() => h.close());

const JAN_15 = new Date("2026-01-15T04:00:00Z");
const count = () => (h.sqlite.prepare("SELECT count(*) AS n FROM coverage_snapshots").get() as { n: number }).n;

describe("month arithmetic", () => {
  it("previous month and last day", () => {
    expect(previousMonth("2026-01")).toBe("2025-12");
    expect(previousMonth("2025-10")).toBe("2025-09");
    expect(lastDayOfMonth("2024-02")).toBe("2024-02-29");
    expect(lastDayOfMonth("2025-12")).toBe("2025-12-31");
  });
});

describe("snapshots", () => {
  it("are idempotent per month and scope; a provisional one is replaced", () => {
    takeSnapshot(h.db, 1, { asOf: "2026-01-10", now: JAN_15 });
    h.sqlite.prepare("UPDATE enterprises SET status = 'closed' WHERE name = 'E9企业'").run();
    const again = takeSnapshot(h.db, 1, { asOf: "2026-01-15", now: JAN_15 });
    expect(count()).toBe(1);
    expect(again.written).toBe(true);
    expect(readSnapshot(h.db, 1, "2026-01")?.figures.enterprises).toBe(8);
    expect(readSnapshot(h.db, 1, "2026-01")?.asOf).toBe("2026-01-15");
  });

  it("a final snapshot is never overwritten", () => {
    takeSnapshot(h.db, 1, { asOf: "2025-12-31", final: true, now: JAN_15 });
    h.sqlite.prepare("UPDATE enterprises SET status = 'closed' WHERE name = 'E9企业'").run();
    const r = takeSnapshot(h.db, 1, { asOf: "2025-12-31", final: true, now: JAN_15 });
    expect(r.written).toBe(false);
    expect(r.report.figures.enterprises).toBe(9);
  });

  it("monthly snapshots cover every organization down to branches, not dissolved ones", async () => {
    const r = await takeMonthlySnapshots(h.db, { asOf: "2026-01-15", now: JAN_15 });
    // orgs 1–6 and 8 are active; 7 is dissolved.
    expect(r).toMatchObject({ month: "2026-01", scopes: 7, written: 7, kept: 0 });
    expect(readSnapshot(h.db, 2, "2026-01")?.figures.enterprises).toBe(5);
    expect(readSnapshot(h.db, 4, "2026-01")?.figures.members).toBe(4);
  });

  it("a month's snapshots are stored together: a job that fails at its last organization leaves the month to do again", async () => {
    // The last organization's row cannot be written (as if the process died there).
    const last = h.sqlite.prepare("SELECT max(id) FROM organizations WHERE status = 'active'").pluck().get() as number;
    h.sqlite.exec(
      `CREATE TEMP TRIGGER fail_last BEFORE INSERT ON coverage_snapshots WHEN NEW.scope_org_id = ${last} BEGIN SELECT RAISE(ABORT, 'disk full'); END`,
    );
    await expect(finalisePreviousMonth(h.db, JAN_15)).rejects.toMatchObject({ cause: { message: "disk full" } });
    expect(count()).toBe(0);
    h.sqlite.exec("DROP TRIGGER fail_last");
    // Not taken for final on the strength of its root's row: the next run does the whole month.
    expect(await finalisePreviousMonth(h.db, JAN_15)).toMatchObject({ month: "2025-12", written: 7 });
  });

  it("the timer finalises the previous month once, and stops", async () => {
    const logged: string[] = [];
    const stop = startSnapshotTimer(h.db, {
      now: () => JAN_15,
      intervalMs: 20,
      log: { info: (_o, m) => logged.push(m), error: (_o, m) => logged.push(m) },
    });
    // Wait for the first run (however slow the machine), then several more intervals.
    for (let waited = 0; logged.length === 0 && waited < 20_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
    await new Promise((r) => setTimeout(r, 200));
    stop();
    expect(logged).toEqual(["coverage snapshot: finalised 2025-12 (7 scopes written)"]);
    const dec = readSnapshot(h.db, 1, "2025-12");
    expect(dec).toMatchObject({ final: true, asOf: "2025-12-31", reconstructed: false });
    expect(await finalisePreviousMonth(h.db, JAN_15)).toBeNull();
  });
});

describe("a past report regenerates identically", () => {
  it("reads the month's snapshot, whatever changed since", async () => {
    // The month's final snapshot, as the timer takes it at month change.
    await finalisePreviousMonth(h.db, JAN_15);
    const first = reportForExport(h.db, supervisor, {}, { asOf: "2025-12-31", now: JAN_15 });
    expect(first).toMatchObject({ final: true, reconstructed: false, asOf: "2025-12-31" });
    h.sqlite.prepare("UPDATE enterprises SET status = 'closed' WHERE name = 'E9企业'").run();
    h.sqlite.prepare("UPDATE members SET relation_status = 'local', org_id = 5 WHERE name = '党员5'").run();
    const again = reportForExport(h.db, supervisor, {}, { asOf: "2025-12-31", now: JAN_15 });
    expect(again).toEqual(first);
    // The current month is live.
    const now = reportForExport(h.db, supervisor, {}, { now: JAN_15 });
    expect(now.figures.enterprises).toBe(8);
    expect(now.final).toBe(false);
  });

  it("stores nothing: a month without a snapshot is reconstructed on each export, the current month computed live", () => {
    const before = h.sqlite.prepare("SELECT * FROM coverage_snapshots").all();
    const past = reportForExport(h.db, supervisor, {}, { asOf: "2025-11-30", now: JAN_15 });
    expect(past).toMatchObject({ final: true, reconstructed: true, asOf: "2025-11-30", month: "2025-11" });
    const now = reportForExport(h.db, supervisor, {}, { now: JAN_15 });
    expect(now).toMatchObject({ final: false, month: "2026-01" });
    reportForExport(h.db, clerkDL, {}, { asOf: "2025-10-31", now: JAN_15 });
    expect(h.sqlite.prepare("SELECT * FROM coverage_snapshots").all()).toEqual(before);
    expect(count()).toBe(0);
  });

  it("the snapshot holds the lists of sheets 2–4", () => {
    const r = reportForExport(h.db, supervisor, {}, { asOf: "2025-12-31", now: JAN_15 });
    expect(r.shouldForm.map((e) => e.name)).toEqual(["E2企业", "E5企业"]);
    expect(r.uncovered.map((e) => e.name)).toEqual(["E7企业", "E8企业", "E9企业"]);
    expect(r.unmanaged).toHaveLength(r.figures.unmanaged);
    expect(JSON.stringify(r.unmanaged)).not.toMatch(/\d{17}[\dX]/); // no ID numbers stored
  });

  it("refuses a future as-of date and a scope outside the actor's", () => {
    expect(() => reportForExport(h.db, supervisor, {}, { asOf: "2026-02-01", now: JAN_15 })).toThrow(/不能晚于今天/);
    expect(() => reportForExport(h.db, clerkDL, { orgId: 3 }, { now: JAN_15 })).toThrow(/找不到/);
  });
});

describe("trend", () => {
  it("past months from snapshots, the current month live, gaps empty", async () => {
    await backfillSnapshots(h.db, 2, JAN_15);
    const t = trend(h.db, supervisor, {}, { months: 4, now: JAN_15 });
    expect(t.map((p) => [p.month, p.from, p.enterprises])).toEqual([
      ["2025-10", "none", null],
      ["2025-11", "snapshot", 9],
      ["2025-12", "snapshot", 9],
      ["2026-01", "live", 9],
    ]);
    expect(t[2]?.orgCoverageRate).toBeCloseTo(5 / 9, 12);
  });

  it("a county's trend reads the county row of the organization's snapshot", async () => {
    await backfillSnapshots(h.db, 1, JAN_15);
    const t = trend(h.db, supervisor, { county: "371721" }, { months: 2, now: JAN_15 });
    expect(t.map((p) => [p.month, p.from, p.enterprises, p.workCoverage])).toEqual([
      ["2025-12", "snapshot", 4, 3],
      ["2026-01", "live", 4, 3],
    ]);
  });

  it("kept past months (the dashboard's cache) follow every write to the snapshots, by the 'snapshots' counter", async () => {
    const cache = new StatsCache(h.sqlite);
    const points = (kept: boolean) =>
      trend(h.db, supervisor, {}, { months: 3, now: JAN_15, ...(kept ? { cache } : {}) }).map((p) => [p.month, p.from, p.enterprises]);
    const same = () => {
      const fresh = points(false);
      expect(points(true)).toEqual(fresh);
      return fresh;
    };
    expect(same()).toEqual([
      ["2025-11", "none", null],
      ["2025-12", "none", null],
      ["2026-01", "live", 9],
    ]);
    // A take (insert), a retake of the provisional month after a change (update), a removal.
    takeSnapshot(h.db, 1, { asOf: "2025-12-20", now: JAN_15 });
    expect(same()[1]).toEqual(["2025-12", "snapshot", 9]);
    h.sqlite.prepare("UPDATE enterprises SET status = 'closed' WHERE name = 'E9企业'").run();
    takeSnapshot(h.db, 1, { asOf: "2025-12-31", now: JAN_15 });
    expect(same()[1]).toEqual(["2025-12", "snapshot", 8]);
    h.sqlite.prepare("DELETE FROM coverage_snapshots").run();
    expect(same()[1]).toEqual(["2025-12", "none", null]);
    // It is the counter that renews them: a write the triggers do not see leaves the kept months behind.
    takeSnapshot(h.db, 1, { asOf: "2025-12-31", now: JAN_15 });
    const version = h.sqlite.prepare("SELECT version FROM data_versions WHERE name = 'snapshots'").pluck().get();
    expect(same()[1]).toEqual(["2025-12", "snapshot", 8]);
    h.sqlite.prepare("DROP TRIGGER snapshots_update").run();
    h.sqlite.prepare("UPDATE coverage_snapshots SET figures = json_set(figures, '$.figures.enterprises', 99)").run();
    expect(h.sqlite.prepare("SELECT version FROM data_versions WHERE name = 'snapshots'").pluck().get()).toBe(version);
    expect(points(true)[1]).toEqual(["2025-12", "snapshot", 8]);
    expect(points(false)[1]).toEqual(["2025-12", "snapshot", 99]);
  });

  it("a committee-and-county scope has no past points (a snapshot splits by one or the other)", async () => {
    await backfillSnapshots(h.db, 1, JAN_15);
    const t = trend(h.db, supervisor, { committeeId: 2, county: "371721" }, { months: 2, now: JAN_15 });
    expect(t.map((p) => [p.month, p.from, p.enterprises])).toEqual([
      ["2025-12", "none", null],
      ["2026-01", "live", 2], // E3 and E5
    ]);
  });
});

// The demo seed (issue 15): a few people on two platforms, counted once each, and members under
// every drift-risk signal, seen by the demo's own accounts. The demo's meetings are seeded as `npm run
// demo` seeds them (an extra): without them every member would lack organizational life.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemoMeetings } from "../../../db/seed/demo-meetings.js";
import { seedDemo } from "../../../db/seed/index.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { DEMO_JURISDICTION } from "../../../server/domain/reference-data.js";
import { todayIso } from "../../../server/domain/dates.js";
import { RISK_SIGNAL_CODES } from "../../../server/domain/risk-rules.js";
import { systemActor } from "../../../server/policy/actor.js";
import { computeFigures } from "../../../server/services/coverage/coverage.service.js";
import { unpaidCounts } from "../../../server/services/dues/unpaid.js";
import { meetingFigures, meetingFlags } from "../../../server/services/meetings/meetings.service.js";
import { riskCounts, riskList } from "../../../server/services/risk/risk.service.js";
import { memoryDb } from "../../helpers/db.js";

const today = todayIso();
let h: ReturnType<typeof memoryDb>;
beforeAll(async () => {
  h = memoryDb();
  prepareDatabase(h, { jurisdiction: DEMO_JURISDICTION });
  await seedDemo(h, { today, members: 1500, extras: (handle) => void seedDemoMeetings(handle, today) });
}, 120_000);
afterAll(() => h.close());

describe("demo identity and risk", () => {
  it("has people on two platforms, each counted once", () => {
    const shared = h.sqlite
      .prepare("SELECT count(*) FROM (SELECT id_number FROM workers GROUP BY id_number HAVING count(*) > 1)")
      .pluck()
      .get() as number;
    expect(shared).toBeGreaterThanOrEqual(5);
    const people = h.sqlite.prepare("SELECT count(DISTINCT id_number) FROM workers WHERE left_on IS NULL").pluck().get();
    expect(computeFigures(h.db, systemActor()).figures.workers).toBe(people);
  });

  it("has members (and leads) under every signal; the counts equal the list", () => {
    const counts = riskCounts(h.db, systemActor(), today);
    for (const code of RISK_SIGNAL_CODES) {
      expect(counts[code], code).toBeGreaterThan(0);
      expect(riskList(h.db, systemActor(), { signal: code }, today).rows).toHaveLength(counts[code]);
    }
    expect(riskList(h.db, systemActor(), {}, today).rows).toHaveLength(counts.total);
    const grave = riskList(h.db, systemActor(), { signal: "transfer_overdue" }, today).rows.filter((r) => r.severity === 3);
    expect(grave.length).toBeGreaterThan(0);
  });
});

describe("demo organizational life and dues in the risk list", () => {
  it("has members under both, warned and grave, counted as the meetings and dues flags count them", () => {
    const counts = riskCounts(h.db, systemActor(), today);
    const flags = meetingFlags(h.db, systemActor(), today).counts;
    expect(flags.warning).toBeGreaterThan(0);
    expect(flags.limit).toBeGreaterThan(0);
    expect(counts.no_org_life).toBe(flags.warning + flags.limit);
    const unpaid = unpaidCounts(h.db, systemActor(), today);
    expect(unpaid.warning).toBeGreaterThan(0);
    expect(unpaid.flag).toBeGreaterThan(0);
    expect(counts.dues_unpaid).toBe(unpaid.warning + unpaid.flag);
    for (const code of ["no_org_life", "dues_unpaid"] as const) {
      const severities = new Set(
        riskList(h.db, systemActor(), { signal: code }, today).rows.map((r) => r.signals.find((s) => s.signal === code)!.severity),
      );
      expect([...severities].sort(), code).toEqual([2, 3]);
    }
    // The drifting members are a minority of those the branches manage.
    expect(counts.no_org_life * 4).toBeLessThan(meetingFigures(h.db, systemActor(), today).managed);
  });
});

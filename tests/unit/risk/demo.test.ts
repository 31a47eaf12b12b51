// The demo seed (issue 15): a few people on two platforms, counted once each, and members under
// every drift-risk signal, seen by the demo's own accounts.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { seedDemo } from "../../../db/seed/index.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { DEMO_JURISDICTION } from "../../../server/domain/reference-data.js";
import { todayIso } from "../../../server/domain/dates.js";
import { RISK_SIGNAL_CODES } from "../../../server/domain/risk-rules.js";
import { systemActor } from "../../../server/policy/actor.js";
import { computeFigures } from "../../../server/services/coverage/coverage.service.js";
import { riskCounts, riskList } from "../../../server/services/risk/risk.service.js";
import { memoryDb } from "../../helpers/db.js";

const today = todayIso();
let h: ReturnType<typeof memoryDb>;
beforeAll(async () => {
  h = memoryDb();
  prepareDatabase(h, { jurisdiction: DEMO_JURISDICTION });
  await seedDemo(h, { today, members: 1500 });
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

// The dashboard and the coverage report count the figures and both breakdowns in one pass
// (grouped by committee and county, then folded); the answers must be exactly those of the
// separate computations, for every actor and scope of the hand-worked fixture.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import type { Actor } from "../../../server/policy/actor.js";
import {
  computeBreakdown,
  computeFigures,
  computeFiguresAndBreakdowns,
  type StatsScope,
} from "../../../server/services/coverage/coverage.service.js";
import { memoryDb } from "../../helpers/db.js";
import { AS_OF, buildFixture, clerkDL, clerkPS, secretaryJoint, supervisor } from "./fixture.js";

let h: DbHandle;
beforeEach(() => {
  h = memoryDb();
  buildFixture(h.sqlite);
});
afterEach(() => h.close());

describe("computeFiguresAndBreakdowns", () => {
  const cases: [string, Actor, StatsScope, string][] = [
    ["supervisor, city", supervisor, {}, AS_OF],
    ["supervisor, one committee", supervisor, { committeeId: 2 }, AS_OF],
    ["supervisor, a county", supervisor, { county: "371702" }, AS_OF],
    ["supervisor, earlier as-of", supervisor, {}, "2024-06-30"],
    ["clerk DL", clerkDL, {}, AS_OF],
    ["clerk PS", clerkPS, {}, AS_OF],
    ["secretary of the joint branch", secretaryJoint, {}, AS_OF],
  ];
  it.each(cases)("equals the three separate computations: %s", (_label, actor, scope, asOf) => {
    const one = computeFiguresAndBreakdowns(h.db, actor, scope, { asOf });
    expect(one.figures).toEqual(computeFigures(h.db, actor, scope, { asOf }).figures);
    expect(one.byCommittee).toEqual(computeBreakdown(h.db, actor, scope, "committee", { asOf }));
    expect(one.byCounty).toEqual(computeBreakdown(h.db, actor, scope, "county", { asOf }));
    // Not vacuous: the city has figures and breakdown rows to compare.
    if (actor === supervisor && !scope.committeeId && !scope.county) {
      expect(one.figures.enterprises).toBeGreaterThan(0);
      expect(one.byCommittee.length).toBeGreaterThan(1);
      expect(one.byCounty.length).toBeGreaterThan(1);
    }
  });
});

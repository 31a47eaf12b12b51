// The thresholds of the two signals read from their own areas' rules, and monthsSince counted without
// a loop agrees with stepping addMonths a month at a time (month ends included).

import { describe, expect, it } from "vitest";
import { addDays, addMonths } from "../../../server/domain/dates.js";
import { UNPAID_FLAG_MONTHS, UNPAID_WARNING_MONTHS } from "../../../server/domain/dues-rules.js";
import { monthsSince, PARTICIPATION_LIMIT_MONTHS } from "../../../server/domain/organizational-life-rules.js";
import { duesUnpaidSeverity, noOrgLifeSeverity, RISK_SEVERITY } from "../../../server/domain/risk-rules.js";

describe("the severities of organizational life and dues", () => {
  it("no organizational life is grave from the day the six months are complete", () => {
    const today = "2026-08-31";
    const sixAgo = addMonths(today, -PARTICIPATION_LIMIT_MONTHS);
    expect(noOrgLifeSeverity(sixAgo, today)).toBe(RISK_SEVERITY.grave);
    expect(noOrgLifeSeverity(addDays(sixAgo, 1), today)).toBe(RISK_SEVERITY.high);
  });
  it("dues unpaid is grave at the flag's months, high below", () => {
    expect(duesUnpaidSeverity(UNPAID_FLAG_MONTHS)).toBe(RISK_SEVERITY.grave);
    expect(duesUnpaidSeverity(UNPAID_FLAG_MONTHS - 1)).toBe(RISK_SEVERITY.high);
    expect(duesUnpaidSeverity(UNPAID_WARNING_MONTHS)).toBe(RISK_SEVERITY.high);
  });
});

describe("monthsSince", () => {
  const stepped = (from: string, to: string) => {
    let n = 0;
    while (addMonths(from, n + 1) <= to) n++;
    return n;
  };
  it("equals stepping a month at a time over every day of two years against month ends and mid-months", () => {
    for (const to of ["2026-02-28", "2024-02-29", "2026-03-31", "2026-07-15", "2026-12-01"]) {
      for (let d = addMonths(to, -26); d <= to; d = addDays(d, 1)) expect(monthsSince(d, to), `${d}→${to}`).toBe(stepped(d, to));
    }
    expect(monthsSince("1990-05-31", "2026-02-28")).toBe(stepped("1990-05-31", "2026-02-28"));
  });
});

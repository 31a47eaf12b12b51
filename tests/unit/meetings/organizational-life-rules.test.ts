import { describe, expect, it } from "vitest";
import { addDays } from "../../../server/domain/dates.js";
import { SELF_LAPSE_MONTHS } from "../../../server/domain/membership-rules.js";
import {
  attendanceStatus,
  expectedTypes,
  hasVote,
  type MeetingType,
  missingInYear,
  monthsSince,
  PARTICIPATION_LIMIT_MONTHS,
  PARTICIPATION_WARNING_MONTHS,
  participationCutoff,
  participationLapsed,
  quorumMet,
} from "../../../server/domain/organizational-life-rules.js";

describe("who votes", () => {
  it("full members here vote; 流入 and probationary members do not", () => {
    expect(hasVote({ relationStatus: "local", category: "full", fullOn: "2020-01-01" }, "2025-03-01")).toBe(true);
    expect(hasVote({ relationStatus: "mobile_out", category: "full", fullOn: null }, "2025-03-01")).toBe(true);
    expect(hasVote({ relationStatus: "mobile_in", category: "full", fullOn: "2020-01-01" }, "2025-03-01")).toBe(false);
    expect(hasVote({ relationStatus: "local", category: "probationary", fullOn: null }, "2025-03-01")).toBe(false);
    // Made full after the meeting: still probationary on the day.
    expect(hasVote({ relationStatus: "local", category: "full", fullOn: "2025-03-02" }, "2025-03-01")).toBe(false);
  });

  it("a decision needs more than half of the voting members", () => {
    expect(quorumMet(2, 4)).toBe(false);
    expect(quorumMet(3, 4)).toBe(true);
    expect(quorumMet(3, 5)).toBe(true);
    expect(quorumMet(0, 0)).toBe(false);
  });

  it("absent with a reason is excused, without one absent", () => {
    expect(attendanceStatus(true, "work")).toBe("present");
    expect(attendanceStatus(false, "illness")).toBe("excused");
    expect(attendanceStatus(false, null)).toBe("absent");
  });
});

describe("participation thresholds", () => {
  it("six months is the one rule shared with dues, three the warning", () => {
    expect(PARTICIPATION_LIMIT_MONTHS).toBe(SELF_LAPSE_MONTHS);
    expect(PARTICIPATION_WARNING_MONTHS).toBe(3);
  });

  it("months since counts whole months, month ends included", () => {
    expect(monthsSince("2025-01-31", "2025-02-27")).toBe(0);
    expect(monthsSince("2025-01-31", "2025-02-28")).toBe(1);
    expect(monthsSince("2025-03-15", "2025-09-14")).toBe(5);
    expect(monthsSince("2025-03-15", "2025-09-15")).toBe(6);
    expect(monthsSince("2025-09-15", "2025-03-15")).toBe(0);
  });

  it("the SQL cutoff agrees with participationLapsed on every day of two years", () => {
    for (let asOf = "2024-01-01"; asOf <= "2025-12-31"; asOf = addDays(asOf, 1)) {
      for (const months of [PARTICIPATION_WARNING_MONTHS, PARTICIPATION_LIMIT_MONTHS]) {
        const cutoff = participationCutoff(asOf, months);
        expect(participationLapsed(cutoff, asOf, months)).toBe(true);
        expect(participationLapsed(addDays(cutoff, 1), asOf, months)).toBe(false);
      }
    }
  });
});

describe("what a year misses", () => {
  const heldFrom = (held: [number, MeetingType][]) => (type: MeetingType, months: number[]) =>
    held.filter(([m, t]) => t === type && months.includes(m)).length;

  it("monthly types per month, quarterly at the quarter's end, yearly once the year is over", () => {
    const types = expectedTypes(false);
    expect(types).not.toContain("group_meeting");
    const held = heldFrom([
      [1, "theme_day"],
      [1, "branch_committee"],
      [2, "branch_assembly"],
      [3, "party_lecture"],
    ]);
    const missing = missingInYear(held, types, 3, false);
    const at = (month: number) =>
      missing
        .filter((x) => x.month === month)
        .map((x) => x.type)
        .sort();
    expect(at(1)).toEqual([]);
    expect(at(2)).toEqual(["branch_committee", "theme_day"]);
    expect(at(3)).toEqual(["branch_committee", "theme_day"]); // the quarter had its 党员大会 and 党课
    const whole = missingInYear(held, types, 12, true);
    expect(whole.filter((x) => x.month === 12).map((x) => x.type)).toEqual(
      expect.arrayContaining(["branch_assembly", "party_lecture", "life_meeting", "member_review"]),
    );
    expect(expectedTypes(true)).toContain("group_meeting");
  });
});

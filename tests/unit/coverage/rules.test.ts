import { describe, expect, it } from "vitest";
import { classifyEnterprise, formatRate, noOrgSubclass, rate, shouldFormButHasNot } from "../../../server/domain/coverage-rules.js";

const facts = (o: Partial<Parameters<typeof classifyEnterprise>[0]> = {}) => ({
  ownOrgLevel: null,
  inJointBranch: false,
  hasInstructor: false,
  fullMembers: 0,
  members: 0,
  ...o,
});

describe("coverage rules", () => {
  it("an own organization wins over a joint branch and an instructor", () => {
    expect(classifyEnterprise(facts({ ownOrgLevel: "branch", inJointBranch: true, hasInstructor: true }))).toBe("standalone");
    expect(classifyEnterprise(facts({ inJointBranch: true, hasInstructor: true }))).toBe("joint");
    expect(classifyEnterprise(facts({ hasInstructor: true }))).toBe("work");
    expect(classifyEnterprise(facts())).toBe("uncovered");
  });

  it("应建未建: exactly three full members and no own organization; probationary members do not count", () => {
    expect(shouldFormButHasNot({ ownOrgLevel: null, fullMembers: 3 })).toBe(true);
    expect(shouldFormButHasNot({ ownOrgLevel: null, fullMembers: 2 })).toBe(false);
    expect(shouldFormButHasNot({ ownOrgLevel: "branch", fullMembers: 9 })).toBe(false);
    expect(noOrgSubclass({ fullMembers: 3, members: 3 })).toBe("should_form");
    expect(noOrgSubclass({ fullMembers: 1, members: 3 })).toBe("few_members");
    expect(noOrgSubclass({ fullMembers: 0, members: 0 })).toBe("no_members");
  });

  it("rates come from counts; a zero denominator is null and shows —", () => {
    expect(rate(1, 3)).toBeCloseTo(1 / 3, 12);
    expect(rate(0, 0)).toBeNull();
    expect(formatRate(null)).toBe("—");
    expect(formatRate(2 / 3)).toBe("66.7%");
    expect(formatRate(1)).toBe("100.0%");
  });
});

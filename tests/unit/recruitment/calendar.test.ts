// Working days from the calendar package, and plain weekdays (said so) for a year not yet announced.

import { describe, expect, it } from "vitest";
import { calendarNote, isAnnouncedYear, isWorkingDay, publicityEndsOn, workdaysBetween } from "../../../server/domain/recruitment-rules.js";
import { dueItems } from "../../../server/domain/recruitment-due.js";

describe("working days", () => {
  it("official holidays are skipped and make-up days counted (2025 National Day)", () => {
    expect(isWorkingDay("2025-10-01")).toBe(false);
    expect(isWorkingDay("2025-10-11")).toBe(true); // a Saturday worked in lieu
    expect(workdaysBetween("2025-09-29", "2025-10-12")).toBe(5);
    expect(publicityEndsOn("2025-09-30")).toBe("2025-10-13"); // 30, 9, 10, 11 (Sat, in lieu), 13
  });
  it("a year not yet announced counts Monday to Friday, and the note says so", () => {
    expect(isAnnouncedYear(2025)).toBe(true);
    expect(isAnnouncedYear(2031)).toBe(false);
    expect(isWorkingDay("2031-10-01")).toBe(true); // a Wednesday: no holiday known yet
    expect(workdaysBetween("2031-09-29", "2031-10-05")).toBe(5);
    expect(calendarNote("2031-09-29", "2031-10-05")).toContain("2031年的法定节假日和调休安排尚未公布");
    expect(calendarNote("2025-09-29", "2025-10-05")).toBeNull();
  });
});

describe("due items", () => {
  const r = {
    stage: "applicant" as const,
    appliedOn: "2026-01-10",
    talkedOn: null,
    activistOn: null,
    lastAssessedOn: null,
    politicalCheckOn: null,
    joinedOn: null,
    approvedOn: null,
    extensionMonths: null,
    pendingStepId: null,
  };
  it("a talk not held within a month is overdue", () => {
    expect(dueItems(r, "2026-02-10")[0]).toMatchObject({ kind: "talk", dueOn: "2026-02-10", overdue: false });
    expect(dueItems(r, "2026-02-11")[0]).toMatchObject({ kind: "talk", overdue: true });
  });
  it("an activist not assessed for six months, a probation past a year", () => {
    expect(dueItems({ ...r, stage: "activist", activistOn: "2025-01-01" }, "2025-07-02")[0]).toMatchObject({
      kind: "assess",
      overdue: true,
    });
    const p = dueItems({ ...r, stage: "probationary", joinedOn: "2025-01-01", approvedOn: "2025-02-01" }, "2026-01-02");
    expect(p).toEqual([expect.objectContaining({ kind: "full", dueOn: "2026-01-01", overdue: true })]);
  });
});

// The pure rules of the official tables: periods, bands, and where a relationship sat at a date.

import { describe, expect, it } from "vitest";
import {
  AGE_BANDS,
  bandOf,
  educationGroupOf,
  fullYears,
  LOST_TIME_BANDS,
  PARTY_AGE_BANDS,
  partyAgeYears,
} from "../../../server/domain/official-tables/bands.js";
import { asOfDate, isClosed, parsePeriod, periodsEndingIn, recentPeriods } from "../../../server/domain/official-tables/periods.js";
import { relationOrgAt } from "../../../server/domain/official-tables/table1.js";
import { buildTable, incompleteCells, listNumber, type RowRef } from "../../../server/domain/official-tables/table.js";
import { recordedWorkers } from "../../../server/domain/official-tables/table27.js";
import { foundWithin, lostSpellAt } from "../../../server/domain/official-tables/table43.js";

describe("periods", () => {
  it("a year and its first half; closed once ended before today; taken at the end or today", () => {
    const y = parsePeriod("2025")!;
    expect(y).toMatchObject({ kind: "year", start: "2025-01-01", end: "2025-12-31", before: "2024-12-31", label: "2025年" });
    expect(isClosed(y, "2025-12-31")).toBe(false);
    expect(isClosed(y, "2026-01-01")).toBe(true);
    expect(asOfDate(y, "2025-07-04")).toBe("2025-07-04");
    expect(asOfDate(y, "2026-02-01")).toBe("2025-12-31");
    for (const bad of ["25", "2025-H2", "2025-h1", "2025-01", "0999"]) expect(parsePeriod(bad), bad).toBeNull();
    expect(periodsEndingIn("2025-06").map((p) => p.id)).toEqual(["2025-H1"]);
    expect(periodsEndingIn("2025-12").map((p) => p.id)).toEqual(["2025"]);
    expect(periodsEndingIn("2025-07")).toEqual([]);
    // In March the current year's half has begun; the next year has not.
    expect(recentPeriods("2026-03-01", 1).map((p) => p.id)).toEqual(["2026", "2026-H1", "2025", "2025-H1"]);
  });
});

describe("bands", () => {
  it("whole years count a birthday on the day itself", () => {
    expect(fullYears("1990-06-15", "2025-06-14")).toBe(34);
    expect(fullYears("1990-06-15", "2025-06-15")).toBe(35);
    expect(bandOf(AGE_BANDS, 35).label).toBe("35岁及以下");
    expect(bandOf(AGE_BANDS, 36).label).toBe("36岁至45岁");
    expect(bandOf(AGE_BANDS, 61).label).toBe("61岁及以上");
  });

  it("Party age runs from 转正; a probationary member, or one made full after the date, has none", () => {
    expect(partyAgeYears({ category: "probationary", joinedOn: "2020-01-01", fullOn: null }, "2025-12-31")).toBe(0);
    expect(partyAgeYears({ category: "full", joinedOn: "2014-07-01", fullOn: "2015-07-01" }, "2025-06-30")).toBe(9);
    expect(partyAgeYears({ category: "full", joinedOn: "2014-07-01", fullOn: "2026-01-01" }, "2025-12-31")).toBe(0);
    // Full without a recorded 转正 date: admission plus the year of probation.
    expect(partyAgeYears({ category: "full", joinedOn: "2014-07-01", fullOn: null }, "2025-07-01")).toBe(10);
    expect(bandOf(PARTY_AGE_BANDS, 0).label).toBe("不满1年");
    expect(bandOf(PARTY_AGE_BANDS, 11).label).toBe("11年至20年");
    expect(bandOf(LOST_TIME_BANDS, 0).label).toBe("6个月至1年");
    expect(bandOf(LOST_TIME_BANDS, 11).label).toBe("11年及以上");
  });

  it("education groups, and a member without education on a line of its own", () => {
    expect(["doctor", "college", "vocational", "senior_high", "junior_high", "primary", null].map(educationGroupOf)).toEqual([
      "eduCollege",
      "eduCollege",
      "eduSecondary",
      "eduSecondary",
      "eduJunior",
      "eduJunior",
      "eduNone",
    ]);
  });
});

describe("where a relationship sat at a date", () => {
  const m = { id: 1, orgId: 20, relationStatus: "local", leftOn: null, joinedOn: "2010-01-01", discoveredOn: null };
  it("the first transfer received after the date names the organization before it; from outside, none", () => {
    const ts = [
      { id: 2, fromOrgId: 10, toOrgId: 20, receiptOn: "2025-06-01" },
      { id: 1, fromOrgId: null, toOrgId: 10, receiptOn: "2025-03-01" },
    ];
    expect(relationOrgAt(m, ts, [], "2025-12-31")).toBe(20);
    expect(relationOrgAt(m, ts, [], "2025-05-31")).toBe(10);
    expect(relationOrgAt(m, ts, [], "2025-02-28")).toBeNull();
  });
  it("the first approved change after the date names the standing before it", () => {
    const restored = { ...m };
    const cs = [
      { id: 1, fromStanding: "active", effectiveOn: "2025-02-01" },
      { id: 2, fromStanding: "suspended", effectiveOn: "2025-09-01" },
    ];
    expect(relationOrgAt(restored, [], cs, "2025-01-31")).toBe(20);
    expect(relationOrgAt(restored, [], cs, "2025-05-01")).toBeNull();
    expect(relationOrgAt(restored, [], cs, "2025-09-01")).toBe(20);
    expect(relationOrgAt({ ...m, leftOn: "2025-04-01" }, [], [], "2025-04-01")).toBeNull();
    expect(relationOrgAt({ ...m, relationStatus: "mobile_in" }, [], [], "2025-04-01")).toBeNull();
    expect(relationOrgAt({ ...m, relationStatus: "mobile_out" }, [], [], "2025-04-01")).toBe(20);
    expect(relationOrgAt({ ...m, joinedOn: "2025-05-01" }, [], [], "2025-04-30")).toBeNull();
  });
  it("an out-of-contact spell counts once six months are complete, and a found one only if it had", () => {
    const spells = [
      { lostOn: "2024-01-01", reason: "other", restoredOn: "2025-05-01" },
      { lostOn: "2025-08-31", reason: "abroad", restoredOn: null },
    ];
    expect(lostSpellAt(spells, "2024-06-30")).toBeNull();
    expect(lostSpellAt(spells, "2024-07-01")?.lostOn).toBe("2024-01-01");
    expect(lostSpellAt(spells, "2025-05-01")).toBeNull();
    expect(lostSpellAt(spells, "2026-02-28")?.lostOn).toBe("2025-08-31");
    expect(foundWithin(spells, "2025-01-01", "2025-12-31")?.restoredOn).toBe("2025-05-01");
    expect(foundWithin([{ lostOn: "2025-01-15", reason: null, restoredOn: "2025-04-01" }], "2025-01-01", "2025-12-31")).toBeNull();
  });
});

describe("a keyed cell's number from its list (buildTable, listNumber)", () => {
  const refs: RowRef[] = [
    { kind: "enterprise", id: 1, amount: 120 },
    { kind: "enterprise", id: 2, amount: null },
    { kind: "enterprise", id: 3, amount: 8 },
  ];
  it("counts a list, sums a sum list's amounts and counts the ones without", () => {
    expect(listNumber(refs, false)).toEqual({ value: 3, missing: 0 });
    expect(listNumber(refs, true)).toEqual({ value: 128, missing: 1 });
    expect(listNumber([], true)).toEqual({ value: 0, missing: 0 });
    expect(recordedWorkers(0)).toBeNull();
    expect(recordedWorkers(null)).toBeNull();
    expect(recordedWorkers(7)).toBe(7);
  });

  it("buildTable makes a count cell and a sum cell from the same list, and names what the sum left out", () => {
    const p = parsePeriod("2025")!;
    const t = buildTable({
      def: { id: "t", number: "表", title: "t", header: [], columns: ["个数", "人数"], notes: [] },
      unit: { name: "u", code: "U" },
      period: p,
      asOf: p.end,
      rows: [
        {
          no: "1",
          label: "在岗职工",
          cells: [
            { list: "a", kind: "enterprise" },
            { list: "a", kind: "enterprise", sum: "从业人员数" },
          ],
        },
      ],
      lists: { a: refs },
      source: { kind: "live", takenAt: "2026-01-01T00:00:00Z" },
    });
    expect(t.table.rows[0]!.cells).toEqual([
      { value: 3, key: "a", kind: "enterprise" },
      { value: 128, key: "a", kind: "enterprise", sum: { of: "从业人员数", missing: 1 } },
    ]);
    expect(incompleteCells(t.table)).toEqual(["第1行“在岗职工”·人数：其中1家企业未登记从业人员数，未计入"]);
  });
});

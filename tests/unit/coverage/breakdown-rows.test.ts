import { describe, expect, it } from "vitest";
import { barsShown, CHART_MAX_BARS, type DashboardRow, sortBreakdownRows } from "../../../server/services/coverage/dashboard.js";

const row = (label: string, enterprises: number) => ({ label, figures: { enterprises } });

describe("the bars a breakdown chart draws", () => {
  it("draws every row up to the limit", () => {
    const rows = Array.from({ length: CHART_MAX_BARS }, (_, i) => row(`县${i}`, i));
    expect(barsShown(rows)).toEqual(rows);
  });

  it("past the limit, keeps the rows with the most enterprises, in the table's order, ties to the earlier row", () => {
    // 25 counties: enterprises 0, 1, …, 24, except that 县3 and 县4 tie with 县5 at 5.
    const rows = Array.from({ length: 25 }, (_, i) => row(`县${i}`, i === 3 || i === 4 ? 5 : i));
    const shown = barsShown(rows).map((r) => r.label);
    expect(shown).toHaveLength(CHART_MAX_BARS);
    // The 20 largest are 县5 … 县24 (5 … 24); 县3 and 县4 tie with 县5 and come first, so 县3, 县4
    // and 县5 … 县22 are kept: the smallest of the rest (县23, 县24 are larger) …
    // Spelled out: sorted by enterprises desc then position: 24 … 6 (19 rows), then 5-ties 县3 (pos 3).
    expect(shown).toEqual(["县3", ...Array.from({ length: 19 }, (_, i) => `县${i + 6}`)]);
  });
});

describe("a whole breakdown sorted by a column", () => {
  // Enterprises, organization-covered: 甲 4/1 (25%), 乙 0/0 (no rate), 丙 2/1 (50%), 丁 4/0 (0%), 戊 0/0.
  const fig = (enterprises: number, orgCoverage: number) =>
    ({ enterprises, orgCoverage, workCoverage: 0, shouldForm: 0, uncovered: enterprises - orgCoverage }) as never;
  const rows = (
    [
      ["甲", 4, 1],
      ["乙", 0, 0],
      ["丙", 2, 1],
      ["丁", 4, 0],
      ["戊", 0, 0],
    ] as const
  ).map(([label, e, c]) => ({ label, figures: fig(e, c) }) as unknown as DashboardRow);
  const labels = (sort: Parameters<typeof sortBreakdownRows>[1]) => sortBreakdownRows(rows, sort).map((r) => r.label);

  it("keeps the breakdown's order unsorted", () => {
    expect(labels("")).toEqual(["甲", "乙", "丙", "丁", "戊"]);
  });
  it("puts the most first for a count, ties in the breakdown's order", () => {
    expect(labels("enterprises")).toEqual(["甲", "丁", "丙", "乙", "戊"]);
    expect(labels("uncovered")).toEqual(["丁", "甲", "丙", "乙", "戊"]);
  });
  it("puts the lowest rate first, and the rows with no rate (no enterprises) last", () => {
    expect(labels("orgRate")).toEqual(["丁", "甲", "丙", "乙", "戊"]);
  });
});

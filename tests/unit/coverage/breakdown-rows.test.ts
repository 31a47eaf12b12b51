import { describe, expect, it } from "vitest";
import { barsShown, CHART_MAX_BARS } from "../../../server/services/coverage/dashboard.js";

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

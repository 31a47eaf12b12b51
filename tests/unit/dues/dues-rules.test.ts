import { describe, expect, it } from "vitest";
import {
  computeDue,
  dueOnBase,
  earliestBackPaymentMonth,
  FLAT_DUE_FEN,
  formatYuan,
  irregularBase,
  monthsUnpaidAt,
  parseYuan,
  rateForIncome,
  unpaidLevel,
} from "../../../server/domain/dues-rules.js";

describe("dues rates on monthly income after tax", () => {
  it.each([
    [0, 50],
    [300_000, 50], // 3,000 yuan: still 0.5%
    [300_001, 100], // 3,000.01 yuan: 1%
    [500_000, 100],
    [500_001, 150],
    [1_000_000, 150],
    [1_000_001, 200],
    [5_000_000, 200],
  ])("%i fen → %i basis points", (income, bp) => {
    expect(rateForIncome(income)).toBe(bp);
  });

  it("computes the due in whole fen, half up", () => {
    expect(computeDue({ basis: "regular", incomeFen: 300_000 })).toEqual({ basis: "regular", baseFen: 300_000, rateBp: 50, dueFen: 1_500 });
    expect(computeDue({ basis: "regular", incomeFen: 450_000 }).dueFen).toBe(4_500);
    expect(computeDue({ basis: "regular", incomeFen: 800_000 }).dueFen).toBe(12_000);
    expect(computeDue({ basis: "regular", incomeFen: 1_200_000 }).dueFen).toBe(24_000);
    expect(dueOnBase(123_457, 50)).toBe(617); // 617.285 → 617
    expect(dueOnBase(100, 50)).toBe(1); // 0.5 fen → 1
  });

  it("uses the average monthly net income of the last quarter for irregular income", () => {
    expect(irregularBase(1_350_000)).toBe(450_000);
    expect(computeDue({ basis: "irregular", quarterIncomeFen: 1_350_000 })).toEqual({
      basis: "irregular",
      baseFen: 450_000,
      rateBp: 100,
      dueFen: 4_500,
    });
    // The quarter's 9,000.03 yuan average 3,000.01: the 1% bracket, not the quarter's total's.
    expect(computeDue({ basis: "irregular", quarterIncomeFen: 900_003 }).rateBp).toBe(100);
  });

  it("charges students, the unemployed and the minimum allowance 0.2 yuan; exemptions nothing", () => {
    expect(FLAT_DUE_FEN).toBe(20);
    expect(computeDue({ basis: "flat" }).dueFen).toBe(20);
    expect(computeDue({ basis: "exempt" }).dueFen).toBe(0);
    expect(computeDue({ basis: "reduced", amountFen: 500 }).dueFen).toBe(500);
  });
});

describe("months unpaid and back payment", () => {
  it("counts from the month after the last settled one to the month before today", () => {
    expect(monthsUnpaidAt("2026-05", "2025-01", "2026-12-01")).toBe(6); // June..November
    expect(monthsUnpaidAt("2026-11", "2025-01", "2026-12-31")).toBe(0);
    expect(monthsUnpaidAt(null, "2026-09", "2026-12-01")).toBe(3); // joined in September
    expect(monthsUnpaidAt(null, null, "2026-12-01")).toBe(0);
  });
  it("levels: three months warn, six flag", () => {
    expect([2, 3, 5, 6, 20].map(unpaidLevel)).toEqual([null, "warning", "warning", "flag", "flag"]);
  });
  it("back payment reaches six months before the payment's month", () => {
    expect(earliestBackPaymentMonth("2026-03-15")).toBe("2025-09");
  });
});

describe("money", () => {
  it("parses yuan to fen without floating point and refuses the rest", () => {
    expect(parseYuan("15")).toBe(1_500);
    expect(parseYuan("0.2")).toBe(20);
    expect(parseYuan("1,234.56")).toBe(123_456);
    expect(parseYuan("0.1")).toBe(10);
    for (const bad of ["-1", "1.234", "abc", "1e3", "", "NaN", "Infinity", "0x10"]) expect(parseYuan(bad)).toBeNull();
  });
  it("formats fen as yuan", () => {
    expect(formatYuan(20)).toBe("0.20");
    expect(formatYuan(123_456)).toBe("1,234.56");
  });
});

// The dues rules (党费收缴): rates on the monthly income after tax, the base for irregular income,
// the flat amount, when a member starts paying, how far back a payment may reach and when months
// unpaid are flagged. Pure. Money is in fen (integers) everywhere; yuan only where a view or an
// export prints it (formatYuan) or a form reads it (parseYuan).

/** How a month's due is worked out (计缴方式). */
import { SELF_LAPSE_MONTHS } from "./membership-rules.js";

export const DUES_BASIS = {
  keys: ["regular", "irregular", "flat", "reduced", "exempt"] as const,
  label: {
    regular: "按月工资收入",
    irregular: "无固定收入（上季度月平均纯收入）",
    flat: "学生、失业、低保（每月0.2元）",
    reduced: "减交（经批准）",
    exempt: "免交（经批准）",
  },
} as const;
export type DuesBasis = (typeof DUES_BASIS.keys)[number];
/** What a secretary chooses in the month's entry; reductions and exemptions come from their approval. */
export const ENTERED_BASES = ["regular", "irregular", "flat"] as const satisfies readonly DuesBasis[];

export const PAYMENT_METHOD = {
  keys: ["cash", "transfer", "online"] as const,
  label: { cash: "现金", transfer: "转账", online: "网上交纳" },
} as const;
export type PaymentMethod = (typeof PAYMENT_METHOD.keys)[number];

export const REDUCTION_KIND = {
  keys: ["reduced", "exempt"] as const,
  label: { reduced: "减交", exempt: "免交" },
} as const;
export type ReductionKind = (typeof REDUCTION_KIND.keys)[number];

/**
 * The official brackets: monthly income after tax up to 3,000 yuan (inclusive) 0.5%, up to 5,000 1%,
 * up to 10,000 1.5%, above 2%. Rates in basis points (万分之), so the arithmetic stays in integers.
 */
export const DUES_BRACKETS: readonly { upToFen: number | null; rateBp: number }[] = [
  { upToFen: 300_000, rateBp: 50 },
  { upToFen: 500_000, rateBp: 100 },
  { upToFen: 1_000_000, rateBp: 150 },
  { upToFen: null, rateBp: 200 },
];

/** Students, the unemployed and people on the minimum allowance: 0.2 yuan a month. */
export const FLAT_DUE_FEN = 20;
/** Back payment normally covers at most six months (补交党费一般不超过6个月). */
export const BACK_PAYMENT_MAX_MONTHS = 6;
/** Months paid at once in advance, at most (one entry covering this month and the following ones). */
export const ADVANCE_MAX_MONTHS = 12;
/** Six months unpaid without good reason counts as leaving the Party: the flag (one rule with organizational life). */
export const UNPAID_FLAG_MONTHS = SELF_LAPSE_MONTHS;
/** Three months unpaid: the warning before it. */
export const UNPAID_WARNING_MONTHS = 3;
/** Largest monthly income (or quarter's income) a form accepts: 100 million yuan, far above any real one. */
export const MAX_INCOME_FEN = 10_000_000_000;
/** Largest amount paid in one entry: 1 million yuan (a special dues payment is not a monthly due). */
export const MAX_PAID_FEN = 100_000_000;

/** The rate (basis points) for a monthly income after tax, in fen. */
export function rateForIncome(incomeFen: number): number {
  for (const b of DUES_BRACKETS) if (b.upToFen === null || incomeFen <= b.upToFen) return b.rateBp;
  return DUES_BRACKETS[DUES_BRACKETS.length - 1]!.rateBp;
}

/** The monthly due on a base, rounded to the fen (half up). */
export function dueOnBase(baseFen: number, rateBp: number): number {
  return Math.floor((baseFen * rateBp + 5_000) / 10_000);
}

/** Irregular income: the base is the average monthly net income of the last quarter. */
export function irregularBase(quarterNetIncomeFen: number): number {
  return Math.round(quarterNetIncomeFen / 3);
}

export type DueInput =
  | { basis: "regular"; incomeFen: number }
  | { basis: "irregular"; quarterIncomeFen: number }
  | { basis: "flat" }
  | { basis: "reduced"; amountFen: number }
  | { basis: "exempt" };

export type Due = { basis: DuesBasis; baseFen: number | null; rateBp: number | null; dueFen: number };

/** A month's due from how it is worked out. */
export function computeDue(input: DueInput): Due {
  switch (input.basis) {
    case "regular": {
      const rateBp = rateForIncome(input.incomeFen);
      return { basis: "regular", baseFen: input.incomeFen, rateBp, dueFen: dueOnBase(input.incomeFen, rateBp) };
    }
    case "irregular": {
      const baseFen = irregularBase(input.quarterIncomeFen);
      const rateBp = rateForIncome(baseFen);
      return { basis: "irregular", baseFen, rateBp, dueFen: dueOnBase(baseFen, rateBp) };
    }
    case "flat":
      return { basis: "flat", baseFen: null, rateBp: null, dueFen: FLAT_DUE_FEN };
    case "reduced":
      return { basis: "reduced", baseFen: null, rateBp: null, dueFen: input.amountFen };
    case "exempt":
      return { basis: "exempt", baseFen: null, rateBp: null, dueFen: 0 };
  }
}

// -- Months ----------------------------------------------------------------------------------------

/** "YYYY-MM" → a month number that subtracts (year × 12 + month − 1). */
export function monthIndex(month: string): number {
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

export function monthFromIndex(i: number): string {
  return `${Math.floor(i / 12)}-${String((i % 12) + 1).padStart(2, "0")}`;
}

export function addMonthsToMonth(month: string, n: number): string {
  return monthFromIndex(monthIndex(month) + n);
}

/** Months from `from` to `to`, both included (0 when `to` is before `from`). */
export function monthsInclusive(from: string, to: string): number {
  return Math.max(0, monthIndex(to) - monthIndex(from) + 1);
}

/** Probationary members pay from the admission meeting (the joined date); full members likewise. */
export function firstDueMonth(joinedOn: string | null): string | null {
  return joinedOn ? joinedOn.slice(0, 7) : null;
}

/** The earliest month a payment made on `paidOn` may settle: back payment reaches six months. */
export function earliestBackPaymentMonth(paidOn: string): string {
  return addMonthsToMonth(paidOn.slice(0, 7), -BACK_PAYMENT_MAX_MONTHS);
}

/** The last month counted for months unpaid at `asOf`: the month before (a month is paid during it). */
export function lastOwedMonth(asOf: string): string {
  return addMonthsToMonth(asOf.slice(0, 7), -1);
}

/**
 * Months unpaid at `asOf`: the months from the later of the month after the last settled one and the
 * month the member started owing here, to the month before `asOf`. A month is settled when paid in
 * full, exempt, or delayed with a reason (the rule counts months unpaid "without good reason").
 */
export function monthsUnpaidAt(lastSettled: string | null, owingFrom: string | null, asOf: string): number {
  if (!owingFrom) return 0;
  const start = lastSettled && addMonthsToMonth(lastSettled, 1) > owingFrom ? addMonthsToMonth(lastSettled, 1) : owingFrom;
  return monthsInclusive(start, lastOwedMonth(asOf));
}

export type UnpaidLevel = "flag" | "warning" | null;

export function unpaidLevel(months: number): UnpaidLevel {
  if (months >= UNPAID_FLAG_MONTHS) return "flag";
  if (months >= UNPAID_WARNING_MONTHS) return "warning";
  return null;
}

// -- Money -----------------------------------------------------------------------------------------

/** Fen as yuan for people: 1234 → "12.34". */
export function formatYuan(fen: number): string {
  const sign = fen < 0 ? "-" : "";
  const a = Math.abs(fen);
  return `${sign}${Math.floor(a / 100).toLocaleString("en-US")}.${String(a % 100).padStart(2, "0")}`;
}

/**
 * Yuan as typed ("15", "15.5", "1,500.00", full-width digits already folded) → fen, or null when it
 * is not a non-negative amount with at most two decimals. Never through floating point.
 */
export function parseYuan(raw: string): number | null {
  const s = raw.replace(/[,，\s]/g, "");
  const m = /^(\d{1,12})(?:\.(\d{0,2}))?$/.exec(s);
  if (!m) return null;
  const fen = Number(m[1]) * 100 + Number((m[2] ?? "").padEnd(2, "0"));
  return Number.isSafeInteger(fen) ? fen : null;
}

/** A rate in basis points for people: 150 → "1.5%". */
export function formatRate(rateBp: number | null): string {
  if (rateBp == null) return "—";
  return `${(rateBp / 100).toString()}%`;
}

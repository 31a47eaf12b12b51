// The reporting periods of the official statistics (党内统计): a year ("2026", January–December) or
// its first half ("2026-H1", January–June, the mid-year report). Pure: today is passed in.

import { addDays } from "../dates.js";

export type PeriodKind = "year" | "half";

export type Period = {
  /** "2026" or "2026-H1": the form used in URLs, the CLI and the snapshot store. */
  id: string;
  kind: PeriodKind;
  year: number;
  /** First and last day, ISO. */
  start: string;
  end: string;
  /** The day before the period: "上年底" of table 1. */
  before: string;
  /** 2026年 / 2026年上半年. */
  label: string;
};

export const PERIOD_PATTERN = /^(\d{4})(-H1)?$/;

/** The period an id names, or null when it is not one (a malformed id is never guessed at). */
export function parsePeriod(id: string): Period | null {
  const m = PERIOD_PATTERN.exec(id);
  if (!m) return null;
  const year = Number(m[1]);
  if (year < 1921 || year > 9998) return null;
  const half = m[2] === "-H1";
  const start = `${year}-01-01`;
  const end = half ? `${year}-06-30` : `${year}-12-31`;
  return {
    id,
    kind: half ? "half" : "year",
    year,
    start,
    end,
    before: addDays(start, -1),
    label: half ? `${year}年上半年` : `${year}年`,
  };
}

/** A period is closed once it has ended before today: its figures are final and frozen. */
export function isClosed(p: Period, today: string): boolean {
  return p.end < today;
}

/** The period has begun (a period wholly in the future has nothing to count). */
export function hasStarted(p: Period, today: string): boolean {
  return p.start <= today;
}

/** The date a period's figures are taken at: its last day, or today while it runs. */
export function asOfDate(p: Period, today: string): string {
  return p.end < today ? p.end : today;
}

/** The default period of a page: the current year. */
export function currentPeriod(today: string): Period {
  return parsePeriod(today.slice(0, 4))!;
}

/** The periods the index offers, newest first: this year and its first half, then `years` years back. */
export function recentPeriods(today: string, years = 3): Period[] {
  const y = Number(today.slice(0, 4));
  const out: Period[] = [];
  for (let i = 0; i <= years; i++) {
    for (const id of [`${y - i}`, `${y - i}-H1`]) {
      const p = parsePeriod(id)!;
      if (hasStarted(p, today)) out.push(p);
    }
  }
  return out;
}

/** The periods whose last day falls in `month` (YYYY-MM): June closes the half-year, December the year. */
export function periodsEndingIn(month: string): Period[] {
  const [y, m] = month.split("-") as [string, string];
  if (m === "06") return [parsePeriod(`${y}-H1`)!];
  if (m === "12") return [parsePeriod(y)!];
  return [];
}

// The bands the official tables count by (age, Party age, education, time out of contact). Pure; one
// definition used by the computation, the page, the workbook and the tests.

import type { EDUCATION_LEVELS } from "../codes.js";
import { addMonths } from "../dates.js";
import { PROBATION_MONTHS } from "../member-rules.js";

/** Whole years from `from` to `asOf` (a birthday or anniversary on `asOf` counts). */
export function fullYears(from: string, asOf: string): number {
  const y = Number(asOf.slice(0, 4)) - Number(from.slice(0, 4));
  return asOf.slice(5) >= from.slice(5) ? y : y - 1;
}

export type Band = { key: string; label: string; min: number; max: number | null };

/** Age at the reporting date: ≤35, 36–45, 46–60, ≥61. */
export const AGE_BANDS: readonly Band[] = [
  { key: "age35", label: "35岁及以下", min: 0, max: 35 },
  { key: "age45", label: "36岁至45岁", min: 36, max: 45 },
  { key: "age60", label: "46岁至60岁", min: 46, max: 60 },
  { key: "age61", label: "61岁及以上", min: 61, max: null },
];

/**
 * Party age (党龄) in whole years, counted from the day the member became full (转正: 党龄自转为正式党员之日
 * 算起); a probationary member has none yet and falls in the first band. A full member whose 转正 date
 * is not recorded is counted from admission plus the year of probation.
 */
export const PARTY_AGE_BANDS: readonly Band[] = [
  { key: "pa1", label: "不满1年", min: 0, max: 0 },
  { key: "pa5", label: "1年至5年", min: 1, max: 5 },
  { key: "pa10", label: "6年至10年", min: 6, max: 10 },
  { key: "pa20", label: "11年至20年", min: 11, max: 20 },
  { key: "pa21", label: "21年及以上", min: 21, max: null },
];

/** Out of contact, in whole years since the date lost (six months is the threshold to count at all). */
export const LOST_TIME_BANDS: readonly Band[] = [
  { key: "lost1", label: "6个月至1年", min: 0, max: 0 },
  { key: "lost5", label: "1年至5年", min: 1, max: 5 },
  { key: "lost10", label: "6年至10年", min: 6, max: 10 },
  { key: "lost11", label: "11年及以上", min: 11, max: null },
];

export function bandOf(bands: readonly Band[], value: number): Band {
  for (const b of bands) if (value >= b.min && (b.max === null || value <= b.max)) return b;
  return bands[0]!;
}

type Education = (typeof EDUCATION_LEVELS)[number];

/** The statistics' three education groups over the member's education code (codes.ts EDUCATION). */
export const EDUCATION_GROUPS = [
  { key: "eduCollege", label: "大专及以上", levels: ["college", "bachelor", "master", "doctor"] as Education[] },
  { key: "eduSecondary", label: "高中、中专", levels: ["senior_high", "vocational"] as Education[] },
  { key: "eduJunior", label: "初中及以下", levels: ["junior_high", "primary"] as Education[] },
] as const;
/** A member whose education is not recorded: its own line, so the groups still add up to the total. */
export const EDUCATION_UNRECORDED = { key: "eduNone", label: "学历未登记" } as const;

export function educationGroupOf(level: string | null): string {
  for (const g of EDUCATION_GROUPS) if (level && (g.levels as string[]).includes(level)) return g.key;
  return EDUCATION_UNRECORDED.key;
}

/** Party age in whole years at `asOf` (see PARTY_AGE_BANDS). */
export function partyAgeYears(m: { category: string; joinedOn: string | null; fullOn: string | null }, asOf: string): number {
  const fullFrom = m.fullOn ?? (m.category === "full" && m.joinedOn ? addMonths(m.joinedOn, PROBATION_MONTHS) : null);
  if (!fullFrom || fullFrom > asOf) return 0;
  return Math.max(0, fullYears(fullFrom, asOf));
}

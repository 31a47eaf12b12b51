// The rules of recruitment (发展党员, 中国共产党发展党员工作细则), each defined once: the stages and
// their labels, the time limits, and the calendar of working days that the publicity periods (公示)
// count. Pure: no I/O. The state machine that uses them is recruitment-stages.ts.

import chineseDays from "chinese-days";
import { addDays, addMonths } from "./dates.js";

function labels<const K extends string>(map: Record<K, string>) {
  return { keys: Object.keys(map) as [K, ...K[]], label: map };
}

export const RECRUITMENT_STAGE = labels({
  applicant: "入党申请人",
  activist: "入党积极分子",
  candidate: "发展对象",
  planned: "列入发展计划",
  probationary: "预备党员",
  full: "正式党员",
  removed: "已终止培养",
  cancelled: "已取消预备党员资格",
});
export const RECRUITMENT_STAGES = RECRUITMENT_STAGE.keys;
export type RecruitmentStage = (typeof RECRUITMENT_STAGES)[number];

/** Stages of an application still under way: one ID number has at most one record in them (a unique partial index). */
export const OPEN_STAGES = ["applicant", "activist", "candidate", "planned", "probationary"] as const satisfies readonly RecruitmentStage[];
/** The stages of the pipeline, in order (the board's columns). */
export const PIPELINE_STAGES: readonly RecruitmentStage[] = ["applicant", "activist", "candidate", "planned", "probationary"];

export function isOpenStage(s: string): boolean {
  return (OPEN_STAGES as readonly string[]).includes(s);
}

/** Results a step log row can carry. */
export const STEP_RESULT = labels({
  done: "已办理",
  proposed: "待上级党委审核",
  approved: "上级党委已审核同意",
  rejected: "上级党委未同意",
});
export const STEP_RESULTS = STEP_RESULT.keys;

// -- Time limits (发展党员工作细则) ---------------------------------------------------------------
export const MIN_AGE = 18;
/** The branch talks with an applicant within a month of the written application (第七条). */
export const TALK_WITHIN_MONTHS = 1;
/** An activist is trained and assessed for at least a year before becoming a candidate (第十四条). */
export const ACTIVIST_MIN_MONTHS = 12;
/** The branch assesses each activist every half year (第十三条). */
export const ASSESS_EVERY_MONTHS = 6;
/** Concentrated training of at least 3 days or 24 class-hours (第十九条), before the candidate step here. */
export const TRAINING_MIN_HOURS = 24;
export const TRAINING_MIN_DAYS = 3;
/** A political check (政审) is valid for a year. */
export const POLITICAL_CHECK_VALID_MONTHS = 12;
/** The committee approves an admission normally within 3 months of the branch meeting, at most 6 (第二十八条). */
export const APPROVAL_NORMAL_MONTHS = 3;
export const APPROVAL_MAX_MONTHS = 6;
export const PROBATION_MONTHS = 12;
export const EXTENSION_MIN_MONTHS = 6;
export const EXTENSION_MAX_MONTHS = 12;
/** Each publicity (公示) lasts at least 5 working days. */
export const PUBLICITY_MIN_WORKDAYS = 5;

/** What the views print (res.locals.rules.recruitment). */
export const RECRUITMENT_VIEW_RULES = Object.freeze({
  minAge: MIN_AGE,
  talkWithinMonths: TALK_WITHIN_MONTHS,
  activistMinMonths: ACTIVIST_MIN_MONTHS,
  assessEveryMonths: ASSESS_EVERY_MONTHS,
  trainingMinHours: TRAINING_MIN_HOURS,
  trainingMinDays: TRAINING_MIN_DAYS,
  politicalCheckValidMonths: POLITICAL_CHECK_VALID_MONTHS,
  approvalNormalMonths: APPROVAL_NORMAL_MONTHS,
  approvalMaxMonths: APPROVAL_MAX_MONTHS,
  probationMonths: PROBATION_MONTHS,
  extensionMinMonths: EXTENSION_MIN_MONTHS,
  extensionMaxMonths: EXTENSION_MAX_MONTHS,
  publicityMinWorkdays: PUBLICITY_MIN_WORKDAYS,
});

/** Full years of age on `on`. */
export function ageOn(birthDate: string, on: string): number {
  const years = Number(on.slice(0, 4)) - Number(birthDate.slice(0, 4));
  return on.slice(5) >= birthDate.slice(5) ? years : years - 1;
}

export function talkDueOn(appliedOn: string): string {
  return addMonths(appliedOn, TALK_WITHIN_MONTHS);
}
export function candidateEarliestOn(activistOn: string): string {
  return addMonths(activistOn, ACTIVIST_MIN_MONTHS);
}
export function assessmentDueOn(activistOn: string, lastAssessedOn: string | null): string {
  return addMonths(lastAssessedOn ?? activistOn, ASSESS_EVERY_MONTHS);
}
export function politicalCheckValidUntil(checkedOn: string): string {
  return addMonths(checkedOn, POLITICAL_CHECK_VALID_MONTHS);
}
export function approvalNormalBy(meetingOn: string): string {
  return addMonths(meetingOn, APPROVAL_NORMAL_MONTHS);
}
export function approvalLatestOn(meetingOn: string): string {
  return addMonths(meetingOn, APPROVAL_MAX_MONTHS);
}
/** The day the probation ends (转正 is due): a year after joining, plus any extension. */
export function probationEndsOn(joinedOn: string, extensionMonths: number | null): string {
  return addMonths(joinedOn, PROBATION_MONTHS + (extensionMonths ?? 0));
}
export function trainingSufficient(hours: number | null, days: number | null): boolean {
  return (hours ?? 0) >= TRAINING_MIN_HOURS || (days ?? 0) >= TRAINING_MIN_DAYS;
}

// -- Working days ---------------------------------------------------------------------------------
// China's working days move with each year's official holidays and make-up days, announced by the
// State Council for one year at a time; chinese-days carries the announced years. A year not yet
// announced counts Monday to Friday, and the caller says so (calendarNote).

// The package is CommonJS: Node's ESM loader sees only its default export (vitest would see more).
const { getHolidaysInRange, isWorkday } = chineseDays;
const announced = new Map<number, boolean>();

/** Whether the year's official holidays are in the calendar package. */
export function isAnnouncedYear(year: number): boolean {
  let v = announced.get(year);
  if (v === undefined) {
    v = getHolidaysInRange(`${year}-01-01`, `${year}-12-31`, false).length > 0;
    announced.set(year, v);
  }
  return v;
}

export function isWorkingDay(iso: string): boolean {
  if (isAnnouncedYear(Number(iso.slice(0, 4)))) return isWorkday(iso);
  const dow = new Date(`${iso}T00:00:00Z`).getUTCDay();
  return dow !== 0 && dow !== 6;
}

/** Working days from `from` to `to`, both included (0 when `to` is before `from`). */
export function workdaysBetween(from: string, to: string): number {
  let n = 0;
  for (let d = from; d <= to; d = addDays(d, 1)) if (isWorkingDay(d)) n++;
  return n;
}

/** The last day of a publicity starting on `from` that lasts the minimum number of working days. */
export function publicityEndsOn(from: string, workdays = PUBLICITY_MIN_WORKDAYS): string {
  let n = 0;
  let d = from;
  for (;;) {
    if (isWorkingDay(d)) n++;
    if (n >= workdays) return d;
    d = addDays(d, 1);
  }
}

/** A note when a period touches a year whose holidays are not announced yet, else null. */
export function calendarNote(from: string, to: string): string | null {
  const years: number[] = [];
  for (let y = Number(from.slice(0, 4)); y <= Number(to.slice(0, 4)); y++) if (!isAnnouncedYear(y)) years.push(y);
  return years.length ? `${years.join("、")}年的法定节假日和调休安排尚未公布，该年按周一至周五计算工作日，公布后请复核。` : null;
}

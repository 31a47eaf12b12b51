// Organizational life (三会一课): the meeting types and how often the rules expect each, attendance,
// who votes, the quorum of a deciding 支部党员大会, and the participation thresholds. Pure: today is
// passed in. The SQL forms are built from these in services/meetings/sql.ts.

import { addDays, addMonths } from "./dates.js";
import { SELF_LAPSE_MONTHS } from "./membership-rules.js";

function labels<const K extends string>(map: Record<K, string>) {
  return { keys: Object.keys(map) as [K, ...K[]], label: map };
}

export const MEETING_TYPE = labels({
  branch_assembly: "支部党员大会",
  branch_committee: "支部委员会",
  group_meeting: "党小组会",
  party_lecture: "党课",
  theme_day: "主题党日",
  life_meeting: "组织生活会",
  member_review: "民主评议党员",
});
export const MEETING_TYPES = MEETING_TYPE.keys;
export type MeetingType = (typeof MEETING_TYPES)[number];

export type Frequency = "monthly" | "quarterly" | "yearly";
export const FREQUENCY_LABEL: Record<Frequency, string> = { monthly: "每月", quarterly: "每季度", yearly: "每年" };

/** How often the rules expect each type: 三会一课 plus the fixed 主题党日 and the yearly reviews. */
export const MEETING_FREQUENCY: Record<MeetingType, Frequency> = {
  branch_assembly: "quarterly",
  branch_committee: "monthly",
  group_meeting: "monthly",
  party_lecture: "quarterly",
  theme_day: "monthly",
  life_meeting: "yearly",
  member_review: "yearly",
};

/** The types whose absence this month flags a branch (inbox, dashboard): 主题党日 and 支委会. */
export const MONTHLY_FLAG_TYPES: readonly MeetingType[] = ["theme_day", "branch_committee"];

/**
 * 党小组会 is expected only where the branch has party groups; a branch without groups is not
 * told it misses one. The caller says whether the branch has groups.
 */
export function expectedTypes(hasGroups: boolean): MeetingType[] {
  return MEETING_TYPES.filter((t) => t !== "group_meeting" || hasGroups);
}

export const ATTENDANCE_STATUS = labels({ present: "出席", excused: "请假", absent: "缺席" });
export const ATTENDANCE_STATUSES = ATTENDANCE_STATUS.keys;
export type AttendanceStatus = (typeof ATTENDANCE_STATUSES)[number];

export const ABSENCE_REASON = labels({ work: "工作", illness: "疾病", away: "外出", family: "家事", other: "其他" });
export const ABSENCE_REASONS = ABSENCE_REASON.keys;
export type AbsenceReason = (typeof ABSENCE_REASONS)[number];

/** Present, excused (absent with a reason), or absent without one. */
export function attendanceStatus(present: boolean, reason: string | null | undefined): AttendanceStatus {
  if (present) return "present";
  return reason ? "excused" : "absent";
}

type Voter = { relationStatus: string; category: string; fullOn: string | null };

/**
 * Who votes at the branch's meeting on `heldOn`: a full member whose relationship is here. Mobile
 * members (流入) vote at home; probationary members have no vote.
 */
export function hasVote(m: Voter, heldOn: string): boolean {
  if (m.relationStatus === "mobile_in") return false;
  if (m.category !== "full") return false;
  return m.fullOn == null || m.fullOn <= heldOn;
}

/**
 * Types that part of the branch attends: 支委会 (the committee members), 党小组会 (one group). Their
 * attendance lists those ticked or excused only; the rest of the branch was not expected.
 */
export const PARTIAL_ATTENDANCE_TYPES: readonly MeetingType[] = ["branch_committee", "group_meeting"];

/** The types where a decision needs more than half of the voting members present. */
export const QUORUM_TYPES: readonly MeetingType[] = ["branch_assembly"];

/** More than half of the voting members present (a branch with no voting members cannot decide). */
export function quorumMet(votingPresent: number, voting: number): boolean {
  return voting > 0 && votingPresent * 2 > voting;
}

/** No organizational life for this many months: a warning to the branch. */
export const PARTICIPATION_WARNING_MONTHS = 3;
/** The rule's threshold (自行脱党 without good reason): the same six months as for dues. */
export const PARTICIPATION_LIMIT_MONTHS = SELF_LAPSE_MONTHS;

/** Whole months from `from` to `to` (31 Jan → 28 Feb is one month, as addMonths counts). */
export function monthsSince(from: string, to: string): number {
  if (from > to) return 0;
  // Counted from the calendar months, then one back when the day is not yet reached: the same as
  // stepping addMonths one month at a time, without a loop over the years of an old record.
  const n = (Number(to.slice(0, 4)) - Number(from.slice(0, 4))) * 12 + Number(to.slice(5, 7)) - Number(from.slice(5, 7));
  return addMonths(from, n) <= to ? n : n - 1;
}

/** `months` have passed since `since` by `asOf`. */
export function participationLapsed(since: string, asOf: string, months: number): boolean {
  return addMonths(since, months) <= asOf;
}

/**
 * The latest date from which `months` have passed by `asOf`, so SQL compares a column
 * (`since <= cutoff`) and agrees with participationLapsed on every day, month ends included.
 */
export function participationCutoff(asOf: string, months: number): string {
  let d = addMonths(asOf, -months);
  while (participationLapsed(addDays(d, 1), asOf, months)) d = addDays(d, 1);
  return d;
}

/** The quarter (1–4) of a month (1–12). */
export const quarterOf = (month: number) => Math.ceil(month / 3);

export type YearGrid = { month: number; byType: Record<MeetingType, number> }[];

/**
 * What is missing in the year so far: per month the monthly types not held; per quarter (reported in
 * its last month, or the current month of a running quarter is not yet missing) the quarterly types;
 * the yearly types once the year has ended. `lastMonth` is the last month to judge (the current
 * month for this year: a running month counts as missing only for the flags, which say "this month").
 */
export function missingInYear(
  held: (type: MeetingType, months: number[]) => number,
  types: MeetingType[],
  lastMonth: number,
  yearEnded: boolean,
): { month: number; type: MeetingType }[] {
  const out: { month: number; type: MeetingType }[] = [];
  for (let month = 1; month <= lastMonth; month++) {
    for (const type of types) {
      const f = MEETING_FREQUENCY[type];
      if (f === "monthly" && held(type, [month]) === 0) out.push({ month, type });
      if (f === "quarterly" && month % 3 === 0) {
        const q = quarterOf(month);
        if (held(type, [q * 3 - 2, q * 3 - 1, q * 3]) === 0) out.push({ month, type });
      }
      if (f === "yearly" && month === 12 && yearEnded && held(type, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]) === 0)
        out.push({ month, type });
    }
  }
  return out;
}

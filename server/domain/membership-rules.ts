// The membership rules read by counts, lists, the inbox and the member pages alike: who is a member
// at a date, when six months out of contact are complete, when a mobile member's certificate is
// flagged. Pure: today is passed in. The SQL forms are built from these in services/members/sql.ts
// (tests/unit/domain/rules.test.ts holds the two forms to the same answers).

import { addDays, addMonths } from "./dates.js";

/** Six months out of contact suspends membership by the rules (按规定停止党籍). */
export const LOST_CONTACT_SUSPEND_MONTHS = 6;
/**
 * Six months without taking part in organizational life (or without paying dues), without good
 * reason, counts as leaving the Party (自行脱党): the rule's threshold, one constant for both.
 */
export const SELF_LAPSE_MONTHS = 6;
/** A mobile member's certificate (流动党员活动证) expiring within this many days is flagged. */
export const CERTIFICATE_WARNING_DAYS = 30;

const CHINESE_DIGITS = ["零", "一", "二", "三", "四", "五", "六", "七", "八", "九", "十", "十一", "十二"];
/** The limit as the rules' text says it: "六个月". */
export const LOST_CONTACT_LIMIT_WORDS = `${CHINESE_DIGITS[LOST_CONTACT_SUSPEND_MONTHS]}个月`;

/** The day six months out of contact are complete: from then on the member counts as out of contact too long. */
export function lostContactLimitDate(lostContactOn: string): string {
  return addMonths(lostContactOn, LOST_CONTACT_SUSPEND_MONTHS);
}

/** Out of contact since `lostContactOn` for the whole limit by `asOf`. */
export function lostContactLimitReached(lostContactOn: string, asOf: string): boolean {
  return lostContactLimitDate(lostContactOn) <= asOf;
}

/**
 * The latest out-of-contact date that has reached the limit by `asOf`, so that SQL can compare a
 * column (`lost_contact_on <= cutoff`) and agree with lostContactLimitReached on every day. Six
 * months before `asOf` is not enough at a month's end: on 28 February, a member out of contact since
 * 31 August has had six months (31 August + 6 months is 28 February).
 */
export function lostContactCutoff(asOf: string): string {
  let d = addMonths(asOf, -LOST_CONTACT_SUSPEND_MONTHS);
  while (lostContactLimitReached(addDays(d, 1), asOf)) d = addDays(d, 1);
  return d;
}

/** The last validity date that is flagged on `today`: certificates valid until then or earlier. */
export function certificateWarningUntil(today: string): string {
  return addDays(today, CERTIFICATE_WARNING_DAYS);
}

type MemberStanding = { leftOn: string | null; relationStatus: string };

/** Still a member here: not left (expelled, deceased) and not transferred out of this system. */
export function isStillMember(m: MemberStanding): boolean {
  return m.leftOn == null && m.relationStatus !== "transferred_out";
}

/**
 * A member counted at `asOf`: still a member, or left only after it; and already found by then
 * (a member discovered later is not counted before being discovered).
 */
export function isMemberPresentAt(m: MemberStanding & { discoveredOn: string | null }, asOf: string): boolean {
  return (isStillMember(m) || (m.leftOn != null && m.leftOn > asOf)) && (m.discoveredOn == null || m.discoveredOn <= asOf);
}

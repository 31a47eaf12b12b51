// The drift-risk list (流失风险): the signals that a member may be slipping away, their thresholds
// and how grave each is. Pure; the queries live in services/risk/signals/, one module a signal.
// No organizational life and dues unpaid take their 3/6-month thresholds from their own areas'
// rules (organizational-life-rules.ts, dues-rules.ts), so the list flags exactly whom those areas flag.

import { addDays, addMonths } from "./dates.js";
import { UNPAID_WARNING_MONTHS, unpaidLevel } from "./dues-rules.js";
import { lostContactLimitReached } from "./membership-rules.js";
import { PARTICIPATION_LIMIT_MONTHS, PARTICIPATION_WARNING_MONTHS, participationLapsed } from "./organizational-life-rules.js";

/** A lead still not verified this many days after it was found is flagged. */
export const LEAD_UNVERIFIED_DAYS = 30;
/** A transfer letter left unprocessed this many months past its validity counts as leaving the Party (视为自行脱党). */
export const TRANSFER_LAPSE_MONTHS = 6;

export const RISK_SIGNAL_CODES = [
  "transfer_overdue",
  "lost_contact",
  "no_org_life",
  "dues_unpaid",
  "left_platforms",
  "mobile_expired",
  "lead_unverified",
] as const;
export type RiskSignalCode = (typeof RISK_SIGNAL_CODES)[number];

export const RISK_SIGNAL_LABEL: Readonly<Record<RiskSignalCode, string>> = Object.freeze({
  transfer_overdue: "转接介绍信超过有效期未办结",
  lost_contact: "失去联系",
  no_org_life: `${PARTICIPATION_WARNING_MONTHS}个月以上未参加组织生活`,
  dues_unpaid: `${UNPAID_WARNING_MONTHS}个月以上未交纳党费`,
  left_platforms: "已离开所有平台",
  mobile_expired: "流动党员活动证或外出期限已过",
  lead_unverified: `线索超过${LEAD_UNVERIFIED_DAYS}天未核实`,
});

/** What answers each signal, as the row's link says it. */
export const RISK_ACTION_LABEL: Readonly<Record<RiskSignalCode, string>> = Object.freeze({
  transfer_overdue: "催办转接",
  lost_contact: "恢复联系",
  no_org_life: "登记组织生活",
  dues_unpaid: "收缴党费",
  left_platforms: "确认去向",
  mobile_expired: "续签活动证或结束外出",
  lead_unverified: "核实线索",
});

/** How grave a hit is: the list is sorted by the gravest hit of each row. */
export const RISK_SEVERITY = { grave: 3, high: 2, watch: 1 } as const;
export type RiskSeverity = (typeof RISK_SEVERITY)[keyof typeof RISK_SEVERITY];
export const RISK_SEVERITY_LABEL: Readonly<Record<RiskSeverity, string>> = Object.freeze({ 3: "严重", 2: "较高", 1: "关注" });

/** The day a pending transfer's letter lapses into "treated as having left": six months past its validity. */
export function transferLapseDate(deadlineOn: string): string {
  return addMonths(deadlineOn, TRANSFER_LAPSE_MONTHS);
}

/** A pending letter past its validity: high, grave from the lapse date. */
export function transferOverdueSeverity(deadlineOn: string, today: string): RiskSeverity {
  return transferLapseDate(deadlineOn) <= today ? RISK_SEVERITY.grave : RISK_SEVERITY.high;
}

/** Out of contact: high, grave once the six months that suspend membership are complete. */
export function lostContactSeverity(lostContactOn: string, today: string): RiskSeverity {
  return lostContactLimitReached(lostContactOn, today) ? RISK_SEVERITY.grave : RISK_SEVERITY.high;
}

/**
 * No organizational life since `since` (the last meeting attended, else the day the member came under
 * management): high from the warning's three months, grave at the six of the self-lapse rule.
 */
export function noOrgLifeSeverity(since: string, today: string): RiskSeverity {
  return participationLapsed(since, today, PARTICIPATION_LIMIT_MONTHS) ? RISK_SEVERITY.grave : RISK_SEVERITY.high;
}

/** Dues unpaid for `months`: high from the warning's three months, grave at the six-month flag. */
export function duesUnpaidSeverity(months: number): RiskSeverity {
  return unpaidLevel(months) === "flag" ? RISK_SEVERITY.grave : RISK_SEVERITY.high;
}

/** The latest found-on date flagged on `today`: leads found then or earlier and still open. */
export function leadUnverifiedCutoff(today: string): string {
  return addDays(today, -LEAD_UNVERIFIED_DAYS);
}

// Membership ending and restored by the rules (停止党籍, 恢复党籍, 出党, death): the kinds of change,
// the member's standing each leaves behind, and which change may follow which standing. Pure: the
// services (services/membership/) ask here before writing, and the forms offer only what is allowed.

import type { LEAVE_REASON } from "./codes.js";
import { LOST_CONTACT_LIMIT_WORDS, lostContactLimitReached } from "./membership-rules.js";

function labels<const K extends string>(map: Record<K, string>) {
  return { keys: Object.keys(map) as [K, ...K[]], label: map };
}

/**
 * The changes a branch proposes and the committee above approves. 出党 has four kinds, each its own
 * code so that table 1 (出党) and its breakdown count them apart.
 */
export const MEMBERSHIP_CHANGE = labels({
  suspension: "停止党籍",
  restoration: "恢复党籍",
  self_departed: "自行脱党",
  removed: "除名",
  expelled: "开除党籍",
  withdrew: "退党",
  death: "去世",
});
export const MEMBERSHIP_CHANGE_KINDS = MEMBERSHIP_CHANGE.keys;
export type MembershipChangeKind = (typeof MEMBERSHIP_CHANGE_KINDS)[number];

/** The four kinds of 出党 (leaving the Party), as table 1 groups them. */
export const LEAVING_PARTY_KINDS: readonly MembershipChangeKind[] = ["self_departed", "removed", "expelled", "withdrew"];

export const MEMBERSHIP_CHANGE_STATE = labels({ pending: "待审批", approved: "已批准", rejected: "未批准" });
export const MEMBERSHIP_CHANGE_STATES = MEMBERSHIP_CHANGE_STATE.keys;

/**
 * Where a member stands, read from `left_on`/`left_reason` and the relationship status: `active`
 * (still a member here), the ending the last approved change left (its code is `left_reason`), or
 * `transferred_out`.
 */
export type Standing =
  | "active"
  | "suspended"
  | "self_departed"
  | "removed"
  | "expelled"
  | "withdrew"
  | "deceased"
  | "probation_cancelled"
  | "transferred_out";

export const STANDING_LABEL: Record<Standing, string> = {
  active: "在册",
  suspended: "已停止党籍",
  self_departed: "自行脱党",
  removed: "已除名",
  expelled: "已开除党籍",
  withdrew: "已退党",
  deceased: "已去世",
  probation_cancelled: "已取消预备党员资格",
  transferred_out: "已转出",
};

/** The `left_reason` (codes.ts LEAVE_REASON) an approved ending writes; restoration clears it. */
export const LEFT_REASON_OF: Record<Exclude<MembershipChangeKind, "restoration">, keyof typeof LEAVE_REASON.label> = {
  suspension: "suspended",
  self_departed: "self_departed",
  removed: "removed",
  expelled: "expelled",
  withdrew: "withdrew",
  death: "deceased",
};

export function standingOf(m: { leftOn: string | null; leftReason: string | null; relationStatus: string }): Standing {
  if (m.relationStatus === "transferred_out" || m.leftReason === "transferred_out") return "transferred_out";
  if (m.leftOn == null) return "active";
  const r = m.leftReason;
  if (
    r === "suspended" ||
    r === "self_departed" ||
    r === "removed" ||
    r === "expelled" ||
    r === "withdrew" ||
    r === "deceased" ||
    r === "probation_cancelled"
  )
    return r;
  return "removed";
}

/**
 * Restoration undoes a suspension (the member found again) or corrects an ending decided wrongly on
 * review (除名, 自行脱党, 开除党籍). One who withdrew (退党) re-applies (重新入党); death is final.
 */
export const RESTORABLE_STANDINGS: readonly Standing[] = ["suspended", "removed", "self_departed", "expelled"];

/** Which changes may be proposed from a standing (before the facts of the member are checked). */
export function changesAllowedFrom(standing: Standing): MembershipChangeKind[] {
  if (standing === "active") return ["suspension", "self_departed", "removed", "expelled", "withdrew", "death"];
  if (RESTORABLE_STANDINGS.includes(standing)) return ["restoration"];
  return [];
}

export type ChangeFacts = {
  standing: Standing;
  lostContactOn: string | null;
  joinedOn: string | null;
  /** The day the previous ending took effect (left_on), for a restoration. */
  leftOn: string | null;
};

export type ChangeProposal = {
  kind: MembershipChangeKind;
  effectiveOn: string;
  searchedOn?: string | null;
  searchNote?: string | null;
};

/**
 * Why a change may not be made, as field errors naming the form's field in Chinese; empty when it
 * may. `today` bounds dates: no change takes effect in the future.
 */
export function refuseChange(facts: ChangeFacts, p: ChangeProposal, today: string): Record<string, string> {
  const label = MEMBERSHIP_CHANGE.label[p.kind];
  const allowed = changesAllowedFrom(facts.standing);
  if (!allowed.includes(p.kind)) {
    const why =
      p.kind === "restoration"
        ? facts.standing === "active"
          ? "该党员党籍正常，无需恢复"
          : `该党员${STANDING_LABEL[facts.standing]}，不能恢复党籍${facts.standing === "withdrew" ? "（退党者须重新申请入党）" : ""}`
        : `该党员${STANDING_LABEL[facts.standing]}，不能办理${label}`;
    return { kind: why };
  }
  if (p.effectiveOn > today) return { effectiveOn: `${label}日期不能晚于今天` };
  if (facts.joinedOn && p.effectiveOn < facts.joinedOn) return { effectiveOn: `${label}日期不能早于入党日期 ${facts.joinedOn}` };
  if (p.kind === "restoration" && facts.leftOn && p.effectiveOn < facts.leftOn)
    return { effectiveOn: `恢复党籍日期不能早于${STANDING_LABEL[facts.standing]}的日期 ${facts.leftOn}` };
  if (p.kind === "suspension") {
    if (!facts.lostContactOn)
      return { effectiveOn: `停止党籍日期：该党员没有失联记录，失联满${LOST_CONTACT_LIMIT_WORDS}且查找未果方可停止党籍` };
    if (!lostContactLimitReached(facts.lostContactOn, p.effectiveOn))
      return {
        effectiveOn: `停止党籍日期：该党员自 ${facts.lostContactOn} 起失联，到该日期不满${LOST_CONTACT_LIMIT_WORDS}，不能停止党籍`,
      };
    const errors: Record<string, string> = {};
    if (!p.searchedOn) errors.searchedOn = "查找日期：须记录查找失联党员的日期";
    else if (p.searchedOn < facts.lostContactOn) errors.searchedOn = `查找日期不能早于失联日期 ${facts.lostContactOn}`;
    else if (p.searchedOn > p.effectiveOn) errors.searchedOn = "查找日期不能晚于停止党籍日期";
    if (!p.searchNote?.trim()) errors.searchNote = "查找情况：须说明查找经过及未果的情况";
    return errors;
  }
  return {};
}

/** The standing an approved change leaves. */
export function standingAfter(kind: MembershipChangeKind): Standing {
  return kind === "restoration" ? "active" : (LEFT_REASON_OF[kind] as Standing);
}

/** Ends membership here (the member leaves the counts) rather than returning to them. */
export function endsMembership(kind: MembershipChangeKind): boolean {
  return kind !== "restoration";
}

/** The member list's filter by standing: `left_party` is the four kinds of 出党 together. */
export const MEMBER_STANDING_FILTERS = [
  "active",
  "suspended",
  "left_party",
  "self_departed",
  "removed",
  "expelled",
  "withdrew",
  "deceased",
  "transferred_out",
] as const;
export const MEMBER_STANDING_FILTER_LABEL: Record<(typeof MEMBER_STANDING_FILTERS)[number], string> = {
  active: "在册",
  suspended: "已停止党籍",
  left_party: "出党（全部）",
  self_departed: "自行脱党",
  removed: "除名",
  expelled: "开除党籍",
  withdrew: "退党",
  deceased: "去世",
  transferred_out: "已转出",
};

/** What views print (res.locals.rules.membership): labels, and the changes each standing allows. */
export const MEMBERSHIP_VIEW_RULES = Object.freeze({
  kindLabel: MEMBERSHIP_CHANGE.label,
  stateLabel: MEMBERSHIP_CHANGE_STATE.label,
  standingLabel: STANDING_LABEL,
  allowedFrom: Object.fromEntries((Object.keys(STANDING_LABEL) as Standing[]).map((s) => [s, changesAllowedFrom(s)])) as Record<
    Standing,
    MembershipChangeKind[]
  >,
  /** left_reason → standing, for a view holding only the member row. */
  standingFilterLabel: MEMBER_STANDING_FILTER_LABEL,
  standingOfLeftReason: {
    suspended: "suspended",
    self_departed: "self_departed",
    removed: "removed",
    expelled: "expelled",
    withdrew: "withdrew",
    deceased: "deceased",
    probation_cancelled: "probation_cancelled",
    transferred_out: "transferred_out",
  } as Record<string, Standing>,
});

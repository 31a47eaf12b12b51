// The member rules that look at several fields at once. Pure: no database, no clock (today is passed in).
// The service adds the rules that need the database (scope, uniqueness) and throws one AppError with all.

import {
  DISCOVERY_CHANNEL,
  EDUCATION,
  ETHNICITY,
  GENDER,
  LEAVE_REASON,
  LOST_CONTACT_REASON,
  labelOf,
  MEMBER_CATEGORY,
  OCCUPATION,
  RELATION_STATUS,
  type RelationStatus,
} from "./codes.js";
import { addMonths } from "./dates.js";
import { maskIdNumber, maskPhone } from "./masking.js";
import { LOST_CONTACT_LIMIT_WORDS, lostContactLimitDate, lostContactLimitReached } from "./membership-rules.js";
import type { FieldErrors } from "../errors.js";
import type { members } from "../../db/schema.js";

/** The values a member record holds after the form is resolved (ID number parsed, blanks filled from it). */
export type MemberValues = Pick<
  typeof members.$inferSelect,
  | "name"
  | "gender"
  | "ethnicity"
  | "birthDate"
  | "idNumber"
  | "phone"
  | "education"
  | "category"
  | "joinedOn"
  | "fullOn"
  | "occupation"
  | "enterpriseId"
  | "orgId"
  | "relationStatus"
  | "relationOrgName"
  | "discoveryChannel"
  | "discoveredOn"
  | "verifiedOn"
  | "managedOn"
>;

/** Party Constitution: one joins at eighteen or older. */
export const MIN_JOIN_AGE = 18;
/** A probationary member's probation lasts a year (extendable by 6–12 months). */
export const PROBATION_MONTHS = 12;

/** Relationship statuses that keep the relationship in this system (no outside organization to name): where the official tables count a member. */
export const RELATION_HERE: readonly RelationStatus[] = ["local", "mobile_out"];

/**
 * Cross-field rules. `id` is what the ID number says (GB 11643: birth date in digits 7–14,
 * gender by the parity of digit 17). A disagreeing birth date or gender is an error, not a warning:
 * the ID number is the identifier every roster is matched on, so a disagreement means one of the
 * two was mistyped, and both are cheap to correct while the form is open.
 */
export function memberRuleErrors(v: MemberValues, id: { birthDate: string; gender: "male" | "female" }, today: string): FieldErrors {
  const e: FieldErrors = {};
  if (v.birthDate !== id.birthDate) e.birthDate = `出生日期与身份证号中的出生日期（${id.birthDate}）不一致`;
  if (v.gender !== id.gender) e.gender = `性别与身份证号不一致（身份证号第 17 位表示${GENDER.label[id.gender]}性）`;
  const future = (field: keyof MemberValues, label: string) => {
    const d = v[field];
    if (typeof d === "string" && d > today) e[field] = `${label}不能晚于今天`;
  };
  future("joinedOn", "入党日期");
  future("fullOn", "转正日期");
  future("discoveredOn", "发现日期");
  future("verifiedOn", "核实日期");
  future("managedOn", "纳管日期");
  if (v.joinedOn && !e.joinedOn && v.joinedOn < addMonths(v.birthDate, MIN_JOIN_AGE * 12))
    e.joinedOn = "入党时应年满十八周岁，请核对入党日期和出生日期";
  if (v.category === "probationary" && v.fullOn) e.fullOn = "预备党员还没有转正，不应填写转正日期";
  if (v.category === "full" && v.fullOn && v.joinedOn && !e.fullOn && v.fullOn <= v.joinedOn) e.fullOn = "转正日期应晚于入党日期";
  if (v.discoveredOn && v.verifiedOn && !e.verifiedOn && v.verifiedOn < v.discoveredOn) e.verifiedOn = "核实日期不能早于发现日期";
  if (v.verifiedOn && v.managedOn && !e.managedOn && v.managedOn < v.verifiedOn) e.managedOn = "纳管日期不能早于核实日期";
  if (v.relationStatus === "mobile_in" && !v.relationOrgName)
    e.relationOrgName = "流入党员须填写组织关系所在党组织（如户籍地村党支部、原单位党组织）";
  return e;
}

/** The outside organization is meaningful only when the relationship is not here. */
export function normaliseRelationOrg(status: RelationStatus, name: string | null): string | null {
  return RELATION_HERE.includes(status) ? null : name;
}

/** Warnings for the detail page: the status fields that need someone to act. */
export function memberWarnings(
  m: {
    category: string;
    joinedOn: string | null;
    relationStatus: string;
    lostContactOn: string | null;
    lostContactReason: string | null;
    leftOn: string | null;
    leftReason: string | null;
  },
  today: string,
): { level: "red" | "yellow"; text: string }[] {
  const w: { level: "red" | "yellow"; text: string }[] = [];
  if (m.leftOn) {
    const why = m.leftReason ? (labelOf(LEAVE_REASON.label, m.leftReason) ?? m.leftReason) : "离开";
    w.push({ level: "yellow", text: `该党员已于 ${m.leftOn} ${why}，记录永久保留备查。` });
  }
  if (m.lostContactOn && !m.leftOn) {
    const reason = m.lostContactReason ? `（${labelOf(LOST_CONTACT_REASON.label, m.lostContactReason) ?? m.lostContactReason}）` : "";
    const limit = LOST_CONTACT_LIMIT_WORDS;
    if (lostContactLimitReached(m.lostContactOn, today)) {
      w.push({
        level: "red",
        text: `该党员自 ${m.lostContactOn} 起失去联系${reason}，已满${limit}。按规定，失去联系满${limit}的党员应停止党籍，请核实并按程序处理。`,
      });
    } else {
      w.push({
        level: "yellow",
        text: `该党员自 ${m.lostContactOn} 起失去联系${reason}。失去联系满${limit}将按规定停止党籍（${lostContactLimitDate(m.lostContactOn)}），请尽快取得联系。`,
      });
    }
  }
  if (m.category === "probationary" && m.joinedOn && addMonths(m.joinedOn, PROBATION_MONTHS) <= today && !m.leftOn) {
    w.push({ level: "yellow", text: `预备期自 ${m.joinedOn} 起已满一年，应及时讨论其转正问题（延长预备期的，延长 6 个月至 1 年）。` });
  }
  if (m.relationStatus === "unattached" && !m.leftOn) w.push({ level: "yellow", text: "该党员尚未纳管：请编入党支部，或按流动党员管理。" });
  return w;
}

/** Field labels for summaries and audit entries. */
export const MEMBER_FIELD_LABEL: Record<keyof MemberValues, string> = {
  name: "姓名",
  gender: "性别",
  ethnicity: "民族",
  birthDate: "出生日期",
  idNumber: "身份证号",
  phone: "手机号",
  education: "学历",
  category: "党员类别",
  joinedOn: "入党日期",
  fullOn: "转正日期",
  occupation: "职业",
  enterpriseId: "所在企业",
  orgId: "管理党组织",
  relationStatus: "组织关系状态",
  relationOrgName: "组织关系所在党组织",
  discoveryChannel: "发现渠道",
  discoveredOn: "发现日期",
  verifiedOn: "核实日期",
  managedOn: "纳管日期",
};

const CODE_LABELS: Partial<Record<keyof MemberValues, Record<string, string>>> = {
  gender: GENDER.label,
  ethnicity: ETHNICITY,
  education: EDUCATION.label,
  category: MEMBER_CATEGORY.label,
  occupation: OCCUPATION.label,
  relationStatus: RELATION_STATUS.label,
  discoveryChannel: DISCOVERY_CHANNEL.label,
};

/** A value as a person reads it in a summary: labels for codes, masks for personal numbers. */
export function displayValue(
  field: keyof MemberValues,
  value: unknown,
  names: { org?: Map<number, string>; enterprise?: Map<number, string> } = {},
): string {
  if (value === null || value === undefined || value === "") return "空";
  if (field === "idNumber") return maskIdNumber(String(value));
  if (field === "phone") return maskPhone(String(value));
  if (field === "orgId") return names.org?.get(Number(value)) ?? `#${value}`;
  if (field === "enterpriseId") return names.enterprise?.get(Number(value)) ?? `#${value}`;
  const labels = CODE_LABELS[field];
  return labels ? (labelOf(labels, String(value)) ?? String(value)) : String(value);
}

/** Personal numbers masked: what audit entries and timeline details may hold. */
export function maskedSnapshot(v: Partial<MemberValues>): Record<string, unknown> {
  const out: Record<string, unknown> = { ...v };
  if (v.idNumber) out.idNumber = maskIdNumber(v.idNumber);
  if (v.phone) out.phone = maskPhone(v.phone);
  return out;
}

export type MemberChange = { field: keyof MemberValues; before: unknown; after: unknown };

export function diffMember(before: MemberValues, after: MemberValues): MemberChange[] {
  const out: MemberChange[] = [];
  for (const field of Object.keys(MEMBER_FIELD_LABEL) as (keyof MemberValues)[]) {
    const a = before[field] ?? null;
    const b = after[field] ?? null;
    if (a !== b) out.push({ field, before: a, after: b });
  }
  return out;
}

/** "修改了手机号（138****0001 → 139****1234）；管理党组织（A → B）" */
export function changeSummary(changes: MemberChange[], names: { org?: Map<number, string>; enterprise?: Map<number, string> }): string {
  const parts = changes.map(
    (c) => `${MEMBER_FIELD_LABEL[c.field]}（${displayValue(c.field, c.before, names)} → ${displayValue(c.field, c.after, names)}）`,
  );
  return `修改了${parts.join("；")}`;
}

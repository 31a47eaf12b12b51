// The national member information system (全国党员管理信息系统): the columns of its member export,
// in its order, and the information-completeness score of a member record (the share of the fields
// the national system requires that are filled). Pure; the SQL twin is services/national/sql.ts.

import { addMonths } from "./dates.js";
import type { Occupation } from "./codes.js";
import { RELATION_HERE } from "./member-rules.js";

/**
 * The export's columns, in the national system's order (issue 16's list; DOMAIN.md and the seeds
 * name no fuller one). The workbook appends the score and what is missing after these.
 */
export const NATIONAL_COLUMNS = [
  "姓名",
  "公民身份号码",
  "性别",
  "出生日期",
  "民族",
  "学历",
  "入党时间",
  "转正时间",
  "工作岗位",
  "新的社会阶层 / 新就业群体",
  "人员类别",
  "手机号码",
  "所在党支部",
  "联合支部单位名称",
  "失去联系情形",
  "失去联系日期",
] as const;

/** The columns the export adds after the national ones. */
export const COMPLETENESS_COLUMNS = ["信息完整度（%）", "缺少的信息项"] as const;

/**
 * Whose records the national system holds here: members whose organizational relationship sits in
 * this system (member-rules' RELATION_HERE: 本地管理 and 流出). A 流入 member's record is kept by the
 * home organization; one not yet managed (未纳管) has no relationship here yet.
 */
export const NATIONAL_RELATIONS = RELATION_HERE;

/** The occupations of the new employment groups: the 新的社会阶层 / 新就业群体 column reads 新就业群体 for these. */
export const NEW_EMPLOYMENT_OCCUPATIONS: readonly Occupation[] = [
  "truck_driver",
  "ride_hailing_driver",
  "delivery_rider",
  "courier",
  "live_streamer",
];
export const NEW_EMPLOYMENT_GROUP = "新就业群体";

/**
 * A probationary member this long after joining should have been made full (a year's probation and
 * a month to record the decision): without a 转正 date the record counts as incomplete.
 */
export const PROBATION_OVERDUE_MONTHS = 13;

/** The fields the national system requires, in the export's order, with their column labels. */
export const REQUIRED_FIELDS = [
  { key: "name", label: "姓名" },
  { key: "idNumber", label: "公民身份号码" },
  { key: "gender", label: "性别" },
  { key: "birthDate", label: "出生日期" },
  { key: "ethnicity", label: "民族" },
  { key: "education", label: "学历" },
  { key: "joinedOn", label: "入党时间" },
  // Required of a full member, and of a probationary member past PROBATION_OVERDUE_MONTHS.
  { key: "fullOn", label: "转正时间" },
  { key: "occupation", label: "工作岗位" },
  { key: "category", label: "人员类别" },
  { key: "phone", label: "手机号码" },
  // Filed in a branch (a managing organization), not only known to a committee.
  { key: "branch", label: "所在党支部" },
  // Required once a member is recorded as out of contact.
  { key: "lostContactReason", label: "失去联系情形" },
] as const;

export type RequiredFieldKey = (typeof REQUIRED_FIELDS)[number]["key"];

/** What the score reads of a member record. */
export type CompletenessInput = {
  name: string | null;
  idNumber: string | null;
  gender: string | null;
  birthDate: string | null;
  ethnicity: string | null;
  education: string | null;
  joinedOn: string | null;
  fullOn: string | null;
  occupation: string | null;
  category: string | null;
  phone: string | null;
  /** Whether the managing organization is a branch (or general branch, group). */
  inBranch: boolean;
  lostContactOn: string | null;
  lostContactReason: string | null;
};

/** The date before which a probationary member's joining makes a missing 转正 date count. */
export function probationOverdueCutoff(today: string): string {
  return addMonths(today, -PROBATION_OVERDUE_MONTHS);
}

/** Whether the field is required of this record (the conditional ones: 转正时间, 失去联系情形). */
export function fieldRequired(key: RequiredFieldKey, m: CompletenessInput, today: string): boolean {
  if (key === "fullOn") {
    if (m.category === "full") return true;
    return m.category === "probationary" && !!m.joinedOn && m.joinedOn < probationOverdueCutoff(today);
  }
  if (key === "lostContactReason") return !!m.lostContactOn;
  return true;
}

const filled = (v: string | null) => v != null && v.trim() !== "";

export function fieldFilled(key: RequiredFieldKey, m: CompletenessInput): boolean {
  switch (key) {
    case "branch":
      return m.inBranch;
    // A probationary member cannot carry a 转正 date (member-rules): only a full member's counts.
    case "fullOn":
      return m.category === "full" && filled(m.fullOn);
    default:
      return filled(m[key]);
  }
}

export type Completeness = { required: number; filled: number; score: number; missing: string[] };

/** The share of the required fields filled (1 = complete), and the labels of those missing. */
export function completeness(m: CompletenessInput, today: string): Completeness {
  let required = 0;
  const missing: string[] = [];
  for (const f of REQUIRED_FIELDS) {
    if (!fieldRequired(f.key, m, today)) continue;
    required += 1;
    if (!fieldFilled(f.key, m)) missing.push(f.label);
  }
  const done = required - missing.length;
  return { required, filled: done, score: required ? done / required : 1, missing };
}

/** "84.6%": one decimal place, as the page and the workbook show it. */
export function formatScore(score: number): string {
  return `${(Math.round(score * 1000) / 10).toFixed(1)}%`;
}

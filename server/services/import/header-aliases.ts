// The columns an import understands, the header texts platforms use for them, and how a header
// row is recognised. Data, not code: add an alias here when a platform names a column anew.

import { isOnboardingKind, type OnboardingKind } from "../../domain/onboarding-codes.js";
import { toHalfWidth } from "../../domain/id-number.js";
import { ONBOARDING_FIELDS, type OnboardingFieldKey } from "./onboarding-fields.js";
import type { ImportKind } from "./types.js";

export type FieldKey =
  | "idNumber"
  | "name"
  | "phone"
  | "platform"
  | "station"
  | "franchisee"
  | "occupation"
  | "politicalStatus"
  | "hiredOn"
  | "gender"
  | "ethnicity"
  | "education"
  | "category"
  | "joinedOn"
  | "fullOn"
  | "relationOrgName"
  | OnboardingFieldKey;

export type FieldDef = { key: FieldKey; label: string; required: boolean; aliases: readonly string[] };

const ID: FieldDef = {
  key: "idNumber",
  label: "身份证号",
  required: true,
  aliases: [
    "身份证号",
    "身份证号码",
    "公民身份号码",
    "公民身份证号",
    "公民身份证号码",
    "证件号码",
    "证件号",
    "身份证",
    "身份证件号码",
    "身份证件号",
    "idnumber",
    "idcard",
  ],
};
const NAME: FieldDef = {
  key: "name",
  label: "姓名",
  required: true,
  aliases: ["姓名", "司机姓名", "骑手姓名", "快递员姓名", "主播姓名", "配送员姓名", "人员姓名", "员工姓名", "真实姓名", "党员姓名", "name"],
};
const PHONE: FieldDef = {
  key: "phone",
  label: "手机号",
  required: false,
  aliases: ["手机号", "手机号码", "联系电话", "手机", "电话", "联系方式", "电话号码", "移动电话", "phone", "mobile"],
};
const OCCUPATION_F: FieldDef = {
  key: "occupation",
  label: "从业类型",
  required: false,
  aliases: ["从业类型", "岗位", "职业", "工种", "人员类型", "岗位类型", "从业岗位"],
};

export const FIELDS: Record<"roster" | "members" | "reference" | OnboardingKind, readonly FieldDef[]> = {
  ...ONBOARDING_FIELDS,
  roster: [
    ID,
    NAME,
    PHONE,
    { key: "platform", label: "所属平台", required: false, aliases: ["平台", "所属平台", "平台名称", "平台企业"] },
    {
      key: "station",
      label: "站点",
      required: false,
      aliases: ["站点", "网点", "所属站点", "所属网点", "站点名称", "网点名称", "配送站点"],
    },
    {
      key: "franchisee",
      label: "加盟商/所属企业",
      required: false,
      aliases: ["加盟商", "所属企业", "所属公司", "企业名称", "运输企业", "工作单位", "所属加盟商", "合作商", "代理商"],
    },
    OCCUPATION_F,
    { key: "politicalStatus", label: "政治面貌", required: false, aliases: ["政治面貌", "政治面目"] },
    {
      key: "hiredOn",
      label: "入职日期",
      required: false,
      aliases: ["入职日期", "入职时间", "注册日期", "注册时间", "加入日期", "上岗日期"],
    },
  ],
  members: [
    ID,
    NAME,
    { key: "gender", label: "性别", required: false, aliases: ["性别"] },
    { key: "ethnicity", label: "民族", required: false, aliases: ["民族"] },
    PHONE,
    { key: "education", label: "学历", required: false, aliases: ["学历", "文化程度", "最高学历"] },
    { key: "category", label: "人员类别", required: false, aliases: ["人员类别", "党员类别", "党员身份", "类别", "党籍状态"] },
    { key: "joinedOn", label: "入党日期", required: false, aliases: ["入党日期", "入党时间"] },
    { key: "fullOn", label: "转正日期", required: false, aliases: ["转正日期", "转正时间"] },
    {
      key: "relationOrgName",
      label: "组织关系所在党组织",
      required: false,
      aliases: ["组织关系所在党组织", "所在党组织", "所在党支部", "党组织名称", "组织关系所在单位", "所在支部", "党支部"],
    },
    OCCUPATION_F,
  ],
  reference: [
    ID,
    NAME,
    {
      key: "relationOrgName",
      label: "组织关系所在党组织",
      required: false,
      aliases: ["组织关系所在党组织", "所在党组织", "所在党支部", "党组织名称", "组织关系所在单位", "所在支部", "党支部"],
    },
  ],
};

export type FieldSet = keyof typeof FIELDS;

export function fieldSetOf(kind: ImportKind, reference: boolean): FieldSet {
  if (isOnboardingKind(kind)) return kind;
  return kind === "roster" ? "roster" : reference ? "reference" : "members";
}

/** A mapping names, for each field, the header text of the column that holds it. */
export type Mapping = Partial<Record<FieldKey, string>>;

/** Header text as compared: half-width, no spaces, no required-markers, lower case. */
export function normaliseHeader(h: string): string {
  return toHalfWidth(h)
    .replace(/[\s*＊]/g, "")
    .replace(/[(（]必填[)）]/g, "")
    .toLowerCase();
}

/**
 * Each field's aliases, normalised once. Normalising every alias for every cell made the header
 * search cost ~0.3 ms a cell: 20 candidate rows of a 1,000-column file (120 KB) blocked the
 * server for 7 s.
 */
const normalisedAliases = new WeakMap<FieldDef, readonly { alias: string; norm: string }[]>();
function aliasesOf(f: FieldDef) {
  let a = normalisedAliases.get(f);
  if (!a) {
    a = f.aliases.map((alias) => ({ alias, norm: normaliseHeader(alias) }));
    normalisedAliases.set(f, a);
  }
  return a;
}

/** Which field a header text names, by alias: exact first, then an alias contained in the header. */
export function fieldForHeader(fields: readonly FieldDef[], header: string): FieldKey | null {
  const h = normaliseHeader(header);
  if (h === "") return null;
  for (const f of fields) if (aliasesOf(f).some((a) => a.norm === h)) return f.key;
  for (const f of fields) if (aliasesOf(f).some((a) => a.alias.length >= 2 && h.includes(a.norm))) return f.key;
  return null;
}

/** Builds a mapping from a header row: every field whose alias names a column (first column wins). */
export function autoMapping(fields: readonly FieldDef[], headers: readonly string[]): Mapping {
  const m: Mapping = {};
  for (const h of headers) {
    const key = fieldForHeader(fields, h);
    if (key && !Object.hasOwn(m, key)) m[key] = h;
  }
  return m;
}

/** How well a row looks like a header: required fields it names count most. */
export function headerScore(fields: readonly FieldDef[], cells: readonly string[]): number {
  const seen = new Set<FieldKey>();
  for (const c of cells) {
    const k = fieldForHeader(fields, c);
    if (k) seen.add(k);
  }
  let score = 0;
  for (const f of fields) if (seen.has(f.key)) score += f.required ? 10 : 1;
  return score;
}

export type ResolvedMapping = { mapping: Mapping; columns: Partial<Record<FieldKey, number>>; missing: FieldDef[] };

/**
 * Resolves a mapping against the header row: the column index of each mapped field, and the
 * required fields that no column provides.
 */
export function resolveMapping(fields: readonly FieldDef[], headers: readonly string[], mapping: Mapping): ResolvedMapping {
  const norm = headers.map(normaliseHeader);
  const columns: Partial<Record<FieldKey, number>> = {};
  const kept: Mapping = {};
  for (const f of fields) {
    const h = mapping[f.key];
    if (!h) continue;
    const i = norm.indexOf(normaliseHeader(h));
    if (i >= 0) {
      columns[f.key] = i;
      kept[f.key] = headers[i]!;
    }
  }
  const missing = fields.filter((f) => f.required && columns[f.key] === undefined);
  return { mapping: kept, columns, missing };
}

export function missingColumnsMessage(missing: readonly FieldDef[]): string {
  return `缺少必需的列：${missing.map((f) => `“${f.label}”（可用列名：${f.aliases.filter((a) => /[^\x20-\x7e]/.test(a)).join("、")}）`).join("；")}。请检查表头或调整列对应关系。`;
}

import { MEMBER_STANDING_FILTERS } from "../domain/membership-changes.js";
import { z } from "zod";
import {
  DISCOVERY_CHANNELS,
  EDUCATION_LEVELS,
  ETHNICITY,
  GENDERS,
  isCode,
  MEMBER_CATEGORIES,
  OCCUPATIONS,
  RELATION_STATUSES,
} from "../domain/codes.js";
import { toHalfWidth } from "../domain/id-number.js";
import {
  enumField,
  idNumberField,
  keepOr,
  optionalDateField,
  optionalEnumField,
  optionalIdField,
  optionalPhoneField,
  optionalText,
  pageSizeField,
  requiredText,
} from "./fields.js";

// Member forms, the list's query string and the search by whole ID number.
// Field rules come from fields.ts (one validator per rule); the rules that need the database or
// several fields at once (birth date vs ID number, uniqueness, scope) live in members.service.ts.

const orgIdField = z
  .string({ error: "请选择管理党组织" })
  .transform((s) => s.trim())
  .pipe(z.string().regex(/^[1-9]\d{0,9}$/, "请选择管理党组织"))
  .transform(Number);

const ethnicityField = z
  .string()
  .optional()
  .transform((s) => (s ?? "").trim() || "01")
  .pipe(z.string().refine((s) => isCode(ETHNICITY, s), "请选择民族"));

const memberFields = {
  name: requiredText("姓名", 40),
  gender: optionalEnumField(GENDERS, "性别"),
  ethnicity: ethnicityField,
  birthDate: optionalDateField("出生日期"),
  education: optionalEnumField(EDUCATION_LEVELS, "学历"),
  category: enumField(MEMBER_CATEGORIES, "党员类别"),
  joinedOn: optionalDateField("入党日期"),
  fullOn: optionalDateField("转正日期"),
  occupation: optionalEnumField(OCCUPATIONS, "职业"),
  enterpriseId: optionalIdField("所在企业"),
  orgId: orgIdField,
  relationStatus: enumField(RELATION_STATUSES, "组织关系状态"),
  relationOrgName: optionalText("组织关系所在党组织", 100),
  discoveryChannel: optionalEnumField(DISCOVERY_CHANNELS, "发现渠道"),
  discoveredOn: optionalDateField("发现日期"),
  verifiedOn: optionalDateField("核实日期"),
  managedOn: optionalDateField("纳管日期"),
};

/** New member: the ID number is required; phone optional. */
export const memberCreateSchema = z.object({
  ...memberFields,
  idNumber: idNumberField,
  phone: optionalPhoneField,
});

/** Edit: ID number and phone arrive masked when unchanged (keepOr). */
export const memberUpdateSchema = z.object({
  ...memberFields,
  idNumber: keepOr(idNumberField),
  phone: keepOr(optionalPhoneField),
});

export type MemberCreateInput = z.output<typeof memberCreateSchema>;
export type MemberUpdateInput = z.output<typeof memberUpdateSchema>;

const optionalId = z
  .union([z.literal(""), z.coerce.number().int().positive()])
  .optional()
  .transform((v) => (v === "" || v === undefined ? null : v));

/** The list's query string. Invalid values are a 400 (someone edited the URL). */
export const memberListQuerySchema = z.object({
  q: z
    .string()
    .optional()
    .transform((s) => toHalfWidth(s ?? "").trim())
    .pipe(z.string().max(40, "搜索内容过长")),
  committee: optionalId,
  org: optionalId,
  enterprise: optionalId,
  occupation: optionalEnumField(OCCUPATIONS, "职业"),
  category: optionalEnumField(MEMBER_CATEGORIES, "党员类别"),
  relation: optionalEnumField(RELATION_STATUSES, "组织关系状态"),
  channel: optionalEnumField(DISCOVERY_CHANNELS, "发现渠道"),
  lost: z
    .enum(["", "any", "6m"], { error: "失联条件无效" })
    .optional()
    .transform((v) => (v ? v : null)),
  standing: optionalEnumField(MEMBER_STANDING_FILTERS, "党籍状态"),
  left: z
    .enum(["", "1"], { error: "条件无效" })
    .optional()
    .transform((v) => v === "1"),
  sort: z
    .enum(["", "name", "joined", "id"], { error: "排序方式无效" })
    .optional()
    .transform((v) => (v ? v : "name")),
  dir: z
    .enum(["", "asc", "desc"], { error: "排序方向无效" })
    .optional()
    .transform((v) => (v ? v : "asc")),
  after: optionalId,
  before: optionalId,
  page: z.coerce.number().int().min(1).max(1_000_000).optional().catch(1),
  size: pageSizeField,
});
export type MemberListQuery = z.output<typeof memberListQuerySchema>;

/** Search by a whole ID number or phone: a POST, so the number never lands in a URL. */
export const memberSearchSchema = z.object({
  number: z
    .string({ error: "请输入完整的身份证号或手机号" })
    .transform((s) => toHalfWidth(s).replace(/\s+/g, ""))
    .pipe(z.string().min(1, "请输入完整的身份证号或手机号").max(40, "号码过长")),
});

// Forms and payloads of the finds (四找): self-report links, the public self-report form, field
// visits, platform API keys and the platform feed's JSON batches. Built on the shared field types.

import { z } from "zod";
import { MEMBER_CATEGORIES, OCCUPATIONS } from "../domain/codes.js";
import {
  checkboxField,
  dateField,
  idNumberField,
  optionalDateField,
  optionalEnumField,
  optionalIdField,
  optionalPhoneField,
  optionalText,
  phoneField,
  requiredText,
} from "./fields.js";

// -- Self-report links (clerks) -------------------------------------------------------------------

export const linkInputSchema = z.object({
  label: requiredText("名称", 60),
  committeeId: optionalIdField("所属党委"),
  enterpriseId: optionalIdField("企业或站点"),
  expiresOn: dateField("有效期至"),
});
export type LinkInput = z.output<typeof linkInputSchema>;

/** A link's token in a URL: base64url, as made by the service (the seed's fixed token keeps to the same alphabet). */
export const tokenParam = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/);

// -- What a worker declares (the public form and the field visit share these) ---------------------

const personFields = {
  name: requiredText("姓名", 40),
  idNumber: idNumberField,
  occupation: optionalEnumField(OCCUPATIONS, "从业类型"),
  platform: optionalText("所在平台", 50),
  homeOrgName: optionalText("组织关系所在党组织", 100),
  joinedOn: optionalDateField("入党日期"),
};

export const selfReportSchema = z.object({
  ...personFields,
  phone: phoneField,
  consent: checkboxField.refine((v) => v, "请阅读说明并勾选同意后再提交"),
});
export type SelfReportInput = z.output<typeof selfReportSchema>;

export const fieldVisitSchema = z.object({
  ...personFields,
  phone: optionalPhoneField,
  committeeId: optionalIdField("所属党委"),
  enterpriseId: optionalIdField("走访的企业或站点"),
  place: optionalText("走访地点", 100),
  visitedOn: dateField("走访日期"),
  note: optionalText("备注", 500),
  documentsChecked: checkboxField,
  category: optionalEnumField(MEMBER_CATEGORIES, "人员类别"),
});
export type FieldVisitInput = z.output<typeof fieldVisitSchema>;

// -- Platform API keys (administrators) ------------------------------------------------------------

export const apiKeyInputSchema = z.object({
  label: requiredText("用途说明", 60),
  platform: requiredText("平台名称", 50),
  committeeId: z.coerce.number({ error: "请选择所属党委" }).int().positive({ error: "请选择所属党委" }),
});
export type ApiKeyInput = z.output<typeof apiKeyInputSchema>;

// -- The platform feed: one JSON batch ---------------------------------------------------------------

const text = (max: number) => z.string({ error: "应为字符串" }).max(max, `不能超过 ${max} 个字符`);
const optText = (max: number) => text(max).nullable().optional();

/** One worker as a platform sends it. Values are checked by the roster pipeline, row by row, like a file's cells. */
export const batchWorkerSchema = z.strictObject(
  {
    idNumber: text(40),
    name: text(100),
    phone: optText(40),
    station: optText(200),
    franchisee: optText(200),
    occupation: optText(40),
    politicalStatus: optText(40),
    hiredOn: optText(40),
  },
  { error: (iss) => (iss.code === "unrecognized_keys" ? `不认识的字段：${iss.keys.join(", ")}` : "应为对象") },
);
export type BatchWorker = z.output<typeof batchWorkerSchema>;

export const BATCH_ID_PATTERN = /^[A-Za-z0-9._:-]{1,100}$/;
export const MAX_BATCH_WORKERS = 200_000;

const batchIdField = z.string({ error: "batchId 应为字符串" }).regex(BATCH_ID_PATTERN, "batchId 应为 1–100 个字母、数字或 . _ : -");

export const batchJsonSchema = z.strictObject(
  {
    batchId: batchIdField,
    complete: z.boolean({ error: "complete 应为 true 或 false" }),
    workers: z
      .array(batchWorkerSchema, { error: "workers 应为数组" })
      .min(1, "workers 不能为空")
      .max(MAX_BATCH_WORKERS, `一批最多 ${MAX_BATCH_WORKERS} 人`),
  },
  { error: (iss) => (iss.code === "unrecognized_keys" ? `不认识的字段：${iss.keys.join(", ")}` : "请求体应为 JSON 对象") },
);
export type BatchJson = z.output<typeof batchJsonSchema>;

/** A CSV batch carries its batch id and completeness in the query string. */
export const batchCsvQuerySchema = z.object({
  batchId: batchIdField,
  complete: z.enum(["true", "false"], { error: "complete 应为 true 或 false" }).transform((v) => v === "true"),
});

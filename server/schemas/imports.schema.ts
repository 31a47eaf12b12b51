import { z } from "zod";
import { DISCOVERY_CHANNELS, IMPORT_KINDS, LEAD_STATUSES, MEMBER_CATEGORIES } from "../domain/codes.js";
import { checkboxField, idParam, optionalDateField, optionalEnumField, optionalIdField } from "./fields.js";

// Forms of the import and leads pages. The services check scope and rules; these check shape.

export const uploadSchema = z.object({
  kind: z.enum(IMPORT_KINDS, { error: "请选择导入类型" }),
  platform: z
    .string()
    .optional()
    .transform((s) => (s ?? "").replace(/\s+/g, " ").trim())
    .pipe(z.string().max(50, "平台名称不能超过 50 个字")),
  orgId: idParam,
  reference: checkboxField,
});

/** Server-made upload names only: 32 hex characters, never a client's file name or a path. */
export const uploadName = z.string().regex(/^[a-f0-9]{32}$/, "上传的文件已失效，请重新上传");

export const startSchema = uploadSchema.extend({
  upload: uploadName,
  mode: z.enum(["dry", "run"]).default("run"),
});

export const leadsQuery = z.object({
  status: optionalEnumField(LEAD_STATUSES, "状态"),
  channel: optionalEnumField(DISCOVERY_CHANNELS, "发现渠道"),
  link: optionalIdField("登记链接"),
  platform: z
    .string()
    .optional()
    .transform((s) => (s ?? "").trim().slice(0, 50) || null),
  q: z
    .string()
    .optional()
    .transform((s) => (s ?? "").trim().slice(0, 40) || null),
  page: z.coerce.number().int().min(1).max(100_000).default(1),
});

export const verifySchema = z.object({
  branchId: optionalIdField("党支部"),
  category: optionalEnumField(MEMBER_CATEGORIES, "党员类别"),
  joinedOn: optionalDateField("入党日期"),
});

export const rejectSchema = z.object({
  reason: z
    .string({ error: "请填写排除原因" })
    .transform((s) => s.trim())
    .pipe(z.string().min(1, "请填写排除原因").max(200, "排除原因不能超过 200 个字")),
});

export const bulkVerifySchema = z.object({
  ids: z
    .union([z.string(), z.array(z.string())], { error: "请至少选择一条线索" })
    .transform((v) => (Array.isArray(v) ? v : [v]).map(Number))
    .pipe(z.array(z.number().int().positive()).min(1, "请至少选择一条线索").max(500, "一次最多核实 500 条线索")),
  branchId: optionalIdField("党支部"),
});

export const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).default(1) });

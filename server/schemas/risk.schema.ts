// The drift-risk list's filters and the person page's parameters.

import { z } from "zod";
import { OCCUPATIONS } from "../domain/codes.js";
import { RISK_SIGNAL_CODES } from "../domain/risk-rules.js";
import { PERSON_SOURCES } from "../services/identity/person.js";
import { idParam, optionalEnumField, optionalIdField, pageSizeField } from "./fields.js";

export const riskQuerySchema = z.object({
  signal: optionalEnumField(RISK_SIGNAL_CODES, "风险信号"),
  committee: optionalIdField("所属党委"),
  branch: optionalIdField("党支部"),
  occupation: optionalEnumField(OCCUPATIONS, "职业"),
});

export const riskListQuerySchema = riskQuerySchema.extend({
  page: z.coerce.number({ error: "页码无效" }).int().min(1, "页码无效").max(100000, "页码无效").optional().default(1),
  size: pageSizeField,
});
export type RiskQuery = z.infer<typeof riskQuerySchema>;
export type RiskListQuery = z.infer<typeof riskListQuerySchema>;

export const riskDownloadSchema = riskQuerySchema.extend({ org: optionalIdField("导出范围") });

export const personParams = z.object({ source: z.enum(PERSON_SOURCES, { error: "人员来源无效" }), id: idParam });

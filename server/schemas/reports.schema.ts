// Query strings of the dashboard and the reports pages.

import { z } from "zod";
import { type StatsScope, isFigureKey, parseScopeParam } from "../services/coverage/coverage.service.js";
import { BREAKDOWN_LEVELS, BREAKDOWN_SORTS } from "../services/coverage/dashboard.js";
import { EXPORT_KINDS } from "../services/export/export.service.js";
import { optionalDateField, optionalIdField } from "./fields.js";

/** "org:12", "committee:5", "county:371702" or a combination; empty = the user's whole scope. */
export const scopeField = z
  .string()
  .optional()
  .transform((s, ctx): StatsScope => {
    const scope = parseScopeParam(s ?? "");
    if (!scope) {
      ctx.addIssue({ code: "custom", message: "统计范围无效" });
      return z.NEVER;
    }
    return scope;
  });

const pageField = z
  .union([z.literal(""), z.coerce.number().int().min(1).max(100_000)])
  .optional()
  .transform((v) => (v === "" || v === undefined ? 1 : v));

export const dashboardQuerySchema = z.object({ scope: scopeField });

export const breakdownParamsSchema = z.object({ level: z.enum(BREAKDOWN_LEVELS, { error: "没有这种分组" }) });
export const breakdownQuerySchema = z.object({
  scope: scopeField,
  sort: z.union([z.literal(""), z.enum(BREAKDOWN_SORTS)], { error: "排序列无效" }).default(""),
});

export const figureParamsSchema = z.object({
  key: z.string().refine(isFigureKey, "统计项无效"),
});

export const figureQuerySchema = z.object({
  scope: scopeField,
  asOf: optionalDateField("统计截止日期"),
  page: pageField,
});

export const downloadQuerySchema = z.object({
  kind: z.enum(EXPORT_KINDS, { error: "请选择报表" }),
  org: optionalIdField("统计范围"),
  asOf: optionalDateField("统计截止日期"),
});

// Query strings of the official tables' pages and downloads (/tables…).

import { z } from "zod";
import { PERIOD_PATTERN } from "../domain/official-tables/periods.js";

/** A table id names a module ("table1", "table43"); which exist is the registry's answer (404). */
export const tableParamsSchema = z.object({
  table: z.string().regex(/^table\d{1,3}$/, "统计表无效"),
});

const orgCodeField = z
  .string()
  .optional()
  .transform((s) => (s ?? "").trim())
  .pipe(
    z
      .string()
      .max(40, "统计范围无效")
      .regex(/^[\w.-]*$/, "统计范围无效"),
  )
  .transform((s) => (s === "" ? null : s));

const periodField = z
  .string()
  .optional()
  .transform((s) => (s ?? "").trim())
  .pipe(z.string().regex(new RegExp(`^$|${PERIOD_PATTERN.source}`), "统计期无效：请写 2026 或 2026-H1"))
  .transform((s) => (s === "" ? null : s));

const pageField = z
  .union([z.literal(""), z.coerce.number().int().min(1).max(100_000)])
  .optional()
  .transform((v) => (v === "" || v === undefined ? 1 : v));

export const tableQuerySchema = z.object({ org: orgCodeField, period: periodField });

export const tableRowsQuerySchema = z.object({
  org: orgCodeField,
  period: periodField,
  key: z.string().regex(/^[A-Za-z0-9_]{1,40}$/, "统计项无效"),
  page: pageField,
});

/** For the CLI: the same period rule. */
export const tablePeriodSchema = periodField;

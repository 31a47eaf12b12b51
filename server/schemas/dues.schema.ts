// Forms and queries of the dues ledger. Amounts are typed in yuan and parsed to fen here (parseYuan:
// no floating point, at most two decimals, never negative); the services check the rest (who is a
// member of the branch that month, closed months, back payment).

import { z } from "zod";
import { parseMonth } from "../domain/dates.js";
import {
  ADVANCE_MAX_MONTHS,
  ENTERED_BASES,
  MAX_INCOME_FEN,
  MAX_PAID_FEN,
  PAYMENT_METHOD,
  parseYuan,
  REDUCTION_KIND,
} from "../domain/dues-rules.js";
import { toHalfWidth } from "../domain/id-number.js";
import { dateField, enumField, optionalDateField, optionalEnumField, optionalMonthField, optionalText, requiredText } from "./fields.js";

/** An amount in yuan → fen; blank → null. */
export const optionalYuanField = (label: string, max: number) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      const v = toHalfWidth(s ?? "").trim();
      if (v === "") return null;
      const fen = parseYuan(v);
      if (fen === null) {
        ctx.addIssue({ code: "custom", message: `${label}应为不小于 0 的金额（元），最多两位小数` });
        return z.NEVER;
      }
      if (fen > max) {
        ctx.addIssue({ code: "custom", message: `${label}超出合理范围（不超过 ${max / 100} 元）` });
        return z.NEVER;
      }
      return fen;
    });

export const monthField = (label: string) =>
  z.string({ error: `请填写${label}` }).transform((s, ctx) => {
    const m = parseMonth(s ?? "");
    if (!m) {
      ctx.addIssue({ code: "custom", message: `${label}应为年月（例如 2025-06）` });
      return z.NEVER;
    }
    return m;
  });

const yearField = z
  .string()
  .optional()
  .transform((s, ctx) => {
    const v = (s ?? "").trim();
    if (v === "") return null;
    if (!/^\d{4}$/.test(v) || Number(v) < 2000 || Number(v) > 2100) {
      ctx.addIssue({ code: "custom", message: "年份应为四位数字" });
      return z.NEVER;
    }
    return Number(v);
  });

export const monthQuerySchema = z.object({ month: optionalMonthField("月份") });
export const summaryQuerySchema = z.object({
  year: yearField,
  org: z.coerce.number().int().positive().optional(),
});
export type SummaryQuery = z.infer<typeof summaryQuerySchema>;
export const unpaidQuerySchema = z.object({
  level: z.enum(["flag", "warning"]).optional().default("flag"),
});

export type EntryRow = {
  memberId: number;
  basis: (typeof ENTERED_BASES)[number];
  incomeFen: number | null;
  paidFen: number | null;
  full: boolean;
  method: (typeof PAYMENT_METHOD.keys)[number] | null;
  delayReason: string | null;
  months: number;
};

const rowFields = {
  basis: optionalEnumField(ENTERED_BASES, "计缴方式"),
  income: optionalYuanField("收入", MAX_INCOME_FEN),
  paid: optionalYuanField("实交金额", MAX_PAID_FEN),
  method: optionalEnumField(PAYMENT_METHOD.keys, "交纳方式"),
  delay: optionalText("缓交原因", 100),
};

/**
 * The month's bulk entry: one set of fields per member listed (`ids`), named `<field>_<memberId>`
 * so that a row's checkbox cannot slip onto another row. Field errors come back under those names.
 */
export const bulkEntrySchema = z
  .object({
    month: monthField("月份"),
    paidOn: optionalDateField("交纳日期"),
    collector: optionalText("收缴人", 40),
    ids: z.union([z.string(), z.array(z.string())]).optional(),
  })
  .passthrough()
  .transform((body, ctx) => {
    const raw = body as Record<string, unknown>;
    const ids = [body.ids ?? []].flat();
    if (ids.length > 500) {
      ctx.addIssue({ code: "custom", path: ["ids"], message: "一次最多录入 500 人" });
      return z.NEVER;
    }
    const rows: EntryRow[] = [];
    const seen = new Set<number>();
    for (const idText of ids) {
      if (!/^\d{1,10}$/.test(idText)) {
        ctx.addIssue({ code: "custom", path: ["ids"], message: "党员编号无效" });
        return z.NEVER;
      }
      const id = Number(idText);
      if (seen.has(id)) continue;
      seen.add(id);
      const field = <T>(name: keyof typeof rowFields): T | undefined => {
        const v = raw[`${name}_${id}`];
        const r = rowFields[name].safeParse(Array.isArray(v) ? v[0] : v);
        if (!r.success) {
          ctx.addIssue({ code: "custom", path: [`${name}_${id}`], message: r.error.issues[0]?.message ?? "格式不正确" });
          return undefined;
        }
        return r.data as T;
      };
      const monthsRaw = String(raw[`months_${id}`] ?? "").trim();
      let months = 1;
      if (monthsRaw !== "") {
        if (!/^\d{1,2}$/.test(monthsRaw) || Number(monthsRaw) < 1 || Number(monthsRaw) > ADVANCE_MAX_MONTHS) {
          ctx.addIssue({ code: "custom", path: [`months_${id}`], message: `连交月数应为 1 到 ${ADVANCE_MAX_MONTHS} 的整数` });
        } else months = Number(monthsRaw);
      }
      rows.push({
        memberId: id,
        basis: field<EntryRow["basis"] | null>("basis") ?? "regular",
        incomeFen: field<number | null>("income") ?? null,
        paidFen: field<number | null>("paid") ?? null,
        full: raw[`full_${id}`] === "1",
        method: field<EntryRow["method"]>("method") ?? null,
        delayReason: field<string | null>("delay") ?? null,
        months,
      });
    }
    return { month: body.month, paidOn: body.paidOn, collector: body.collector, rows };
  });
export type BulkEntryInput = z.infer<typeof bulkEntrySchema>;

export const closeMonthSchema = z.object({ month: monthField("月份") });

export const correctionSchema = z.object({
  basis: enumField(ENTERED_BASES, "计缴方式"),
  income: optionalYuanField("收入", MAX_INCOME_FEN),
  paid: optionalYuanField("实交金额", MAX_PAID_FEN),
  paidOn: optionalDateField("交纳日期"),
  method: optionalEnumField(PAYMENT_METHOD.keys, "交纳方式"),
  collector: optionalText("收缴人", 40),
  delay: optionalText("缓交原因", 100),
  note: requiredText("更正原因", 200),
});
export type CorrectionInput = z.infer<typeof correctionSchema>;

export const reductionSchema = z.object({
  kind: enumField(REDUCTION_KIND.keys, "减免类型"),
  amount: optionalYuanField("减交后每月金额", MAX_PAID_FEN),
  fromMonth: monthField("起始月份"),
  toMonth: optionalMonthField("截止月份"),
  reason: requiredText("减免原因", 200),
  approvedBy: requiredText("批准组织", 100),
  approvedOn: dateField("批准日期"),
});
export type ReductionInput = z.infer<typeof reductionSchema>;

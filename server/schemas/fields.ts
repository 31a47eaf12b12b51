// Zod field types built on the domain validators: forms, imports, the API and the CLIs share them.
// Each parses the raw text into the canonical value or fails with a Chinese message.

import { z } from "zod";
import { parseCreditCode } from "../domain/credit-code.js";
import { isDivisionCode } from "../domain/divisions.js";
import { divisionFromText } from "../domain/mobile-members.js";
import { parseLooseDate, parseMonth } from "../domain/dates.js";
import { parseIdNumber, toHalfWidth } from "../domain/id-number.js";
import type { Kept } from "../domain/masking.js";
import { parseMobilePhone } from "../domain/phone.js";
import { DEFAULT_PAGE_SIZE, PAGE_SIZES, type PageSize } from "../domain/list-rules.js";

const trimmed = z.string().transform((s) => toHalfWidth(s).trim());

export const requiredText = (label: string, max = 200) =>
  z
    .string({ error: `请填写${label}` })
    .transform((s) => s.trim())
    .pipe(z.string().min(1, `请填写${label}`).max(max, `${label}不能超过 ${max} 个字`));

export const optionalText = (label: string, max = 500) =>
  z
    .string()
    .optional()
    .transform((s) => (s ?? "").trim())
    .pipe(z.string().max(max, `${label}不能超过 ${max} 个字`))
    .transform((s) => (s === "" ? null : s));

export const idNumberField = trimmed.transform((s, ctx) => {
  const r = parseIdNumber(s);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", message: r.reason });
    return z.NEVER;
  }
  return r.value;
});

export const creditCodeField = trimmed.transform((s, ctx) => {
  const r = parseCreditCode(s);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", message: r.reason });
    return z.NEVER;
  }
  return r.value;
});

export const phoneField = trimmed.transform((s, ctx) => {
  const r = parseMobilePhone(s);
  if (!r.ok) {
    ctx.addIssue({ code: "custom", message: r.reason });
    return z.NEVER;
  }
  return r.value;
});

export const optionalPhoneField = z
  .string()
  .optional()
  .transform((s, ctx) => {
    const v = toHalfWidth(s ?? "").trim();
    if (v === "") return null;
    const r = parseMobilePhone(v);
    if (!r.ok) {
      ctx.addIssue({ code: "custom", message: r.reason });
      return z.NEVER;
    }
    return r.value;
  });

/**
 * A field an edit form shows masked (masking.ts, resolveKept): masked text (with "*") comes back as
 * { keep }, for the service to compare with the stored value; anything else is parsed by `field`.
 */
export function keepOr<T extends z.ZodType>(field: T) {
  return z
    .string()
    .optional()
    .transform((raw, ctx): Kept | z.output<T> => {
      const s = toHalfWidth(raw ?? "").trim();
      if (s.includes("*")) return { keep: s };
      const r = field.safeParse(s);
      if (!r.success) {
        ctx.addIssue({ code: "custom", message: r.error.issues[0]?.message ?? "格式不正确" });
        return z.NEVER;
      }
      return r.data;
    });
}

export const dateField = (label: string) =>
  trimmed.transform((s, ctx) => {
    if (s === "") {
      ctx.addIssue({ code: "custom", message: `请填写${label}` });
      return z.NEVER;
    }
    const d = parseLooseDate(s);
    if (!d) {
      ctx.addIssue({ code: "custom", message: `${label}不是有效日期（例如 2024-03-05）` });
      return z.NEVER;
    }
    return d;
  });

export const optionalDateField = (label: string) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      const v = toHalfWidth(s ?? "").trim();
      if (v === "") return null;
      const d = parseLooseDate(v);
      if (!d) {
        ctx.addIssue({ code: "custom", message: `${label}不是有效日期（例如 2024-03-05）` });
        return z.NEVER;
      }
      return d;
    });

export const optionalMonthField = (label: string) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      const v = (s ?? "").trim();
      if (v === "") return null;
      const m = parseMonth(v);
      if (!m) {
        ctx.addIssue({ code: "custom", message: `${label}应为年月（例如 2025-06）` });
        return z.NEVER;
      }
      return m;
    });

export const enumField = <const T extends readonly [string, ...string[]]>(values: T, label: string) =>
  z.enum(values, { error: `请选择${label}` });

export const optionalEnumField = <const T extends readonly [string, ...string[]]>(values: T, label: string) =>
  z
    .union([z.literal(""), z.enum(values, { error: `${label}的取值无效` })])
    .optional()
    .transform((v) => (v === "" || v === undefined ? null : v));

export const idParam = z.coerce.number({ error: "编号无效" }).int().positive();

export const optionalIdField = (label: string) =>
  z
    .union([
      z.literal(""),
      z.coerce
        .number()
        .int()
        .positive({ error: `${label}无效` }),
    ])
    .optional()
    .transform((v) => (v === "" || v === undefined ? null : v));

export const nonNegativeIntField = (label: string) =>
  z
    .union([z.string(), z.number()])
    .optional()
    .transform((v, ctx) => {
      const s = toHalfWidth(String(v ?? "")).trim();
      if (s === "") return 0;
      if (!/^-?\d+$/.test(s)) {
        ctx.addIssue({ code: "custom", message: `${label}应为整数` });
        return z.NEVER;
      }
      const n = Number(s);
      if (n < 0) {
        ctx.addIssue({ code: "custom", message: `${label}不能为负数` });
        return z.NEVER;
      }
      if (!Number.isSafeInteger(n)) {
        ctx.addIssue({ code: "custom", message: `${label}过大` });
        return z.NEVER;
      }
      return n;
    });

export const checkboxField = z
  .union([z.literal("on"), z.literal("1"), z.literal("true"), z.literal(""), z.array(z.string())])
  .optional()
  .transform((v) => v === "on" || v === "1" || v === "true" || (Array.isArray(v) && v.length > 0));

/** Turns a ZodError into { field: first Chinese message }. */
export function fieldErrorsOf(error: z.ZodError): Record<string, string> {
  const out: Record<string, string> = {};
  for (const issue of error.issues) {
    const key = issue.path.map(String).join(".") || "_form";
    if (!Object.hasOwn(out, key)) out[key] = issue.message;
  }
  return out;
}

/**
 * A region of China (GB/T 2260): a code, or a name the divisions know ("广东省深圳市南山区", "深圳");
 * blank is null. The value is the code.
 */
export const optionalDivisionField = (label: string) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      const v = toHalfWidth(s ?? "").trim();
      if (v === "") return null;
      const code = /^\d{6}(\d{3})?$/.test(v) ? (isDivisionCode(v) ? v : null) : divisionFromText(v);
      if (!code) {
        ctx.addIssue({ code: "custom", message: `${label}：未能识别为行政区划，请输入省、市、县（区）名称或 6 位行政区划代码` });
        return z.NEVER;
      }
      return code;
    });

/** A list's page size ("size" in its query): one of PAGE_SIZES, the default when absent. */
export const pageSizeField = z
  .string()
  .optional()
  .refine((v) => !v || (PAGE_SIZES as readonly number[]).includes(Number(v)), { error: `每页条数只能是 ${PAGE_SIZES.join("、")}` })
  .transform((v): PageSize => (v ? (Number(v) as PageSize) : DEFAULT_PAGE_SIZE));

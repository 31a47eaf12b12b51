import { z } from "zod";
import { ENTERPRISE_KINDS } from "../domain/codes.js";
import type { CoverageClass } from "../domain/coverage-rules.js";
import {
  checkboxField,
  creditCodeField,
  enumField,
  idParam,
  nonNegativeIntField,
  optionalDateField,
  optionalIdField,
  optionalText,
  pageSizeField,
  requiredText,
} from "./fields.js";

/** A code chosen from a select box; whether it exists is the service's check. */
const selected = (label: string) =>
  z
    .string({ error: `请选择${label}` })
    .trim()
    .min(1, `请选择${label}`)
    .max(40, `${label}无效`);

const ENTERPRISE_STATUSES = ["active", "closed"] as const;
export const ENTERPRISE_STATUS_LABEL: Record<(typeof ENTERPRISE_STATUSES)[number], string> = { active: "存续", closed: "已注销" };

/** The enterprise create/edit form. Industry, county and committee are checked against the database by the service. */
export const enterpriseInputSchema = z
  .object({
    name: requiredText("企业名称", 100),
    creditCode: creditCodeField,
    kind: enumField(ENTERPRISE_KINDS, "企业类型"),
    industryCode: selected("行业"),
    regionCode: selected("所在县区"),
    committeeId: optionalIdField("负责党委").pipe(z.number({ error: "请选择负责党委" })),
    address: optionalText("地址", 200),
    workerCount: nonNegativeIntField("从业人员数"),
    legalRepIsMember: checkboxField,
    legalRepIsSecretary: checkboxField,
    status: enumField(ENTERPRISE_STATUSES, "经营状态"),
  })
  .superRefine((v, ctx) => {
    if (v.legalRepIsSecretary && !v.legalRepIsMember) {
      ctx.addIssue({
        code: "custom",
        path: ["legalRepIsSecretary"],
        message: "兼任企业党组织书记的法定代表人必须是党员，请同时勾选“法定代表人是党员”",
      });
    }
  });
export type EnterpriseInput = z.output<typeof enterpriseInputSchema>;

/** Attach an organization's coverage to an enterprise. */
export const coverageInputSchema = z.object({
  organizationId: optionalIdField("党组织").pipe(z.number({ error: "请选择党组织" })),
  since: optionalDateField("覆盖起始日期"),
});
export type CoverageInput = z.output<typeof coverageInputSchema>;

export const enterpriseParams = z.object({ id: idParam });
export const coverageParams = z.object({ id: idParam, orgId: idParam });

const COVERAGE_FILTERS = ["standalone", "joint", "work", "uncovered"] as const satisfies readonly CoverageClass[];
const blankable = <T extends z.ZodType>(t: T) =>
  z
    .union([z.literal(""), t])
    .optional()
    .transform((v) => (v === "" || v === undefined ? null : v));

/** The list's filters. Unknown values are refused (400) rather than silently ignored. */
export const enterpriseListQuery = z.object({
  q: z
    .string()
    .max(100, "搜索内容过长")
    .optional()
    .transform((s) => (s ?? "").trim()),
  committee: blankable(z.coerce.number().int().positive({ error: "负责党委无效" })),
  county: blankable(z.string().regex(/^\d{6}$/, "县区无效")),
  industry: blankable(z.string().regex(/^[a-z_]{1,40}$/, "行业无效")),
  kind: blankable(z.enum(ENTERPRISE_KINDS, { error: "企业类型无效" })),
  coverage: blankable(z.enum(COVERAGE_FILTERS, { error: "覆盖情况无效" })),
  shouldForm: checkboxField,
  status: z
    .enum(["active", "closed", "all"], { error: "经营状态无效" })
    .optional()
    .transform((v) => v ?? "active"),
  page: z.coerce.number({ error: "页码无效" }).int().min(1, "页码无效").max(100000, "页码无效").optional().default(1),
  size: pageSizeField,
});
export type EnterpriseListQuery = z.output<typeof enterpriseListQuery>;

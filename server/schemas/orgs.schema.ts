import { z } from "zod";
import { ORG_FORMATIONS, ORG_KINDS } from "../domain/codes.js";
import {
  dateField,
  enumField,
  keepOr,
  optionalDateField,
  optionalEnumField,
  optionalIdField,
  optionalPhoneField,
  optionalText,
  requiredText,
} from "./fields.js";

export const orgInputSchema = z
  .object({
    code: requiredText("组织编码", 40).pipe(z.string().regex(/^[A-Za-z0-9-]+$/, "组织编码只能包含字母、数字和连字符")),
    name: requiredText("组织全称", 100),
    shortName: optionalText("简称", 40),
    kind: enumField(ORG_KINDS, "组织类别"),
    formation: optionalEnumField(ORG_FORMATIONS, "组建方式"),
    parentId: optionalIdField("上级党组织"),
    industryCode: z
      .string()
      .optional()
      .transform((v) => (v ? v : null)),
    regionCode: requiredText("所在行政区划", 12),
    foundedOn: optionalDateField("成立日期"),
    secretaryName: optionalText("书记姓名", 40),
    // The edit form shows it masked; sent back unchanged it keeps the stored number (orgs.service).
    secretaryPhone: keepOr(optionalPhoneField),
    termStartOn: optionalDateField("本届开始日期"),
    termEndOn: optionalDateField("本届届满日期"),
  })
  .superRefine((v, ctx) => {
    if (v.kind === "branch" && !v.formation)
      ctx.addIssue({ code: "custom", path: ["formation"], message: "党支部须选择组建方式（单独组建或联合组建）" });
    if (v.termStartOn && v.termEndOn && v.termEndOn <= v.termStartOn)
      ctx.addIssue({ code: "custom", path: ["termEndOn"], message: "届满日期应晚于本届开始日期" });
  });
export type OrgInput = z.output<typeof orgInputSchema>;

export const dissolveSchema = z.object({ dissolvedOn: dateField("撤销日期") });

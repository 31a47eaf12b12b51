// Forms of recruitment (发展党员): the application, one form for every step (the fields a step does
// not use stay blank), the committee's decision, the bulk training step, and the lists' queries. The
// rules across fields (dates in order, time limits) live in domain/recruitment-stages.ts.

import { z } from "zod";
import { OCCUPATIONS } from "../domain/codes.js";
import { toHalfWidth } from "../domain/id-number.js";
import { RECRUITMENT_STAGES } from "../domain/recruitment-rules.js";
import { STEP_ACTIONS } from "../domain/recruitment-stages.js";
import { dateField, optionalDateField, optionalEnumField, optionalIdField, optionalPhoneField, optionalText } from "./fields.js";

const optionalCount = (label: string, max: number) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      const v = toHalfWidth(s ?? "").trim();
      if (v === "") return null;
      if (!/^\d{1,4}$/.test(v) || Number(v) > max) {
        ctx.addIssue({ code: "custom", message: `${label}应为 0 至 ${max} 的整数` });
        return z.NEVER;
      }
      return Number(v);
    });

const requiredId = (label: string) =>
  z.coerce
    .number({ error: `请选择${label}` })
    .int({ error: `请选择${label}` })
    .positive({ error: `请选择${label}` });

export const applicationSchema = z.object({
  orgId: requiredId("党支部"),
  leadId: optionalIdField("摸排线索"),
  workerId: optionalIdField("从业人员"),
  // Name and ID number come from the lead or worker when one is given; else they are typed.
  name: optionalText("姓名", 40),
  idNumber: optionalText("公民身份号码", 30),
  phone: optionalPhoneField,
  occupation: optionalEnumField(OCCUPATIONS, "职业"),
  enterpriseId: optionalIdField("所在企业"),
  appliedOn: dateField("入党申请书日期"),
  remark: optionalText("备注", 500),
});
export type ApplicationInput = z.infer<typeof applicationSchema>;

export const stepSchema = z.object({
  on: optionalDateField("日期"),
  talkedBy: optionalText("谈话人", 40),
  contact1: optionalText("第一培养联系人", 40),
  contact2: optionalText("第二培养联系人", 40),
  assessment: optionalText("考察意见", 500),
  trainingName: optionalText("培训班名称", 100),
  trainingHours: optionalCount("培训学时", 1000),
  trainingDays: optionalCount("培训天数", 365),
  sponsor1: optionalText("第一入党介绍人", 40),
  sponsor2: optionalText("第二入党介绍人", 40),
  publicFrom: optionalDateField("公示开始日期"),
  publicTo: optionalDateField("公示结束日期"),
  volunteerBookNo: optionalText("入党志愿书编号", 40),
  approvedOn: optionalDateField("上级党委审批日期"),
  extensionMonths: optionalCount("延长预备期月数", 24),
  remark: optionalText("备注", 500),
});
export type StepFormInput = z.infer<typeof stepSchema>;

export const stepParams = z.object({
  id: z.coerce.number().int().positive(),
  action: z.enum(STEP_ACTIONS as [string, ...string[]]),
});

export const decisionSchema = z.object({
  decision: z.enum(["approve", "reject"], { error: "请选择审核意见" }),
  approvedOn: dateField("审核日期"),
  remark: optionalText("审核意见", 500),
});
export type DecisionInput = z.infer<typeof decisionSchema>;

/** A training class: the same training step for several activists at once. */
export const bulkTrainingSchema = z.object({
  ids: z
    .union([z.string(), z.array(z.string())], { error: "请至少选择一名学员" })
    .transform((v) => (Array.isArray(v) ? v : [v]).map(Number))
    .pipe(
      z
        .array(z.number().int().positive({ error: "学员编号无效" }))
        .min(1, "请至少选择一名学员")
        .max(500, "一次最多 500 人"),
    ),
  on: dateField("培训结业日期"),
  trainingName: optionalText("培训班名称", 100),
  trainingHours: optionalCount("培训学时", 1000),
  trainingDays: optionalCount("培训天数", 365),
});
export type BulkTrainingInput = z.infer<typeof bulkTrainingSchema>;

const yes = z
  .union([z.literal("1"), z.literal("")])
  .optional()
  .transform((v) => v === "1");

export const pipelineQuerySchema = z.object({
  org: optionalIdField("党组织"),
  stage: optionalEnumField(RECRUITMENT_STAGES, "阶段"),
  overdue: yes,
});

export const FIGURE_KEYS = ["applicants", "activists", "candidates", "recruited", "madeFull"] as const;
export type RecruitmentFigure = (typeof FIGURE_KEYS)[number];

export const peopleQuerySchema = z.object({
  figure: z.enum(FIGURE_KEYS, { error: "统计项无效" }),
  scope: z.string().max(100).optional(),
  org: optionalIdField("党组织"),
  occupation: z.union([z.enum(OCCUPATIONS), z.literal("none"), z.literal("")]).optional(),
});

export const newApplicationQuerySchema = z.object({
  lead: optionalIdField("摸排线索"),
  worker: optionalIdField("从业人员"),
  q: optionalText("关键词", 50),
});

export const exportQuerySchema = z.object({
  org: optionalIdField("党组织"),
  stage: optionalEnumField(RECRUITMENT_STAGES, "阶段"),
});

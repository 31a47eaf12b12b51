import { z } from "zod";
import { INSTRUCTOR_KINDS } from "../domain/codes.js";
import { checkboxField, dateField, enumField, idParam, optionalIdField, optionalPhoneField, optionalText, requiredText } from "./fields.js";

const INSTRUCTOR_STATUSES = ["active", "inactive"] as const;
export const INSTRUCTOR_STATUS_LABEL: Record<(typeof INSTRUCTOR_STATUSES)[number], string> = { active: "在岗", inactive: "已离岗" };

/**
 * The instructor create/edit form. On edit an empty phone keeps the stored number (the form never
 * shows it whole); `clearPhone` removes it.
 */
export const instructorInputSchema = z.object({
  name: requiredText("姓名", 40),
  kind: enumField(INSTRUCTOR_KINDS, "类别"),
  phone: optionalPhoneField,
  clearPhone: checkboxField,
  workUnit: optionalText("工作单位及职务", 100),
  committeeId: optionalIdField("派出党委").pipe(z.number({ error: "请选择派出党委" })),
  status: enumField(INSTRUCTOR_STATUSES, "在岗状态"),
});
export type InstructorInput = z.output<typeof instructorInputSchema>;

/** Assign an instructor to an enterprise, named by its credit code or its exact name. */
export const assignmentInputSchema = z.object({
  enterprise: requiredText("企业（统一社会信用代码或企业全称）", 100),
  assignedOn: dateField("派驻日期"),
});
export type AssignmentInput = z.output<typeof assignmentInputSchema>;

export const endAssignmentSchema = z.object({ endedOn: dateField("结束日期") });

export const instructorParams = z.object({ id: idParam });
export const assignmentParams = z.object({ id: idParam, assignmentId: idParam });

const blankable = <T extends z.ZodType>(t: T) =>
  z
    .union([z.literal(""), t])
    .optional()
    .transform((v) => (v === "" || v === undefined ? null : v));

export const instructorListQuery = z.object({
  q: z
    .string()
    .max(40, "搜索内容过长")
    .optional()
    .transform((s) => (s ?? "").trim()),
  committee: blankable(z.coerce.number().int().positive({ error: "派出党委无效" })),
  kind: blankable(z.enum(INSTRUCTOR_KINDS, { error: "类别无效" })),
  status: z
    .enum(["active", "inactive", "all"], { error: "在岗状态无效" })
    .optional()
    .transform((v) => v ?? "active"),
  page: z.coerce.number({ error: "页码无效" }).int().min(1, "页码无效").max(100000, "页码无效").optional().default(1),
});
export type InstructorListQuery = z.output<typeof instructorListQuery>;

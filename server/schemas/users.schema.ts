import { z } from "zod";
import { ROLES } from "../domain/codes.js";
import { enumField, idParam, requiredText } from "./fields.js";

export const userCreateSchema = z.object({
  username: requiredText("用户名", 32),
  displayName: requiredText("姓名", 40),
  role: enumField(ROLES, "角色"),
  orgId: idParam.refine(() => true, "请选择所属组织"),
  password: z.string({ error: "请填写初始密码" }).min(1, "请填写初始密码"),
});

export const userUpdateSchema = z.object({
  displayName: requiredText("姓名", 40),
  role: enumField(ROLES, "角色"),
  orgId: idParam,
});

export const passwordResetSchema = z.object({ password: z.string().min(1, "请填写新密码") });

export const ownPasswordSchema = z
  .object({
    current: z.string().min(1, "请填写当前密码"),
    password: z.string().min(1, "请填写新密码"),
    confirm: z.string().min(1, "请再次填写新密码"),
  })
  .refine((v) => v.password === v.confirm, { path: ["confirm"], message: "两次填写的新密码不一致" });

export const auditQuerySchema = z.object({
  action: z.string().max(40).optional(),
  username: z.string().max(64).optional(),
  entity: z.string().max(40).optional(),
  from: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "开始日期格式应为 YYYY-MM-DD")
    .optional()
    .or(z.literal("")),
  to: z
    .string()
    .regex(/^\d{4}-\d{2}-\d{2}$/, "结束日期格式应为 YYYY-MM-DD")
    .optional()
    .or(z.literal("")),
  page: z.coerce.number().int().min(1).max(100000).default(1),
});

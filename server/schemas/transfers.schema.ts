// Forms of transfers, mobile members, contact and leaving. Cross-field rules (who may send where,
// the member's state, validity) live in the services, which answer with field errors too.

import { z } from "zod";
import { LOST_CONTACT_REASONS, TRANSFER_KINDS, TRANSFER_STATES } from "../domain/codes.js";
import { toHalfWidth } from "../domain/id-number.js";
import { MOBILE_UNIT_KINDS } from "../domain/mobile-members.js";
import {
  checkboxField,
  dateField,
  enumField,
  optionalDateField,
  optionalDivisionField,
  optionalEnumField,
  optionalIdField,
  optionalMonthField,
  optionalText,
  requiredText,
} from "./fields.js";

/** Days of validity: blank means the default for the kind. */
const optionalDaysField = (label: string) =>
  z
    .string()
    .optional()
    .transform((s, ctx) => {
      const v = toHalfWidth(s ?? "").trim();
      if (v === "") return null;
      if (!/^\d{1,4}$/.test(v) || Number(v) < 1) {
        ctx.addIssue({ code: "custom", message: `${label}应为正整数（天）` });
        return z.NEVER;
      }
      return Number(v);
    });

const requiredId = (label: string) =>
  z.coerce
    .number({ error: `请选择${label}` })
    .int({ error: `请选择${label}` })
    .positive({ error: `请选择${label}` });

export const transferInputSchema = z.object({
  kind: enumField(TRANSFER_KINDS, "转接类型"),
  memberId: requiredId("党员"),
  toOrgId: optionalIdField("接收党组织"),
  externalOrgName: optionalText("系统外党组织名称", 200),
  letterNumber: optionalText("介绍信编号", 60),
  issuedOn: dateField("签发日期"),
  validDays: optionalDaysField("有效期"),
  duesPaidTo: optionalMonthField("党费交至"),
  reason: optionalText("转接原因", 200),
  correctsTransferId: optionalIdField("更正的转接"),
});
export type TransferInput = z.infer<typeof transferInputSchema>;

export const acceptSchema = z.object({ receiptOn: dateField("回执日期") });
export type AcceptInput = z.infer<typeof acceptSchema>;

export const returnSchema = z.object({ returnReason: requiredText("退回原因", 200) });
export type ReturnInput = z.infer<typeof returnSchema>;

export const cancelSchema = z.object({ cancelReason: requiredText("撤销原因", 200) });
export type CancelInput = z.infer<typeof cancelSchema>;

const yes = z
  .union([z.literal("1"), z.literal("")])
  .optional()
  .transform((v) => v === "1");

export const transferFilterSchema = z.object({
  kind: optionalEnumField(TRANSFER_KINDS, "转接类型"),
  state: optionalEnumField(TRANSFER_STATES, "状态"),
  from: optionalDateField("签发日期（起）"),
  to: optionalDateField("签发日期（止）"),
  org: optionalIdField("党组织"),
  overdue: yes,
  q: optionalText("关键词", 50),
  page: z.coerce.number().int().positive().max(100_000).optional().default(1),
});
export type TransferFilter = z.infer<typeof transferFilterSchema>;

export const newTransferQuerySchema = z.object({
  member: optionalIdField("党员"),
  kind: optionalEnumField(TRANSFER_KINDS, "转接类型"),
  corrects: optionalIdField("更正的转接"),
  q: optionalText("关键词", 50),
});

// -- Mobile members (流动党员) ---------------------------------------------------------------------

export const mobileInSchema = z.object({
  orgId: requiredId("管理党组织"),
  homeRegionCode: optionalDivisionField("组织关系所在地区"),
  homeOrgName: requiredText("组织关系所在党组织", 200),
  certificateNumber: requiredText("流动党员活动证编号", 60),
  certificateValidUntil: dateField("活动证有效期至"),
  startedOn: dateField("流入日期"),
});
export type MobileInInput = z.infer<typeof mobileInSchema>;

export const mobileOutSchema = z.object({
  destinationCode: optionalDivisionField("流向地区"),
  unitKind: enumField(MOBILE_UNIT_KINDS, "流向单位类别"),
  destination: optionalText("外出工作单位或详细地点", 200),
  certificateHeld: checkboxField,
  certificateNumber: optionalText("流动党员活动证编号", 60),
  certificateValidUntil: optionalDateField("活动证有效期至"),
  contactPerson: optionalText("流入地联系人及电话", 100),
  expectedReturnOn: optionalDateField("预计返回日期"),
  outStartedOn: dateField("外出日期"),
});
export type MobileOutInput = z.infer<typeof mobileOutSchema>;

export const endSpellSchema = z.object({ endedOn: dateField("结束日期") });
export type EndSpellInput = z.infer<typeof endSpellSchema>;

export const renewCertificateSchema = z.object({
  newCertificateNumber: optionalText("新活动证编号", 60),
  newValidUntil: dateField("活动证有效期至"),
});
export type RenewCertificateInput = z.infer<typeof renewCertificateSchema>;

// -- Contact ---------------------------------------------------------------------------

export const lostContactSchema = z.object({
  lostContactOn: dateField("失联日期"),
  lostContactReason: enumField(LOST_CONTACT_REASONS, "失联原因"),
});
export type LostContactInput = z.infer<typeof lostContactSchema>;

export const restoreContactSchema = z.object({ restoredOn: dateField("恢复联系日期") });
export type RestoreContactInput = z.infer<typeof restoreContactSchema>;

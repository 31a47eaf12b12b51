// Forms of membership changes (停止党籍, 恢复党籍, 出党, death) and their approval. Which change a
// member's standing allows, and the six months out of contact, are the service's (domain rules).

import { z } from "zod";
import { MEMBERSHIP_CHANGE_KINDS } from "../domain/membership-changes.js";
import { dateField, enumField, optionalDateField, optionalText, requiredText } from "./fields.js";

export const proposeChangeSchema = z.object({
  kind: enumField(MEMBERSHIP_CHANGE_KINDS, "办理事项"),
  effectiveOn: dateField("生效日期"),
  reason: requiredText("原因", 500),
  decisionBody: optionalText("决定机关", 100),
  decidedOn: optionalDateField("决定日期"),
  searchedOn: optionalDateField("查找日期"),
  searchNote: optionalText("查找情况", 500),
});
export type ProposeChangeInput = z.infer<typeof proposeChangeSchema>;

export const approveChangeSchema = z.object({
  approvedOn: dateField("审批日期"),
  approvalNote: optionalText("审批意见", 500),
});
export type ApproveChangeInput = z.infer<typeof approveChangeSchema>;

export const rejectChangeSchema = z.object({
  approvedOn: dateField("审批日期"),
  approvalNote: requiredText("不予批准的理由", 500),
});
export type RejectChangeInput = z.infer<typeof rejectChangeSchema>;

// Field visits (深入基层线下找): a clerk on a visit records a member met at a station or enterprise,
// from a phone. When the clerk checked the member's documents on the spot, the lead is verified
// at once: the member record is created or linked, with discovery channel field_visit.

import { eq } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, organizations } from "../../../db/schema.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite, assertRole, orgPathInScope, scopePath } from "../../policy/actor.js";
import type { FieldVisitInput } from "../../schemas/finds.schema.js";
import { recordAudit } from "../admin/audit.js";
import { verifyLead } from "./leads.js";
import { type IntakeResult, intakeLead } from "./lead-intake.js";
import { declaredFactErrors } from "../../domain/self-declaration.js";
import { checkEnterprise, resolveCommittee } from "./scope.js";

export type FieldVisitResult = {
  outcome: IntakeResult["outcome"];
  leadId: number | null;
  memberId: number | null;
  verified: boolean;
  /** What happened, in words for the clerk (no personal data). */
  message: string;
};

export function recordFieldVisit(db: Db, actor: Actor, input: FieldVisitInput, today: string): FieldVisitResult {
  assertCanWrite(actor);
  assertRole(actor, "admin", "clerk");
  const committee = resolveCommittee(db, actor, input.committeeId);
  const enterpriseId = checkEnterprise(db, committee, input.enterpriseId);
  const errors = declaredFactErrors({ ...input, category: input.category }, today);
  if (input.visitedOn > today) errors.visitedOn = "走访日期不能晚于今天";
  if (Object.keys(errors).length > 0) throw AppError.invalid(errors);
  const enterpriseName = enterpriseId
    ? (db.select({ name: enterprises.name }).from(enterprises).where(eq(enterprises.id, enterpriseId)).get()?.name ?? null)
    : null;
  const where = enterpriseName ?? input.place;
  const note = [input.place && enterpriseName ? `地点：${input.place}` : null, input.note].filter(Boolean).join("；") || null;

  return db.transaction(
    (tx) => {
      const r = intakeLead(tx, actor, {
        idNumber: input.idNumber,
        name: input.name,
        phone: input.phone,
        channel: "field_visit",
        committeeId: committee.id,
        enterpriseId,
        occupation: input.occupation,
        platform: input.platform,
        homeOrgName: input.homeOrgName,
        joinedOn: input.joinedOn,
        foundOn: input.visitedOn,
        selfReportLinkId: null,
        note,
        sourceLabel: `${actor.displayName}走访${where ? `“${where}”` : ""}`,
        scopePath: scopePath(actor),
      });
      let result: FieldVisitResult;
      if (r.outcome === "member_elsewhere") {
        // What the member form says of the same number: registered elsewhere, nothing more.
        result = {
          outcome: r.outcome,
          leadId: null,
          memberId: null,
          verified: false,
          message: "该身份证号已由其他党组织登记为党员，未生成线索；如需核实，请联系上级党组织。",
        };
      } else if (r.outcome === "already_member") {
        result = {
          outcome: r.outcome,
          leadId: null,
          memberId: r.memberId,
          verified: false,
          message: "该人员已是登记在册的党员，未生成新线索；本次走访已记入其党员信息的时间线。",
        };
      } else {
        const leadPath =
          tx.select({ path: organizations.path }).from(organizations).where(eq(organizations.id, r.leadCommitteeId)).get()?.path ?? "";
        const ours = orgPathInScope(actor, leadPath);
        if (!ours) {
          result = {
            outcome: r.outcome,
            leadId: r.leadId,
            memberId: null,
            verified: false,
            message: "该人员已是其他党委的摸排线索，本次走访已记入该线索，由该党委核实。",
          };
        } else if (input.documentsChecked) {
          // The leads area's one verification: creates or links the member, channel and dates kept.
          const { memberId } = verifyLead(tx, actor, r.leadId, { category: input.category ?? "full", joinedOn: input.joinedOn }, today);
          result = {
            outcome: r.outcome,
            leadId: r.leadId,
            memberId,
            verified: true,
            message:
              r.outcome === "created"
                ? "已记录：现场查验证件，线索已核实为党员（尚未纳管，请编入党支部或按流动党员管理）。"
                : "已记录：该人员原有线索已合并，并核实为党员。",
          };
        } else {
          result = {
            outcome: r.outcome,
            leadId: r.leadId,
            memberId: null,
            verified: false,
            message: r.outcome === "created" ? "已记录为待核实的摸排线索。" : "该人员已有摸排线索，本次走访已合并到原线索。",
          };
        }
      }
      recordAudit(tx, actor, {
        action: "field_visit",
        entity: r.outcome === "already_member" || r.outcome === "member_elsewhere" ? "member" : "lead",
        entityId: r.outcome === "already_member" ? r.memberId : r.leadId,
        details: {
          outcome: result.outcome,
          verified: result.verified,
          committeeId: committee.id,
          enterpriseId,
          visitedOn: input.visitedOn,
        },
      });
      return result;
    },
    { behavior: "immediate" },
  );
}

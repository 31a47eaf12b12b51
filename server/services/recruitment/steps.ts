// Taking a step of an application: the state machine decides whether it may be taken and by whom
// (domain/recruitment-stages.ts), the rules check its dates, and one immediate transaction writes the
// record, the log row, the audit entry and, on admission and 转正, the member record. A branch's
// committee step (candidate, admission, 转正, cancelling a probation) waits as a proposal until a
// clerk or administrator above the branch approves it, when the rules are checked again.

import { and, eq, isNull } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { members, recruitments, recruitmentSteps } from "../../../db/schema.js";
import { RECRUITMENT_STAGE, type RecruitmentStage } from "../../domain/recruitment-rules.js";
import {
  decideStep,
  planStep,
  type RecordChanges,
  type RecruitmentFacts,
  STEP_ACTION,
  type StepAction,
  type StepInput,
} from "../../domain/recruitment-stages.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite } from "../../policy/actor.js";
import type { BulkTrainingInput, DecisionInput, StepFormInput } from "../../schemas/recruitment.schema.js";
import { recordAudit } from "../admin/audit.js";
import { createMember, getMember } from "../members/members.service.js";
import { addTimelineEntries } from "../members/timeline.js";
import { getRecruitment, levelOf, type Recruitment } from "./records.js";

function factsOf(tx: Db, r: Recruitment): RecruitmentFacts {
  const member = r.memberId != null ? tx.select().from(members).where(eq(members.id, r.memberId)).get() : null;
  return {
    stage: r.stage,
    birthDate: r.birthDate,
    appliedOn: r.appliedOn,
    talkedOn: r.talkedOn,
    activistOn: r.activistOn,
    lastAssessedOn: r.lastAssessedOn,
    trainingEndedOn: r.trainingEndedOn,
    trainingHours: r.trainingHours,
    trainingDays: r.trainingDays,
    politicalCheckOn: r.politicalCheckOn,
    candidateOn: r.candidateOn,
    plannedOn: r.plannedOn,
    joinedOn: r.joinedOn,
    extensionMonths: r.extensionMonths,
    transferredOut: member ? member.relationStatus === "transferred_out" || member.leftReason === "transferred_out" : false,
  };
}

/** Refusals of a step: 409 for a stage that does not allow it, field errors for the rules. */
function refuse(status: 403 | 409, message: string): never {
  throw status === 403 ? AppError.forbidden(message) : AppError.conflict(message);
}

type Applied = { record: Recruitment; proposal: boolean; notes: string[] };

/** Writes a step's changes; on admission creates the member, on 转正 makes the member full, on cancelling ends it. */
function applyChanges(
  tx: Db,
  actor: Actor,
  r: Recruitment,
  action: StepAction,
  to: RecruitmentStage,
  changes: RecordChanges,
  today: string,
) {
  let memberId = r.memberId;
  if (action === "admit") {
    // The member record, made by the members service (its checks, its timeline entry, its audit entry).
    const m = createMember(
      tx,
      actor,
      {
        name: r.name,
        gender: r.gender,
        ethnicity: "01",
        birthDate: r.birthDate,
        idNumber: r.idNumber,
        phone: r.phone,
        education: null,
        category: "probationary",
        joinedOn: changes.joinedOn!,
        fullOn: null,
        occupation: r.occupation,
        enterpriseId: r.enterpriseId,
        orgId: r.orgId,
        relationStatus: "local",
        relationOrgName: null,
        discoveryChannel: r.discoveryChannel,
        discoveredOn: r.discoveryChannel ? r.appliedOn : null,
        verifiedOn: null,
        managedOn: changes.joinedOn!,
      } as Parameters<typeof createMember>[2],
      today,
    );
    memberId = m.id;
    addTimelineEntries(tx, actor, [
      {
        memberId: m.id,
        kind: "recruited",
        summary: `经支部大会（${changes.joinedOn}）讨论接收为预备党员，上级党委于 ${changes.approvedOn} 审批，入党志愿书编号 ${changes.volunteerBookNo}`,
        details: { recruitmentId: r.id },
      },
    ]);
  }
  if (action === "full" || action === "cancelProbation") {
    const m = getMember(tx, actor, r.memberId!);
    if (action === "full") {
      // 转正: the member's own record changes here, in the same transaction as the step.
      tx.update(members)
        .set({ category: "full", fullOn: changes.fullOn!, updatedAt: new Date().toISOString() })
        .where(eq(members.id, m.id))
        .run();
      addTimelineEntries(tx, actor, [
        {
          memberId: m.id,
          kind: "made_full",
          summary: `预备期满，按期转为正式党员（转正日期 ${changes.fullOn}）`,
          details: { recruitmentId: r.id },
        },
      ]);
      recordAudit(tx, actor, {
        action: "update",
        entity: "member",
        entityId: m.id,
        before: { category: m.category, fullOn: m.fullOn },
        after: { category: "full", fullOn: changes.fullOn },
      });
    } else {
      tx.update(members)
        .set({ leftOn: changes.closedOn!, leftReason: "probation_cancelled", updatedAt: new Date().toISOString() })
        .where(eq(members.id, m.id))
        .run();
      addTimelineEntries(tx, actor, [
        {
          memberId: m.id,
          kind: "probation_cancelled",
          summary: `取消预备党员资格（${changes.closedOn}）`,
          details: { recruitmentId: r.id },
        },
      ]);
      recordAudit(tx, actor, {
        action: "update",
        entity: "member",
        entityId: m.id,
        before: { leftOn: m.leftOn, leftReason: m.leftReason },
        after: { leftOn: changes.closedOn, leftReason: "probation_cancelled" },
      });
    }
  }
  return tx
    .update(recruitments)
    .set({ ...changes, stage: to, memberId, pendingStepId: null, updatedAt: new Date().toISOString() })
    .where(eq(recruitments.id, r.id))
    .returning()
    .get();
}

function inputOf(f: StepFormInput): StepInput {
  return { ...f };
}

/** Takes one step on one record (the step form), or proposes it when the committee must check it. */
export function takeStep(db: Db, actor: Actor, id: number, action: StepAction, form: StepFormInput, today: string): Applied {
  assertCanWrite(actor);
  return db.transaction((tx) => takeStepIn(tx, actor, id, action, form, today), { behavior: "immediate" });
}

function takeStepIn(tx: Db, actor: Actor, id: number, action: StepAction, form: StepFormInput, today: string): Applied {
  const { r } = getRecruitment(tx, actor, id);
  const level = levelOf(actor)!;
  const d = decideStep(r.stage, action, level, r.pendingStepId != null);
  if (!d.ok) refuse(d.status, d.message);
  const input = inputOf(form);
  const plan = planStep(factsOf(tx, r), action, input, today, { proposal: d.proposal });
  if (!plan.ok) throw AppError.invalid(plan.errors);
  const step = tx
    .insert(recruitmentSteps)
    .values({
      recruitmentId: r.id,
      action,
      fromStage: r.stage,
      toStage: d.proposal ? r.stage : d.to,
      on: input.on!,
      result: d.proposal ? "proposed" : "done",
      userId: actor.id > 0 ? actor.id : null,
      role: actor.role,
      remark: input.remark ?? null,
      details: { input, notes: plan.notes },
    })
    .returning({ id: recruitmentSteps.id })
    .get();
  let record: Recruitment;
  if (d.proposal) {
    record = tx
      .update(recruitments)
      .set({ pendingStepId: step.id, updatedAt: new Date().toISOString() })
      .where(and(eq(recruitments.id, r.id), isNull(recruitments.pendingStepId)))
      .returning()
      .get()!;
  } else record = applyChanges(tx, actor, r, action, d.to, plan.changes, today);
  recordAudit(tx, actor, {
    action: d.proposal ? `recruitment_propose_${action}` : `recruitment_${action}`,
    entity: "recruitment",
    entityId: r.id,
    before: { stage: r.stage },
    after: { stage: record.stage, ...plan.changes, pending: d.proposal },
  });
  return { record, proposal: d.proposal, notes: plan.notes };
}

/** The committee approves or rejects a branch's proposal; approving checks the rules again and takes the step. */
export function decideProposal(db: Db, actor: Actor, id: number, input: DecisionInput, today: string): Applied {
  assertCanWrite(actor);
  if (levelOf(actor) !== "committee") throw AppError.forbidden("只有上级党委（行业党委工作人员或管理员）才能审核支部报来的事项。");
  return db.transaction(
    (tx) => {
      const { r } = getRecruitment(tx, actor, id);
      if (r.pendingStepId == null) refuse(409, "没有待审核的事项：可能已被他人审核，请刷新页面。");
      const proposal = tx.select().from(recruitmentSteps).where(eq(recruitmentSteps.id, r.pendingStepId!)).get()!;
      const action = proposal.action as StepAction;
      if (input.approvedOn > today) throw AppError.invalid({ approvedOn: "审核日期不能晚于今天" });
      if (input.approvedOn < proposal.on) throw AppError.invalid({ approvedOn: `审核日期不能早于支部报送的日期（${proposal.on}）` });
      const base = {
        recruitmentId: r.id,
        action,
        fromStage: r.stage,
        on: input.approvedOn,
        userId: actor.id > 0 ? actor.id : null,
        role: actor.role,
        decidesStepId: proposal.id,
      };
      if (input.decision === "reject") {
        if (!input.remark) throw AppError.invalid({ remark: "请填写不同意的理由" });
        tx.insert(recruitmentSteps)
          .values({ ...base, toStage: r.stage, result: "rejected", remark: input.remark })
          .run();
        const record = tx
          .update(recruitments)
          .set({ pendingStepId: null, updatedAt: new Date().toISOString() })
          .where(eq(recruitments.id, r.id))
          .returning()
          .get();
        recordAudit(tx, actor, {
          action: `recruitment_reject_${action}`,
          entity: "recruitment",
          entityId: r.id,
          details: { proposalStepId: proposal.id, remark: input.remark },
        });
        return { record, proposal: false, notes: [] };
      }
      const d = decideStep(r.stage, action, "committee");
      if (!d.ok) refuse(d.status, d.message);
      const proposed = ((proposal.details as { input?: StepInput } | null)?.input ?? {}) as StepInput;
      const stepInput: StepInput = { ...proposed, approvedOn: input.approvedOn, remark: input.remark ?? proposed.remark ?? null };
      const plan = planStep(factsOf(tx, r), action, stepInput, today);
      if (!plan.ok) {
        // The proposal no longer passes (e.g. the approval came too late): say which rule, keep it pending.
        const [field, message] = Object.entries(plan.errors)[0]!;
        throw AppError.invalid({ [field === "approvedOn" || field === "remark" ? field : "decision"]: message });
      }
      tx.insert(recruitmentSteps)
        .values({ ...base, toStage: d.to, result: "approved", remark: input.remark, details: { notes: plan.notes } })
        .run();
      const record = applyChanges(tx, actor, r, action, d.to, plan.changes, today);
      recordAudit(tx, actor, {
        action: `recruitment_approve_${action}`,
        entity: "recruitment",
        entityId: r.id,
        before: { stage: r.stage },
        after: { stage: record.stage, ...plan.changes },
      });
      return { record, proposal: false, notes: plan.notes };
    },
    { behavior: "immediate" },
  );
}

/** One training class for several activists: each gets the training step, all or none. */
export function bulkTraining(db: Db, actor: Actor, input: BulkTrainingInput, today: string): number {
  assertCanWrite(actor);
  const form = {
    on: input.on,
    trainingName: input.trainingName,
    trainingHours: input.trainingHours,
    trainingDays: input.trainingDays,
  } as StepFormInput;
  return db.transaction(
    (tx) => {
      for (const id of new Set(input.ids)) {
        try {
          takeStepIn(tx, actor, id, "training", form, today);
        } catch (err) {
          if (err instanceof AppError && err.status !== 404) {
            const { r } = getRecruitment(tx, actor, id);
            const why = err.fieldErrors ? Object.values(err.fieldErrors).join("；") : err.message;
            throw AppError.invalid(
              { ids: `${r.name}（${RECRUITMENT_STAGE.label[r.stage]}）：${why}` },
              `${STEP_ACTION.training}未登记：${why}`,
            );
          }
          throw err;
        }
      }
      return new Set(input.ids).size;
    },
    { behavior: "immediate" },
  );
}

// A recruitment record as read and started: the scoped lookup (out of scope reads as not found),
// the record page with its step log, the application form's options, and starting an application
// — typed, or from a found lead or a roster worker without retyping.

import { and, asc, desc, eq, inArray, like } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, leads, members, organizations, recruitments, recruitmentSteps, users, workers } from "../../../db/schema.js";
import type { DiscoveryChannel, Occupation } from "../../domain/codes.js";
import { parseIdNumber } from "../../domain/id-number.js";
import { maskIdNumber, maskPhone } from "../../domain/masking.js";
import { dueItems } from "../../domain/recruitment-due.js";
import { calendarNote, OPEN_STAGES } from "../../domain/recruitment-rules.js";
import { allowedSteps, checkApplication, type Level } from "../../domain/recruitment-stages.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite, canUnmask, canWrite, orgIdInScope, orgPathInScope } from "../../policy/actor.js";
import type { ApplicationInput } from "../../schemas/recruitment.schema.js";
import { recordAudit } from "../admin/audit.js";
import { memberFormOptions } from "../members/members.service.js";

export type Recruitment = typeof recruitments.$inferSelect;

/** Organizations that recruit: branches and general branches (a committee's secretary does not hold applicants). */
export const RECRUITING_KINDS = ["branch", "general_branch"] as const;

/** The record inside the actor's scope, with its branch's path; else 404, as for an id that does not exist. */
export function getRecruitment(db: Db, actor: Actor, id: number): { r: Recruitment; orgPath: string; orgName: string } {
  const row = db
    .select({ r: recruitments, path: organizations.path, orgName: organizations.name })
    .from(recruitments)
    .innerJoin(organizations, eq(organizations.id, recruitments.orgId))
    .where(eq(recruitments.id, id))
    .get();
  if (!row || !orgPathInScope(actor, row.path)) throw AppError.notFound("发展党员记录");
  return { r: row.r, orgPath: row.path, orgName: row.orgName };
}

/** A branch secretary proposes; a clerk or administrator above the branch is the committee that checks. */
export function levelOf(actor: Actor): Level | null {
  if (!canWrite(actor)) return null;
  return actor.role === "secretary" ? "branch" : "committee";
}

/** The branches an actor may start applications in, and the enterprises they may name. */
export function applicationOptions(db: Db, actor: Actor) {
  const o = memberFormOptions(db, actor);
  const kinds = new Map(
    db
      .select({ id: organizations.id, kind: organizations.kind })
      .from(organizations)
      .where(inArray(organizations.kind, [...RECRUITING_KINDS]))
      .all()
      .map((x) => [x.id, x.kind]),
  );
  return {
    orgOptions: o.orgOptions.filter((x) => kinds.has(x.id)).map((x) => ({ id: x.id, name: x.name })),
    enterpriseOptions: o.enterpriseOptions.map((e) => ({ id: e.id, name: e.name })),
  };
}

export type Source = {
  leadId: number | null;
  workerId: number | null;
  name: string;
  idNumber: string;
  phone: string | null;
  occupation: Occupation | null;
  enterpriseId: number | null;
  discoveryChannel: DiscoveryChannel | null;
};

/** A found lead in the actor's scope, as the application's starting values. */
export function sourceFromLead(db: Db, actor: Actor, leadId: number): Source {
  const l = db
    .select()
    .from(leads)
    .where(and(eq(leads.id, leadId), orgIdInScope(actor, leads.committeeId)))
    .get();
  if (!l) throw AppError.invalid({ leadId: "该摸排线索不存在或不在您的管辖范围内" });
  if (l.status === "verified") throw AppError.invalid({ leadId: "该线索已核实为党员，不需要发展" });
  return {
    leadId: l.id,
    workerId: l.workerId,
    name: l.name,
    idNumber: l.idNumber,
    phone: l.phone,
    occupation: l.occupation,
    enterpriseId: l.enterpriseId,
    discoveryChannel: l.channel,
  };
}

/** A roster worker in the actor's scope, as the application's starting values (the channel of a lead on him, if any). */
export function sourceFromWorker(db: Db, actor: Actor, workerId: number): Source {
  const w = db
    .select()
    .from(workers)
    .where(and(eq(workers.id, workerId), orgIdInScope(actor, workers.orgId)))
    .get();
  if (!w) throw AppError.invalid({ workerId: "该从业人员不存在或不在您的管辖范围内" });
  const lead = db.select({ channel: leads.channel }).from(leads).where(eq(leads.idNumber, w.idNumber)).get();
  return {
    leadId: null,
    workerId: w.id,
    name: w.name,
    idNumber: w.idNumber,
    phone: w.phone,
    occupation: w.occupation,
    enterpriseId: w.enterpriseId,
    discoveryChannel: lead?.channel ?? null,
  };
}

/** Leads and roster workers in scope whose name or whole ID number matches: where an application can start. */
export function findSources(db: Db, actor: Actor, q: string) {
  const byId = parseIdNumber(q);
  const leadRows = db
    .select({ id: leads.id, name: leads.name, idNumber: leads.idNumber, status: leads.status })
    .from(leads)
    .where(
      and(
        orgIdInScope(actor, leads.committeeId),
        byId.ok ? eq(leads.idNumber, byId.value) : like(leads.name, `%${q.replace(/[%_]/g, "")}%`),
      ),
    )
    .orderBy(asc(leads.name))
    .limit(20)
    .all();
  const workerRows = db
    .select({ id: workers.id, name: workers.name, idNumber: workers.idNumber, platform: workers.platform })
    .from(workers)
    .where(
      and(
        orgIdInScope(actor, workers.orgId),
        byId.ok ? eq(workers.idNumber, byId.value) : like(workers.name, `%${q.replace(/[%_]/g, "")}%`),
      ),
    )
    .orderBy(asc(workers.name))
    .limit(20)
    .all();
  const mask = <T extends { idNumber: string }>(r: T) => ({ ...r, idNumber: maskIdNumber(r.idNumber) });
  return { leads: leadRows.map(mask), workers: workerRows.map(mask) };
}

export function openApplicationOf(db: Db, idNumber: string) {
  return db
    .select({ id: recruitments.id, orgId: recruitments.orgId })
    .from(recruitments)
    .where(and(eq(recruitments.idNumber, idNumber), inArray(recruitments.stage, [...OPEN_STAGES])))
    .get();
}

function isUniqueViolation(err: unknown): boolean {
  return (err as { code?: string })?.code === "SQLITE_CONSTRAINT_UNIQUE";
}

const SECOND_APPLICATION = "该身份证号已有一份正在办理的入党申请，不能重复登记";

/** Starts an application (入党申请人): the first step of the log. */
export function startApplication(db: Db, actor: Actor, input: ApplicationInput, today: string): Recruitment {
  assertCanWrite(actor);
  try {
    return db.transaction(
      (tx) => {
        const source = input.leadId
          ? sourceFromLead(tx, actor, input.leadId)
          : input.workerId
            ? sourceFromWorker(tx, actor, input.workerId)
            : null;
        const errors: Record<string, string> = {};
        const name = source?.name ?? input.name;
        const idRaw = source?.idNumber ?? input.idNumber;
        if (!name) errors.name = "请填写姓名";
        const id = idRaw ? parseIdNumber(idRaw, today) : null;
        if (!id) errors.idNumber = "请填写公民身份号码";
        else if (!id.ok) errors.idNumber = id.reason;
        const org = tx.select().from(organizations).where(eq(organizations.id, input.orgId)).get();
        if (
          !org ||
          !orgPathInScope(actor, org.path) ||
          org.status !== "active" ||
          !(RECRUITING_KINDS as readonly string[]).includes(org.kind)
        )
          errors.orgId = "请选择您管辖范围内的党支部";
        const enterpriseId = source?.enterpriseId ?? input.enterpriseId;
        if (input.enterpriseId != null && !source) {
          const ok = applicationOptions(tx, actor).enterpriseOptions.some((e) => e.id === input.enterpriseId);
          if (!ok) errors.enterpriseId = "所在企业不存在或不在您的管辖范围内";
        }
        if (id?.ok) {
          Object.assign(errors, checkApplication(id.birthDate, input.appliedOn, today));
          if (!errors.idNumber) {
            if (openApplicationOf(tx, id.value)) errors.idNumber = SECOND_APPLICATION;
            else if (tx.select({ id: members.id }).from(members).where(eq(members.idNumber, id.value)).get())
              errors.idNumber = "该身份证号已登记为党员，不需要发展";
          }
        }
        if (Object.keys(errors).length || !id?.ok || !org) throw AppError.invalid(errors);
        const created = tx
          .insert(recruitments)
          .values({
            orgId: org.id,
            name: name!,
            idNumber: id.value,
            gender: id.gender as "male" | "female",
            birthDate: id.birthDate,
            phone: source?.phone ?? input.phone,
            occupation: source?.occupation ?? input.occupation,
            enterpriseId,
            leadId: source?.leadId ?? null,
            workerId: source?.workerId ?? null,
            discoveryChannel: source?.discoveryChannel ?? null,
            stage: "applicant",
            appliedOn: input.appliedOn,
            createdBy: actor.id > 0 ? actor.id : null,
          })
          .returning()
          .get();
        tx.insert(recruitmentSteps)
          .values({
            recruitmentId: created.id,
            action: "apply",
            fromStage: null,
            toStage: "applicant",
            on: input.appliedOn,
            result: "done",
            userId: actor.id > 0 ? actor.id : null,
            role: actor.role,
            remark: input.remark,
            details: { leadId: created.leadId, workerId: created.workerId },
          })
          .run();
        recordAudit(tx, actor, {
          action: "create",
          entity: "recruitment",
          entityId: created.id,
          after: { ...created, idNumber: maskIdNumber(created.idNumber), phone: maskPhone(created.phone) },
        });
        return created;
      },
      { behavior: "immediate" },
    );
  } catch (err) {
    // Two people registering the same person at once: the unique partial index decides.
    if (isUniqueViolation(err)) throw AppError.invalid({ idNumber: SECOND_APPLICATION });
    throw err;
  }
}

export function stepLog(db: Db, id: number) {
  return db
    .select({
      id: recruitmentSteps.id,
      action: recruitmentSteps.action,
      fromStage: recruitmentSteps.fromStage,
      toStage: recruitmentSteps.toStage,
      on: recruitmentSteps.on,
      result: recruitmentSteps.result,
      role: recruitmentSteps.role,
      remark: recruitmentSteps.remark,
      details: recruitmentSteps.details,
      decidesStepId: recruitmentSteps.decidesStepId,
      at: recruitmentSteps.at,
      userName: users.displayName,
    })
    .from(recruitmentSteps)
    .leftJoin(users, eq(users.id, recruitmentSteps.userId))
    .where(eq(recruitmentSteps.recruitmentId, id))
    .orderBy(desc(recruitmentSteps.id))
    .all();
}

/** The record page: masked ID number and phone, the step log, what is due, the steps this actor may take. */
export function recruitmentDetail(db: Db, actor: Actor, id: number, today: string, reveal = false) {
  if (reveal && !canUnmask(actor)) throw AppError.forbidden("您的角色不能查看完整的身份证号和手机号。");
  const { r, orgName } = getRecruitment(db, actor, id);
  const level = levelOf(actor);
  const steps = stepLog(db, id);
  const pending = r.pendingStepId != null ? (steps.find((s) => s.id === r.pendingStepId) ?? null) : null;
  const enterprise =
    r.enterpriseId != null ? db.select({ name: enterprises.name }).from(enterprises).where(eq(enterprises.id, r.enterpriseId)).get() : null;
  const notes = [
    r.candidatePublicFrom && r.candidatePublicTo ? calendarNote(r.candidatePublicFrom, r.candidatePublicTo) : null,
    r.fullPublicFrom && r.fullPublicTo ? calendarNote(r.fullPublicFrom, r.fullPublicTo) : null,
  ].filter((x): x is string => !!x);
  if (reveal) recordAudit(db, actor, { action: "unmask", entity: "recruitment", entityId: id, details: { fields: ["idNumber", "phone"] } });
  return {
    r: { ...r, idNumber: reveal ? r.idNumber : maskIdNumber(r.idNumber), phone: reveal ? r.phone : maskPhone(r.phone) },
    revealed: reveal,
    orgName,
    enterpriseName: enterprise?.name ?? null,
    steps,
    pending,
    due: dueItems(r, today),
    level,
    actions: level ? allowedSteps(r.stage, level, r.pendingStepId != null) : [],
    canDecide: level === "committee" && pending != null,
    calendarNotes: [...new Set(notes)],
  };
}

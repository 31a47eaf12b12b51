import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { OCCUPATION } from "../domain/codes.js";
import { todayIso } from "../domain/dates.js";
import { maskIdNumber, maskPhone } from "../domain/masking.js";
import { RECRUITMENT_STAGE, type RecruitmentStage, STEP_RESULT } from "../domain/recruitment-rules.js";
import { STEP_ACTION, STEP_DATE_LABEL, type StepAction, needsCommittee } from "../domain/recruitment-stages.js";
import { AppError } from "../errors.js";
import { flash } from "../middleware/flash.js";
import { actorOf } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";
import { clerksAndAdmins, signedIn, writers } from "../policy/roles.js";
import { idParam } from "../schemas/fields.js";
import {
  applicationSchema,
  bulkTrainingSchema,
  decisionSchema,
  exportQuerySchema,
  newApplicationQuerySchema,
  peopleQuerySchema,
  pipelineQuerySchema,
  stepParams,
  stepSchema,
} from "../schemas/recruitment.schema.js";
import { scopeField } from "../schemas/reports.schema.js";
import { resolveScope } from "../services/coverage/scope.js";
import { prepareExport } from "../services/export/export.service.js";
import * as recruitment from "../services/recruitment/recruitment.service.js";

const byId = validate({ params: z.object({ id: idParam }) });
const byStep = validate({ params: stepParams });

export function recruitmentRouter(deps: Deps) {
  const h = recruitmentHandlers(deps);
  const r = Router();

  // -- The pipeline, the statistics and their lists, the ledger -------------------------------------
  r.get("/recruitment", signedIn, validate({ query: pipelineQuerySchema }), h.pipeline);
  r.get("/recruitment/stats", signedIn, validate({ query: z.object({ scope: scopeField }) }), h.stats);
  r.get("/recruitment/people", signedIn, validate({ query: peopleQuerySchema }), h.people);
  r.get("/recruitment/export.xlsx", signedIn, validate({ query: exportQuerySchema }), h.exportLedger);

  // -- Starting an application (typed, or from a lead or a roster worker) ---------------------------
  r.get("/recruitment/new", writers, validate({ query: newApplicationQuerySchema }), h.newForm);
  r.post("/recruitment", writers, form("recruitment/new", h.newLocals), validate({ body: applicationSchema }), h.create);

  // -- A training class: the training step for several activists at once ---------------------------
  r.get("/recruitment/training", writers, h.trainingForm);
  r.post(
    "/recruitment/training",
    writers,
    form("recruitment/training", h.trainingLocals),
    validate({ body: bulkTrainingSchema }),
    h.training,
  );

  // -- One record: its page, its steps, the committee's decision ------------------------------------
  r.get("/recruitment/:id", signedIn, byId, h.detail);
  r.post("/recruitment/:id/unmask", signedIn, byId, h.unmask);
  r.get("/recruitment/:id/steps/:action", writers, byStep, h.stepForm);
  r.post("/recruitment/:id/steps/:action", writers, byStep, form("recruitment/step", h.stepLocals), validate({ body: stepSchema }), h.step);
  r.post(
    "/recruitment/:id/decision",
    clerksAndAdmins, // the committee decides: a secretary is refused by role, whatever the id
    byId,
    form("recruitment/show", h.detailLocals),
    validate({ body: decisionSchema }),
    h.decide,
  );

  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

function recruitmentHandlers({ db }: Deps) {
  const newLocals = (req: Request) => {
    const actor = actorOf(req);
    const q = (req.valid?.query ?? {}) as { lead?: number | null; worker?: number | null; q?: string | null };
    const raw = (req.body ?? {}) as Record<string, string>;
    const leadId = Number(raw.leadId || q.lead || 0);
    const workerId = Number(raw.workerId || q.worker || 0);
    let source: recruitment.Source | null = null;
    try {
      if (leadId > 0) source = recruitment.sourceFromLead(db, actor, leadId);
      else if (workerId > 0) source = recruitment.sourceFromWorker(db, actor, workerId);
    } catch (err) {
      // A lead or worker out of scope (or a forged id) re-renders the typed form; the service refuses it by field.
      if (!(err instanceof AppError) || err.status !== 422) throw err;
    }
    return {
      title: "登记入党申请",
      source: source ? { ...source, idMasked: maskIdNumber(source.idNumber), phoneMasked: maskPhone(source.phone) } : null,
      found: !source && q.q ? recruitment.findSources(db, actor, q.q) : null,
      q: q.q ?? "",
      ...recruitment.applicationOptions(db, actor),
      occupationOptions: Object.entries(OCCUPATION.label),
      today: todayIso(),
    };
  };

  const detailLocals = (req: Request) => {
    const d = recruitment.recruitmentDetail(db, actorOf(req), req.valid.params.id, todayIso());
    return {
      title: `发展党员 · ${d.r.name}`,
      ...d,
      today: todayIso(),
      STEP_ACTION,
      RECRUITMENT_STAGE,
      STEP_RESULT,
    };
  };

  const stepLocals = (req: Request) => {
    const { id, action } = req.valid.params as { id: number; action: StepAction };
    const d = recruitment.recruitmentDetail(db, actorOf(req), id, todayIso());
    if (!d.actions.includes(action))
      throw AppError.conflict(`当前阶段为“${RECRUITMENT_STAGE.label[d.r.stage]}”，不能办理“${STEP_ACTION[action]}”。`);
    return {
      title: `${STEP_ACTION[action]} · ${d.r.name}`,
      d,
      action,
      actionLabel: STEP_ACTION[action],
      stageLabel: RECRUITMENT_STAGE.label[d.r.stage],
      dateLabel: STEP_DATE_LABEL[action],
      proposal: needsCommittee(action) && d.level === "branch",
      today: todayIso(),
    };
  };

  const trainingLocals = (req: Request) => ({
    title: "集中培训（按培训班登记）",
    activists: recruitment.trainees(db, actorOf(req)),
    today: todayIso(),
  });

  return {
    newLocals,
    detailLocals,
    stepLocals,
    trainingLocals,

    pipeline(req: Request, res: Response) {
      const actor = actorOf(req);
      const q = req.valid.query as { org?: number | null; stage?: RecruitmentStage | null; overdue?: boolean };
      res.render("recruitment/index", {
        title: "发展党员",
        ...recruitment.pipeline(db, actor, q, todayIso()),
        filters: Object.fromEntries(Object.entries(req.query).filter(([, v]) => typeof v === "string" && v !== "")),
        orgOptions: recruitment.applicationOptions(db, actor).orgOptions,
        stageOptions: Object.entries(RECRUITMENT_STAGE.label),
        RECRUITMENT_STAGE,
      });
    },
    stats(req: Request, res: Response) {
      const q = req.valid.query as { scope: Parameters<typeof resolveScope>[2] };
      const rs = resolveScope(db, actorOf(req), q.scope);
      const asOf = todayIso();
      res.render("recruitment/stats", {
        title: "发展党员统计",
        rs,
        asOf,
        scopeParam: typeof req.query.scope === "string" ? req.query.scope : "",
        figures: recruitment.recruitmentFigures(db, rs, asOf),
        ...recruitment.recruitmentBreakdown(db, rs, asOf),
        FIGURE_LABEL: recruitment.FIGURE_LABEL,
        FIGURE_DEFINITION: recruitment.FIGURE_DEFINITION,
      });
    },
    people(req: Request, res: Response) {
      const q = req.valid.query as { figure: recruitment.RecruitmentFigure; scope?: string; org?: number | null; occupation?: string };
      const scope = scopeField.safeParse(q.scope ?? "");
      if (!scope.success) throw AppError.invalid({ scope: "统计范围无效" });
      const rs = resolveScope(db, actorOf(req), scope.data);
      const rows = recruitment.figurePeople(db, rs, q.figure, todayIso(), { org: q.org, occupation: q.occupation || null });
      res.render("recruitment/people", {
        title: recruitment.FIGURE_LABEL[q.figure],
        rows,
        rs,
        figure: q.figure,
        definition: recruitment.FIGURE_DEFINITION[q.figure],
        RECRUITMENT_STAGE,
      });
    },
    async exportLedger(req: Request, res: Response) {
      const q = req.valid.query as { org?: number | null; stage?: RecruitmentStage | null };
      const prepared = prepareExport(db, actorOf(req), {
        kind: "recruitment",
        orgId: q.org ?? null,
        filters: { status: q.stage ?? null },
        ip: req.ip ?? null,
      });
      res.setHeader("Content-Type", prepared.contentType);
      res.setHeader(
        "Content-Disposition",
        `attachment; filename="recruitment-${todayIso()}.xlsx"; filename*=UTF-8''${encodeURIComponent(prepared.filename)}`,
      );
      await prepared.run(res);
    },
    newForm(req: Request, res: Response) {
      const locals = newLocals(req);
      res.render("recruitment/new", {
        ...locals,
        values: {
          orgId: locals.orgOptions.length === 1 ? locals.orgOptions[0]!.id : "",
          leadId: locals.source?.leadId ?? "",
          workerId: locals.source && !locals.source.leadId ? (locals.source.workerId ?? "") : "",
          appliedOn: todayIso(),
        },
      });
    },
    create(req: Request, res: Response) {
      const r = recruitment.startApplication(db, actorOf(req), req.body, todayIso());
      flash(req, "success", `已登记 ${r.name} 的入党申请，请在一个月内安排入党谈话。`);
      res.redirect(303, `/recruitment/${r.id}`);
    },
    trainingForm(req: Request, res: Response) {
      res.render("recruitment/training", { ...trainingLocals(req), values: { on: todayIso() } });
    },
    training(req: Request, res: Response) {
      const n = recruitment.bulkTraining(db, actorOf(req), req.body, todayIso());
      flash(req, "success", `已为 ${n} 名学员登记集中培训。`);
      res.redirect(303, "/recruitment");
    },
    detail(req: Request, res: Response) {
      res.render("recruitment/show", { ...detailLocals(req), values: { approvedOn: todayIso() } });
    },
    unmask(req: Request, res: Response) {
      const d = recruitment.recruitmentDetail(db, actorOf(req), req.valid.params.id, todayIso(), true);
      res.render("recruitment/show", {
        title: `发展党员 · ${d.r.name}`,
        ...d,
        today: todayIso(),
        STEP_ACTION,
        RECRUITMENT_STAGE,
        STEP_RESULT,
        values: { approvedOn: todayIso() },
      });
    },
    stepForm(req: Request, res: Response) {
      res.render("recruitment/step", { ...stepLocals(req), values: { on: todayIso() } });
    },
    step(req: Request, res: Response) {
      const { id, action } = req.valid.params as { id: number; action: StepAction };
      const done = recruitment.takeStep(db, actorOf(req), id, action, req.body, todayIso());
      const extra = done.notes.length ? ` ${done.notes.join(" ")}` : "";
      flash(
        req,
        "success",
        done.proposal ? `已报上级党委审核：${STEP_ACTION[action]}。${extra}` : `已办理：${STEP_ACTION[action]}。${extra}`,
      );
      res.redirect(303, `/recruitment/${id}`);
    },
    decide(req: Request, res: Response) {
      const id = req.valid.params.id;
      const done = recruitment.decideProposal(db, actorOf(req), id, req.body, todayIso());
      flash(
        req,
        "success",
        req.body.decision === "approve"
          ? `已审核同意，当前阶段：${RECRUITMENT_STAGE.label[done.record.stage]}。`
          : "已退回支部，记录保留。",
      );
      res.redirect(303, `/recruitment/${id}`);
    },
  };
}

import { type NextFunction, type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { ENTERPRISE_KIND } from "../domain/codes.js";
import { COVERAGE_CLASS_LABEL } from "../domain/coverage-rules.js";
import { todayIso } from "../domain/dates.js";
import { flash } from "../middleware/flash.js";
import { actorOf, requireAuth, requireRole } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";
import { coverageInputSchema, coverageParams, ENTERPRISE_STATUS_LABEL, enterpriseInputSchema, enterpriseListQuery, enterpriseParams as params } from "../schemas/enterprises.schema.js";
import * as enterprises from "../services/enterprises/enterprises.service.js";

export function enterprisesRouter({ db }: Deps) {
  /** Select options every enterprise form and the list's filters need. */
  const formLocals = (req: Request) => ({
    ...enterprises.enterpriseFormOptions(db, actorOf(req)),
    kindOptions: Object.entries(ENTERPRISE_KIND.label),
    statusOptions: Object.entries(ENTERPRISE_STATUS_LABEL),
  });
  const detailLocals = (req: Request) => {
    const detail = enterprises.enterpriseDetail(db, actorOf(req), req.valid.params.id, todayIso());
    return { title: detail.enterprise.name, ...detail, today: todayIso(), statusLabels: ENTERPRISE_STATUS_LABEL };
  };

  const h = {
    list(req: Request, res: Response) {
      const query = req.valid.query;
      const result = enterprises.listEnterprises(db, actorOf(req), query, todayIso());
      // What the pager's links carry: the checkbox as "1" or nothing.
      const filters = { ...query, shouldForm: query.shouldForm ? "1" : "" };
      res.render("enterprises/index", { title: "企业", ...result, filters, coverageOptions: Object.entries(COVERAGE_CLASS_LABEL), statusLabels: ENTERPRISE_STATUS_LABEL, ...formLocals(req) });
    },
    detail(req: Request, res: Response) {
      res.render("enterprises/show", detailLocals(req));
    },
    newForm(req: Request, res: Response) {
      const committees = enterprises.enterpriseFormOptions(db, actorOf(req)).committees;
      const values = { status: "active", kind: "", committeeId: committees.length === 1 ? committees[0]!.id : "", workerCount: "0" };
      res.render("enterprises/form", { title: "新增企业", enterprise: null, values, ...formLocals(req) });
    },
    create(req: Request, res: Response) {
      const e = enterprises.createEnterprise(db, actorOf(req), req.body);
      flash(req, "success", `已新增企业“${e.name}”。`);
      res.redirect(303, `/enterprises/${e.id}`);
    },
    /** Refuses (404 out of scope, 403 read-only) before a form's body is validated and re-rendered. */
    writable(req: Request, _res: Response, next: NextFunction) {
      enterprises.getWritableEnterprise(db, actorOf(req), req.valid.params.id);
      next();
    },
    editForm(req: Request, res: Response) {
      const e = enterprises.getWritableEnterprise(db, actorOf(req), req.valid.params.id);
      res.render("enterprises/form", { title: `修改 ${e.name}`, enterprise: e, values: e, ...formLocals(req) });
    },
    update(req: Request, res: Response) {
      const e = enterprises.updateEnterprise(db, actorOf(req), req.valid.params.id, req.body);
      flash(req, "success", "已保存。");
      res.redirect(303, `/enterprises/${e.id}`);
    },
    attach(req: Request, res: Response) {
      const { warning, orgName } = enterprises.attachCoverage(db, actorOf(req), req.valid.params.id, req.body, todayIso());
      flash(req, "success", `已将本企业关联到“${orgName}”。`);
      if (warning) flash(req, "info", warning);
      res.redirect(303, `/enterprises/${req.valid.params.id}`);
    },
    detach(req: Request, res: Response) {
      enterprises.removeCoverage(db, actorOf(req), req.valid.params.id, req.valid.params.orgId);
      flash(req, "success", "已解除该党组织对本企业的覆盖。");
      res.redirect(303, `/enterprises/${req.valid.params.id}`);
    },
  };

  const editFormFor = (req: Request) => ({ enterprise: { id: req.params.id }, title: "修改企业", ...formLocals(req) });
  const r = Router();

  // -- Enterprise list ------------------------------------------------------------------------
  r.get("/enterprises", requireAuth, validate({ query: enterpriseListQuery }), h.list);
  r.get("/enterprises/new", requireRole("admin", "clerk"), h.newForm);
  r.post("/enterprises", requireRole("admin", "clerk"), form("enterprises/form", (req) => ({ enterprise: null, title: "新增企业", ...formLocals(req) })), validate({ body: enterpriseInputSchema }), h.create);

  // -- One enterprise -------------------------------------------------------------------------
  r.get("/enterprises/:id", requireAuth, validate({ params }), h.detail);
  r.get("/enterprises/:id/edit", requireRole("admin", "clerk"), validate({ params }), h.editForm);
  r.post("/enterprises/:id", requireRole("admin", "clerk"), validate({ params }), h.writable, form("enterprises/form", editFormFor), validate({ body: enterpriseInputSchema }), h.update);

  // -- Which organization covers it -----------------------------------------------------------
  r.post("/enterprises/:id/coverage", requireRole("admin", "clerk"), validate({ params }), h.writable, form("enterprises/show", detailLocals), validate({ body: coverageInputSchema }), h.attach);
  r.post("/enterprises/:id/coverage/:orgId/remove", requireRole("admin", "clerk"), validate({ params: coverageParams }), h.detach);

  return r;
}

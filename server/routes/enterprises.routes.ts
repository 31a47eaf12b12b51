import { type NextFunction, type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { ENTERPRISE_KIND } from "../domain/codes.js";
import { COVERAGE_CLASS_LABEL } from "../domain/coverage-rules.js";
import { todayIso } from "../domain/dates.js";
import { flash } from "../middleware/flash.js";
import { actorOf } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";
import { clerksAndAdmins, signedIn } from "../policy/roles.js";
import { DEFAULT_PAGE_SIZE } from "../domain/list-rules.js";
import {
  coverageInputSchema,
  coverageParams,
  ENTERPRISE_STATUS_LABEL,
  enterpriseInputSchema,
  enterpriseListQuery,
  enterpriseParams,
} from "../schemas/enterprises.schema.js";
import * as enterprises from "../services/enterprises/enterprises.service.js";

const byId = validate({ params: enterpriseParams });

export function enterprisesRouter(deps: Deps) {
  const h = enterpriseHandlers(deps);
  const onNew = form("enterprises/form", h.newFormLocals);
  const onEdit = form("enterprises/form", h.editFormLocals);
  const onDetail = form("enterprises/show", h.detailLocals);
  const r = Router();

  // -- Enterprise list ------------------------------------------------------------------------
  r.get("/enterprises", signedIn, validate({ query: enterpriseListQuery }), h.list);
  r.get("/enterprises/new", clerksAndAdmins, h.newForm);
  r.post("/enterprises", clerksAndAdmins, onNew, validate({ body: enterpriseInputSchema }), h.create);

  // -- One enterprise -------------------------------------------------------------------------
  r.get("/enterprises/:id", signedIn, byId, h.detail);
  r.get("/enterprises/:id/edit", clerksAndAdmins, byId, h.editForm);
  r.post("/enterprises/:id", clerksAndAdmins, byId, h.writable, onEdit, validate({ body: enterpriseInputSchema }), h.update);

  // -- Which organization covers it -----------------------------------------------------------
  r.post("/enterprises/:id/coverage", clerksAndAdmins, byId, h.writable, onDetail, validate({ body: coverageInputSchema }), h.attach);
  r.post("/enterprises/:id/coverage/:orgId/remove", clerksAndAdmins, validate({ params: coverageParams }), h.detach);

  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

function enterpriseHandlers({ db }: Deps) {
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

  return {
    // -- Locals of the pages re-rendered after a 422 ---------------------------------------------
    newFormLocals: (req: Request) => ({ enterprise: null, title: "新增企业", ...formLocals(req) }),
    editFormLocals: (req: Request) => ({ enterprise: { id: req.params.id }, title: "修改企业", ...formLocals(req) }),
    detailLocals,

    list(req: Request, res: Response) {
      const query = req.valid.query;
      const result = enterprises.listEnterprises(db, actorOf(req), query, todayIso(), query.size);
      // What the pager's links carry: the checkbox as "1" or nothing, the page size when not the default.
      const filters = { ...query, shouldForm: query.shouldForm ? "1" : "", size: query.size === DEFAULT_PAGE_SIZE ? "" : query.size };
      res.render("enterprises/index", {
        title: "企业",
        ...result,
        filters,
        pageSize: query.size,
        coverageOptions: Object.entries(COVERAGE_CLASS_LABEL),
        statusLabels: ENTERPRISE_STATUS_LABEL,
        ...formLocals(req),
      });
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
}

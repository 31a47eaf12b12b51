import { type NextFunction, type Request, type Response, Router } from "express";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { ORG_FORMATION } from "../domain/codes.js";
import { todayIso } from "../domain/dates.js";
import { flash } from "../middleware/flash.js";
import { actorOf } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";
import { clerksAndAdmins, signedIn, writers } from "../policy/roles.js";
import { idParam } from "../schemas/fields.js";
import { dissolveSchema, orgInputSchema } from "../schemas/orgs.schema.js";
import * as orgs from "../services/orgs/orgs.service.js";

const byId = validate({ params: z.object({ id: idParam }) });

export function orgsRouter(deps: Deps) {
  const h = orgHandlers(deps);
  const r = Router();

  // -- Organization tree ------------------------------------------------------------------------
  r.get("/orgs", signedIn, h.tree);
  r.get("/orgs/new", clerksAndAdmins, h.newForm);
  r.post("/orgs", clerksAndAdmins, form("orgs/form", h.newFormLocals), validate({ body: orgInputSchema }), h.create);

  // -- One organization -------------------------------------------------------------------------
  r.get("/orgs/:id", signedIn, byId, h.detail);
  r.post("/orgs/:id/unmask", signedIn, byId, h.unmask);
  r.get("/orgs/:id/edit", writers, byId, h.editForm);
  r.post("/orgs/:id", writers, byId, h.inScope, form("orgs/form", h.editFormLocals), validate({ body: orgInputSchema }), h.update);
  r.post("/orgs/:id/dissolve", clerksAndAdmins, byId, h.inScope, validate({ body: dissolveSchema }), h.dissolve);

  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

function orgHandlers({ db }: Deps) {
  /** Select options every org form needs; for an edit, what this user may not change is shown fixed. */
  const formLocals = (req: Request, editing: Pick<orgs.Org, "id" | "parentId"> | null = null) => {
    const actor = actorOf(req);
    const limits = editing ? orgs.orgEditLimits(db, actor, editing) : null;
    const parents = orgs.orgOptions(db, actor).map((p): [number, string] => [p.id, "　".repeat(p.depth) + p.name]);
    const current = limits?.currentParent;
    return {
      // A fixed parent may lie above the scope: it is named, not offered.
      parentOptions: limits?.fixed.parentId ? (current ? [[current.id, current.name]] : []) : parents,
      industries: orgs.listIndustries(db),
      regions: orgs.listRegions(db),
      kindOptions: orgs.offeredOrgKinds(actor, !!limits?.fixed.kind),
      formationOptions: Object.entries(ORG_FORMATION.label),
      fixedFields: limits?.fixed ?? { kind: false, parentId: false, code: false },
    };
  };

  return {
    // -- Locals of the forms' re-renders after a 422 ---------------------------------------------
    newFormLocals: (req: Request) => ({ org: null, title: "新建党组织", ...formLocals(req) }),
    editFormLocals(req: Request) {
      const org = orgs.getOrg(db, actorOf(req), req.valid.params.id);
      return { org: { id: org.id }, title: "修改党组织", ...formLocals(req, org) };
    },

    tree(req: Request, res: Response) {
      const tree = orgs.orgTree(db, actorOf(req), { includeDissolved: req.query.dissolved === "1" });
      res.render("orgs/index", { title: "党组织", tree, showDissolved: req.query.dissolved === "1" });
    },
    detail(req: Request, res: Response) {
      const detail = orgs.orgDetail(db, actorOf(req), req.valid.params.id, todayIso());
      res.render("orgs/show", { title: detail.org.name, ...detail, today: todayIso() });
    },
    newForm(req: Request, res: Response) {
      const parentId = typeof req.query.parent === "string" ? req.query.parent : "";
      const values = { parentId, kind: "branch", formation: "standalone" };
      res.render("orgs/form", { title: "新建党组织", org: null, values, ...formLocals(req) });
    },
    create(req: Request, res: Response) {
      const org = orgs.createOrg(db, actorOf(req), req.body);
      flash(req, "success", `已新建“${org.name}”。`);
      res.redirect(303, `/orgs/${org.id}`);
    },
    editForm(req: Request, res: Response) {
      const org = orgs.orgFormValues(db, actorOf(req), req.valid.params.id);
      res.render("orgs/form", { title: `修改 ${org.name}`, org, values: org, ...formLocals(req, org) });
    },
    update(req: Request, res: Response) {
      const org = orgs.updateOrg(db, actorOf(req), req.valid.params.id, req.body);
      flash(req, "success", "已保存。");
      res.redirect(303, `/orgs/${org.id}`);
    },
    unmask(req: Request, res: Response) {
      const detail = orgs.unmaskOrg(db, actorOf(req), req.valid.params.id, todayIso(), { ip: req.ip ?? null });
      res.render("orgs/show", { title: detail.org.name, ...detail, today: todayIso() });
    },
    /** Scope before the body: outside the scope a POST is 404 whatever it carries. */
    inScope(req: Request, _res: Response, next: NextFunction) {
      orgs.getOrg(db, actorOf(req), req.valid.params.id);
      next();
    },
    dissolve(req: Request, res: Response) {
      orgs.dissolveOrg(db, actorOf(req), req.valid.params.id, req.body.dissolvedOn);
      flash(req, "success", "该组织已撤销，历史记录保留。");
      res.redirect(303, `/orgs/${req.valid.params.id}`);
    },
  };
}

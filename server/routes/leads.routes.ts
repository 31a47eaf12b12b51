import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { todayIso } from "../domain/dates.js";
import { flash } from "../middleware/flash.js";
import { actorOf } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";
import { clerksAdminsAndSupervisors, clerksAndAdmins } from "../policy/roles.js";
import { idParam } from "../schemas/fields.js";
import { bulkVerifySchema, leadsQuery, pageQuery, rejectSchema, verifySchema } from "../schemas/imports.schema.js";
import * as leads from "../services/finds/leads.js";

const byId = validate({ params: z.object({ id: idParam }) });

export function leadsRouter(deps: Deps) {
  const h = leadHandlers(deps);
  const readers = clerksAdminsAndSupervisors;
  const onDetail = form("leads/show", h.detailLocals);
  const r = Router();

  // -- Leads list, bulk verify, departures ------------------------------------------------------
  r.get("/leads", readers, validate({ query: leadsQuery }), h.list);
  r.post("/leads/bulk-verify", clerksAndAdmins, validate({ body: bulkVerifySchema }), h.bulkVerify);
  r.get("/leads/departures", readers, validate({ query: pageQuery }), h.departures);

  // -- One lead ---------------------------------------------------------------------------------
  r.get("/leads/:id", readers, byId, h.detail);
  r.post("/leads/:id/verify", clerksAndAdmins, byId, onDetail, validate({ body: verifySchema }), h.verify);
  r.post("/leads/:id/reject", clerksAndAdmins, byId, onDetail, validate({ body: rejectSchema }), h.reject);

  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

function leadHandlers({ db }: Deps) {
  const detailLocals = (req: Request) => {
    const actor = actorOf(req);
    // req.valid survives into the error handler (req.params does not once the router is left).
    const lead = leads.getLead(db, actor, Number(req.valid?.params?.id ?? req.params.id));
    return { title: `摸排线索 · ${lead.name}`, lead, branches: leads.fileableBranches(db, actor) };
  };

  return {
    detailLocals,

    list(req: Request, res: Response) {
      const actor = actorOf(req);
      const q = req.valid.query as z.infer<typeof leadsQuery>;
      const result = leads.listLeads(db, actor, q, q.page);
      res.render("leads/index", {
        title: "摸排线索",
        ...result,
        page: q.page,
        query: q,
        filters: { status: q.status, channel: q.channel, platform: q.platform, link: q.link, q: q.q },
        counts: leads.leadCounts(db, actor),
        platforms: leads.listLeadPlatforms(db, actor),
        links: leads.listLeadLinks(db, actor),
        branches: leads.fileableBranches(db, actor),
      });
    },
    detail(req: Request, res: Response) {
      res.render("leads/show", { ...detailLocals(req), values: {} });
    },
    verify(req: Request, res: Response) {
      const r = leads.verifyLead(db, actorOf(req), req.valid.params.id, req.body, todayIso());
      const message = r.filed
        ? "已核实并编入党支部管理。"
        : r.created
          ? "已核实，党员暂为“未纳管”，可稍后编入党支部。"
          : "已核实，已关联到已有党员记录。";
      flash(req, "success", message);
      res.redirect(303, `/members/${r.memberId}`);
    },
    reject(req: Request, res: Response) {
      leads.rejectLead(db, actorOf(req), req.valid.params.id, req.body.reason, todayIso());
      flash(req, "success", "已排除该线索。");
      res.redirect(303, "/leads?status=open");
    },
    bulkVerify(req: Request, res: Response) {
      const done = leads.bulkVerifyLeads(db, actorOf(req), req.body.ids, { branchId: req.body.branchId }, todayIso());
      flash(req, "success", `已核实 ${done.length} 条线索。`);
      res.redirect(303, "/leads?status=open");
    },
    departures(req: Request, res: Response) {
      const page = req.valid.query.page as number;
      const result = leads.listPlatformDepartures(db, actorOf(req), page);
      res.render("leads/departures", { title: "流失风险名单", ...result, page, filters: {} });
    },
  };
}

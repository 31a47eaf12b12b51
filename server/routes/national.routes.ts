import { type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { STATS_SCOPE_KINDS } from "../domain/codes.js";
import { todayIso } from "../domain/dates.js";
import { formatScore, PROBATION_OVERDUE_MONTHS, REQUIRED_FIELDS } from "../domain/national-members.js";
import { actorOf } from "../middleware/require-auth.js";
import { validate } from "../middleware/validate.js";
import { canWrite } from "../policy/actor.js";
import { signedIn } from "../policy/roles.js";
import { type CompletenessQuery, completenessQuerySchema } from "../schemas/national.schema.js";
import { completenessList } from "../services/national/national.service.js";
import * as orgs from "../services/orgs/orgs.service.js";

export function nationalRouter(deps: Deps) {
  const h = nationalHandlers(deps);
  const r = Router();

  // -- The national member system: completeness of the records (the export: /reports/download) ----
  r.get("/national", signedIn, validate({ query: completenessQuerySchema }), h.completeness);

  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

function nationalHandlers({ db }: Deps) {
  return {
    completeness(req: Request, res: Response) {
      const actor = actorOf(req);
      const q = req.valid.query as CompletenessQuery;
      const list = completenessList(db, actor, { orgId: q.org, page: q.page, pageSize: q.size, today: todayIso() });
      res.render("national/completeness", {
        title: "党员信息完整度",
        list,
        query: q,
        filters: { org: q.org ?? "", size: q.size },
        orgOptions: orgs.orgOptions(db, actor, STATS_SCOPE_KINDS),
        requiredLabels: REQUIRED_FIELDS.map((f) => f.label),
        overdueMonths: PROBATION_OVERDUE_MONTHS,
        formatScore,
        canEdit: canWrite(actor),
      });
    },
  };
}

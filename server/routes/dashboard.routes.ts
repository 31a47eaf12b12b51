import { type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { actorOf, requireAuth } from "../middleware/require-auth.js";
import { validate } from "../middleware/validate.js";
import { dashboardQuerySchema } from "../schemas/reports.schema.js";
import type { StatsScope } from "../services/coverage/coverage.service.js";
import { todayIso } from "../domain/dates.js";
import { scopePath } from "../policy/actor.js";
import { buildDashboard, type Dashboard } from "../services/coverage/dashboard.js";
import { StatsCache } from "../services/coverage/stats-cache.js";
import { ReadCache } from "../services/read-cache.js";

export function dashboardRouter({ db, handle }: Deps) {
  // Over a million workers the figures take seconds to count; they are counted again only when the
  // data has changed (read-cache.ts), per scope: the same for everyone with the same scope.
  const cache = new ReadCache<Dashboard>(handle.sqlite, { max: 100, othersMaxAgeMs: 30_000 });
  // When the data has changed, the million workers are counted again only if the workers have
  // (an import, not a clerk's edit): stats-cache.ts.
  const stats = new StatsCache(handle.sqlite);
  const h = {
    dashboard(req: Request, res: Response) {
      const { scope } = req.valid.query as { scope: StatsScope };
      const actor = actorOf(req);
      const key = JSON.stringify([actor.role, actor.orgId, scopePath(actor), scope, todayIso()]);
      const d = cache.get(key, () => buildDashboard(db, actor, scope, { cache: stats }));
      res.render("dashboard/index", { title: "统计概览", d });
    },
  };
  const r = Router();

  // -- Dashboard: figures, charts and trend of the user's scope (or a part of it) ---------------
  r.get("/", requireAuth, validate({ query: dashboardQuerySchema }), h.dashboard);
  return r;
}

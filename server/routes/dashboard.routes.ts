import { type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { actorOf, requireAuth } from "../middleware/require-auth.js";
import { validate } from "../middleware/validate.js";
import { dashboardQuerySchema } from "../schemas/reports.schema.js";
import type { StatsScope } from "../services/coverage.service.js";
import { buildDashboard } from "../services/dashboard.service.js";

export function dashboardRouter({ db }: Deps) {
  const h = {
    dashboard(req: Request, res: Response) {
      const { scope } = req.valid.query as { scope: StatsScope };
      const d = buildDashboard(db, actorOf(req), scope);
      res.render("dashboard/index", { title: "统计概览", d });
    },
  };
  const r = Router();

  // -- Dashboard: figures, charts and trend of the user's scope (or a part of it) ---------------
  r.get("/", requireAuth, validate({ query: dashboardQuerySchema }), h.dashboard);
  return r;
}

import { type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { todayIso } from "../domain/dates.js";
import { RISK_SIGNAL_CODES, RISK_SIGNAL_LABEL } from "../domain/risk-rules.js";
import { actorOf } from "../middleware/require-auth.js";
import { validate } from "../middleware/validate.js";
import { scopePath } from "../policy/actor.js";
import { signedIn } from "../policy/roles.js";
import { dashboardQuerySchema } from "../schemas/reports.schema.js";
import type { StatsScope } from "../services/coverage/coverage.service.js";
import { buildDashboard } from "../services/coverage/dashboard.js";
import { riskCounts } from "../services/risk/risk.service.js";

const RISK_CARD = { riskSignalCodes: RISK_SIGNAL_CODES, riskSignalLabel: RISK_SIGNAL_LABEL };
import { duesCards } from "../services/dues/inbox.js";
import { meetingFigures, tookPartByChannel } from "../services/meetings/meetings.service.js";

export function dashboardRouter(deps: Deps) {
  const h = dashboardHandlers(deps);
  const r = Router();

  // -- Dashboard: figures, charts and trend of the user's scope (or a part of it) ---------------
  r.get("/", signedIn, validate({ query: dashboardQuerySchema }), h.dashboard);

  return r;
}

function dashboardHandlers({ db, caches }: Deps) {
  return {
    dashboard(req: Request, res: Response) {
      const { scope } = req.valid.query as { scope: StatsScope };
      const actor = actorOf(req);
      // The same figures for everyone with the same scope, counted again only when the data changed (deps.ts).
      const key = JSON.stringify([actor.role, actor.orgId, scopePath(actor), scope, todayIso()]);
      const d = caches.dashboard.get(key, () => buildDashboard(db, actor, scope, { cache: caches.stats }));
      // Organizational life over the user's own scope; beside the funnel only when the dashboard is not narrowed.
      const scopeKey = JSON.stringify([actor.role, actor.orgId, scopePath(actor), todayIso()]);
      const tookPart = d.scopeParam ? null : caches.tookPart.get(scopeKey, () => tookPartByChannel(db, actor));
      // The risk counts are of the user's whole scope (the list they open is), keyed as the inbox keys them.
      const riskKey = JSON.stringify([actor.role, actor.orgId, scopePath(actor), {}, todayIso()]);
      const risk = caches.risk.get(riskKey, () => riskCounts(db, actor, todayIso(), caches.riskParts));
      res.render("dashboard/index", {
        title: "统计概览",
        d,
        risk,
        ...RISK_CARD,
        duesCards: duesCards(db, actor),
        meetingFigures: caches.meetingFigures.get(scopeKey, () => meetingFigures(db, actor)),
        tookPart,
      });
    },
  };
}

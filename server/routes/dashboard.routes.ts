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
import { CountingThread } from "../services/counting/thread.js";
import { renderOnce, sendAround } from "../views/render-once.js";

const RISK_CARD = { riskSignalCodes: RISK_SIGNAL_CODES, riskSignalLabel: RISK_SIGNAL_LABEL };

export function dashboardRouter(deps: Deps) {
  const h = dashboardHandlers(deps);
  const r = Router();

  // -- Dashboard: figures, charts and trend of the user's scope (or a part of it) ---------------
  r.get("/", signedIn, validate({ query: dashboardQuerySchema }), h.dashboard);

  return r;
}

function dashboardHandlers({ handle, caches, logger }: Deps) {
  // Counted on a thread of its own, so a recount after a write holds up no other request (counting/thread.ts).
  const counting = new CountingThread(
    handle,
    { stats: caches.stats, riskParts: caches.riskParts, meetingParts: caches.meetingParts },
    logger,
  );
  return {
    async dashboard(req: Request, res: Response) {
      const { scope } = req.valid.query as { scope: StatsScope };
      const actor = actorOf(req);
      const today = todayIso();
      // The same cards for everyone with the same scope, counted again only when the data changed (deps.ts).
      const key = JSON.stringify([actor.role, actor.orgId, scopePath(actor), scope, today]);
      const cards = await caches.dashboard.getAsync(key, () => counting.dashboardCards({ actor, scope, today }));
      // The badges came with the cards, counted on the counting thread: none counted on this one.
      res.locals.navCounts = cards.nav;
      // Below the navigation the page depends on the cards alone: rendered once per count.
      const body = await renderOnce(res, "dashboard/_body", cards, { ...cards, ...RISK_CARD, duesCards: cards.dues });
      await sendAround(res, "dashboard/index", { title: "统计概览" }, body);
    },
  };
}

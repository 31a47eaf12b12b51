import { type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { todayIso } from "../domain/dates.js";
import { RISK_SIGNAL_CODES, RISK_SIGNAL_LABEL } from "../domain/risk-rules.js";
import { actorOf } from "../middleware/require-auth.js";
import { validate } from "../middleware/validate.js";
import { type Actor, scopePath } from "../policy/actor.js";
import { signedIn } from "../policy/roles.js";
import { AppError } from "../errors.js";
import { breakdownParamsSchema, breakdownQuerySchema, dashboardQuerySchema } from "../schemas/reports.schema.js";
import type { StatsScope } from "../services/coverage/coverage.service.js";
import { type BreakdownLevel, type BreakdownSort, SORT_DESCENDING, sortBreakdownRows } from "../services/coverage/dashboard.js";
import { CountingThread } from "../services/counting/thread.js";
import { warmUpActors } from "../services/counting/warm.js";
import { startDailyJob } from "../services/hourly-job.js";
import { renderOnce, sendAround } from "../views/render-once.js";

const RISK_CARD = { riskSignalCodes: RISK_SIGNAL_CODES, riskSignalLabel: RISK_SIGNAL_LABEL };

export function dashboardRouter(deps: Deps) {
  const h = dashboardHandlers(deps);
  const r = Router();

  // -- Dashboard: figures, charts and trend of the user's scope (or a part of it) ---------------
  r.get("/", signedIn, validate({ query: dashboardQuerySchema }), h.dashboard);
  // A breakdown whole (the dashboard shows the CHART_MAX_BARS rows with the most enterprises), sortable.
  r.get("/breakdowns/:level", signedIn, validate({ params: breakdownParamsSchema, query: breakdownQuerySchema }), h.breakdown);

  return r;
}

function dashboardHandlers({ handle, caches, logger, warmDashboard }: Deps) {
  // Counted on a thread of its own, so a recount after a write holds up no other request (counting/thread.ts).
  const counting = new CountingThread(
    handle,
    { stats: caches.stats, riskParts: caches.riskParts, meetingParts: caches.meetingParts },
    logger,
  );
  // The same cards for everyone with the same scope, counted again only when the data changed (deps.ts).
  const cardsOf = (actor: Actor, scope: StatsScope) => {
    const today = todayIso();
    const key = JSON.stringify([actor.role, actor.orgId, scopePath(actor), scope, today]);
    return caches.dashboard.getAsync(key, () => counting.dashboardCards({ actor, scope, today }));
  };
  if (warmDashboard) {
    // The cards, and the parts they sum, are kept per day: after a start, and again after the day
    // changed, the first dashboard of a big scope waited for every organization's part to be
    // counted (a province's supervisor: 17 s). They are counted ahead, on the counting thread, for
    // the root organization's supervisors and then the administrators (counting/warm.ts): the parts
    // the thread keeps serve every other scope too, which then only sums them.
    const wholeScope = dashboardQuerySchema.parse({}).scope;
    let first = true;
    startDailyJob(
      async () => {
        const when = first ? "at start" : "for the new day";
        first = false;
        for (const actor of warmUpActors(handle.db)) {
          const started = performance.now();
          const cards = await cardsOf(actor, wholeScope);
          logger.info(
            { ms: Math.round(performance.now() - started), role: actor.role, scope: cards.d.scope.label },
            `dashboard counted ${when}`,
          );
        }
      },
      { intervalMs: 10 * 60_000, log: logger, failure: "dashboard: the count ahead failed (the first view counts instead)" },
    );
  }
  return {
    async dashboard(req: Request, res: Response) {
      const { scope } = req.valid.query as { scope: StatsScope };
      const cards = await cardsOf(actorOf(req), scope);
      // The badges came with the cards, counted on the counting thread: none counted on this one.
      res.locals.navCounts = cards.nav;
      // Below the navigation the page depends on the cards alone: rendered once per count.
      const body = await renderOnce(res, "dashboard/_body", cards, { ...cards, ...RISK_CARD, duesCards: cards.dues });
      await sendAround(res, "dashboard/index", { title: "统计概览" }, body);
    },
    async breakdown(req: Request, res: Response) {
      const { level } = req.valid.params as { level: BreakdownLevel };
      const { scope, sort } = req.valid.query as { scope: StatsScope; sort: BreakdownSort | "" };
      const cards = await cardsOf(actorOf(req), scope);
      // A level the installation does not break down by (a county has no cities).
      const b = cards.d.breakdowns.find((x) => x.level === level);
      if (!b) throw new AppError(404, "本辖区的统计没有这种分组。", { code: "not_found" });
      res.locals.navCounts = cards.nav;
      const scopeParam = cards.d.scopeParam;
      const href = (by: string) => {
        const q = new URLSearchParams();
        if (scopeParam) q.set("scope", scopeParam);
        if (by) q.set("sort", by);
        const s = q.toString();
        return `/breakdowns/${level}${s ? `?${s}` : ""}`;
      };
      res.render("dashboard/breakdown", {
        title: `${b.heading}（全部）`,
        b,
        rows: sortBreakdownRows(b.rows, sort),
        sort,
        sortHref: href,
        SORT_DESCENDING,
        scopeLabel: cards.d.scope.label,
        asOf: cards.d.asOf,
        dashboardHref: scopeParam ? `/?scope=${encodeURIComponent(scopeParam)}` : "/",
      });
    },
  };
}

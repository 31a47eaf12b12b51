import { type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { todayIso } from "../domain/dates.js";
import { RISK_SEVERITY_LABEL, RISK_SIGNAL_CODES, RISK_SIGNAL_LABEL } from "../domain/risk-rules.js";
import { actorOf } from "../middleware/require-auth.js";
import { validate } from "../middleware/validate.js";
import { canUnmask } from "../policy/actor.js";
import { signedIn } from "../policy/roles.js";
import { type RiskListQuery, type RiskQuery, personParams, riskDownloadSchema, riskListQuerySchema } from "../schemas/risk.schema.js";
import { prepareExport } from "../services/export/export.service.js";
import { type PersonSource, personPage } from "../services/identity/person.js";
import { type RiskFilters, riskList } from "../services/risk/risk.service.js";

export function riskRouter(deps: Deps) {
  const h = riskHandlers(deps);
  const r = Router();

  // -- The drift-risk list (流失风险) and its workbook ---------------------------------------------
  r.get("/risk", signedIn, validate({ query: riskListQuerySchema }), h.list);
  r.get("/risk/download", signedIn, validate({ query: riskDownloadSchema }), h.download);

  // -- One person across platforms, reached from a worker, lead or member -----------------------
  r.get("/people/:source/:id", signedIn, validate({ params: personParams }), h.person);

  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

const RISK_VIEW = { signalCodes: RISK_SIGNAL_CODES, signalLabel: RISK_SIGNAL_LABEL, severityLabel: RISK_SEVERITY_LABEL };

const filtersOf = (q: RiskQuery): RiskFilters => ({
  signal: q.signal,
  committeeId: q.committee,
  branchId: q.branch,
  occupation: q.occupation,
});

/** RFC 6266: an ASCII fallback and the Chinese name in filename*. */
function attachment(filename: string, fallback: string): string {
  return `attachment; filename="${fallback}"; filename*=UTF-8''${encodeURIComponent(filename)}`;
}

function riskHandlers({ db, logger }: Deps) {
  return {
    list(req: Request, res: Response) {
      const q = req.valid.query as RiskListQuery;
      const actor = actorOf(req);
      const list = riskList(db, actor, filtersOf(q), todayIso());
      // Paged in memory: the list is built whole to sort by gravity across signals (its counts need it too).
      const total = list.rows.length;
      const page = Math.min(q.page, Math.max(1, Math.ceil(total / q.size)));
      const rows = list.rows.slice((page - 1) * q.size, page * q.size);
      const { page: _page, ...filters } = q;
      res.render("risk/index", {
        title: "流失风险",
        ...list,
        rows,
        total,
        page,
        pageSize: q.size,
        hasMore: page * q.size < total,
        filters,
        query: q,
        unmasked: canUnmask(actor),
        ...RISK_VIEW,
      });
    },
    async download(req: Request, res: Response) {
      const q = req.valid.query as RiskQuery & { org: number | null };
      const prepared = prepareExport(db, actorOf(req), { kind: "risk", orgId: q.org, risk: filtersOf(q), ip: req.ip ?? null });
      res.setHeader("Content-Type", prepared.contentType);
      res.setHeader("Content-Disposition", attachment(prepared.filename, `risk-${todayIso()}.xlsx`));
      try {
        await prepared.run(res);
      } catch (err) {
        if (!res.headersSent) throw err;
        logger.warn({ err, kind: "risk" }, "export aborted while streaming");
        res.destroy();
      }
    },
    person(req: Request, res: Response) {
      const { source, id } = req.valid.params as { source: PersonSource; id: number };
      const person = personPage(db, actorOf(req), source, id, todayIso());
      res.render("people/show", { title: `人员 · ${person.name}`, person });
    },
  };
}

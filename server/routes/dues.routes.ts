import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { todayIso } from "../domain/dates.js";
import { addMonthsToMonth, DUES_BASIS, ENTERED_BASES, PAYMENT_METHOD, REDUCTION_KIND } from "../domain/dues-rules.js";
import { flash } from "../middleware/flash.js";
import { actorOf } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";

import { signedIn, writers } from "../policy/roles.js";
import {
  bulkEntrySchema,
  closeMonthSchema,
  correctionSchema,
  monthQuerySchema,
  reductionSchema,
  summaryQuerySchema,
  unpaidQuerySchema,
} from "../schemas/dues.schema.js";
import { idParam, optionalMonthField } from "../schemas/fields.js";
import * as dues from "../services/dues/dues.service.js";
import { prepareExport } from "../services/export/export.service.js";

const byId = validate({ params: z.object({ id: idParam }) });
const collectedQuery = z.object({
  month: optionalMonthField("月份"),
  org: z.coerce.number().int().positive().optional(),
  only: z.enum(["paid", "unpaid"]).optional(),
});

export function duesRouter(deps: Deps) {
  const h = duesHandlers(deps);
  const r = Router();

  // -- The committee's summary per branch, its workbook, and the figures' lists -----------------
  r.get("/dues", signedIn, validate({ query: summaryQuerySchema }), h.summary);
  r.get("/dues/export.xlsx", signedIn, validate({ query: summaryQuerySchema }), h.exportSummary);
  r.get("/dues/unpaid", signedIn, validate({ query: unpaidQuerySchema }), h.unpaid);
  r.get("/dues/collected", signedIn, validate({ query: collectedQuery }), h.collected);

  // -- A branch's month: the list, the bulk entry (phone width), closing ----------------------------
  r.get("/dues/orgs/:id", signedIn, byId, validate({ query: monthQuerySchema }), h.month);
  r.get("/dues/orgs/:id/entry", writers, byId, validate({ query: monthQuerySchema }), h.entryForm);
  r.post("/dues/orgs/:id/entry", writers, byId, form("dues/entry", h.entryLocals), validate({ body: bulkEntrySchema }), h.record);
  r.post("/dues/orgs/:id/close", writers, byId, form("dues/month", h.monthLocals), validate({ body: closeMonthSchema }), h.close);

  // -- A member's history, reductions, corrections of a closed month -------------------------------
  r.get("/dues/members/:id", signedIn, byId, h.member);
  r.post(
    "/dues/members/:id/reductions",
    writers,
    byId,
    form("dues/member", h.memberLocals),
    validate({ body: reductionSchema }),
    h.addReduction,
  );
  r.get("/dues/entries/:id/correct", writers, byId, h.correctForm);
  r.post(
    "/dues/entries/:id/correct",
    writers,
    byId,
    form("dues/correct", h.correctLocals),
    validate({ body: correctionSchema }),
    h.correct,
  );

  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

const fen = (v: number | null | undefined) => (v == null ? "" : (v / 100).toFixed(2));

function duesHandlers({ db }: Deps) {
  const options = {
    bases: ENTERED_BASES.map((k) => [k, DUES_BASIS.label[k]] as const),
    methods: PAYMENT_METHOD.keys.map((k) => [k, PAYMENT_METHOD.label[k]] as const),
    reductionKinds: REDUCTION_KIND.keys.map((k) => [k, REDUCTION_KIND.label[k]] as const),
  };
  const monthOf = (req: Request) => {
    const raw = (req.body ?? {}) as Record<string, string>;
    return (
      (req.valid?.query?.month as string | null) ??
      (typeof raw.month === "string" && /^\d{4}-\d{2}$/.test(raw.month) ? raw.month : todayIso().slice(0, 7))
    );
  };
  const monthLocals = (req: Request) => {
    const m = dues.branchMonth(db, actorOf(req), req.valid.params.id, monthOf(req));
    return {
      title: `${m.org.name} ${m.month} 党费`,
      ...m,
      prev: addMonthsToMonth(m.month, -1),
      next: addMonthsToMonth(m.month, 1),
      today: todayIso(),
    };
  };
  const entryLocals = (req: Request) => {
    const m = dues.branchMonth(db, actorOf(req), req.valid.params.id, monthOf(req));
    return { title: `录入党费 ${m.month}`, ...m, options, fen };
  };
  const memberLocals = (req: Request) => {
    const d = dues.memberDues(db, actorOf(req), req.valid.params.id);
    return { title: `${d.member.name} 的党费`, ...d, options, fen };
  };
  const correctLocals = (req: Request) => {
    const c = dues.entryForCorrection(db, actorOf(req), req.valid.params.id);
    return { title: "更正党费记录", ...c, options, fen };
  };

  return {
    monthLocals,
    entryLocals,
    memberLocals,
    correctLocals,

    summary(req: Request, res: Response) {
      const q = req.valid.query as { year: number | null; org?: number };
      const today = todayIso();
      const year = q.year ?? Number(today.slice(0, 4));
      const actor = actorOf(req);
      if (q.org) dues.ledgerOrg(db, actor, q.org);
      const s = dues.committeeSummary(db, actor, year, q.org ?? null, today.slice(0, 7));
      const trend = dues.duesTrend(db, actor, today.slice(0, 7), 12, q.org ?? null);
      res.render("dues/index", { title: "党费收缴", ...s, trend, org: q.org ?? null, counts: dues.unpaidCounts(db, actor, today) });
    },
    async exportSummary(req: Request, res: Response) {
      const q = req.valid.query as { year: number | null; org?: number };
      const prepared = prepareExport(db, actorOf(req), { kind: "dues", orgId: q.org ?? null, year: q.year, ip: req.ip ?? null });
      res.setHeader("Content-Type", prepared.contentType);
      res.setHeader(
        "Content-Disposition",
        `attachment; filename="dues-${q.year ?? todayIso().slice(0, 4)}.xlsx"; filename*=UTF-8''${encodeURIComponent(prepared.filename)}`,
      );
      await prepared.run(res);
    },
    unpaid(req: Request, res: Response) {
      const { level } = req.valid.query as { level: "flag" | "warning" };
      const actor = actorOf(req);
      res.render("dues/unpaid", {
        title: "党费未交名单",
        level,
        rows: dues.unpaidMembers(db, actor, level),
        counts: dues.unpaidCounts(db, actor),
      });
    },
    collected(req: Request, res: Response) {
      const q = req.valid.query as { month: string | null; org?: number; only?: "paid" | "unpaid" };
      const actor = actorOf(req);
      const month = q.month ?? addMonthsToMonth(todayIso().slice(0, 7), -1);
      if (q.org) dues.ledgerOrg(db, actor, q.org);
      const figures = dues.duesFigures(db, actor, month, q.org ?? null);
      const rows = dues.duesFigureRows(db, actor, month, q.org ?? null, q.only ?? null);
      res.render("dues/collected", { title: `${month} 党费收缴明细`, month, figures, rows, only: q.only ?? null, org: q.org ?? null });
    },
    month(req: Request, res: Response) {
      res.render("dues/month", monthLocals(req));
    },
    entryForm(req: Request, res: Response) {
      const l = entryLocals(req);
      const values: Record<string, string> = { month: l.month, paidOn: todayIso(), collector: actorOf(req).displayName };
      for (const r of l.rows) {
        const src = r.entry ?? r.previous;
        if (src && (src.basis === "regular" || src.basis === "irregular" || src.basis === "flat"))
          values[`basis_${r.memberId}`] = src.basis;
        if (src?.baseFen != null) values[`income_${r.memberId}`] = fen(src.basis === "irregular" ? src.baseFen * 3 : src.baseFen);
        if (r.entry) {
          if (r.entry.paidFen > 0) values[`paid_${r.memberId}`] = fen(r.entry.paidFen);
          if (r.entry.method) values[`method_${r.memberId}`] = r.entry.method;
          if (r.entry.delayReason) values[`delay_${r.memberId}`] = r.entry.delayReason;
        }
      }
      res.render("dues/entry", { ...l, values });
    },
    record(req: Request, res: Response) {
      const r = dues.recordMonth(db, actorOf(req), req.valid.params.id, req.body);
      flash(req, "success", `已录入 ${r.entries} 条党费记录。`);
      res.redirect(303, `/dues/orgs/${r.org.id}?month=${r.month}`);
    },
    close(req: Request, res: Response) {
      const c = dues.closeMonth(db, actorOf(req), req.valid.params.id, req.body.month);
      flash(req, "success", `${c.month} 已结账。结账后不能修改，更正请另行登记。`);
      res.redirect(303, `/dues/orgs/${c.orgId}?month=${c.month}`);
    },
    member(req: Request, res: Response) {
      res.render("dues/member", {
        ...memberLocals(req),
        values: { kind: "exempt", fromMonth: todayIso().slice(0, 7), approvedOn: todayIso() },
      });
    },
    addReduction(req: Request, res: Response) {
      dues.addReduction(db, actorOf(req), req.valid.params.id, req.body);
      flash(req, "success", "已登记减免。");
      res.redirect(303, `/dues/members/${req.valid.params.id}`);
    },
    correctForm(req: Request, res: Response) {
      const l = correctLocals(req);
      const e = l.entry;
      res.render("dues/correct", {
        ...l,
        values: {
          basis: ENTERED_BASES.includes(e.basis as never) ? e.basis : "regular",
          income: fen(e.basis === "irregular" && e.baseFen != null ? e.baseFen * 3 : e.baseFen),
          paid: fen(e.paidFen),
          paidOn: e.paidOn ?? todayIso(),
          method: e.method ?? "",
          collector: e.collector ?? "",
          delay: e.delayReason ?? "",
        },
      });
    },
    correct(req: Request, res: Response) {
      const c = dues.correctEntry(db, actorOf(req), req.valid.params.id, req.body);
      flash(req, "success", "已登记更正，原记录保留。");
      res.redirect(303, `/dues/members/${c.memberId}`);
    },
  };
}

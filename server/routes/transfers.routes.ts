import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { TRANSFER_KIND, TRANSFER_STATE } from "../domain/codes.js";
import { todayIso } from "../domain/dates.js";
import { defaultValidDays, MAX_VALID_MONTHS, VALID_DAYS_IN_CITY, VALID_DAYS_OUTSIDE } from "../domain/transfer-state.js";
import { flash } from "../middleware/flash.js";
import { actorOf } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";
import { signedIn, writers } from "../policy/roles.js";
import { idParam } from "../schemas/fields.js";
import {
  acceptSchema,
  cancelSchema,
  newTransferQuerySchema,
  returnSchema,
  transferFilterSchema,
  transferInputSchema,
} from "../schemas/transfers.schema.js";
import { exportTransferLedger } from "../services/export/transfer-ledger.js";
import { lastMonthPaidInFull } from "../services/dues/dues.service.js";
import { getMember } from "../services/members/members.service.js";
import * as transfers from "../services/transfers/transfers.service.js";

const byId = validate({ params: z.object({ id: idParam }) });

export function transfersRouter(deps: Deps) {
  const h = transferHandlers(deps);
  const onNew = form("transfers/new", h.newFormLocals);
  const onDetail = form("transfers/show", h.detailLocals);
  const filters = validate({ query: transferFilterSchema });
  const r = Router();

  // -- Transfers list and the ledger ------------------------------------------------------------
  r.get("/transfers", signedIn, filters, h.list);
  r.get("/transfers/export.xlsx", signedIn, filters, h.exportLedger);

  // -- Issuing a letter (or registering one from outside) -----------------------------------------
  r.get("/transfers/new", writers, validate({ query: newTransferQuerySchema }), h.newForm);
  r.post("/transfers", writers, onNew, validate({ body: transferInputSchema }), h.create);

  // -- One transfer: the state machine's three steps ---------------------------------------------
  r.get("/transfers/:id", signedIn, byId, h.detail);
  r.get("/transfers/:id/letter", signedIn, byId, h.letter);
  r.post("/transfers/:id/letter/unmask", signedIn, byId, h.unmaskLetter);
  r.post("/transfers/:id/accept", writers, byId, onDetail, validate({ body: acceptSchema }), h.accept);
  r.post("/transfers/:id/return", writers, byId, onDetail, validate({ body: returnSchema }), h.returnIt);
  r.post("/transfers/:id/cancel", writers, byId, onDetail, validate({ body: cancelSchema }), h.cancel);

  return r;
}

// -- Handlers ---------------------------------------------------------------------------------------

function transferHandlers({ db }: Deps) {
  /** The new-transfer form for one member, or the member search when none is chosen yet (also its re-render after a 422). */
  const newFormLocals = (req: Request) => {
    const actor = actorOf(req);
    const raw = (req.body ?? {}) as Record<string, string>;
    const q = req.valid?.query ?? {};
    const memberId = Number(raw.memberId ?? q.member ?? 0);
    const member = memberId > 0 ? getMember(db, actor, memberId) : null;
    const receivable = member ? transfers.RECEIVABLE_STATUSES.includes(member.relationStatus) : false;
    const kinds = Object.entries(TRANSFER_KIND.label).filter(([k]) => (receivable ? k === "incoming" : k !== "incoming"));
    return {
      title: "开具组织关系介绍信",
      member,
      memberOrg: member ? transfers.memberHoldingOrgs(db, null).find((o) => o.id === member.orgId) : null,
      pending: member ? transfers.pendingTransferOf(db, member.id) : null,
      duesPaidTo: member ? lastMonthPaidInFull(db, member.id) : null,
      kinds,
      // Inside the system a letter may go to any branch; into it only to a branch the actor manages.
      destinations: transfers.memberHoldingOrgs(db, receivable ? actor : null).filter((o) => o.id !== member?.orgId),
      found: !member && q.q ? transfers.findMembers(db, actor, q.q) : [],
      q: q.q ?? "",
      corrects: q.corrects ?? raw.correctsTransferId ?? "",
      today: todayIso(),
      validity: { inCity: VALID_DAYS_IN_CITY, outside: VALID_DAYS_OUTSIDE, maxMonths: MAX_VALID_MONTHS },
    };
  };

  const detailLocals = (req: Request) => {
    const detail = transfers.transferDetail(db, actorOf(req), req.valid.params.id);
    return { title: `转接 ${detail.transfer.letterNumber}`, ...detail, today: todayIso() };
  };

  return {
    newFormLocals,
    detailLocals,

    list(req: Request, res: Response) {
      const result = transfers.listTransfers(db, actorOf(req), req.valid.query);
      // The filters as typed (validated above): the form, the pager and the export link carry them on.
      const typed = Object.fromEntries(
        Object.entries(req.query).filter(([k, v]) => k !== "page" && typeof v === "string" && v !== ""),
      ) as Record<string, string>;
      res.render("transfers/index", {
        title: "组织关系转接",
        ...result,
        filters: typed,
        exportQs: new URLSearchParams(typed).toString(),
        orgs: transfers.memberHoldingOrgs(db, actorOf(req)),
        kindOptions: Object.entries(TRANSFER_KIND.label),
        stateOptions: Object.entries(TRANSFER_STATE.label),
      });
    },
    async exportLedger(req: Request, res: Response) {
      const name = encodeURIComponent(`转接台账-${todayIso()}.xlsx`);
      res.setHeader("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      res.setHeader("Content-Disposition", `attachment; filename="transfer-ledger-${todayIso()}.xlsx"; filename*=UTF-8''${name}`);
      await exportTransferLedger(db, actorOf(req), req.valid.query, res);
      res.end();
    },
    newForm(req: Request, res: Response) {
      const locals = newFormLocals(req);
      const q = req.valid.query;
      const kind = q.kind && locals.kinds.some(([k]) => k === q.kind) ? q.kind : (locals.kinds[0]?.[0] ?? "internal");
      res.render("transfers/new", {
        ...locals,
        values: {
          memberId: locals.member?.id ?? "",
          kind,
          issuedOn: todayIso(),
          validDays: String(defaultValidDays(kind)),
          correctsTransferId: locals.corrects,
          externalOrgName: locals.member?.relationOrgName ?? "",
        },
      });
    },
    create(req: Request, res: Response) {
      const t = transfers.issueTransfer(db, actorOf(req), req.body);
      const message =
        t.kind === "incoming"
          ? `已登记转入介绍信 ${t.letterNumber}，请核对后接收。`
          : `已开具介绍信 ${t.letterNumber}，请打印盖章后交党员本人。`;
      flash(req, "success", message);
      res.redirect(303, `/transfers/${t.id}`);
    },
    detail(req: Request, res: Response) {
      res.render("transfers/show", { ...detailLocals(req), values: { receiptOn: todayIso() } });
    },
    letter(req: Request, res: Response) {
      const v = transfers.letterView(db, actorOf(req), req.valid.params.id);
      res.render("transfers/letter", { title: `介绍信 ${v.transfer.letterNumber}`, ...v });
    },
    /** The unmasked letter is the answer (audited), not a redirect: nothing of it is kept for a GET. */
    unmaskLetter(req: Request, res: Response) {
      const v = transfers.unmaskLetter(db, actorOf(req), req.valid.params.id, todayIso(), { ip: req.ip ?? null });
      res.render("transfers/letter", { title: `介绍信 ${v.transfer.letterNumber}`, ...v });
    },
    accept(req: Request, res: Response) {
      const { transfer } = transfers.acceptTransfer(db, actorOf(req), req.valid.params.id, req.body);
      const message =
        transfer.kind === "outgoing" ? "已登记回执，该党员组织关系已转出系统，记录保留。" : "已接收，该党员的组织关系已转入。";
      flash(req, "success", message);
      res.redirect(303, `/transfers/${transfer.id}`);
    },
    returnIt(req: Request, res: Response) {
      transfers.returnTransfer(db, actorOf(req), req.valid.params.id, req.body);
      flash(req, "success", "已退回，党员仍由转出方管理。");
      res.redirect(303, `/transfers/${req.valid.params.id}`);
    },
    cancel(req: Request, res: Response) {
      transfers.cancelTransfer(db, actorOf(req), req.valid.params.id, req.body);
      flash(req, "success", "介绍信已撤销，记录保留。");
      res.redirect(303, `/transfers/${req.valid.params.id}`);
    },
  };
}

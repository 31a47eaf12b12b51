import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { LOST_CONTACT_REASON, TRANSFER_KIND, TRANSFER_STATE } from "../domain/codes.js";
import { addMonths, todayIso } from "../domain/dates.js";
import { defaultValidDays, MAX_VALID_MONTHS, VALID_DAYS_IN_CITY, VALID_DAYS_OUTSIDE } from "../domain/transfer-state.js";
import { flash } from "../middleware/flash.js";
import { actorOf, requireAuth, requireRole } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";
import { idParam } from "../schemas/fields.js";
import {
  acceptSchema,
  cancelSchema,
  endSpellSchema,
  leaveSchema,
  lostContactSchema,
  mobileInSchema,
  mobileOutSchema,
  newTransferQuerySchema,
  renewCertificateSchema,
  restoreContactSchema,
  returnSchema,
  transferFilterSchema,
  transferInputSchema,
} from "../schemas/transfers.schema.js";
import { exportTransferLedger } from "../services/export/transfer-ledger.js";
import * as inboxes from "../services/inbox.service.js";
import * as contact from "../services/members/contact.js";
import { getMember } from "../services/members/members.service.js";
import * as mobile from "../services/members/mobile.js";
import * as transfers from "../services/transfers/transfers.service.js";

const params = z.object({ id: idParam });
const WRITERS = ["admin", "clerk", "secretary"] as const;

export function transfersRouter({ db }: Deps) {
  // -- Locals each page (and its re-render after a 422) needs -----------------------------------

  /** The new-transfer form for one member, or the member search when none is chosen yet. */
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

  const mobileLocals = (req: Request) => {
    const status = mobile.memberStatus(db, actorOf(req), req.valid.params.id);
    // Which form was sent: only that one shows the errors and what was typed.
    const activeForm = req.method === "POST" ? req.path.split("/").slice(3).join("/") : "";
    return { title: `${status.member.name} · 流动、失联与离开`, ...status, activeForm, today: todayIso(), lostReasons: Object.entries(LOST_CONTACT_REASON.label) };
  };

  const h = {
    list(req: Request, res: Response) {
      const result = transfers.listTransfers(db, actorOf(req), req.valid.query);
      // The filters as typed (validated above): the form, the pager and the export link carry them on.
      const typed = Object.fromEntries(Object.entries(req.query).filter(([k, v]) => k !== "page" && typeof v === "string" && v !== "")) as Record<string, string>;
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
      res.setHeader("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      res.setHeader("Content-Disposition", `attachment; filename="transfer-ledger-${todayIso()}.xlsx"; filename*=UTF-8''${encodeURIComponent(`转接台账-${todayIso()}.xlsx`)}`);
      await exportTransferLedger(db, actorOf(req), req.valid.query, res);
      res.end();
    },
    newForm(req: Request, res: Response) {
      const locals = newFormLocals(req);
      const q = req.valid.query;
      const kind = q.kind && locals.kinds.some(([k]) => k === q.kind) ? q.kind : (locals.kinds[0]?.[0] ?? "internal");
      res.render("transfers/new", {
        ...locals,
        values: { memberId: locals.member?.id ?? "", kind, issuedOn: todayIso(), validDays: String(defaultValidDays(kind)), duesPaidTo: todayIso().slice(0, 7), correctsTransferId: locals.corrects, externalOrgName: locals.member?.relationOrgName ?? "" },
      });
    },
    create(req: Request, res: Response) {
      const t = transfers.issueTransfer(db, actorOf(req), req.body);
      flash(req, "success", t.kind === "incoming" ? `已登记转入介绍信 ${t.letterNumber}，请核对后接收。` : `已开具介绍信 ${t.letterNumber}，请打印盖章后交党员本人。`);
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
      flash(req, "success", transfer.kind === "outgoing" ? "已登记回执，该党员组织关系已转出系统，记录保留。" : "已接收，该党员的组织关系已转入。");
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
    inbox(req: Request, res: Response) {
      res.render("inbox/index", { title: "待办", ...inboxes.inbox(db, actorOf(req)), today: todayIso(), sixMonthsAgo: addMonths(todayIso(), -6) });
    },
    mobile(req: Request, res: Response) {
      res.render("transfers/mobile", { ...mobileLocals(req), values: {} });
    },
    /** Runs a member-status change, then back to the member's status page. */
    memberAction(message: string, run: (req: Request) => void) {
      return (req: Request, res: Response) => {
        run(req);
        flash(req, "success", message);
        res.redirect(303, `/members/${req.valid.params.id}/mobile`);
      };
    },
  };

  const id = (req: Request) => req.valid.params.id as number;
  const asWriter = requireRole(...WRITERS);
  const onDetail = form("transfers/show", detailLocals);
  const onMobile = form("transfers/mobile", mobileLocals);
  const r = Router();

  // -- Transfers list and the ledger ------------------------------------------------------------
  r.get("/transfers", requireAuth, validate({ query: transferFilterSchema }), h.list);
  r.get("/transfers/export.xlsx", requireAuth, validate({ query: transferFilterSchema }), h.exportLedger);

  // -- Issuing a letter (or registering one from outside) -----------------------------------------
  r.get("/transfers/new", asWriter, validate({ query: newTransferQuerySchema }), h.newForm);
  r.post("/transfers", asWriter, form("transfers/new", newFormLocals), validate({ body: transferInputSchema }), h.create);

  // -- One transfer: the state machine's three steps ---------------------------------------------
  r.get("/transfers/:id", requireAuth, validate({ params }), h.detail);
  r.get("/transfers/:id/letter", requireAuth, validate({ params }), h.letter);
  r.post("/transfers/:id/letter/unmask", requireAuth, validate({ params }), h.unmaskLetter);
  r.post("/transfers/:id/accept", asWriter, validate({ params }), onDetail, validate({ body: acceptSchema }), h.accept);
  r.post("/transfers/:id/return", asWriter, validate({ params }), onDetail, validate({ body: returnSchema }), h.returnIt);
  r.post("/transfers/:id/cancel", asWriter, validate({ params }), onDetail, validate({ body: cancelSchema }), h.cancel);

  // -- Inbox ----------------------------------------------------------------------------------
  r.get("/inbox", requireAuth, h.inbox);

  // -- A member's mobile spells, contact and leaving -------------------------------------------
  r.get("/members/:id/mobile", requireAuth, validate({ params }), h.mobile);
  r.post("/members/:id/mobile/in", asWriter, validate({ params }), onMobile, validate({ body: mobileInSchema }), h.memberAction("已登记为流入党员。", (req) => mobile.registerMobileIn(db, actorOf(req), id(req), req.body)));
  r.post("/members/:id/mobile/out", asWriter, validate({ params }), onMobile, validate({ body: mobileOutSchema }), h.memberAction("已登记为流出党员。", (req) => mobile.registerMobileOut(db, actorOf(req), id(req), req.body)));
  r.post("/members/:id/mobile/end", asWriter, validate({ params }), onMobile, validate({ body: endSpellSchema }), h.memberAction("流动登记已结束。", (req) => mobile.endMobileSpell(db, actorOf(req), id(req), req.body)));
  r.post("/members/:id/mobile/renew", asWriter, validate({ params }), onMobile, validate({ body: renewCertificateSchema }), h.memberAction("活动证有效期已更新。", (req) => mobile.renewCertificate(db, actorOf(req), id(req), req.body)));
  r.post("/members/:id/contact/lost", asWriter, validate({ params }), onMobile, validate({ body: lostContactSchema }), h.memberAction("已标记为失联。", (req) => contact.markLostContact(db, actorOf(req), id(req), req.body)));
  r.post("/members/:id/contact/restore", asWriter, validate({ params }), onMobile, validate({ body: restoreContactSchema }), h.memberAction("已恢复联系。", (req) => contact.restoreContact(db, actorOf(req), id(req), req.body)));
  r.post("/members/:id/leave", asWriter, validate({ params }), onMobile, validate({ body: leaveSchema }), h.memberAction("已记录，党员档案保留。", (req) => mobile.recordLeave(db, actorOf(req), id(req), req.body)));

  return r;
}

import { type Request, type Response, Router } from "express";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { todayIso } from "../domain/dates.js";
import { MEMBERSHIP_CHANGE } from "../domain/membership-changes.js";
import { flash } from "../middleware/flash.js";
import { actorOf } from "../middleware/require-auth.js";
import { form, validate } from "../middleware/validate.js";
import { clerksAndAdmins, signedIn, writers } from "../policy/roles.js";
import { idParam } from "../schemas/fields.js";
import { approveChangeSchema, proposeChangeSchema, rejectChangeSchema } from "../schemas/membership.schema.js";
import * as membership from "../services/membership/membership.service.js";

// Membership ending and restored (停止党籍, 恢复党籍, 出党, death): the branch proposes, the committee above decides.
const byId = validate({ params: z.object({ id: idParam }) });
const byChange = validate({ params: z.object({ id: idParam, changeId: idParam }) });

export function membershipRouter({ db }: Deps) {
  const onPage = form("membership/show", pageLocals);
  const r = Router();

  r.get("/members/:id/membership", signedIn, byId, page);
  r.post("/members/:id/membership", writers, byId, onPage, validate({ body: proposeChangeSchema }), propose);
  r.post("/members/:id/membership/:changeId/approve", clerksAndAdmins, byChange, onPage, validate({ body: approveChangeSchema }), approve);
  r.post("/members/:id/membership/:changeId/reject", clerksAndAdmins, byChange, onPage, validate({ body: rejectChangeSchema }), reject);

  return r;

  function pageLocals(req: Request) {
    const data = membership.membershipOf(db, actorOf(req), req.valid.params.id as number);
    // Which form was sent (propose, approve, reject): only that one shows the errors and what was typed.
    const activeForm = req.method === "POST" ? (req.path.split("/").pop() ?? "") : "";
    const preselect = typeof req.query.kind === "string" ? req.query.kind : "";
    return { title: `${data.member.name} · 党籍`, ...data, activeForm, preselect, today: todayIso() };
  }
  function page(req: Request, res: Response) {
    res.render("membership/show", { ...pageLocals(req), values: {}, errors: {} });
  }
  function propose(req: Request, res: Response) {
    const c = membership.proposeChange(db, actorOf(req), req.valid.params.id as number, req.body);
    flash(req, "success", `已提出${MEMBERSHIP_CHANGE.label[c.kind]}，等待上级党委审批。`);
    res.redirect(303, `/members/${c.memberId}/membership`);
  }
  function approve(req: Request, res: Response) {
    const { id, changeId } = req.valid.params as { id: number; changeId: number };
    const c = membership.approveChange(db, actorOf(req), id, changeId, req.body);
    flash(req, "success", `已批准${MEMBERSHIP_CHANGE.label[c.kind]}。`);
    res.redirect(303, `/members/${id}/membership`);
  }
  function reject(req: Request, res: Response) {
    const { id, changeId } = req.valid.params as { id: number; changeId: number };
    const c = membership.rejectChange(db, actorOf(req), id, changeId, req.body);
    flash(req, "info", `已不予批准${MEMBERSHIP_CHANGE.label[c.kind]}。`);
    res.redirect(303, `/members/${id}/membership`);
  }
}

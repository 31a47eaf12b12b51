import { Router } from "express";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { form, validate } from "../middleware/validate.js";
import { signedIn, writers } from "../policy/roles.js";
import { idParam } from "../schemas/fields.js";
import { memberCreateSchema, memberListQuerySchema, memberSearchSchema, memberUpdateSchema } from "../schemas/members.schema.js";
import {
  endSpellSchema,
  lostContactSchema,
  mobileInSchema,
  mobileOutSchema,
  renewCertificateSchema,
  restoreContactSchema,
} from "../schemas/transfers.schema.js";
import { memberHandlers } from "./members.handlers.js";

const byId = validate({ params: z.object({ id: idParam }) });

export function membersRouter(deps: Deps) {
  const h = memberHandlers(deps);
  const onSearch = form("members/search", h.searchLocals);
  const onNew = form("members/form", h.newFormLocals);
  const onEdit = form("members/form", h.editFormLocals);
  const onStatus = form("transfers/mobile", h.statusLocals);
  const r = Router();

  // -- Member list and search -------------------------------------------------------------------
  r.get("/members", signedIn, validate({ query: memberListQuerySchema }), h.list);
  r.post("/members/search", signedIn, onSearch, validate({ body: memberSearchSchema }), h.search);

  // -- New member -------------------------------------------------------------------------------
  r.get("/members/new", writers, h.newForm);
  r.post("/members", writers, onNew, validate({ body: memberCreateSchema }), h.create);

  // -- One member (never deleted: there is no delete route) -------------------------------------
  r.get("/members/:id", signedIn, byId, h.detail);
  r.post("/members/:id/unmask", signedIn, byId, h.unmask);
  r.get("/members/:id/edit", writers, byId, h.editForm);
  r.post("/members/:id", writers, byId, h.inScope, onEdit, validate({ body: memberUpdateSchema }), h.update);

  // -- A member's mobile spells and contact (ending membership: membership.routes.ts) --------------------------------------------
  r.get("/members/:id/mobile", signedIn, byId, h.status);
  r.post("/members/:id/mobile/in", writers, byId, onStatus, validate({ body: mobileInSchema }), h.mobileIn);
  r.post("/members/:id/mobile/out", writers, byId, onStatus, validate({ body: mobileOutSchema }), h.mobileOut);
  r.post("/members/:id/mobile/end", writers, byId, onStatus, validate({ body: endSpellSchema }), h.endSpell);
  r.post("/members/:id/mobile/renew", writers, byId, onStatus, validate({ body: renewCertificateSchema }), h.renewCertificate);
  r.post("/members/:id/contact/lost", writers, byId, onStatus, validate({ body: lostContactSchema }), h.lostContact);
  r.post("/members/:id/contact/restore", writers, byId, onStatus, validate({ body: restoreContactSchema }), h.restoreContact);

  return r;
}

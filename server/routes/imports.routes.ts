import { Router } from "express";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { validate } from "../middleware/validate.js";
import { clerksAdminsAndSupervisors, clerksAndAdmins, signedIn } from "../policy/roles.js";
import { idParam } from "../schemas/fields.js";
import { pageQuery } from "../schemas/imports.schema.js";
import { ONBOARDING_KINDS } from "../domain/onboarding-codes.js";
import { importHandlers } from "./imports.handlers.js";
import { onboardingHandlers } from "./onboarding.handlers.js";

const byId = validate({ params: z.object({ id: idParam }) });
const byKind = validate({ params: z.object({ kind: z.enum(ONBOARDING_KINDS, { error: "没有这种导入模板" }) }) });

export function importsRouter(deps: Deps) {
  const o = onboardingHandlers(deps);
  const h = importHandlers(deps, o.pageLocals);
  const readers = clerksAdminsAndSupervisors;
  const r = Router();

  // -- History and upload (the upload's fields are read by multer, then checked by the handler) -----
  r.get("/imports", readers, validate({ query: pageQuery }), h.list);
  r.get("/imports/new", clerksAndAdmins, h.newForm);
  r.post("/imports/new", clerksAndAdmins, h.receive, h.upload);
  r.post("/imports/start", clerksAndAdmins, h.start);

  // -- Onboarding: the templates, and the upload form (posted to /imports/new like any import) ----
  r.get("/onboarding", clerksAndAdmins, o.page);
  r.get("/onboarding/templates/:kind.xlsx", clerksAndAdmins, byKind, o.template);

  // -- One import: progress, summary, error list -------------------------------------------------
  r.get("/imports/:id", signedIn, readers, byId, h.show);
  r.get("/imports/:id/progress", signedIn, readers, byId, h.progress);
  r.get("/imports/:id/issues.xlsx", signedIn, readers, byId, h.issuesXlsx);

  return r;
}

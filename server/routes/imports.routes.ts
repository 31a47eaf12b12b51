import { Router } from "express";
import { z } from "zod";
import type { Deps } from "../deps.js";
import { validate } from "../middleware/validate.js";
import { clerksAdminsAndSupervisors, clerksAndAdmins, signedIn } from "../policy/roles.js";
import { idParam } from "../schemas/fields.js";
import { pageQuery } from "../schemas/imports.schema.js";
import { importHandlers } from "./imports.handlers.js";

const byId = validate({ params: z.object({ id: idParam }) });

export function importsRouter(deps: Deps) {
  const h = importHandlers(deps);
  const readers = clerksAdminsAndSupervisors;
  const r = Router();

  // -- History and upload (the upload's fields are read by multer, then checked by the handler) -----
  r.get("/imports", readers, validate({ query: pageQuery }), h.list);
  r.get("/imports/new", clerksAndAdmins, h.newForm);
  r.post("/imports/new", clerksAndAdmins, h.receive, h.upload);
  r.post("/imports/start", clerksAndAdmins, h.start);

  // -- One import: progress, summary, error list -------------------------------------------------
  r.get("/imports/:id", signedIn, readers, byId, h.show);
  r.get("/imports/:id/progress", signedIn, readers, byId, h.progress);
  r.get("/imports/:id/issues.xlsx", signedIn, readers, byId, h.issuesXlsx);

  return r;
}

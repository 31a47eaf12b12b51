import type { Request, Response } from "express";
import type { Deps } from "../deps.js";
import { ONBOARDING_KINDS, type OnboardingKind } from "../domain/onboarding-codes.js";
import { actorOf } from "../middleware/require-auth.js";
import { importTargets } from "../services/import/import.service.js";
import { buildTemplate, TEMPLATE_TITLE, templateFileName } from "../services/import/templates.js";

// The onboarding page (the three templates and the upload, which goes on through the import pages:
// preview, progress, result) and the templates' downloads. imports.routes.ts holds the table.

export function onboardingHandlers({ handle }: Deps) {
  /** The organizations an onboarding file may be filed under: the city department and the committees of the scope. */
  const targets = (req: Request) => importTargets(handle, actorOf(req)).filter((o) => o.rosterTarget);

  const pageLocals = (req: Request) => ({
    title: "批量导入党组织、企业和指导员",
    kinds: ONBOARDING_KINDS.map((k) => ({ kind: k, title: TEMPLATE_TITLE[k] })),
    targets: targets(req),
  });

  return {
    pageLocals,
    page(req: Request, res: Response) {
      const actor = actorOf(req);
      res.render("imports/onboarding", { ...pageLocals(req), values: { kind: "organizations", orgId: String(actor.orgId) }, errors: {} });
    },
    async template(req: Request, res: Response) {
      const kind = req.valid.params.kind as OnboardingKind;
      const wb = buildTemplate(handle.db, actorOf(req), kind);
      res.setHeader("Content-Type", "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet");
      const name = encodeURIComponent(templateFileName(kind));
      res.setHeader("Content-Disposition", `attachment; filename="onboarding-${kind}.xlsx"; filename*=UTF-8''${name}`);
      await wb.xlsx.write(res);
      res.end();
    },
  };
}

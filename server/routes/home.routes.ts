import { type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { actorOf, requireAuth } from "../middleware/require-auth.js";
import * as orgs from "../services/orgs.service.js";

export function homeRouter({ db }: Deps) {
  const h = {
    home(req: Request, res: Response) {
      const tree = orgs.orgTree(db, actorOf(req));
      res.render("home", { title: "首页", tree });
    },
  };
  const r = Router();

  // -- Home -------------------------------------------------------------------------------------
  r.get("/", requireAuth, h.home);
  return r;
}

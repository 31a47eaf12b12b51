import { type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { actorOf } from "../middleware/require-auth.js";
import { signedIn } from "../policy/roles.js";
import * as inboxes from "../services/inbox.service.js";
import { riskCounts } from "../services/risk/risk.service.js";
import { todayIso } from "../domain/dates.js";
import { scopePath } from "../policy/actor.js";
import { duesInbox } from "../services/dues/inbox.js";
import { meetingFlags } from "../services/meetings/meetings.service.js";

export function inboxRouter(deps: Deps) {
  const h = inboxHandlers(deps);
  const r = Router();

  // -- What waits for the user: letters to receive, certificates running out, members out of contact
  r.get("/inbox", signedIn, h.inbox);

  return r;
}

function inboxHandlers({ db, caches }: Deps) {
  return {
    inbox(req: Request, res: Response) {
      const actor = actorOf(req);
      const today = todayIso();
      const risk = caches.risk.get(JSON.stringify([actor.role, actor.orgId, scopePath(actor), {}, today]), () =>
        riskCounts(db, actor, today, caches.riskParts),
      );
      res.render("inbox/index", {
        title: "待办",
        ...inboxes.inbox(db, actor),
        risk,
        duesUnpaid: duesInbox(db, actor),
        meetingFlags: meetingFlags(db, actor),
      });
    },
  };
}

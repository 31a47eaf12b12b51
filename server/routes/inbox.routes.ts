import { type Request, type Response, Router } from "express";
import type { Deps } from "../deps.js";
import { actorOf } from "../middleware/require-auth.js";
import { signedIn } from "../policy/roles.js";
import * as inboxes from "../services/inbox.service.js";
import { meetingFlags } from "../services/meetings/meetings.service.js";

export function inboxRouter(deps: Deps) {
  const h = inboxHandlers(deps);
  const r = Router();

  // -- What waits for the user: letters to receive, certificates running out, members out of contact
  r.get("/inbox", signedIn, h.inbox);

  return r;
}

function inboxHandlers({ db }: Deps) {
  return {
    inbox(req: Request, res: Response) {
      res.render("inbox/index", { title: "待办", ...inboxes.inbox(db, actorOf(req)), meetingFlags: meetingFlags(db, actorOf(req)) });
    },
  };
}

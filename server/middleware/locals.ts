import type { NextFunction, Request, Response } from "express";
import { PAGE_SIZES } from "../domain/list-rules.js";
import * as codes from "../domain/codes.js";
import { FULL_MEMBERS_TO_FORM } from "../domain/coverage-rules.js";
import { maskIdNumber, maskPhone } from "../domain/masking.js";
import { CERTIFICATE_WARNING_DAYS, LOST_CONTACT_LIMIT_WORDS, LOST_CONTACT_SUSPEND_MONTHS } from "../domain/membership-rules.js";
import type { Deps } from "../deps.js";
import { canUnmask, canWrite } from "../policy/actor.js";
import { backupAlert } from "../services/backup/schedule.js";
import { navCounts } from "../services/nav.service.js";
import { viewHelpers } from "../views/helpers.js";

/** The domain's numbers as the pages state them: views print these, never their own copy. */
export const VIEW_RULES = Object.freeze({
  fullMembersToForm: FULL_MEMBERS_TO_FORM,
  lostContactMonths: LOST_CONTACT_SUSPEND_MONTHS,
  lostContactLimitWords: LOST_CONTACT_LIMIT_WORDS,
  certificateWarningDays: CERTIFICATE_WARNING_DAYS,
  pageSizes: PAGE_SIZES,
});

/**
 * The locals the layout needs, from what the request holds so far. The error handler calls it too:
 * an error raised before viewLocals ran (a body the parser refused, a session store failure) must
 * still render the normal page, signed out where passport has not run yet.
 */
export function baseLocals(req: Request, res: Response) {
  const user = req.user ?? null;
  res.locals.user = user;
  res.locals.currentPath = req.path;
  res.locals.codes = codes;
  res.locals.rules = VIEW_RULES;
  res.locals.h = viewHelpers;
  res.locals.maskIdNumber = maskIdNumber;
  res.locals.maskPhone = maskPhone;
  res.locals.canWrite = user ? canWrite(user) : false;
  res.locals.canUnmask = user ? canUnmask(user) : false;
  res.locals.errors = {};
  res.locals.values = {};
  // Lazy: only pages that render a form create a session token.
  Object.defineProperty(res.locals, "csrfToken", {
    enumerable: true,
    configurable: true,
    get: () => req.csrfToken?.() ?? "",
  });
  res.locals.takeFlash = () => {
    const f = req.session?.flash ?? [];
    if (req.session?.flash) delete req.session.flash;
    return f;
  };
  res.locals.navCounts = {};
}

/** What every view can use: the user, the CSRF token, flash messages, code labels and helpers. */
export function viewLocals({ db, caches, backups }: Deps) {
  return (req: Request, res: Response, next: NextFunction) => {
    baseLocals(req, res);
    const user = req.user ?? null;
    // The navigation badges (inbox, open leads): counts over the user's whole scope, from their cache (deps.ts).
    if (user && req.method === "GET") {
      res.locals.navCounts = caches.nav.get(JSON.stringify([user.id, user.role, user.orgId, user.orgPath]), () => navCounts(db, user));
    }
    // The backup schedule's state, for administrators only: a failed or overdue copy on every page they open.
    const backup = user?.role === "admin" && backups ? backups.status() : null;
    res.locals.backupStatus = backup;
    res.locals.backupAlert = backup ? backupAlert(backup, Date.now()) : null;
    next();
  };
}

import { RECRUITMENT_VIEW_RULES } from "../domain/recruitment-rules.js";
import type { NextFunction, Request, Response } from "express";
import { PAGE_SIZES } from "../domain/list-rules.js";
import * as codes from "../domain/codes.js";
import { MEMBERSHIP_VIEW_RULES } from "../domain/membership-changes.js";
import { MOBILE_UNIT_KIND } from "../domain/mobile-members.js";
import { FULL_MEMBERS_TO_FORM } from "../domain/coverage-rules.js";
import {
  BACK_PAYMENT_MAX_MONTHS,
  DUES_BASIS,
  PAYMENT_METHOD,
  REDUCTION_KIND,
  UNPAID_FLAG_MONTHS,
  UNPAID_WARNING_MONTHS,
} from "../domain/dues-rules.js";
import { maskIdNumber, maskPhone } from "../domain/masking.js";
import { CERTIFICATE_WARNING_DAYS, LOST_CONTACT_LIMIT_WORDS, LOST_CONTACT_SUSPEND_MONTHS } from "../domain/membership-rules.js";
import { LEAD_UNVERIFIED_DAYS, TRANSFER_LAPSE_MONTHS } from "../domain/risk-rules.js";
import type { Deps } from "../deps.js";
import * as life from "../domain/organizational-life-rules.js";
import { canUnmask, canWrite } from "../policy/actor.js";
import { backupAlert } from "../services/backup/schedule.js";
import { type NavCounts, navCounts } from "../services/nav.service.js";
import { viewHelpers } from "../views/helpers.js";

/** The domain's numbers as the pages state them: views print these, never their own copy. */
export const VIEW_RULES = Object.freeze({
  fullMembersToForm: FULL_MEMBERS_TO_FORM,
  lostContactMonths: LOST_CONTACT_SUSPEND_MONTHS,
  lostContactLimitWords: LOST_CONTACT_LIMIT_WORDS,
  certificateWarningDays: CERTIFICATE_WARNING_DAYS,
  leadUnverifiedDays: LEAD_UNVERIFIED_DAYS,
  transferLapseMonths: TRANSFER_LAPSE_MONTHS,
  /** Membership changes: their labels, the standing labels and which change each standing allows. */
  membership: MEMBERSHIP_VIEW_RULES,
  mobileUnitKind: MOBILE_UNIT_KIND.label,
  duesUnpaidFlagMonths: UNPAID_FLAG_MONTHS,
  duesUnpaidWarningMonths: UNPAID_WARNING_MONTHS,
  duesBackPaymentMonths: BACK_PAYMENT_MAX_MONTHS,
  duesBasisLabels: DUES_BASIS.label,
  paymentMethodLabels: PAYMENT_METHOD.label,
  reductionKindLabels: REDUCTION_KIND.label,
  recruitment: RECRUITMENT_VIEW_RULES,
  // Organizational life (三会一课): the code lists' labels and the participation thresholds.
  meetingType: life.MEETING_TYPE.label,
  meetingFrequency: Object.fromEntries(life.MEETING_TYPES.map((t) => [t, life.FREQUENCY_LABEL[life.MEETING_FREQUENCY[t]]])),
  attendanceStatus: life.ATTENDANCE_STATUS.label,
  absenceReason: life.ABSENCE_REASON.label,
  participationWarningMonths: life.PARTICIPATION_WARNING_MONTHS,
  participationLimitMonths: life.PARTICIPATION_LIMIT_MONTHS,
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
    // Counted when first read (by the layout), unless a handler sets them first: the dashboard's come
    // with its cards from the counting thread, so its page counts none on this one.
    if (user && req.method === "GET") {
      let counts: NavCounts | undefined;
      Object.defineProperty(res.locals, "navCounts", {
        enumerable: true,
        configurable: true,
        get: () => (counts ??= caches.nav.get(JSON.stringify([user.id, user.role, user.orgId, user.orgPath]), () => navCounts(db, user))),
        set: (v: NavCounts) => {
          counts = v;
        },
      });
    }
    // The backup schedule's state, for administrators only: a failed or overdue copy on every page they open.
    const backup = user?.role === "admin" && backups ? backups.status() : null;
    res.locals.backupStatus = backup;
    res.locals.backupAlert = backup ? backupAlert(backup, Date.now()) : null;
    next();
  };
}

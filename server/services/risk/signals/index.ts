// The registry of drift-risk signals: one module a signal. A new signal is one file here and one
// line below, plus its code and labels in domain/risk-rules.ts.

import { duesUnpaid } from "./dues-unpaid.js";
import { leadUnverified } from "./lead-unverified.js";
import { leftPlatforms } from "./left-platforms.js";
import { lostContact } from "./lost-contact.js";
import { mobileExpired } from "./mobile-expired.js";
import { noOrgLife } from "./no-org-life.js";
import { transferOverdue } from "./transfer-overdue.js";
import type { RiskSignal } from "./types.js";

export const RISK_SIGNALS: readonly RiskSignal[] = [
  transferOverdue,
  lostContact,
  noOrgLife,
  duesUnpaid,
  leftPlatforms,
  mobileExpired,
  leadUnverified,
];

export type { RiskHit, RiskSignal, RiskSubject } from "./types.js";

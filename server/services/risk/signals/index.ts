// The registry of drift-risk signals: one module a signal. A new signal (no organizational life,
// dues unpaid: once the meetings and dues records exist) is one file here and one line below, plus
// its code and label in domain/risk-rules.ts.

import { leadUnverified } from "./lead-unverified.js";
import { leftPlatforms } from "./left-platforms.js";
import { lostContact } from "./lost-contact.js";
import { mobileExpired } from "./mobile-expired.js";
import { transferOverdue } from "./transfer-overdue.js";
import type { RiskSignal } from "./types.js";

export const RISK_SIGNALS: readonly RiskSignal[] = [transferOverdue, lostContact, leftPlatforms, mobileExpired, leadUnverified];

export type { RiskHit, RiskSignal, RiskSubject } from "./types.js";

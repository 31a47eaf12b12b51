// The public self-report form (亮身份): a worker without an account declares membership through a
// link's QR code. What he submits becomes a lead of the link's committee (or merges into his
// existing lead, or notes on his member record when the link's committee manages him); what he
// sees back never depends on which.

import { eq } from "drizzle-orm";
import { RateLimiterSQLite, type RateLimiterRes } from "rate-limiter-flexible";
import type { Db, DbHandle } from "../../../db/client.js";
import { organizations } from "../../../db/schema.js";
import { todayIso } from "../../domain/dates.js";
import { AppError } from "../../errors.js";
import type { SelfReportInput } from "../../schemas/finds.schema.js";
import { recordAudit } from "../admin/audit.js";
import { type IntakeResult, intakeLead } from "./lead-intake.js";
import type { SelfReportLink } from "./links.js";
import { declaredFactErrors } from "../../domain/self-declaration.js";

/** The version of the consent text the form shows (views/finds/public-form.ejs); kept with each submission. */
export const CONSENT_VERSION = "2025-01";

/** Who the audit log names for submissions of the public form. */
const PUBLIC_FORM = { id: 0, username: "公开登记表" };

/** The link's committee's subtree: what a submission may write into (never a member of another committee's). */
function committeePath(db: Db, committeeId: number): string {
  const path = db.select({ path: organizations.path }).from(organizations).where(eq(organizations.id, committeeId)).get()?.path;
  if (!path) throw new Error(`self-report link names no committee (${committeeId})`);
  return path;
}

export function submitSelfReport(
  handle: DbHandle,
  link: SelfReportLink,
  input: SelfReportInput,
  meta: { ip: string | null; today?: string },
): IntakeResult {
  const today = meta.today ?? todayIso();
  const errors = declaredFactErrors(input, today);
  if (Object.keys(errors).length > 0) throw AppError.invalid(errors);
  return handle.db.transaction(
    (tx) => {
      const r = intakeLead(tx, null, {
        idNumber: input.idNumber,
        name: input.name,
        phone: input.phone,
        channel: "self_report",
        committeeId: link.committeeId,
        enterpriseId: link.enterpriseId,
        occupation: input.occupation,
        platform: input.platform,
        homeOrgName: input.homeOrgName,
        joinedOn: input.joinedOn,
        foundOn: today,
        selfReportLinkId: link.id,
        note: null,
        sourceLabel: `亮身份二维码“${link.label}”`,
        scopePath: committeePath(tx, link.committeeId),
      });
      recordAudit(tx, PUBLIC_FORM, {
        action: "self_report",
        entity: r.outcome === "already_member" || r.outcome === "member_elsewhere" ? "member" : "lead",
        entityId: r.outcome === "already_member" ? r.memberId : r.leadId,
        details: { linkId: link.id, outcome: r.outcome, consent: CONSENT_VERSION },
        ip: meta.ip,
      });
      return r;
    },
    { behavior: "immediate" },
  );
}

// -- Rate limits ----------------------------------------------------------------------------------

export type RateRule = { points: number; seconds: number };
export type SelfReportLimits = { perIp: RateRule; perLink: RateRule };

/** A person submits once or twice; a station's poster sees a shift change at most. */
export const DEFAULT_SELF_REPORT_LIMITS: SelfReportLimits = {
  perIp: { points: 10, seconds: 60 * 60 },
  perLink: { points: 300, seconds: 60 * 60 },
};

export type SelfReportLimiter = {
  /** Counts a submission (to an unknown or dead link: per IP only); null when allowed, else the seconds to wait. */
  consume(ip: string, linkId: number | null): Promise<number | null>;
};

/** Submissions limited per IP and per link, kept in SQLite (`rate_limits`) so a restart does not reset them. */
export function createSelfReportLimiter(handle: DbHandle, limits: SelfReportLimits = DEFAULT_SELF_REPORT_LIMITS): SelfReportLimiter {
  const common = { storeClient: handle.sqlite, storeType: "better-sqlite3" as const, tableName: "rate_limits", tableCreated: true };
  const perIp = new RateLimiterSQLite({
    ...common,
    keyPrefix: "self_report_ip",
    points: limits.perIp.points,
    duration: limits.perIp.seconds,
  });
  const perLink = new RateLimiterSQLite({
    ...common,
    keyPrefix: "self_report_link",
    points: limits.perLink.points,
    duration: limits.perLink.seconds,
  });
  return {
    async consume(ip, linkId) {
      try {
        await perIp.consume(ip);
        if (linkId !== null) await perLink.consume(String(linkId));
        return null;
      } catch (rej) {
        if (rej instanceof Error) throw rej;
        return Math.max(1, Math.ceil((rej as RateLimiterRes).msBeforeNext / 1000));
      }
    },
  };
}

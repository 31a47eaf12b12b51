// Self-report links (办法即时找 · 亮身份): a clerk makes a link for a station, event or enterprise;
// its QR code leads workers to the public form. The token is the only secret: 144 random bits,
// base64url. A link works until it expires or is closed; history stays.

import { randomBytes } from "node:crypto";
import { and, desc, eq, inArray, sql } from "drizzle-orm";
import QRCode from "qrcode";
import type { Db } from "../../../db/client.js";
import { auditLog, enterprises, leads, organizations, selfReportLinks, users } from "../../../db/schema.js";
import { addDays } from "../../domain/dates.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite, assertRole, orgIdInScope } from "../../policy/actor.js";
import type { LinkInput } from "../../schemas/finds.schema.js";
import { recordAudit } from "../admin/audit.js";
import { checkEnterprise, resolveCommittee } from "./scope.js";

export type SelfReportLink = typeof selfReportLinks.$inferSelect;
export type LinkStatus = "active" | "expired" | "closed";

/** A link lives at most this long: a poster on a wall should not work for ever. */
export const MAX_LINK_DAYS = 366;
/** Token bytes: 18 random bytes = 144 bits = 24 base64url characters. */
const TOKEN_BYTES = 18;

export function newToken(): string {
  return randomBytes(TOKEN_BYTES).toString("base64url");
}

/** The last instant of a day in China Standard Time, as an ISO timestamp. */
export function endOfDayCst(date: string): string {
  return new Date(Date.parse(`${date}T23:59:59.999+08:00`)).toISOString();
}

export function linkStatus(link: Pick<SelfReportLink, "closedAt" | "expiresAt">, now: Date): LinkStatus {
  if (link.closedAt) return "closed";
  if (link.expiresAt && link.expiresAt <= now.toISOString()) return "expired";
  return "active";
}

export function publicPath(token: string): string {
  return `/r/${token}`;
}

/** Creates a link, with a random token, in a committee of the actor's scope. */
export function createLink(db: Db, actor: Actor, input: LinkInput, today: string): SelfReportLink {
  assertCanWrite(actor);
  assertRole(actor, "admin", "clerk");
  const committee = resolveCommittee(db, actor, input.committeeId);
  const enterpriseId = checkEnterprise(db, committee, input.enterpriseId);
  if (input.expiresOn < today) throw AppError.invalid({ expiresOn: "有效期不能早于今天" });
  if (input.expiresOn > addDays(today, MAX_LINK_DAYS))
    throw AppError.invalid({ expiresOn: `有效期最长 ${MAX_LINK_DAYS} 天（至 ${addDays(today, MAX_LINK_DAYS)}）` });
  return db.transaction((tx) => {
    const link = tx
      .insert(selfReportLinks)
      .values({
        token: newToken(),
        label: input.label,
        committeeId: committee.id,
        enterpriseId,
        expiresAt: endOfDayCst(input.expiresOn),
        createdBy: actor.id > 0 ? actor.id : null,
      })
      .returning()
      .get();
    // The token is a credential of sorts: the audit log names the link, never its token.
    recordAudit(tx, actor, {
      action: "create",
      entity: "self_report_link",
      entityId: link.id,
      after: { label: link.label, committeeId: link.committeeId, enterpriseId, expiresAt: link.expiresAt },
    });
    return link;
  });
}

export type LinkRow = SelfReportLink & {
  committeeName: string;
  enterpriseName: string | null;
  createdByName: string | null;
  status: LinkStatus;
  leadCount: number;
  memberCount: number;
};

function linkRows(db: Db, actor: Actor, where: ReturnType<typeof and>, now: Date): LinkRow[] {
  const rows = db
    .select({
      link: selfReportLinks,
      committeeName: organizations.name,
      enterpriseName: enterprises.name,
      createdByName: users.displayName,
    })
    .from(selfReportLinks)
    .innerJoin(organizations, eq(organizations.id, selfReportLinks.committeeId))
    .leftJoin(enterprises, eq(enterprises.id, selfReportLinks.enterpriseId))
    .leftJoin(users, eq(users.id, selfReportLinks.createdBy))
    .where(and(orgIdInScope(actor, selfReportLinks.committeeId), where))
    .orderBy(desc(selfReportLinks.id))
    .all();
  if (rows.length === 0) return [];
  const ids = rows.map((r) => r.link.id);
  // One grouped query each, whatever the number of links.
  const leadCounts = new Map(
    db
      .select({ id: leads.selfReportLinkId, n: sql<number>`count(*)` })
      .from(leads)
      .where(inArray(leads.selfReportLinkId, ids))
      .groupBy(leads.selfReportLinkId)
      .all()
      .map((r) => [r.id, r.n]),
  );
  // Submissions by people who were already members raise no lead: the audit log counts them
  // (action 'self_report' is indexed and holds only the public form's submissions), the link's
  // committee's members and other committees' (whose records the submission did not touch) alike.
  const linkIdOf = sql<number>`json_extract(${auditLog.details}, '$.linkId')`;
  const memberCounts = new Map(
    db
      .select({ id: linkIdOf, n: sql<number>`count(*)` })
      .from(auditLog)
      .where(
        and(
          eq(auditLog.action, "self_report"),
          sql`json_extract(${auditLog.details}, '$.outcome') IN ('already_member', 'member_elsewhere')`,
          inArray(linkIdOf, ids),
        ),
      )
      .groupBy(linkIdOf)
      .all()
      .map((r) => [r.id, r.n]),
  );
  return rows.map((r) => ({
    ...r.link,
    committeeName: r.committeeName,
    enterpriseName: r.enterpriseName,
    createdByName: r.createdByName,
    leadCount: leadCounts.get(r.link.id) ?? 0,
    memberCount: memberCounts.get(r.link.id) ?? 0,
    status: linkStatus(r.link, now),
  }));
}

export function listLinks(db: Db, actor: Actor, now: Date): LinkRow[] {
  return linkRows(db, actor, undefined, now);
}

/** One link in the actor's scope, or 404 (a link outside the scope does not exist for them). */
export function getLink(db: Db, actor: Actor, id: number, now: Date): LinkRow {
  const row = linkRows(db, actor, eq(selfReportLinks.id, id), now)[0];
  if (!row) throw AppError.notFound("亮身份登记链接");
  return row;
}

export function closeLink(db: Db, actor: Actor, id: number, now: Date): LinkRow {
  assertCanWrite(actor);
  assertRole(actor, "admin", "clerk");
  const link = getLink(db, actor, id, now);
  if (link.closedAt) return link;
  db.transaction((tx) => {
    tx.update(selfReportLinks).set({ closedAt: now.toISOString() }).where(eq(selfReportLinks.id, id)).run();
    recordAudit(tx, actor, {
      action: "close",
      entity: "self_report_link",
      entityId: id,
      before: { closedAt: null },
      after: { closedAt: now.toISOString() },
    });
  });
  return getLink(db, actor, id, now);
}

/** The link a public token names, when it still takes submissions; null for unknown, expired and closed alike. */
export function activeLinkByToken(db: Db, token: string, now: Date): SelfReportLink | null {
  const link = db.select().from(selfReportLinks).where(eq(selfReportLinks.token, token)).get();
  if (!link || linkStatus(link, now) !== "active") return null;
  return link;
}

/** The leads that came in through a link, newest first (the clerk's view; personal data masked by the view). */
export function leadsOfLink(db: Db, actor: Actor, linkId: number) {
  return db
    .select({
      id: leads.id,
      name: leads.name,
      idNumber: leads.idNumber,
      phone: leads.phone,
      channel: leads.channel,
      occupation: leads.occupation,
      platform: leads.platform,
      homeOrgName: leads.homeOrgName,
      joinedOn: leads.joinedOn,
      note: leads.note,
      status: leads.status,
      foundOn: leads.foundOn,
    })
    .from(leads)
    .where(and(eq(leads.selfReportLinkId, linkId), orgIdInScope(actor, leads.committeeId)))
    .orderBy(desc(leads.id))
    .limit(500)
    .all();
}

// -- QR codes -----------------------------------------------------------------------------------

const QR_OPTS = { errorCorrectionLevel: "M" as const, margin: 2 };

export function qrSvg(url: string): Promise<string> {
  return QRCode.toString(url, { ...QR_OPTS, type: "svg" });
}

export function qrPng(url: string): Promise<Buffer> {
  return QRCode.toBuffer(url, { ...QR_OPTS, type: "png", width: 800 });
}

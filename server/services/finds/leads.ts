// Leads (摸排线索): possible members found by the four finds, waiting for a clerk to verify them.
// Verify creates or links the member (discovery channel and date kept) and may file them into a
// branch of the clerk's scope (纳管); reject keeps the lead with its reason. A lead is never
// deleted and there is never a second lead for one person (leads.id_number is UNIQUE).

import { and, count, desc, eq, inArray, isNotNull, isNull, like, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { leads, members, organizations, selfReportLinks, workers } from "../../../db/schema.js";
import { DISCOVERY_CHANNEL, type DiscoveryChannel, type LEAD_STATUSES, type MEMBER_CATEGORIES } from "../../domain/codes.js";
import { parseIdNumber } from "../../domain/id-number.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite, orgIdInScope, orgPathInScope } from "../../policy/actor.js";
import { recordAudit } from "../admin/audit.js";
import { addTimelineEntries, type TimelineEntry } from "../members/timeline.js";
import { registerNavCounts } from "../nav.service.js";

export type Lead = typeof leads.$inferSelect;
export type LeadStatus = (typeof LEAD_STATUSES)[number];

export type LeadFilter = {
  status?: LeadStatus | null;
  channel?: DiscoveryChannel | null;
  platform?: string | null;
  /** The self-report link the leads came in through. */
  link?: number | null;
  /** Name, or the last four characters of the ID number. */
  q?: string | null;
};

export type LeadRow = Lead & { committeeName: string };

export function listLeads(db: Db, actor: Actor, filter: LeadFilter, page = 1, pageSize = 50) {
  const where: SQL[] = [orgIdInScope(actor, leads.committeeId)];
  if (filter.status) where.push(eq(leads.status, filter.status));
  if (filter.channel) where.push(eq(leads.channel, filter.channel));
  if (filter.platform) where.push(eq(leads.platform, filter.platform));
  if (filter.link) where.push(eq(leads.selfReportLinkId, filter.link));
  const q = filter.q?.trim();
  if (q) {
    // The text literally: LIKE's wildcards and its escape character are escaped, not dropped
    // (dropping them made "%" match every lead).
    const byName = sql`${leads.name} LIKE ${`%${q.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`;
    where.push(/^[\dXx]{4}$/.test(q) ? (or(byName, like(leads.idNumber, `%${q.toUpperCase()}`)) as SQL) : byName);
  }
  const cond = and(...where);
  const rows = db
    .select({ lead: leads, committeeName: organizations.name })
    .from(leads)
    .innerJoin(organizations, eq(organizations.id, leads.committeeId))
    .where(cond)
    .orderBy(desc(leads.id))
    .limit(pageSize + 1)
    .offset((page - 1) * pageSize)
    .all();
  const total = db.select({ n: count() }).from(leads).where(cond).get()?.n ?? 0;
  return {
    rows: rows.slice(0, pageSize).map((r) => ({ ...r.lead, committeeName: r.committeeName })) as LeadRow[],
    hasMore: rows.length > pageSize,
    total,
  };
}

/** Counts per status in scope (the funnel's middle). */
export function leadCounts(db: Db, actor: Actor): Record<LeadStatus, number> {
  const out = { open: 0, verified: 0, rejected: 0 } as Record<LeadStatus, number>;
  const rows = db
    .select({ status: leads.status, n: count() })
    .from(leads)
    .where(orgIdInScope(actor, leads.committeeId))
    .groupBy(leads.status)
    .all();
  for (const r of rows) out[r.status] = r.n;
  return out;
}

export function listLeadPlatforms(db: Db, actor: Actor): string[] {
  return db
    .selectDistinct({ platform: leads.platform })
    .from(leads)
    .where(and(orgIdInScope(actor, leads.committeeId), isNotNull(leads.platform)))
    .orderBy(leads.platform)
    .all()
    .map((r) => r.platform!)
    .filter(Boolean);
}

/** The self-report links in scope (newest first), for the leads filter: id and the label posted with it. */
export function listLeadLinks(db: Db, actor: Actor): { id: number; label: string }[] {
  return db
    .select({ id: selfReportLinks.id, label: selfReportLinks.label })
    .from(selfReportLinks)
    .where(orgIdInScope(actor, selfReportLinks.committeeId))
    .orderBy(desc(selfReportLinks.id))
    .limit(500)
    .all();
}

export function getLead(db: Db, actor: Actor, id: number): LeadRow {
  const r = db
    .select({ lead: leads, committeeName: organizations.name })
    .from(leads)
    .innerJoin(organizations, eq(organizations.id, leads.committeeId))
    .where(and(eq(leads.id, id), orgIdInScope(actor, leads.committeeId)))
    .get();
  if (!r) throw AppError.notFound("摸排线索");
  return { ...r.lead, committeeName: r.committeeName };
}

/** Branches (and general branches) of the actor's scope a verified member can be filed into. */
export function fileableBranches(db: Db, actor: Actor) {
  return db
    .select({ id: organizations.id, code: organizations.code, name: organizations.name, path: organizations.path })
    .from(organizations)
    .where(
      and(
        orgIdInScope(actor, organizations.id),
        inArray(organizations.kind, ["branch", "general_branch"]),
        eq(organizations.status, "active"),
      ),
    )
    .orderBy(organizations.code)
    .all();
}

export type VerifyInput = {
  /** File into this branch (in the actor's scope): relationship local, managed. Else unattached. */
  branchId?: number | null;
  category?: (typeof MEMBER_CATEGORIES)[number] | null;
  joinedOn?: string | null;
};

export type VerifyResult = { memberId: number; created: boolean; filed: boolean };

function verifyOne(
  tx: Db,
  actor: Actor,
  lead: Lead,
  branch: { id: number; name: string } | null,
  input: VerifyInput,
  today: string,
): VerifyResult {
  if (lead.status !== "open") throw AppError.conflict(`该线索已${lead.status === "verified" ? "核实" : "排除"}，不能再核实。`);
  const userId = actor.id > 0 ? actor.id : null;
  const existing = tx.select().from(members).where(eq(members.idNumber, lead.idNumber)).get();
  let memberId: number;
  let created = false;
  let filed = false;
  if (existing) {
    memberId = existing.id;
    const at = tx.select({ path: organizations.path }).from(organizations).where(eq(organizations.id, existing.orgId)).get();
    // A member of another scope's is neither linked nor written to (their timeline is not ours to
    // write); the clerk learns what the member form says of the number, nothing more.
    if (!at || !orgPathInScope(actor, at.path)) {
      throw AppError.conflict(
        "该身份证号已由其他党组织登记为党员，不能在此核实。请排除该线索（注明已在其他党组织登记），如需核实请联系上级党组织。",
      );
    }
    // A member already managed elsewhere in the scope is linked, not moved: moving is a transfer.
    if (branch && existing.relationStatus === "unattached") {
      tx.update(members)
        .set({ orgId: branch.id, relationStatus: "local", managedOn: today, updatedAt: new Date().toISOString() })
        .where(eq(members.id, memberId))
        .run();
      filed = true;
    }
  } else {
    const id = parseIdNumber(lead.idNumber, today);
    if (!id.ok) throw AppError.invalid({ idNumber: id.reason });
    const row = tx
      .insert(members)
      .values({
        name: lead.name,
        gender: id.gender,
        birthDate: id.birthDate,
        idNumber: lead.idNumber,
        idLast4: lead.idNumber.slice(-4),
        phone: lead.phone,
        phoneLast4: lead.phone ? lead.phone.slice(-4) : null,
        category: input.category ?? (lead.note?.includes("预备党员") ? "probationary" : "full"),
        joinedOn: input.joinedOn ?? lead.joinedOn,
        occupation: lead.occupation,
        enterpriseId: lead.enterpriseId,
        orgId: branch ? branch.id : lead.committeeId,
        relationStatus: branch ? "local" : "unattached",
        relationOrgName: lead.homeOrgName,
        discoveryChannel: lead.channel,
        discoveredOn: lead.foundOn,
        verifiedOn: today,
        managedOn: branch ? today : null,
      })
      .returning({ id: members.id })
      .get();
    memberId = row.id;
    created = true;
    filed = branch !== null;
  }
  const entries: TimelineEntry[] = [];
  if (created)
    entries.push({
      memberId,
      kind: "created",
      summary: `由摸排线索建立（${DISCOVERY_CHANNEL.label[lead.channel]}）`,
      details: { leadId: lead.id },
    });
  entries.push({
    memberId,
    kind: "verified",
    summary: `摸排线索核实为党员（${DISCOVERY_CHANNEL.label[lead.channel]}）`,
    details: { leadId: lead.id, channel: lead.channel },
  });
  if (filed && branch)
    entries.push({ memberId, kind: "filed", summary: `编入${branch.name}管理（纳管）`, details: { leadId: lead.id, orgId: branch.id } });
  addTimelineEntries(tx, actor, entries);
  // Workers on platform rosters who are this person.
  tx.update(workers)
    .set({ memberId })
    .where(and(eq(workers.idNumber, lead.idNumber), isNull(workers.memberId)))
    .run();
  tx.update(leads)
    .set({ status: "verified", memberId, decidedOn: today, decidedBy: userId, rejectReason: null })
    .where(eq(leads.id, lead.id))
    .run();
  recordAudit(tx, actor, {
    action: "verify",
    entity: "lead",
    entityId: lead.id,
    before: { status: lead.status },
    after: { status: "verified", memberId, created, filedInto: filed ? branch?.id : null },
  });
  return { memberId, created, filed };
}

function loadBranch(tx: Db, actor: Actor, branchId: number | null | undefined): { id: number; name: string } | null {
  if (!branchId) return null;
  const b = tx.select().from(organizations).where(eq(organizations.id, branchId)).get();
  if (!b || !orgPathInScope(actor, b.path) || (b.kind !== "branch" && b.kind !== "general_branch") || b.status !== "active") {
    throw AppError.invalid({ branchId: "所选党支部不存在或不在您的管辖范围内" });
  }
  return { id: b.id, name: b.name };
}

export function verifyLead(db: Db, actor: Actor, id: number, input: VerifyInput, today: string): VerifyResult {
  assertCanWrite(actor);
  return db.transaction((tx) => {
    const lead = getLead(tx, actor, id);
    return verifyOne(tx, actor, lead, loadBranch(tx, actor, input.branchId), input, today);
  });
}

/** Verifies many open leads in one transaction: all or none. */
export function bulkVerifyLeads(
  db: Db,
  actor: Actor,
  ids: readonly number[],
  input: Pick<VerifyInput, "branchId">,
  today: string,
): VerifyResult[] {
  assertCanWrite(actor);
  if (ids.length === 0) throw AppError.invalid({ ids: "请至少选择一条线索" });
  if (ids.length > 500) throw AppError.invalid({ ids: "一次最多核实 500 条线索" });
  return db.transaction((tx) => {
    const branch = loadBranch(tx, actor, input.branchId);
    return [...new Set(ids)].map((id) => verifyOne(tx, actor, getLead(tx, actor, id), branch, {}, today));
  });
}

export function rejectLead(db: Db, actor: Actor, id: number, reason: string, today: string): void {
  assertCanWrite(actor);
  const why = reason.trim();
  if (why === "") throw AppError.invalid({ reason: "请填写排除原因" });
  if (why.length > 200) throw AppError.invalid({ reason: "排除原因不能超过 200 个字" });
  db.transaction((tx) => {
    const lead = getLead(tx, actor, id);
    if (lead.status !== "open") throw AppError.conflict(`该线索已${lead.status === "verified" ? "核实" : "排除"}，不能再排除。`);
    tx.update(leads)
      .set({ status: "rejected", rejectReason: why, decidedOn: today, decidedBy: actor.id > 0 ? actor.id : null })
      .where(eq(leads.id, id))
      .run();
    recordAudit(tx, actor, {
      action: "reject",
      entity: "lead",
      entityId: id,
      before: { status: lead.status },
      after: { status: "rejected", reason: why },
    });
  });
}

/**
 * Members who left a platform (流失风险): workers linked to a member and marked as left by a
 * later roster, newest first, in the actor's scope.
 */
export function listPlatformDepartures(db: Db, actor: Actor, page = 1, pageSize = 50) {
  const rows = db
    .select({
      workerId: workers.id,
      platform: workers.platform,
      leftOn: workers.leftOn,
      lastSeenOn: workers.lastSeenOn,
      station: workers.station,
      memberId: members.id,
      name: members.name,
      phone: members.phone,
      relationStatus: members.relationStatus,
      orgName: organizations.name,
    })
    .from(workers)
    .innerJoin(members, eq(members.id, workers.memberId))
    .innerJoin(organizations, eq(organizations.id, members.orgId))
    .where(and(isNotNull(workers.leftOn), orgIdInScope(actor, workers.orgId)))
    .orderBy(desc(workers.leftOn), desc(workers.id))
    .limit(pageSize + 1)
    .offset((page - 1) * pageSize)
    .all();
  return { rows: rows.slice(0, pageSize), hasMore: rows.length > pageSize };
}

// The navigation badge: open leads waiting for this clerk (roles that verify them).
registerNavCounts(
  (db, actor): Record<string, number> =>
    actor.role === "clerk" || actor.role === "admin"
      ? {
          leads:
            db
              .select({ n: count() })
              .from(leads)
              .where(and(eq(leads.status, "open"), orgIdInScope(actor, leads.committeeId)))
              .get()?.n ?? 0,
        }
      : {},
);

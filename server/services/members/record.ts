// A member's record as read: the scoped lookup, the detail page (masked, or unmasked with an audit
// entry), the forms' options and starting values, and the search by a whole number. A member outside
// the actor's scope is "not found"; personal numbers leave this module masked unless the actor unmasks them.

import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, members, organizations } from "../../../db/schema.js";
import { committeeInChain, MEMBER_HOLDING_KINDS, type RelationStatus } from "../../domain/codes.js";
import { parseIdNumber } from "../../domain/id-number.js";
import { maskIdNumber, maskPhone } from "../../domain/masking.js";
import { memberWarnings } from "../../domain/member-rules.js";
import { STANDING_LABEL, standingOf } from "../../domain/membership-changes.js";
import { parseMobilePhone } from "../../domain/phone.js";
import { AppError } from "../../errors.js";
import { type Actor, canUnmask, orgPathInScope, scopePath } from "../../policy/actor.js";
import { recordAudit } from "../admin/audit.js";
import { loadOrgs, visibleEnterprises } from "./list.js";
import { memberTimeline } from "./timeline.js";

export type Member = typeof members.$inferSelect;

/** A member inside the actor's scope, or 404 (the same answer as for an id that does not exist). */
export function getMember(db: Db, actor: Actor, id: number): Member {
  const row = db
    .select({ m: members, path: organizations.path })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.orgId))
    .where(eq(members.id, id))
    .get();
  if (!row || !orgPathInScope(actor, row.path)) throw AppError.notFound("党员");
  return row.m;
}

/** Whether the member still belongs (not expelled, deceased or transferred out): else their record is only read. */
export function assertStillMember(m: Member): void {
  if (m.relationStatus === "transferred_out") throw AppError.conflict(`该党员的组织关系已于 ${m.leftOn ?? "此前"} 转出，不能再办理。`);
  if (m.leftOn) throw AppError.conflict(`该党员${STANDING_LABEL[standingOf(m)]}（${m.leftOn}），记录仅供查阅。`);
}

/** A date of something that has happened (a spell's start, a loss of contact, a death) is not after today. */
export function assertNotFuture(field: string, date: string, today: string, label: string): void {
  if (date > today) throw AppError.invalid({ [field]: `${label}不能晚于今天` });
}

/** What the detail page shows. `reveal` only from unmaskMember, which checks the role and audits. */
function detailOf(db: Db, actor: Actor, id: number, today: string, reveal: boolean) {
  const m = getMember(db, actor, id);
  const org = db.select().from(organizations).where(eq(organizations.id, m.orgId)).get()!;
  // The managing organization's chain up to the actor's scope, for "where the member sits".
  const chainIds = org.path.split("/").filter(Boolean).map(Number);
  const chain = db
    .select({
      id: organizations.id,
      name: organizations.name,
      shortName: organizations.shortName,
      kind: organizations.kind,
      path: organizations.path,
    })
    .from(organizations)
    .where(inArray(organizations.id, chainIds))
    .all()
    .sort((a, b) => a.path.length - b.path.length)
    .map((o) => ({ ...o, inScope: orgPathInScope(actor, o.path) }));
  const committee = committeeInChain(chain);
  const enterprise =
    m.enterpriseId != null
      ? (db
          .select({ id: enterprises.id, name: enterprises.name, creditCode: enterprises.creditCode, status: enterprises.status })
          .from(enterprises)
          .where(eq(enterprises.id, m.enterpriseId))
          .get() ?? null)
      : null;
  const events = memberTimeline(db, id);
  const { idNumber, phone, ...rest } = m;
  return {
    member: { ...rest, idNumber: reveal ? idNumber : maskIdNumber(idNumber), phone: reveal ? phone : maskPhone(phone) },
    revealed: reveal,
    org,
    chain,
    committee,
    enterprise,
    relationPlace: relationPlace(m.relationStatus, m.relationOrgName, org.name),
    events,
    warnings: memberWarnings(m, today),
  };
}

export type MemberDetail = ReturnType<typeof detailOf>;

/** The detail page with ID number and phone masked. */
export function memberDetail(db: Db, actor: Actor, id: number, today: string): MemberDetail {
  return detailOf(db, actor, id, today, false);
}

/** The detail page with the whole ID number and phone; written to the audit log. Secretaries may not. */
export function unmaskMember(db: Db, actor: Actor, id: number, today: string, ctx: { ip?: string | null } = {}): MemberDetail {
  if (!canUnmask(actor)) throw AppError.forbidden("您的角色不能查看完整的身份证号和手机号。");
  return db.transaction((tx) => {
    const detail = detailOf(tx, actor, id, today, true);
    recordAudit(tx, actor, {
      action: "unmask",
      entity: "member",
      entityId: id,
      details: { fields: ["idNumber", "phone"], name: detail.member.name },
      ip: ctx.ip ?? null,
    });
    return detail;
  });
}

/** Where the organizational relationship sits, in words. */
export function relationPlace(status: RelationStatus, relationOrgName: string | null, managingOrgName: string): string {
  switch (status) {
    case "local":
      return `${managingOrgName}（本系统管理）`;
    case "mobile_in":
      return `${relationOrgName ?? "未登记"}（流入党员：组织关系在原党组织，在${managingOrgName}参加组织生活）`;
    case "mobile_out":
      return `${managingOrgName}（流出党员：组织关系在本系统，在外地工作生活）`;
    case "unattached":
      return `${relationOrgName ?? "尚未查明"}（尚未纳管，暂由${managingOrgName}联系）`;
    case "transferred_out":
      return `${relationOrgName ?? "本系统以外的党组织"}（已转出本系统）`;
  }
}

// ---------------------------------------------------------------------------------------------
// Forms
// ---------------------------------------------------------------------------------------------

/** Select options for the member forms: organizations that hold members and enterprises, inside the scope. */
export function memberFormOptions(db: Db, actor: Actor, current: { orgId?: number | null; enterpriseId?: number | null } = {}) {
  const prefix = scopePath(actor);
  const depthBase = prefix.split("/").filter(Boolean).length;
  const orgs = loadOrgs(db)
    .filter(
      (o) =>
        o.path.startsWith(prefix) &&
        (MEMBER_HOLDING_KINDS as string[]).includes(o.kind) &&
        (o.status === "active" || o.id === current.orgId),
    )
    .sort((a, b) => (a.path < b.path ? -1 : 1))
    .map((o) => ({ id: o.id, name: o.name, depth: Math.max(0, o.path.split("/").filter(Boolean).length - depthBase) }));
  return { orgOptions: orgs, enterpriseOptions: visibleEnterprises(db, actor, { includeId: current.enterpriseId ?? null }) };
}

/** The edit form's starting values: the stored record with ID number and phone masked. */
export function memberFormValues(db: Db, actor: Actor, id: number): Record<string, string> {
  const m = getMember(db, actor, id);
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(m)) out[k] = v == null ? "" : String(v);
  out.idNumber = maskIdNumber(m.idNumber);
  out.phone = maskPhone(m.phone);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Search by a whole number (a POST: the number never sits in a URL)
// ---------------------------------------------------------------------------------------------

export type NumberSearchResult =
  | { kind: "member"; id: number }
  | { kind: "phone"; rows: { id: number; name: string; orgName: string; idNumberMasked: string; phoneMasked: string }[] }
  | { kind: "none"; message: string };

/** Finds a member in scope by whole ID number, or members by whole phone number. */
export function searchByNumber(db: Db, actor: Actor, raw: string, today: string): NumberSearchResult {
  const id = parseIdNumber(raw, today);
  const phone = parseMobilePhone(raw);
  if (!id.ok && !phone.ok) {
    const looksLikePhone = /^(\+?86)?1\d*$/.test(raw) && raw.replace(/^\+?86/, "").length <= 11;
    throw AppError.invalid({
      number: looksLikePhone ? phone.reason : raw.length >= 15 ? id.reason : "请输入完整的 18 位身份证号或 11 位手机号",
    });
  }
  const prefix = scopePath(actor);
  const inScope = (path: string) => path.startsWith(prefix);
  if (id.ok) {
    const row = db
      .select({ id: members.id, path: organizations.path })
      .from(members)
      .innerJoin(organizations, eq(organizations.id, members.orgId))
      .where(eq(members.idNumber, id.value))
      .get();
    // Out of scope reads as not found: the search must not reveal who is registered elsewhere.
    if (!row || !inScope(row.path)) return { kind: "none", message: "您的管辖范围内没有该身份证号的党员。" };
    return { kind: "member", id: row.id };
  }
  const rows = db
    .select({
      id: members.id,
      name: members.name,
      idNumber: members.idNumber,
      phone: members.phone,
      orgName: organizations.name,
      path: organizations.path,
    })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.orgId))
    .where(and(eq(members.phoneLast4, phone.ok ? phone.value.slice(-4) : ""), eq(members.phone, phone.ok ? phone.value : "")))
    .orderBy(asc(members.name))
    .all()
    .filter((r) => inScope(r.path));
  if (rows.length === 0) return { kind: "none", message: "您的管辖范围内没有使用该手机号的党员。" };
  if (rows.length === 1) return { kind: "member", id: rows[0]!.id };
  return {
    kind: "phone",
    rows: rows.map((r) => ({
      id: r.id,
      name: r.name,
      orgName: r.orgName,
      idNumberMasked: maskIdNumber(r.idNumber),
      phoneMasked: maskPhone(r.phone),
    })),
  };
}

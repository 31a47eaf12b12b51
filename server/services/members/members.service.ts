// Members (党员): one record and its forms; the area's entry. The list lives in list.ts, the timeline
// in timeline.ts, mobile spells and leaving in mobile.ts, contact in contact.ts; the cross-field
// rules in domain/member-rules.ts. Every read is scoped (a member outside the actor's scope
// is "not found"), personal numbers leave this module masked unless the actor unmasks them, and
// every change writes a timeline event and an audit entry in the same transaction.
// Members are never deleted: there is no function for it.

import { and, asc, eq, inArray, isNull, ne } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, members, mobileSpells, organizations, transfers } from "../../../db/schema.js";
import { committeeInChain, MEMBER_HOLDING_KINDS, type RelationStatus } from "../../domain/codes.js";
import { parseIdNumber } from "../../domain/id-number.js";
import { isKept, maskIdNumber, maskPhone, PHONE_ALTERED, resolveKept } from "../../domain/masking.js";
import { parseMobilePhone } from "../../domain/phone.js";
import { AppError, type FieldErrors } from "../../errors.js";
import { type Actor, assertCanWrite, canUnmask, orgPathInScope, scopePath } from "../../policy/actor.js";
import type { MemberCreateInput, MemberUpdateInput } from "../../schemas/members.schema.js";
import { recordAudit } from "../admin/audit.js";
import { loadOrgs, visibleEnterprises } from "./list.js";
import { addTimelineEntries, memberTimeline } from "./timeline.js";
import {
  changeSummary,
  diffMember,
  type MemberValues,
  maskedSnapshot,
  memberRuleErrors,
  memberWarnings,
  normaliseRelationOrg,
} from "../../domain/member-rules.js";

export type Member = typeof members.$inferSelect;

/** The relationship statuses the member form may set: filing a found member (未纳管 → 本地管理) and back. */
export const FORM_RELATION_STATUSES: readonly RelationStatus[] = ["local", "unattached"];

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
  if (m.leftOn) throw AppError.conflict(`该党员已于 ${m.leftOn} ${m.leftReason === "deceased" ? "去世" : "被开除党籍"}，记录仅供查阅。`);
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

/** The member as MemberValues (what the rules and the diff compare). */
function valuesOf(m: Member): MemberValues {
  return {
    name: m.name,
    gender: m.gender,
    ethnicity: m.ethnicity,
    birthDate: m.birthDate,
    idNumber: m.idNumber,
    phone: m.phone,
    education: m.education,
    category: m.category,
    joinedOn: m.joinedOn,
    fullOn: m.fullOn,
    occupation: m.occupation,
    enterpriseId: m.enterpriseId,
    orgId: m.orgId,
    relationStatus: m.relationStatus,
    relationOrgName: m.relationOrgName,
    discoveryChannel: m.discoveryChannel,
    discoveredOn: m.discoveredOn,
    verifiedOn: m.verifiedOn,
    managedOn: m.managedOn,
  };
}

type FormInput = MemberCreateInput | MemberUpdateInput;

/**
 * Resolves the form into the values to store and collects every error at once: field rules,
 * cross-field rules, and the ones that need the database (scope, uniqueness).
 */
function resolve(db: Db, actor: Actor, input: FormInput, before: Member | null, today: string): MemberValues {
  const errors: FieldErrors = {};
  // ID number and phone: on an edit form the masked text sent back keeps the stored value.
  const keptId = resolveKept(input.idNumber, before?.idNumber ?? null, maskIdNumber);
  if (keptId.altered) errors.idNumber = "请完整输入新的身份证号（不能只修改部分号码）";
  const idNumber = keptId.value ?? "";
  const keptPhone = resolveKept(input.phone, before?.phone ?? null, maskPhone);
  if (keptPhone.altered) errors.phone = PHONE_ALTERED;
  const phone = keptPhone.value;

  const parsed = parseIdNumber(idNumber, today);
  // A stored number that fails today's check (an old import) must not block unrelated edits.
  const fromId = parsed.ok ? { birthDate: parsed.birthDate, gender: parsed.gender } : null;
  const v: MemberValues = {
    name: input.name,
    gender: input.gender ?? fromId?.gender ?? before?.gender ?? "male",
    ethnicity: input.ethnicity,
    birthDate: input.birthDate ?? fromId?.birthDate ?? before?.birthDate ?? "",
    idNumber,
    phone,
    education: input.education,
    category: input.category,
    joinedOn: input.joinedOn,
    fullOn: input.fullOn,
    occupation: input.occupation,
    enterpriseId: input.enterpriseId,
    orgId: input.orgId,
    relationStatus: input.relationStatus,
    relationOrgName: normaliseRelationOrg(input.relationStatus, input.relationOrgName),
    discoveryChannel: input.discoveryChannel,
    discoveredOn: input.discoveredOn,
    verifiedOn: input.verifiedOn,
    managedOn: input.managedOn,
  };
  if (fromId) {
    for (const [field, message] of Object.entries(memberRuleErrors(v, fromId, today))) errors[field] ??= message;
  } else if (!errors.idNumber && !isKept(input.idNumber) && !parsed.ok) errors.idNumber = parsed.reason;

  // The form files a member (unattached ↔ local); transfers and mobile spells have their own
  // procedures with letters and certificates, and the status follows them, not this form.
  if (v.relationStatus !== (before?.relationStatus ?? "local") || !before) {
    const from = before?.relationStatus;
    if (!FORM_RELATION_STATUSES.includes(v.relationStatus)) {
      errors.relationStatus =
        v.relationStatus === "transferred_out"
          ? "“已转出”由组织关系转接办理，不能在此选择"
          : "流入、流出党员请在党员页面的“流动、失联与离开”中登记，不能在此选择";
    } else if (from && !FORM_RELATION_STATUSES.includes(from) && from !== v.relationStatus) {
      errors.relationStatus =
        from === "transferred_out"
          ? "已转出本系统的党员须通过组织关系转接重新转入"
          : "流动党员的状态请在“流动、失联与离开”中结束，不能在此修改";
    }
  }
  // Moving a member while a transfer is pending or a mobile spell is open would strand them.
  if (before && v.orgId !== before.orgId) {
    const pending = db
      .select({ id: transfers.id })
      .from(transfers)
      .where(and(eq(transfers.memberId, before.id), eq(transfers.state, "pending")))
      .get();
    const spell = db
      .select({ id: mobileSpells.id })
      .from(mobileSpells)
      .where(and(eq(mobileSpells.memberId, before.id), isNull(mobileSpells.endedOn)))
      .get();
    if (pending) errors.orgId = "该党员有待接收的组织关系转接，转接办结前不能调整管理党组织";
    else if (spell) errors.orgId = "该党员正按流动党员管理，请先结束流动登记再调整管理党组织";
  }

  // The managing organization: inside the scope, able to hold members, active.
  const org = db.select().from(organizations).where(eq(organizations.id, v.orgId)).get();
  if (!org || !orgPathInScope(actor, org.path) || !(MEMBER_HOLDING_KINDS as string[]).includes(org.kind)) {
    errors.orgId = "请选择您管辖范围内的党组织（党委、党总支或党支部）";
  } else if (org.status !== "active" && org.id !== before?.orgId) errors.orgId = "该党组织已撤销，不能再编入党员";

  if (v.enterpriseId != null && v.enterpriseId !== before?.enterpriseId) {
    const visible = visibleEnterprises(db, actor, {}).some((e) => e.id === v.enterpriseId);
    if (!visible) errors.enterpriseId = "请选择您管辖范围内、仍在经营的企业";
  }

  // One record per person: a friendly field error, not a constraint failure.
  if (!errors.idNumber && idNumber !== before?.idNumber) {
    const other = db
      .select({ id: members.id, name: members.name, path: organizations.path })
      .from(members)
      .innerJoin(organizations, eq(organizations.id, members.orgId))
      .where(and(eq(members.idNumber, idNumber), before ? ne(members.id, before.id) : undefined))
      .get();
    if (other) {
      errors.idNumber = orgPathInScope(actor, other.path)
        ? `该身份证号已登记为党员“${other.name}”（编号 ${other.id}），请勿重复录入`
        : "该身份证号已由其他党组织登记，请联系上级党组织核实";
    }
  }
  if (Object.keys(errors).length) throw AppError.invalid(errors);
  return v;
}

function namesFor(db: Db, orgIds: (number | null)[], enterpriseIds: (number | null)[]) {
  const o = orgIds.filter((x): x is number => x != null);
  const e = enterpriseIds.filter((x): x is number => x != null);
  return {
    org: new Map(
      o.length
        ? db
            .select({ id: organizations.id, name: organizations.name })
            .from(organizations)
            .where(inArray(organizations.id, o))
            .all()
            .map((r) => [r.id, r.name])
        : [],
    ),
    enterprise: new Map(
      e.length
        ? db
            .select({ id: enterprises.id, name: enterprises.name })
            .from(enterprises)
            .where(inArray(enterprises.id, e))
            .all()
            .map((r) => [r.id, r.name])
        : [],
    ),
  };
}

function isUniqueViolation(err: unknown): boolean {
  const code = (err as { code?: string })?.code;
  return code === "SQLITE_CONSTRAINT_UNIQUE" || code === "SQLITE_CONSTRAINT_PRIMARYKEY";
}

export function createMember(db: Db, actor: Actor, input: MemberCreateInput, today: string): Member {
  assertCanWrite(actor);
  try {
    return db.transaction((tx) => {
      const v = resolve(tx, actor, input, null, today);
      const created = tx
        .insert(members)
        .values({ ...v, idLast4: v.idNumber.slice(-4), phoneLast4: v.phone ? v.phone.slice(-4) : null })
        .returning()
        .get();
      const names = namesFor(tx, [v.orgId], [v.enterpriseId]);
      addTimelineEntries(tx, actor, [
        {
          memberId: created.id,
          kind: "created",
          summary: `登记党员信息，编入“${names.org.get(v.orgId) ?? ""}”`,
          details: maskedSnapshot(v),
        },
      ]);
      recordAudit(tx, actor, { action: "create", entity: "member", entityId: created.id, after: maskedSnapshot(v) });
      return created;
    });
  } catch (err) {
    // Two clerks saving the same person at once: the UNIQUE index decides, the user gets the field error.
    if (isUniqueViolation(err)) throw AppError.invalid({ idNumber: "该身份证号已登记为党员，请勿重复录入" });
    throw err;
  }
}

export function updateMember(
  db: Db,
  actor: Actor,
  id: number,
  input: MemberUpdateInput,
  today: string,
): { member: Member; changed: number } {
  assertCanWrite(actor);
  try {
    return db.transaction((tx) => {
      const before = getMember(tx, actor, id);
      const v = resolve(tx, actor, input, before, today);
      const changes = diffMember(valuesOf(before), v);
      if (changes.length === 0) return { member: before, changed: 0 };
      const updated = tx
        .update(members)
        .set({ ...v, idLast4: v.idNumber.slice(-4), phoneLast4: v.phone ? v.phone.slice(-4) : null, updatedAt: new Date().toISOString() })
        .where(eq(members.id, id))
        .returning()
        .get();
      const names = namesFor(
        tx,
        changes.filter((c) => c.field === "orgId").flatMap((c) => [c.before as number | null, c.after as number | null]),
        changes.filter((c) => c.field === "enterpriseId").flatMap((c) => [c.before as number | null, c.after as number | null]),
      );
      const beforeSnap: Record<string, unknown> = {};
      const afterSnap: Record<string, unknown> = {};
      for (const c of changes) {
        beforeSnap[c.field] = c.before;
        afterSnap[c.field] = c.after;
      }
      addTimelineEntries(tx, actor, [
        {
          memberId: id,
          kind: "updated",
          summary: changeSummary(changes, names),
          details: { fields: changes.map((c) => c.field), before: maskedSnapshot(beforeSnap), after: maskedSnapshot(afterSnap) },
        },
      ]);
      recordAudit(tx, actor, {
        action: "update",
        entity: "member",
        entityId: id,
        before: maskedSnapshot(beforeSnap),
        after: maskedSnapshot(afterSnap),
      });
      return { member: updated, changed: changes.length };
    });
  } catch (err) {
    if (isUniqueViolation(err)) throw AppError.invalid({ idNumber: "该身份证号已登记为党员，请勿重复录入" });
    throw err;
  }
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

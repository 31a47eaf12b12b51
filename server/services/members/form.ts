// The member form's resolution: the masked ID number and phone sent back keep the stored values,
// and every error is collected at once — field rules, the cross-field rules of domain/member-rules.ts,
// and the checks that need the database (scope, pending transfers and spells, uniqueness).

import { and, eq, isNull, ne } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { members, mobileSpells, organizations, transfers } from "../../../db/schema.js";
import { MEMBER_HOLDING_KINDS, type RelationStatus } from "../../domain/codes.js";
import { parseIdNumber } from "../../domain/id-number.js";
import { isKept, maskIdNumber, maskPhone, PHONE_ALTERED, resolveKept } from "../../domain/masking.js";
import { type MemberValues, memberRuleErrors, normaliseRelationOrg } from "../../domain/member-rules.js";
import { AppError, type FieldErrors } from "../../errors.js";
import { type Actor, orgPathInScope } from "../../policy/actor.js";
import type { MemberCreateInput, MemberUpdateInput } from "../../schemas/members.schema.js";
import { visibleEnterprises } from "./list.js";
import type { Member } from "./record.js";

/** The relationship statuses the member form may set: filing a found member (未纳管 → 本地管理) and back. */
export const FORM_RELATION_STATUSES: readonly RelationStatus[] = ["local", "unattached"];

/** The member as MemberValues (what the rules and the diff compare). */
export function valuesOf(m: Member): MemberValues {
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
export function resolve(db: Db, actor: Actor, input: FormInput, before: Member | null, today: string): MemberValues {
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

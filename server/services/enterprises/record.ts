// The enterprise record: the form's options, its checks, create and update (audited).

import { and, eq } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, industries, organizations, regions } from "../../../db/schema.js";
import { COMMITTEE_KINDS, isCommitteeKind } from "../../domain/codes.js";
import { AppError } from "../../errors.js";
import { type Actor, orgPathInScope } from "../../policy/actor.js";
import type { EnterpriseInput } from "../../schemas/enterprises.schema.js";
import { recordAudit } from "../admin/audit.js";
import { listIndustries, listRegions, orgOptions } from "../orgs/orgs.service.js";
import { assertWriter, type Enterprise, enterpriseReadableSql, getWritableEnterprise } from "./access.js";

/** Select options for the enterprise form and the list's filters. */
export function enterpriseFormOptions(db: Db, actor: Actor) {
  return {
    committees: orgOptions(db, actor, COMMITTEE_KINDS),
    industries: listIndustries(db),
    counties: listRegions(db).filter((r) => r.level === "county"),
    // Where an enterprise may be: a county, or a street or township of one (the breakdown by town).
    places: listRegions(db).filter((r) => r.level === "county" || r.level === "town"),
  };
}

/** Checks the references the form names; field errors in Chinese. */
function checkReferences(db: Db, actor: Actor, input: EnterpriseInput, currentCommitteeId: number | null): void {
  const errors: Record<string, string> = {};
  if (!db.select().from(industries).where(eq(industries.code, input.industryCode)).get()) errors.industryCode = "请选择有效的行业";
  const region = db.select().from(regions).where(eq(regions.code, input.regionCode)).get();
  if (region?.level !== "county" && region?.level !== "town") errors.regionCode = "请选择企业所在的县（区）或乡镇（街道）";
  if (input.committeeId !== currentCommitteeId) {
    const c = db.select().from(organizations).where(eq(organizations.id, input.committeeId)).get();
    if (!c || !orgPathInScope(actor, c.path) || !isCommitteeKind(c.kind)) errors.committeeId = "请选择您管辖范围内的行业党委或综合党委";
    else if (c.status !== "active") errors.committeeId = "所选党委已撤销";
  }
  if (Object.keys(errors).length) throw AppError.invalid(errors);
}

function checkCreditCodeFree(db: Db, actor: Actor, creditCode: string, selfId: number | null): void {
  const other = db.select().from(enterprises).where(eq(enterprises.creditCode, creditCode)).get();
  if (!other || other.id === selfId) return;
  const visible = !!db
    .select({ id: enterprises.id })
    .from(enterprises)
    .where(and(eq(enterprises.id, other.id), enterpriseReadableSql(actor, "enterprises")))
    .get();
  throw AppError.invalid({
    creditCode: visible
      ? `该统一社会信用代码已登记为企业“${other.name}”，请勿重复登记`
      : "该统一社会信用代码已被其他党委登记的企业使用，请核对或联系上级党委",
  });
}

function row(input: EnterpriseInput) {
  return {
    name: input.name,
    creditCode: input.creditCode,
    kind: input.kind,
    industryCode: input.industryCode,
    regionCode: input.regionCode,
    committeeId: input.committeeId,
    address: input.address,
    workerCount: input.workerCount,
    legalRepIsMember: input.legalRepIsMember,
    legalRepIsSecretary: input.legalRepIsSecretary,
    status: input.status,
  };
}

export function createEnterprise(db: Db, actor: Actor, input: EnterpriseInput): Enterprise {
  assertWriter(actor);
  return db.transaction((tx) => {
    checkReferences(tx, actor, input, null);
    checkCreditCodeFree(tx, actor, input.creditCode, null);
    const created = tx.insert(enterprises).values(row(input)).returning().get();
    recordAudit(tx, actor, { action: "create", entity: "enterprise", entityId: created.id, after: created });
    return created;
  });
}

export function updateEnterprise(db: Db, actor: Actor, id: number, input: EnterpriseInput): Enterprise {
  return db.transaction((tx) => {
    const before = getWritableEnterprise(tx, actor, id);
    checkReferences(tx, actor, input, before.committeeId);
    checkCreditCodeFree(tx, actor, input.creditCode, id);
    const updated = tx
      .update(enterprises)
      .set({ ...row(input), updatedAt: new Date().toISOString() })
      .where(eq(enterprises.id, id))
      .returning()
      .get();
    recordAudit(tx, actor, { action: "update", entity: "enterprise", entityId: id, before, after: updated });
    return updated;
  });
}

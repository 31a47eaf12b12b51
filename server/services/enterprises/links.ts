// Which organization covers which enterprise (organization_enterprises): linking and unlinking.

import { and, count, eq } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, organizationEnterprises, organizations } from "../../../db/schema.js";
import { COVERING_KINDS } from "../../domain/codes.js";
import { JOINT_BRANCH_MAX_UNITS } from "../../domain/org-size-rules.js";
import { AppError } from "../../errors.js";
import { type Actor, orgPathInScope } from "../../policy/actor.js";
import type { CoverageInput } from "../../schemas/enterprises.schema.js";
import { recordAudit } from "../admin/audit.js";
import { getWritableEnterprise } from "./access.js";

/**
 * Links an organization in scope to the enterprise. A standalone branch covers one enterprise only
 * (refused); a joint branch over JOINT_BRANCH_MAX_UNITS units is allowed with a warning, returned.
 */
export function attachCoverage(
  db: Db,
  actor: Actor,
  enterpriseId: number,
  input: CoverageInput,
  today: string,
): { warning: string | null; orgName: string } {
  return db.transaction((tx) => {
    const e = getWritableEnterprise(tx, actor, enterpriseId);
    if (e.status !== "active") throw AppError.invalid({ organizationId: "该企业已注销，不能再关联党组织" });
    const org = tx.select().from(organizations).where(eq(organizations.id, input.organizationId)).get();
    if (!org || !orgPathInScope(actor, org.path)) throw AppError.invalid({ organizationId: "所选党组织不存在或不在您的管辖范围内" });
    if (org.status !== "active") throw AppError.invalid({ organizationId: "所选党组织已撤销" });
    if (!COVERING_KINDS.includes(org.kind)) throw AppError.invalid({ organizationId: "只有党委、党总支或党支部可以覆盖企业" });
    const since = input.since ?? today;
    if (since > today) throw AppError.invalid({ since: "覆盖起始日期不能晚于今天" });
    // Probes and a count, not the organization's whole list: a joint branch may cover thousands,
    // and an onboarding import links one enterprise per row.
    const linked = tx
      .select({ id: organizationEnterprises.enterpriseId })
      .from(organizationEnterprises)
      .where(and(eq(organizationEnterprises.organizationId, org.id), eq(organizationEnterprises.enterpriseId, enterpriseId)))
      .get();
    if (linked) throw AppError.invalid({ organizationId: "该党组织已覆盖本企业" });
    const covered = tx
      .select({ n: count() })
      .from(organizationEnterprises)
      .where(eq(organizationEnterprises.organizationId, org.id))
      .get()!.n;
    if (org.kind === "branch" && org.formation !== "joint" && covered > 0) {
      const first = tx
        .select({ name: enterprises.name })
        .from(organizationEnterprises)
        .innerJoin(enterprises, eq(enterprises.id, organizationEnterprises.enterpriseId))
        .where(eq(organizationEnterprises.organizationId, org.id))
        .limit(1)
        .get();
      throw AppError.invalid({
        organizationId: `“${org.name}”是单独组建的党支部，已覆盖企业“${first?.name ?? ""}”。单独组建的党支部只能覆盖一个企业；需要覆盖多家企业的，应为联合党支部。`,
      });
    }
    tx.insert(organizationEnterprises).values({ organizationId: org.id, enterpriseId, since }).run();
    recordAudit(tx, actor, {
      action: "create",
      entity: "enterprise_coverage",
      entityId: enterpriseId,
      after: { enterpriseId, organizationId: org.id, organizationName: org.name, since },
    });
    const units = covered + 1;
    const warning =
      org.formation === "joint" && units > JOINT_BRANCH_MAX_UNITS
        ? `联合党支部“${org.name}”现覆盖 ${units} 个单位，一般不超过 ${JOINT_BRANCH_MAX_UNITS} 个，请考虑分设。`
        : null;
    return { warning, orgName: org.name };
  });
}

export function removeCoverage(db: Db, actor: Actor, enterpriseId: number, organizationId: number): void {
  db.transaction((tx) => {
    getWritableEnterprise(tx, actor, enterpriseId);
    const link = tx
      .select({ since: organizationEnterprises.since, name: organizations.name, path: organizations.path })
      .from(organizationEnterprises)
      .innerJoin(organizations, eq(organizations.id, organizationEnterprises.organizationId))
      .where(and(eq(organizationEnterprises.enterpriseId, enterpriseId), eq(organizationEnterprises.organizationId, organizationId)))
      .get();
    if (!link || !orgPathInScope(actor, link.path)) throw AppError.notFound("覆盖关系");
    tx.delete(organizationEnterprises)
      .where(and(eq(organizationEnterprises.enterpriseId, enterpriseId), eq(organizationEnterprises.organizationId, organizationId)))
      .run();
    recordAudit(tx, actor, {
      action: "delete",
      entity: "enterprise_coverage",
      entityId: enterpriseId,
      before: { enterpriseId, organizationId, organizationName: link.name, since: link.since },
    });
  });
}

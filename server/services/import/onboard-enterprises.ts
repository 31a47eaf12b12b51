// Onboarding enterprises: each row an enterprise by its unified social credit code (GB 32100, the
// one check of fields.ts), the committee responsible, and the organizations that cover it (a
// standalone branch one enterprise, a joint branch several: links.ts's rules and its warning past
// JOINT_BRANCH_MAX_UNITS). Created, updated and linked through the enterprises area's services, so
// their scope checks and audit entries hold. Links the file does not name are left as they are.

import { and, eq } from "drizzle-orm";
import { isDeepStrictEqual } from "node:util";
import { enterprises, organizationEnterprises } from "../../../db/schema.js";
import { ENTERPRISE_KIND, type ENTERPRISE_KINDS, isCommitteeKind } from "../../domain/codes.js";
import { parseYesNo, splitCodes } from "../../domain/onboarding-codes.js";
import { orgPathInScope } from "../../policy/actor.js";
import { enterpriseInputSchema } from "../../schemas/enterprises.schema.js";
import { fieldErrorsOf } from "../../schemas/fields.js";
import { canEditEnterprise } from "../enterprises/access.js";
import { attachCoverage } from "../enterprises/links.js";
import { createEnterprise, updateEnterprise } from "../enterprises/record.js";
import {
  attempt,
  cellOf,
  committeeByText,
  industryOf,
  memoised,
  type OnboardContext,
  type OnboardResult,
  orgByCode,
  RowLedger,
  rawOf,
  regionOf,
} from "./onboard-rows.js";
import type { SourceRow } from "./types.js";

const COLUMN: Record<string, string> = {
  name: "企业名称",
  creditCode: "统一社会信用代码",
  kind: "企业类型",
  industryCode: "行业",
  regionCode: "所在县区",
  committeeId: "负责党委编码",
  address: "地址",
  workerCount: "从业人员数",
  legalRepIsMember: "法定代表人是党员",
  legalRepIsSecretary: "法定代表人兼任党组织书记",
  organizationId: "覆盖党组织编码",
  since: "覆盖党组织编码",
};
const COMPARED = [
  "name",
  "creditCode",
  "kind",
  "industryCode",
  "regionCode",
  "committeeId",
  "address",
  "workerCount",
  "legalRepIsMember",
  "legalRepIsSecretary",
];

type EnterpriseKind = (typeof ENTERPRISE_KINDS)[number];

function enterpriseKindOf(text: string): EnterpriseKind | null {
  const hit = (Object.entries(ENTERPRISE_KIND.label) as [EnterpriseKind, string][]).find(([k, l]) => k === text || l === text);
  return hit ? hit[0] : null;
}

export function applyEnterpriseRows(ctx: OnboardContext, rows: SourceRow[]): OnboardResult {
  const { db, actor, today } = ctx;
  const ledger = new RowLedger(ctx.onApplied);
  const firstRowOf = new Map<string, number>();
  const industryBy = memoised((t) => industryOf(db, t));
  const countyBy = memoised((t) => regionOf(db, t, ["county"]));
  const committeeBy = memoised((t) => committeeByText(db, t));
  const orgBy = memoised((t) => orgByCode(db, t));
  for (const row of rows) {
    const rawCode = rawOf(ctx, row, "creditCode");
    const parsed0 = enterpriseInputSchema.shape.creditCode.safeParse(rawCode);
    if (!parsed0.success) {
      ledger.reject(row, "统一社会信用代码", rawCode, parsed0.error.issues[0]?.message ?? "统一社会信用代码无效");
      continue;
    }
    const creditCode = parsed0.data;
    const first = firstRowOf.get(creditCode);
    if (first !== undefined) {
      ledger.duplicate(row, "统一社会信用代码", creditCode, first);
      continue;
    }
    firstRowOf.set(creditCode, row.rowNumber);
    const reject = (column: string, reason: string, key?: Parameters<typeof rawOf>[2]) =>
      ledger.reject(row, column, key ? rawOf(ctx, row, key) : null, reason);

    const kindText = cellOf(ctx, row, "enterpriseKind");
    let kind = kindText === "" ? "other" : enterpriseKindOf(kindText);
    if (kind === null) {
      // A market regulator's list gives the legal form (有限责任公司 …), not what the enterprise is to us.
      ledger.note(
        row,
        "企业类型",
        kindText,
        `企业类型“${kindText}”不在本系统的类型中（${Object.values(ENTERPRISE_KIND.label).join("、")}），已按“其他”导入`,
      );
      kind = "other";
    }
    const industry = industryBy(cellOf(ctx, row, "industry"));
    if (!industry.ok) {
      reject("行业", industry.reason, "industry");
      continue;
    }
    if (industry.value === null) {
      reject("行业", "请填写行业");
      continue;
    }
    const region = countyBy(cellOf(ctx, row, "region"));
    if (!region.ok) {
      reject("所在县区", region.reason, "region");
      continue;
    }
    // The committee responsible: named, or the committee the file is imported into.
    const committeeText = cellOf(ctx, row, "committee");
    const committee = committeeText === "" ? (isCommitteeKind(ctx.importOrg.kind) ? ctx.importOrg : null) : committeeBy(committeeText);
    if (!committee || !isCommitteeKind(committee.kind) || !orgPathInScope(actor, committee.path)) {
      reject(
        "负责党委编码",
        committeeText === ""
          ? "请填写负责党委的组织编码"
          : `负责党委“${committeeText}”不存在、不是行业党委或综合党委，或不在您的管辖范围内`,
        "committee",
      );
      continue;
    }
    const isMember = parseYesNo(cellOf(ctx, row, "legalRepIsMember"));
    const isSecretary = parseYesNo(cellOf(ctx, row, "legalRepIsSecretary"));
    if (isMember === undefined || isSecretary === undefined) {
      const column = isMember === undefined ? "法定代表人是党员" : "法定代表人兼任党组织书记";
      reject(column, `${column}应填“是”或“否”`, isMember === undefined ? "legalRepIsMember" : "legalRepIsSecretary");
      continue;
    }
    const parsed = enterpriseInputSchema.safeParse({
      name: cellOf(ctx, row, "enterpriseName"),
      creditCode,
      kind,
      industryCode: industry.value,
      regionCode: region.value,
      committeeId: String(committee.id),
      address: cellOf(ctx, row, "address"),
      workerCount: cellOf(ctx, row, "workerCount"),
      legalRepIsMember: isMember ? "1" : "",
      legalRepIsSecretary: isSecretary ? "1" : "",
      status: "active",
    });
    if (!parsed.success) {
      const [field, message] = Object.entries(fieldErrorsOf(parsed.error))[0]!;
      ledger.reject(row, COLUMN[field] ?? null, null, message);
      continue;
    }
    const input = parsed.data;
    // The organizations covering it, by code, before anything is written for the row.
    const coverCodes = splitCodes(cellOf(ctx, row, "coveredBy"));
    const covers = coverCodes.map((c) => ({ code: c, org: orgBy(c) }));
    const unknown = covers.find((c) => !c.org || !orgPathInScope(actor, c.org.path));
    if (unknown) {
      reject("覆盖党组织编码", `覆盖党组织编码“${unknown.code}”不存在或不在您的管辖范围内`, "coveredBy");
      continue;
    }

    const existing = db.select().from(enterprises).where(eq(enterprises.creditCode, creditCode)).get();
    if (existing && !canEditEnterprise(db, actor, existing)) {
      reject("统一社会信用代码", "该统一社会信用代码已被其他党委登记的企业使用，请核对或联系上级党委", "creditCode");
      continue;
    }
    let outcome: "inserted" | "updated" | "unchanged" = "unchanged";
    let id: number | undefined;
    if (!existing) {
      id = attempt(ledger, row, COLUMN, () => createEnterprise(db, actor, input))?.id;
      outcome = "inserted";
    } else if (
      COMPARED.every((k) =>
        isDeepStrictEqual((input as Record<string, unknown>)[k] ?? null, (existing as Record<string, unknown>)[k] ?? null),
      )
    ) {
      id = existing.id;
    } else {
      id = attempt(ledger, row, COLUMN, () => updateEnterprise(db, actor, existing.id, { ...input, status: existing.status }))?.id;
      outcome = "updated";
    }
    if (id === undefined) continue;
    let linked = true;
    for (const c of covers) {
      const org = c.org!;
      const has = db
        .select({ id: organizationEnterprises.organizationId })
        .from(organizationEnterprises)
        .where(and(eq(organizationEnterprises.organizationId, org.id), eq(organizationEnterprises.enterpriseId, id)))
        .get();
      if (has) continue;
      const enterpriseId = id;
      const r = attempt(ledger, row, COLUMN, () => attachCoverage(db, actor, enterpriseId, { organizationId: org.id, since: null }, today));
      if (!r) {
        linked = false;
        break;
      }
      if (r.warning) ledger.note(row, "覆盖党组织编码", c.code, `提示：${r.warning}`);
      if (outcome === "unchanged") outcome = "updated";
    }
    if (linked) ledger.outcome(outcome);
  }
  return ledger.result();
}

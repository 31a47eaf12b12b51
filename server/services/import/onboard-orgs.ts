// Onboarding the organization tree: each row an organization by its code, placed under its parent's
// code. Parents go in before their children whatever the file's order; a parent that is neither in
// the file nor in the tree, or a chain of parents that comes back on itself, rejects the rows
// concerned, naming them. Each organization is created or updated through orgs.service (the tree
// rules, the scope, the audit entry), so an import may do exactly what the form may.

import { isDeepStrictEqual } from "node:util";
import type { OrgKind } from "../../domain/codes.js";
import { parseOrgFormation, parseOrgKind } from "../../domain/onboarding-codes.js";
import { orgPathInScope } from "../../policy/actor.js";
import { fieldErrorsOf } from "../../schemas/fields.js";
import { orgInputSchema } from "../../schemas/orgs.schema.js";
import { createOrg, updateOrg } from "../orgs/orgs.service.js";
import {
  attempt,
  cellOf,
  industryOf,
  type OnboardContext,
  type OnboardResult,
  orgByCode,
  RowLedger,
  rawOf,
  regionOf,
} from "./onboard-rows.js";
import type { SourceRow } from "./types.js";

/** The org form's fields → the file's column labels (for a service's field errors). */
const COLUMN: Record<string, string> = {
  code: "组织编码",
  name: "组织全称",
  shortName: "简称",
  kind: "组织类别",
  formation: "组建方式",
  parentId: "上级组织编码",
  industryCode: "行业",
  regionCode: "行政区划",
  foundedOn: "成立日期",
  secretaryName: "书记姓名",
  secretaryPhone: "书记手机号",
  termStartOn: "本届开始日期",
  termEndOn: "本届届满日期",
};

const COMPARED = Object.keys(COLUMN);

/**
 * The order rows go in: every row after the row of its parent. Rows on a cycle, and rows below a
 * rejected row, come back as problems with their reason.
 */
export function placeParentsFirst(entries: readonly { index: number; rowNumber: number; code: string; parentCode: string }[]): {
  order: number[];
  problems: Map<number, string>;
} {
  const byCode = new Map(entries.map((e) => [e.code, e]));
  const state = new Map<number, "visiting" | "done">();
  const order: number[] = [];
  const problems = new Map<number, string>();
  const visit = (e: (typeof entries)[number], trail: (typeof entries)[number][]) => {
    if (state.get(e.index) === "done") return;
    if (state.get(e.index) === "visiting") {
      const cycle = [...trail.slice(trail.indexOf(e)), e];
      const text = `上级组织编码形成循环：${cycle.map((c) => c.code).join(" → ")}（第${cycle
        .slice(0, -1)
        .map((c) => c.rowNumber)
        .join("、")}行）`;
      for (const c of cycle) problems.set(c.index, text);
      return;
    }
    state.set(e.index, "visiting");
    const parent = e.parentCode ? byCode.get(e.parentCode) : undefined;
    if (parent && parent !== e) visit(parent, [...trail, e]);
    else if (parent === e) problems.set(e.index, "上级组织编码不能是本组织自己的编码");
    state.set(e.index, "done");
    order.push(e.index);
  };
  for (const e of entries) visit(e, []);
  return { order, problems };
}

export function applyOrgRows(ctx: OnboardContext, rows: SourceRow[]): OnboardResult {
  const { db, actor } = ctx;
  const ledger = new RowLedger(ctx.onApplied);
  const firstRowOf = new Map<string, number>();
  const entries: { index: number; rowNumber: number; code: string; parentCode: string }[] = [];
  for (const [index, row] of rows.entries()) {
    const code = cellOf(ctx, row, "orgCode");
    const first = firstRowOf.get(code);
    if (code === "") ledger.reject(row, "组织编码", "", "组织编码为空");
    else if (first !== undefined) ledger.duplicate(row, "组织编码", code, first);
    else {
      firstRowOf.set(code, row.rowNumber);
      entries.push({ index, rowNumber: row.rowNumber, code, parentCode: cellOf(ctx, row, "parentCode") });
    }
  }
  const { order, problems } = placeParentsFirst(entries);
  const entryOf = new Map(entries.map((e) => [e.index, e]));
  /** Rows of the file that went in (code → id), and those that did not (code → row number). */
  const placed = new Map<string, number>();
  const failed = new Map<string, number>();

  for (const index of order) {
    const row = rows[index]!;
    const entry = entryOf.get(index)!;
    const fail = (column: string | null, value: string | null, reason: string) => {
      failed.set(entry.code, row.rowNumber);
      ledger.reject(row, column, value, reason);
    };
    const problem = problems.get(index);
    if (problem) {
      fail("上级组织编码", entry.parentCode, problem);
      continue;
    }
    // The parent: a row of this file (already in, or refused), else an organization of the tree.
    let parentId: number | null = null;
    if (entry.parentCode !== "") {
      const failedAt = failed.get(entry.parentCode);
      if (failedAt !== undefined) {
        fail("上级组织编码", entry.parentCode, `上级组织（第${failedAt}行）未能导入`);
        continue;
      }
      parentId = placed.get(entry.parentCode) ?? orgByCode(db, entry.parentCode)?.id ?? null;
      if (parentId === null) {
        fail("上级组织编码", entry.parentCode, `上级组织编码“${entry.parentCode}”在文件和系统中都不存在`);
        continue;
      }
    }
    const name = cellOf(ctx, row, "orgName");
    const kind = parseOrgKind(rawOf(ctx, row, "orgKind"), name);
    if (!kind.ok) {
      fail("组织类别", rawOf(ctx, row, "orgKind"), kind.reason);
      continue;
    }
    if (kind.note) ledger.note(row, "组织类别", rawOf(ctx, row, "orgKind"), kind.note);
    const formationText = rawOf(ctx, row, "formation");
    const formation = parseOrgFormation(formationText);
    if (formation === undefined) {
      fail("组建方式", formationText, "组建方式应为“单独组建”或“联合组建”");
      continue;
    }
    if (kind.formation && formation && formation !== kind.formation) {
      fail("组建方式", formationText, `组织类别“${rawOf(ctx, row, "orgKind").trim()}”与组建方式“${formationText.trim()}”不符`);
      continue;
    }
    const industry = industryOf(db, cellOf(ctx, row, "industry"));
    if (!industry.ok) {
      fail("行业", rawOf(ctx, row, "industry"), industry.reason);
      continue;
    }
    const region = regionOf(db, cellOf(ctx, row, "region"), null);
    if (!region.ok) {
      fail("行政区划", rawOf(ctx, row, "region"), region.reason);
      continue;
    }
    const parsed = orgInputSchema.safeParse({
      code: entry.code,
      name,
      shortName: cellOf(ctx, row, "shortName"),
      kind: kind.kind satisfies OrgKind,
      formation: kind.kind === "branch" ? (formation ?? kind.formation ?? "") : "",
      parentId: parentId === null ? "" : String(parentId),
      industryCode: industry.value ?? "",
      regionCode: region.value,
      foundedOn: cellOf(ctx, row, "foundedOn"),
      secretaryName: cellOf(ctx, row, "secretaryName"),
      secretaryPhone: cellOf(ctx, row, "secretaryPhone"),
      termStartOn: cellOf(ctx, row, "termStartOn"),
      termEndOn: cellOf(ctx, row, "termEndOn"),
    });
    if (!parsed.success) {
      const [field, message] = Object.entries(fieldErrorsOf(parsed.error))[0]!;
      fail(COLUMN[field] ?? null, null, message);
      continue;
    }
    const input = parsed.data;
    const existing = orgByCode(db, entry.code);
    if (existing && !orgPathInScope(actor, existing.path)) {
      fail("组织编码", entry.code, `组织编码“${entry.code}”已被您管辖范围以外的党组织使用`);
      continue;
    }
    if (existing && existing.status !== "active") {
      fail("组织编码", entry.code, `组织编码“${entry.code}”的党组织已撤销，不能通过导入修改`);
      continue;
    }
    if (existing) {
      const same = COMPARED.every((k) =>
        isDeepStrictEqual((input as Record<string, unknown>)[k] ?? null, (existing as Record<string, unknown>)[k] ?? null),
      );
      if (same) {
        placed.set(entry.code, existing.id);
        ledger.outcome("unchanged");
        continue;
      }
      const updated = attempt(ledger, row, COLUMN, () => updateOrg(db, actor, existing.id, input));
      if (updated) {
        placed.set(entry.code, updated.id);
        ledger.outcome("updated");
      } else failed.set(entry.code, row.rowNumber);
      continue;
    }
    const created = attempt(ledger, row, COLUMN, () => createOrg(db, actor, input));
    if (created) {
      placed.set(entry.code, created.id);
      ledger.outcome("inserted");
    } else failed.set(entry.code, row.rowNumber);
  }
  return ledger.result();
}

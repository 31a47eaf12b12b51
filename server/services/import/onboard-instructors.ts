// Onboarding party-building instructors and liaisons with their assignments: a row an instructor
// and, when it names one, the enterprise they are assigned to (credit code or exact name). An
// instructor is known by the committee that dispatched them, their name and their phone, so one
// person on several rows (one a row per enterprise) is one instructor, and the same file again finds
// them. Created, updated and assigned through instructors.ts (its scope checks, its audit entries);
// an assignment already open is left as it is, and none is ended by its absence from the file.

import { and, eq, isNull, sql } from "drizzle-orm";
import { isDeepStrictEqual } from "node:util";
import { enterprises, instructorAssignments, instructors } from "../../../db/schema.js";
import { INSTRUCTOR_KIND, type INSTRUCTOR_KINDS, isCommitteeKind } from "../../domain/codes.js";
import { parseCreditCode } from "../../domain/credit-code.js";
import { orgPathInScope } from "../../policy/actor.js";
import { dateField, fieldErrorsOf } from "../../schemas/fields.js";
import { instructorInputSchema } from "../../schemas/instructors.schema.js";
import { enterpriseReadableSql } from "../enterprises/access.js";
import { assignInstructor, createInstructor, updateInstructor } from "../enterprises/instructors.js";
import { attempt, cellOf, committeeByText, type OnboardContext, type OnboardResult, RowLedger, rawOf } from "./onboard-rows.js";
import type { SourceRow } from "./types.js";

const COLUMN: Record<string, string> = {
  name: "姓名",
  kind: "类别",
  phone: "手机号",
  workUnit: "工作单位及职务",
  committeeId: "派出党委编码",
  status: "类别",
  enterprise: "联系企业",
  assignedOn: "派驻日期",
};

type InstructorKind = (typeof INSTRUCTOR_KINDS)[number];
const KIND_ALIASES: Record<string, InstructorKind> = { 指导员: "instructor", 党建工作指导员: "instructor", 党建联络员: "liaison" };

function instructorKindOf(text: string): InstructorKind | null {
  if (text === "") return "instructor";
  const hit = (Object.entries(INSTRUCTOR_KIND.label) as [InstructorKind, string][]).find(([k, l]) => k === text || l === text);
  return hit ? hit[0] : Object.hasOwn(KIND_ALIASES, text) ? KIND_ALIASES[text]! : null;
}

export function applyInstructorRows(ctx: OnboardContext, rows: SourceRow[]): OnboardResult {
  const { db, actor, today } = ctx;
  const ledger = new RowLedger(ctx.onApplied);
  /** Rows seen: instructor key + enterprise → first row (a repeat is a duplicate). */
  const seen = new Map<string, number>();
  /** Instructors this file has already written (key → id): their later rows only add assignments. */
  const written = new Map<string, number>();
  for (const row of rows) {
    const reject = (column: string, reason: string, key?: Parameters<typeof rawOf>[2]) =>
      ledger.reject(row, column, key ? rawOf(ctx, row, key) : null, reason);
    const kind = instructorKindOf(cellOf(ctx, row, "instructorKind"));
    if (kind === null) {
      reject("类别", `类别应为 ${Object.values(INSTRUCTOR_KIND.label).join(" 或 ")}`, "instructorKind");
      continue;
    }
    const committeeText = cellOf(ctx, row, "committee");
    const committee =
      committeeText === "" ? (isCommitteeKind(ctx.importOrg.kind) ? ctx.importOrg : null) : committeeByText(db, committeeText);
    if (!committee || !isCommitteeKind(committee.kind) || !orgPathInScope(actor, committee.path)) {
      reject(
        "派出党委编码",
        committeeText === ""
          ? "请填写派出党委的组织编码"
          : `派出党委“${committeeText}”不存在、不是行业党委或综合党委，或不在您的管辖范围内`,
        "committee",
      );
      continue;
    }
    const parsed = instructorInputSchema.safeParse({
      name: cellOf(ctx, row, "instructorName"),
      kind,
      phone: cellOf(ctx, row, "phone"),
      clearPhone: "",
      workUnit: cellOf(ctx, row, "workUnit"),
      committeeId: String(committee.id),
      status: "active",
    });
    if (!parsed.success) {
      const [field, message] = Object.entries(fieldErrorsOf(parsed.error))[0]!;
      ledger.reject(row, COLUMN[field] ?? null, null, message);
      continue;
    }
    const input = parsed.data;
    const key = JSON.stringify([committee.id, input.name, input.phone]);
    const enterpriseText = cellOf(ctx, row, "enterprise");
    const seenKey = `${key}|${enterpriseText}`;
    const first = seen.get(seenKey);
    if (first !== undefined) {
      ledger.duplicate(row, "姓名", input.name, first);
      continue;
    }
    seen.set(seenKey, row.rowNumber);
    const assignedText = cellOf(ctx, row, "assignedOn");
    let assignedOn: string | null = null;
    if (enterpriseText !== "") {
      const d = instructorAssignmentDate(assignedText, today);
      if (!d.ok) {
        reject("派驻日期", d.reason, "assignedOn");
        continue;
      }
      if (d.note) ledger.note(row, "派驻日期", assignedText, d.note);
      assignedOn = d.value;
    }

    let outcome: "inserted" | "updated" | "unchanged" = "unchanged";
    let id = written.get(key);
    if (id === undefined) {
      const existing = db
        .select()
        .from(instructors)
        .where(
          and(
            eq(instructors.committeeId, committee.id),
            eq(instructors.name, input.name),
            input.phone === null ? isNull(instructors.phone) : eq(instructors.phone, input.phone),
          ),
        )
        .orderBy(instructors.id)
        .get();
      if (!existing) {
        id = attempt(ledger, row, COLUMN, () => createInstructor(db, actor, input))?.id;
        outcome = "inserted";
      } else {
        const same = (["kind", "workUnit"] as const).every((k) => isDeepStrictEqual(input[k], existing[k])) && existing.status === "active";
        id = same ? existing.id : attempt(ledger, row, COLUMN, () => updateInstructor(db, actor, existing.id, input))?.id;
        if (!same) outcome = "updated";
      }
      if (id === undefined) continue;
      written.set(key, id);
    }
    if (enterpriseText !== "" && assignedOn !== null) {
      const code = parseCreditCode(enterpriseText);
      const e = db
        .select({ id: enterprises.id })
        .from(enterprises)
        .where(
          and(
            code.ok ? eq(enterprises.creditCode, code.value) : eq(enterprises.name, enterpriseText),
            enterpriseReadableSql(actor, "enterprises"),
          ),
        )
        .limit(2)
        .all();
      const open =
        e.length === 1 &&
        db
          .select({ id: instructorAssignments.id })
          .from(instructorAssignments)
          .where(
            and(
              eq(instructorAssignments.instructorId, id),
              eq(instructorAssignments.enterpriseId, e[0]!.id),
              sql`${instructorAssignments.endedOn} IS NULL`,
            ),
          )
          .get();
      if (!open) {
        const instructorId = id;
        const on = assignedOn;
        const r = attempt(ledger, row, COLUMN, () =>
          assignInstructor(db, actor, instructorId, { enterprise: enterpriseText, assignedOn: on }, today),
        );
        if (!r) continue;
        // A new assignment is a record inserted, whatever became of the instructor's own fields.
        if (outcome === "unchanged") outcome = "inserted";
      }
    }
    ledger.outcome(outcome);
  }
  return ledger.result();
}

/** The assignment's start: the date given, or today with a note. Never later than today. */
function instructorAssignmentDate(
  text: string,
  today: string,
): { ok: true; value: string; note: string | null } | { ok: false; reason: string } {
  if (text === "") return { ok: true, value: today, note: `未填派驻日期，按导入当天 ${today} 记录` };
  const parsed = instructorAssignmentDateField.safeParse(text);
  if (!parsed.success) return { ok: false, reason: parsed.error.issues[0]?.message ?? "派驻日期无效" };
  if (parsed.data > today) return { ok: false, reason: "派驻日期不能晚于今天" };
  return { ok: true, value: parsed.data, note: null };
}

const instructorAssignmentDateField = dateField("派驻日期");

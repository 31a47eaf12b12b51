import { and, desc, eq, sql, type SQL } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, instructorAssignments, instructors, organizations } from "../../../db/schema.js";
import { COMMITTEE_KINDS } from "../../domain/codes.js";
import { parseCreditCode } from "../../domain/credit-code.js";
import { toHalfWidth } from "../../domain/id-number.js";
import { maskPhone } from "../../domain/masking.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite, orgIdInScope, orgPathInScope, scopePath } from "../../policy/actor.js";
import type { AssignmentInput, InstructorInput, InstructorListQuery } from "../../schemas/instructors.schema.js";
import { recordAudit } from "../admin/audit.js";
import { enterpriseReadableSql } from "./enterprises.service.js";
import { orgOptions } from "../orgs/orgs.service.js";

// Party-building instructors and liaisons (党建指导员 / 联络员) and their assignments to enterprises.
// An assignment with no end date is active; ending one sets the date and keeps the row: history is
// never deleted. An active assignment is what makes an enterprise "work covered" (coverage-rules.ts).
//
// Scope: an actor reads an instructor dispatched by a committee inside their subtree, or one assigned
// (actively) to an enterprise they may read — so a branch secretary sees who contacts the enterprises
// their branch covers. Clerks and admins change instructors of committees in their scope.

export type Instructor = typeof instructors.$inferSelect;

/** SQL: the instructor with alias `alias` is readable by the actor. */
export function instructorReadableSql(actor: Actor, alias = "i"): SQL {
  if (scopePath(actor) === "/") return sql`1 = 1`;
  const a = sql.raw(alias);
  return sql`(${orgIdInScope(actor, sql`${a}.committee_id`)}
    OR ${a}.id IN (SELECT ix.instructor_id FROM instructor_assignments ix JOIN enterprises ex ON ex.id = ix.enterprise_id
      WHERE ix.ended_on IS NULL AND ${enterpriseReadableSql(actor, "ex")}))`;
}

export function getInstructor(db: Db, actor: Actor, id: number): Instructor {
  const i = db
    .select()
    .from(instructors)
    .where(and(eq(instructors.id, id), instructorReadableSql(actor, "instructors")))
    .get();
  if (!i) throw AppError.notFound("党建指导员");
  return i;
}

function isWriter(actor: Actor): boolean {
  return actor.role === "admin" || actor.role === "clerk";
}

function committeePath(db: Db, id: number): string | null {
  return db.select({ path: organizations.path }).from(organizations).where(eq(organizations.id, id)).get()?.path ?? null;
}

export function canEditInstructor(db: Db, actor: Actor, i: Instructor): boolean {
  const path = committeePath(db, i.committeeId);
  return isWriter(actor) && path !== null && orgPathInScope(actor, path);
}

/** 404 when out of reading scope, 403 when the actor may only read it. */
function getWritableInstructor(db: Db, actor: Actor, id: number): Instructor {
  assertCanWrite(actor);
  if (!isWriter(actor)) throw AppError.forbidden("只有行业党委工作人员和系统管理员可以维护党建指导员。");
  const i = getInstructor(db, actor, id);
  if (!canEditInstructor(db, actor, i)) throw AppError.forbidden("该指导员由其他党委派出，您只能查看，不能修改。");
  return i;
}

/** Active today: started, and not ended (an end date is the first day without the assignment). */
const activeToday = (today: string) => sql`(ia.assigned_on <= ${today} AND (ia.ended_on IS NULL OR ia.ended_on > ${today}))`;

// ---------------------------------------------------------------------------------------------
// List and detail
// ---------------------------------------------------------------------------------------------

export const INSTRUCTOR_PAGE_SIZE = 50;

export function listInstructors(db: Db, actor: Actor, q: InstructorListQuery, today: string, pageSize = INSTRUCTOR_PAGE_SIZE) {
  const where: SQL[] = [instructorReadableSql(actor, "i")];
  if (q.status !== "all") where.push(sql`i.status = ${q.status}`);
  if (q.committee) where.push(sql`i.committee_id = ${q.committee}`);
  if (q.kind) where.push(sql`i.kind = ${q.kind}`);
  const term = toHalfWidth(q.q).trim();
  if (term) where.push(sql`i.name LIKE ${`%${term.replace(/[\\%_]/g, (c) => `\\${c}`)}%`} ESCAPE '\\'`);
  type Row = {
    id: number;
    name: string;
    kind: Instructor["kind"];
    phone: string | null;
    work_unit: string | null;
    status: Instructor["status"];
    committee_name: string | null;
    active_n: number;
    total: number;
  };
  const offset = (q.page - 1) * pageSize;
  const rows = db.all<Row>(sql`SELECT i.id, i.name, i.kind, i.phone, i.work_unit, i.status, c.name AS committee_name,
      (SELECT COUNT(*) FROM instructor_assignments ia WHERE ia.instructor_id = i.id AND ${activeToday(today)}) AS active_n,
      count(*) OVER () AS total
    FROM instructors i LEFT JOIN organizations c ON c.id = i.committee_id
    WHERE ${sql.join(where, sql` AND `)}
    ORDER BY i.name, i.id LIMIT ${pageSize} OFFSET ${offset}`);
  const total = rows.length
    ? rows[0]!.total
    : offset === 0
      ? 0
      : db.get<{ n: number }>(sql`SELECT count(*) AS n FROM instructors i WHERE ${sql.join(where, sql` AND `)}`)!.n;
  return {
    rows: rows.map((r) => ({
      id: r.id,
      name: r.name,
      kind: r.kind,
      phoneMasked: maskPhone(r.phone),
      workUnit: r.work_unit ?? "",
      status: r.status,
      committeeName: r.committee_name ?? "",
      activeAssignments: r.active_n,
    })),
    total,
    page: q.page,
    hasMore: offset + rows.length < total,
  };
}

export function instructorDetail(db: Db, actor: Actor, id: number, today: string) {
  const instructor = getInstructor(db, actor, id);
  const committee = db
    .select({ id: organizations.id, name: organizations.name, path: organizations.path })
    .from(organizations)
    .where(eq(organizations.id, instructor.committeeId))
    .get();
  const ownCommittee = !!committee && orgPathInScope(actor, committee.path);
  // Someone who sees the instructor only through an enterprise sees only the assignments to enterprises they may read.
  const assignments = db
    .select({
      id: instructorAssignments.id,
      enterpriseId: enterprises.id,
      enterpriseName: enterprises.name,
      creditCode: enterprises.creditCode,
      assignedOn: instructorAssignments.assignedOn,
      endedOn: instructorAssignments.endedOn,
    })
    .from(instructorAssignments)
    .innerJoin(enterprises, eq(enterprises.id, instructorAssignments.enterpriseId))
    .where(and(eq(instructorAssignments.instructorId, id), ownCommittee ? undefined : enterpriseReadableSql(actor, "enterprises")))
    .orderBy(sql`${instructorAssignments.endedOn} IS NOT NULL`, desc(instructorAssignments.assignedOn), desc(instructorAssignments.id))
    .all()
    .map((a) => ({ ...a, active: a.assignedOn <= today && (a.endedOn == null || a.endedOn > today), ended: a.endedOn != null }));
  const { phone, ...rest } = instructor;
  return {
    instructor: { ...rest, phoneMasked: maskPhone(phone) },
    committee: committee ? { id: committee.id, name: committee.name } : null,
    assignments,
    canEdit: canEditInstructor(db, actor, instructor),
  };
}

/** The instructor for the edit form: the phone is never sent whole, only masked as a placeholder. */
export function instructorForEdit(db: Db, actor: Actor, id: number) {
  const i = getWritableInstructor(db, actor, id);
  const { phone, ...rest } = i;
  return { ...rest, phone: "", phoneMasked: maskPhone(phone) };
}

export function instructorFormOptions(db: Db, actor: Actor) {
  return { committees: orgOptions(db, actor, COMMITTEE_KINDS) };
}

// ---------------------------------------------------------------------------------------------
// Create and update
// ---------------------------------------------------------------------------------------------

function checkCommittee(db: Db, actor: Actor, committeeId: number): void {
  const c = db.select().from(organizations).where(eq(organizations.id, committeeId)).get();
  if (!c || !orgPathInScope(actor, c.path) || !(COMMITTEE_KINDS as string[]).includes(c.kind)) {
    throw AppError.invalid({ committeeId: "请选择您管辖范围内的行业党委或综合党委" });
  }
  if (c.status !== "active") throw AppError.invalid({ committeeId: "所选党委已撤销" });
}

export function createInstructor(db: Db, actor: Actor, input: InstructorInput): Instructor {
  assertCanWrite(actor);
  if (!isWriter(actor)) throw AppError.forbidden("只有行业党委工作人员和系统管理员可以维护党建指导员。");
  return db.transaction((tx) => {
    checkCommittee(tx, actor, input.committeeId);
    const created = tx
      .insert(instructors)
      .values({
        name: input.name,
        kind: input.kind,
        phone: input.clearPhone ? null : input.phone,
        workUnit: input.workUnit,
        committeeId: input.committeeId,
        status: input.status,
      })
      .returning()
      .get();
    recordAudit(tx, actor, { action: "create", entity: "instructor", entityId: created.id, after: created });
    return created;
  });
}

export function updateInstructor(db: Db, actor: Actor, id: number, input: InstructorInput): Instructor {
  return db.transaction((tx) => {
    const before = getWritableInstructor(tx, actor, id);
    if (input.committeeId !== before.committeeId) checkCommittee(tx, actor, input.committeeId);
    if (input.status === "inactive" && before.status !== "inactive") {
      const n = tx.get<{ n: number }>(
        sql`SELECT COUNT(*) AS n FROM instructor_assignments ia WHERE ia.instructor_id = ${id} AND ia.ended_on IS NULL`,
      )!.n;
      if (n > 0) throw AppError.invalid({ status: `该指导员还在联系 ${n} 个企业，请先结束这些派驻，再设为离岗` });
    }
    // An empty phone on the edit form keeps the stored number; "clear" removes it.
    const phone = input.clearPhone ? null : (input.phone ?? before.phone);
    const updated = tx
      .update(instructors)
      .set({
        name: input.name,
        kind: input.kind,
        phone,
        workUnit: input.workUnit,
        committeeId: input.committeeId,
        status: input.status,
        updatedAt: new Date().toISOString(),
      })
      .where(eq(instructors.id, id))
      .returning()
      .get();
    recordAudit(tx, actor, { action: "update", entity: "instructor", entityId: id, before, after: updated });
    return updated;
  });
}

// ---------------------------------------------------------------------------------------------
// Assignments
// ---------------------------------------------------------------------------------------------

/** Finds the enterprise the form names (credit code, else exact name) among those the actor may read. */
function resolveEnterprise(db: Db, actor: Actor, text: string) {
  const code = parseCreditCode(text);
  const byCode = code.ok ? eq(enterprises.creditCode, code.value) : eq(enterprises.name, toHalfWidth(text).trim());
  const found = db
    .select({ id: enterprises.id, name: enterprises.name, status: enterprises.status })
    .from(enterprises)
    .where(and(byCode, enterpriseReadableSql(actor, "enterprises")))
    .limit(2)
    .all();
  if (found.length === 0)
    throw AppError.invalid({ enterprise: "未找到该企业，或该企业不在您的管辖范围内（请填写统一社会信用代码或企业全称）" });
  if (found.length > 1) throw AppError.invalid({ enterprise: "有多家同名企业，请改填统一社会信用代码" });
  return found[0]!;
}

export function assignInstructor(db: Db, actor: Actor, instructorId: number, input: AssignmentInput, today: string) {
  return db.transaction((tx) => {
    const i = getWritableInstructor(tx, actor, instructorId);
    if (i.status !== "active") throw AppError.invalid({ enterprise: "该指导员已离岗，不能再派驻到企业" });
    const e = resolveEnterprise(tx, actor, input.enterprise);
    if (e.status !== "active") throw AppError.invalid({ enterprise: `企业“${e.name}”已注销，不能派驻` });
    if (input.assignedOn > today) throw AppError.invalid({ assignedOn: "派驻日期不能晚于今天" });
    const open = tx
      .select({ id: instructorAssignments.id })
      .from(instructorAssignments)
      .where(
        and(
          eq(instructorAssignments.instructorId, instructorId),
          eq(instructorAssignments.enterpriseId, e.id),
          sql`${instructorAssignments.endedOn} IS NULL`,
        ),
      )
      .get();
    if (open) throw AppError.invalid({ enterprise: `该指导员已在联系企业“${e.name}”` });
    const created = tx
      .insert(instructorAssignments)
      .values({ instructorId, enterpriseId: e.id, assignedOn: input.assignedOn })
      .returning()
      .get();
    recordAudit(tx, actor, {
      action: "create",
      entity: "instructor_assignment",
      entityId: created.id,
      after: { ...created, instructorName: i.name, enterpriseName: e.name },
    });
    return { assignment: created, enterpriseName: e.name };
  });
}

/** Ends an assignment on a date; the row stays as history. */
export function endAssignment(db: Db, actor: Actor, instructorId: number, assignmentId: number, endedOn: string, today: string) {
  return db.transaction((tx) => {
    getWritableInstructor(tx, actor, instructorId);
    const a = tx
      .select()
      .from(instructorAssignments)
      .where(and(eq(instructorAssignments.id, assignmentId), eq(instructorAssignments.instructorId, instructorId)))
      .get();
    if (!a) throw AppError.notFound("派驻记录");
    if (a.endedOn) throw AppError.invalid({ endedOn: `该派驻已于 ${a.endedOn} 结束` }, `该派驻已于 ${a.endedOn} 结束，无需再次结束。`);
    if (endedOn < a.assignedOn) throw AppError.invalid({ endedOn: `结束日期不能早于派驻日期 ${a.assignedOn}` });
    if (endedOn > today) throw AppError.invalid({ endedOn: "结束日期不能晚于今天" });
    const updated = tx.update(instructorAssignments).set({ endedOn }).where(eq(instructorAssignments.id, assignmentId)).returning().get();
    recordAudit(tx, actor, { action: "update", entity: "instructor_assignment", entityId: assignmentId, before: a, after: updated });
    return updated;
  });
}

import { randomBytes } from "node:crypto";
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { organizations, sessions, users } from "../../db/schema.js";
import { hashPassword, passwordProblem, verifyPassword } from "../auth/password.js";
import { ROLE, type Role } from "../domain/codes.js";
import { AppError } from "../errors.js";
import { type Actor, assertRole, orgIdInScope } from "../policy/actor.js";
import { recordAudit } from "./audit.service.js";

export const MAX_FAILED_ATTEMPTS = 5;
export const LOCK_MINUTES = 15;

// A hash of a random password: verifying against it when the username is unknown keeps the
// response time the same as for a wrong password, so timing does not reveal which names exist.
let dummyHash: Promise<string> | null = null;
function getDummyHash() {
  dummyHash ??= hashPassword(randomBytes(16).toString("hex"));
  return dummyHash;
}

export type SignInResult =
  | { ok: true; userId: number }
  | { ok: false; message: string; reason: "invalid" | "locked" | "disabled" };

export async function authenticate(
  db: Db,
  input: { username: string; password: string; ip?: string | null },
  now: Date = new Date(),
): Promise<SignInResult> {
  const username = input.username.trim();
  const user = db.select().from(users).where(eq(users.username, username)).get();
  const audit = (action: string, details: Record<string, unknown>) =>
    recordAudit(db, user ? { id: user.id, username: user.username } : { id: 0, username }, {
      action,
      entity: "user",
      entityId: user?.id ?? null,
      details,
      ip: input.ip ?? null,
    });

  if (!user) {
    await verifyPassword(await getDummyHash(), input.password);
    audit("login_failed", { reason: "unknown_user" });
    return { ok: false, reason: "invalid", message: "用户名或密码错误。" };
  }
  if (user.lockedUntil && user.lockedUntil > now.toISOString()) {
    audit("login_failed", { reason: "locked" });
    const until = new Date(Date.parse(user.lockedUntil) + 8 * 3_600_000).toISOString().slice(11, 16);
    return {
      ok: false,
      reason: "locked",
      message: `连续输错密码 ${MAX_FAILED_ATTEMPTS} 次，账号已锁定 ${LOCK_MINUTES} 分钟，请于 ${until} 后再试。`,
    };
  }
  const good = await verifyPassword(user.passwordHash, input.password);
  if (!good) {
    const failed = user.failedAttempts + 1;
    const lock = failed >= MAX_FAILED_ATTEMPTS;
    db.update(users)
      .set({
        failedAttempts: lock ? 0 : failed,
        lockedUntil: lock ? new Date(now.getTime() + LOCK_MINUTES * 60_000).toISOString() : user.lockedUntil,
      })
      .where(eq(users.id, user.id))
      .run();
    audit("login_failed", { reason: "wrong_password", attempt: failed, locked: lock });
    if (lock) {
      return { ok: false, reason: "locked", message: `连续输错密码 ${MAX_FAILED_ATTEMPTS} 次，账号已锁定 ${LOCK_MINUTES} 分钟。` };
    }
    return { ok: false, reason: "invalid", message: "用户名或密码错误。" };
  }
  if (user.status !== "active") {
    audit("login_failed", { reason: "disabled" });
    return { ok: false, reason: "disabled", message: "该账号已停用，请联系系统管理员。" };
  }
  db.update(users)
    .set({ failedAttempts: 0, lockedUntil: null, lastLoginAt: now.toISOString() })
    .where(eq(users.id, user.id))
    .run();
  audit("login", {});
  return { ok: true, userId: user.id };
}

/** The signed-in actor for a user id, or null when the account is gone or disabled. */
export function loadActor(db: Db, userId: number): Actor | null {
  const row = db
    .select({
      id: users.id,
      username: users.username,
      displayName: users.displayName,
      role: users.role,
      status: users.status,
      orgId: users.orgId,
      orgPath: organizations.path,
      orgName: organizations.name,
    })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.orgId))
    .where(eq(users.id, userId))
    .get();
  if (row?.status !== "active") return null;
  const { status: _status, ...actor } = row;
  return actor;
}

export type NewUser = { username: string; displayName: string; role: Role; orgId: number; password: string };

export async function createUser(db: Db, actor: Actor | null, input: NewUser) {
  if (actor) assertRole(actor, "admin");
  const problem = passwordProblem(input.password);
  if (problem) throw AppError.invalid({ password: problem });
  if (!/^[A-Za-z0-9_.-]{3,32}$/.test(input.username)) {
    throw AppError.invalid({ username: "用户名为 3–32 位字母、数字、下划线、点或连字符" });
  }
  const exists = db.select({ id: users.id }).from(users).where(eq(users.username, input.username)).get();
  if (exists) throw AppError.invalid({ username: "该用户名已被使用" });
  const org = db.select().from(organizations).where(eq(organizations.id, input.orgId)).get();
  if (!org) throw AppError.invalid({ orgId: "所属组织不存在" });
  const roleProblem = roleOrgProblem(input.role, org.kind);
  if (roleProblem) throw AppError.invalid({ orgId: roleProblem });
  const passwordHash = await hashPassword(input.password);
  return db.transaction((tx) => {
    const created = tx
      .insert(users)
      .values({ username: input.username, displayName: input.displayName, role: input.role, orgId: input.orgId, passwordHash })
      .returning()
      .get();
    recordAudit(tx, actor, {
      action: "create",
      entity: "user",
      entityId: created.id,
      after: { username: created.username, role: created.role, orgId: created.orgId, displayName: created.displayName },
    });
    return created;
  });
}

export function roleOrgProblem(role: Role, orgKind: string): string | null {
  if (role === "clerk" && !["industry_committee", "comprehensive_committee"].includes(orgKind)) {
    return `${ROLE.label.clerk}应属于行业党委或综合党委`;
  }
  if (role === "secretary" && !["branch", "general_branch"].includes(orgKind)) return `${ROLE.label.secretary}应属于党支部或党总支`;
  if (role === "supervisor" && orgKind !== "city_department") return `${ROLE.label.supervisor}应属于市委社会工作部`;
  return null;
}

export async function setPassword(db: Db, actor: Actor | null, userId: number, password: string) {
  if (actor && actor.id !== userId) assertRole(actor, "admin");
  const problem = passwordProblem(password);
  if (problem) throw AppError.invalid({ password: problem });
  const passwordHash = await hashPassword(password);
  db.transaction((tx) => {
    const r = tx.update(users).set({ passwordHash, failedAttempts: 0, lockedUntil: null }).where(eq(users.id, userId)).run();
    if (r.changes === 0) throw AppError.notFound("账号");
    // A new password ends every other session of the account.
    tx.delete(sessions).where(eq(sessions.userId, userId)).run();
    recordAudit(tx, actor, { action: "password_change", entity: "user", entityId: userId });
  });
}

/** Disabling an account ends its sessions at once. */
export function setUserStatus(db: Db, actor: Actor | null, userId: number, status: "active" | "disabled") {
  if (actor) {
    assertRole(actor, "admin");
    if (actor.id === userId && status === "disabled") throw AppError.conflict("不能停用自己的账号。");
  }
  db.transaction((tx) => {
    const before = tx.select().from(users).where(eq(users.id, userId)).get();
    if (!before) throw AppError.notFound("账号");
    tx.update(users)
      .set({ status, updatedAt: new Date().toISOString(), failedAttempts: 0, lockedUntil: null })
      .where(eq(users.id, userId))
      .run();
    if (status === "disabled") tx.delete(sessions).where(eq(sessions.userId, userId)).run();
    recordAudit(tx, actor, { action: status === "disabled" ? "disable" : "enable", entity: "user", entityId: userId, before: { status: before.status }, after: { status } });
  });
}

export function findUserByUsername(db: Db, username: string) {
  return db.select().from(users).where(eq(users.username, username)).get() ?? null;
}

export function listUsers(db: Db, actor: Actor) {
  assertRole(actor, "admin");
  return db
    .select({
      id: users.id,
      username: users.username,
      displayName: users.displayName,
      role: users.role,
      status: users.status,
      lastLoginAt: users.lastLoginAt,
      lockedUntil: users.lockedUntil,
      orgName: organizations.name,
      orgCode: organizations.code,
    })
    .from(users)
    .innerJoin(organizations, eq(organizations.id, users.orgId))
    .where(orgIdInScope(actor, users.orgId))
    .orderBy(asc(users.role), asc(users.username))
    .all();
}

export function getUser(db: Db, actor: Actor, userId: number) {
  assertRole(actor, "admin");
  const u = db.select().from(users).where(and(eq(users.id, userId), orgIdInScope(actor, users.orgId))).get();
  if (!u) throw AppError.notFound("账号");
  return u;
}

export function updateUser(db: Db, actor: Actor, userId: number, input: { displayName: string; role: Role; orgId: number }) {
  assertRole(actor, "admin");
  const org = db.select().from(organizations).where(eq(organizations.id, input.orgId)).get();
  if (!org) throw AppError.invalid({ orgId: "所属组织不存在" });
  const roleProblem = roleOrgProblem(input.role, org.kind);
  if (roleProblem) throw AppError.invalid({ orgId: roleProblem });
  db.transaction((tx) => {
    const before = tx.select().from(users).where(eq(users.id, userId)).get();
    if (!before) throw AppError.notFound("账号");
    tx.update(users).set({ ...input, updatedAt: new Date().toISOString() }).where(eq(users.id, userId)).run();
    // A change of role or scope takes effect at once: the old sessions carried the old rights.
    if (before.role !== input.role || before.orgId !== input.orgId) tx.delete(sessions).where(eq(sessions.userId, userId)).run();
    recordAudit(tx, actor, {
      action: "update",
      entity: "user",
      entityId: userId,
      before: { displayName: before.displayName, role: before.role, orgId: before.orgId },
      after: input,
    });
  });
}

/** A user changes their own password: the current one is checked first. */
export async function changeOwnPassword(db: Db, actor: Actor, current: string, password: string) {
  const u = db.select().from(users).where(eq(users.id, actor.id)).get();
  if (!u || !(await verifyPassword(u.passwordHash, current))) throw AppError.invalid({ current: "当前密码不正确" });
  await setPassword(db, actor, actor.id, password);
}

export function countUsers(db: Db): number {
  return db.select({ n: sql<number>`count(*)` }).from(users).get()!.n;
}

import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { organizations, sessions, users } from "../../../db/schema.js";
import { DUMMY_HASH, hashPassword, passwordProblem, verifyPassword } from "../../auth/password.js";
import type { PasswordCheckLimiter } from "../../auth/sign-in-limiter.js";
import { isCommitteeKind, ORG_KIND, ROLE, type Role } from "../../domain/codes.js";
import { usernameKey, usernameProblem } from "../../domain/username.js";
import { AppError } from "../../errors.js";
import { type Actor, assertRole, orgIdInScope } from "../../policy/actor.js";
import { recordAudit } from "./audit.js";

/** One answer for an unknown name, a wrong password and a disabled account: none of them may be told apart. */
export const SIGN_IN_REFUSED = "用户名或密码错误。";

export type SignInResult = { ok: true; userId: number } | { ok: false; message: string };

/**
 * Checks a typed name and password. Guessing is throttled before this is called (sign-in-limiter);
 * there is no per-account lock, which anyone knowing a name could set off.
 */
export async function authenticate(
  db: Db,
  input: { username: string; password: string; ip?: string | null },
  now: Date = new Date(),
): Promise<SignInResult> {
  const user = findUserByUsername(db, input.username);
  // The password is checked in every case, against a hash of nothing for an unknown name, and the
  // account's status only afterwards: an unknown name, a wrong password and a disabled account
  // (whatever password is typed) take the same time and get the same answer.
  const passwordRight = await verifyPassword(user?.passwordHash ?? DUMMY_HASH, input.password);
  if (!user || !passwordRight || user.status !== "active") {
    const reason = !user ? "unknown_user" : user.status !== "active" ? "disabled" : "wrong_password";
    // An unknown name is not recorded: what was typed into the name box is at times a password.
    recordAudit(db, user ? { id: user.id, username: user.username } : null, {
      action: "login_failed",
      entity: "user",
      entityId: user?.id ?? null,
      details: { reason },
      ip: input.ip ?? null,
    });
    return { ok: false, message: SIGN_IN_REFUSED };
  }
  db.update(users).set({ lastLoginAt: now.toISOString() }).where(eq(users.id, user.id)).run();
  recordAudit(
    db,
    { id: user.id, username: user.username },
    { action: "login", entity: "user", entityId: user.id, details: {}, ip: input.ip ?? null },
  );
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

const USERNAME_TAKEN = "该用户名已被使用（用户名不区分大小写）";

export type NewUser = { username: string; displayName: string; role: Role; orgId: number; password: string };

export async function createUser(db: Db, actor: Actor | null, input: NewUser) {
  if (actor) assertRole(actor, "admin");
  const problem = passwordProblem(input.password);
  if (problem) throw AppError.invalid({ password: problem });
  const nameProblem = usernameProblem(input.username);
  if (nameProblem) throw AppError.invalid({ username: nameProblem });
  if (findUserByUsername(db, input.username)) throw AppError.invalid({ username: USERNAME_TAKEN });
  const org = db.select().from(organizations).where(eq(organizations.id, input.orgId)).get();
  if (!org) throw AppError.invalid({ orgId: "所属组织不存在" });
  const roleProblem = roleOrgProblem(input.role, org.kind);
  if (roleProblem) throw AppError.invalid({ orgId: roleProblem });
  const passwordHash = await hashPassword(input.password);
  return db.transaction((tx) => {
    // Checked again where it cannot race: the same name may have been created while the password was hashed.
    if (findUserByUsername(tx, input.username)) throw AppError.invalid({ username: USERNAME_TAKEN });
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
  if (role === "clerk" && !isCommitteeKind(orgKind)) {
    return `${ROLE.label.clerk}应属于行业党委或综合党委`;
  }
  if (role === "secretary" && !["branch", "general_branch"].includes(orgKind)) return `${ROLE.label.secretary}应属于党支部或党总支`;
  if (role === "supervisor" && orgKind !== "city_department") return `${ROLE.label.supervisor}应属于${ORG_KIND.label.city_department}`;
  return null;
}

export async function setPassword(db: Db, actor: Actor | null, userId: number, password: string) {
  if (actor && actor.id !== userId) assertRole(actor, "admin");
  const problem = passwordProblem(password);
  if (problem) throw AppError.invalid({ password: problem });
  const passwordHash = await hashPassword(password);
  db.transaction((tx) => {
    const r = tx.update(users).set({ passwordHash }).where(eq(users.id, userId)).run();
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
    tx.update(users).set({ status, updatedAt: new Date().toISOString() }).where(eq(users.id, userId)).run();
    if (status === "disabled") tx.delete(sessions).where(eq(sessions.userId, userId)).run();
    recordAudit(tx, actor, {
      action: status === "disabled" ? "disable" : "enable",
      entity: "user",
      entityId: userId,
      before: { status: before.status },
      after: { status },
    });
  });
}

/** The account a typed name means, whatever its case (the unique index is on lower(username)). */
export function findUserByUsername(db: Db, username: string) {
  return (
    db
      .select()
      .from(users)
      .where(sql`lower(${users.username}) = ${usernameKey(username)}`)
      .get() ?? null
  );
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
  const u = db
    .select()
    .from(users)
    .where(and(eq(users.id, userId), orgIdInScope(actor, users.orgId)))
    .get();
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
    tx.update(users)
      .set({ ...input, updatedAt: new Date().toISOString() })
      .where(eq(users.id, userId))
      .run();
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

/**
 * A user changes their own password: the current one is checked first, a limited number of times,
 * so that a session left open (or taken) is not a way to guess the password behind it.
 */
export async function changeOwnPassword(db: Db, attempts: PasswordCheckLimiter, actor: Actor, current: string, password: string) {
  const wait = await attempts.take(actor.id);
  if (wait !== null) {
    const message = `当前密码输错次数过多，请 ${Math.ceil(wait / 60)} 分钟后再试。`;
    throw new AppError(429, message, { code: "rate_limited", fieldErrors: { current: message } });
  }
  const u = db.select().from(users).where(eq(users.id, actor.id)).get();
  if (!u || !(await verifyPassword(u.passwordHash, current))) throw AppError.invalid({ current: "当前密码不正确" });
  await attempts.succeeded(actor.id);
  await setPassword(db, actor, actor.id, password);
}

export function countUsers(db: Db): number {
  return db.select({ n: sql<number>`count(*)` }).from(users).get()!.n;
}

import { sql } from "drizzle-orm";
import { check, index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ROLES } from "../../server/domain/codes.js";
import { createdAt, updatedAt, inList } from "./columns.js";
import { organizations } from "./orgs.js";

// Accounts, sessions, audit, platform API keys

export const users = sqliteTable(
  "users",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    username: text("username").notNull(),
    displayName: text("display_name").notNull(),
    passwordHash: text("password_hash").notNull(),
    role: text("role", { enum: ROLES }).notNull(),
    orgId: integer("org_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    status: text("status", { enum: ["active", "disabled"] })
      .notNull()
      .default("active"),
    lastLoginAt: text("last_login_at"),
    createdAt: createdAt(),
    updatedAt: updatedAt(),
  },
  // Usernames are one account whatever their case: `Admin` is `admin` (sign-in folds case too).
  (t) => [uniqueIndex("users_username_lower_uq").on(sql`lower(${t.username})`), check("users_role_ck", inList("role", ROLES))],
);

export const sessions = sqliteTable(
  "sessions",
  {
    sid: text("sid").primaryKey(),
    userId: integer("user_id").references(() => users.id, { onDelete: "cascade" }),
    data: text("data").notNull(),
    expiresAt: integer("expires_at").notNull(), // epoch ms: idle expiry
    createdAt: integer("created_at").notNull(), // epoch ms: absolute expiry counts from here
  },
  (t) => [index("sessions_expires_idx").on(t.expiresAt), index("sessions_user_idx").on(t.userId)],
);

/** rate-limiter-flexible's table (RateLimiterSQLite), created here so it lives under our migrations. */

export const rateLimits = sqliteTable("rate_limits", {
  key: text("key").primaryKey(),
  points: integer("points").notNull().default(0),
  expire: integer("expire"),
});

export const auditLog = sqliteTable(
  "audit_log",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    at: createdAt(),
    userId: integer("user_id").references(() => users.id, { onDelete: "set null" }),
    username: text("username"),
    action: text("action").notNull(), // create, update, delete, login, login_failed, logout, unmask, export …
    entity: text("entity"),
    entityId: text("entity_id"),
    before: text("before", { mode: "json" }),
    after: text("after", { mode: "json" }),
    details: text("details", { mode: "json" }),
    ip: text("ip"),
  },
  (t) => [
    index("audit_log_at_idx").on(t.at),
    index("audit_log_user_idx").on(t.userId, t.at),
    index("audit_log_entity_idx").on(t.entity, t.entityId),
    index("audit_log_action_idx").on(t.action, t.at),
  ],
);

export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    prefix: text("prefix").notNull(), // the first characters, shown in lists to tell keys apart
    keyHash: text("key_hash").notNull(), // sha256 of the whole key: the key has 256 random bits
    label: text("label").notNull(),
    platform: text("platform").notNull(),
    committeeId: integer("committee_id")
      .notNull()
      .references(() => organizations.id, { onDelete: "restrict" }),
    createdBy: integer("created_by").references(() => users.id, { onDelete: "set null" }),
    createdAt: createdAt(),
    revokedAt: text("revoked_at"),
    lastUsedAt: text("last_used_at"),
  },
  (t) => [uniqueIndex("api_keys_hash_uq").on(t.keyHash)],
);

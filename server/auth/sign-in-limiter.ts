import { createHash } from "node:crypto";
import { RateLimiterRes, RateLimiterSQLite } from "rate-limiter-flexible";
import type { DbHandle } from "../../db/client.js";
import { usernameKey } from "../domain/username.js";

// Password guessing is throttled per (name, IP) and per IP, never per account alone: a lock on an
// account for every address handed anyone who knew a name (admin's) a switch that locked its owner
// out. A name counts the same whether an account has it or not, so the throttle tells nothing about
// which names exist. Counters live in SQLite, so a restart does not reset them.

export const SIGN_IN_LIMITS = {
  /** Failed sign-ins under one name from one IP in a window … */
  perNameAndIp: 5,
  /** … and under any names from one IP (one address trying a password on many names). */
  perIp: 30,
  windowSeconds: 15 * 60,
} as const;

/** Wrong current passwords on /account/password for one account in a window. */
export const PASSWORD_CHECK_LIMITS = { perAccount: 5, windowSeconds: 15 * 60 } as const;

export type SignInLimiter = {
  /**
   * Counts an attempt before its password is checked, so concurrent attempts cannot slip past the
   * count: null when it may go ahead, else the seconds to wait.
   */
  take(ip: string, username: string): Promise<number | null>;
  /** The attempt signed in: it no longer counts against the name or the address. */
  succeeded(ip: string, username: string): Promise<void>;
};

export type PasswordCheckLimiter = {
  take(userId: number): Promise<number | null>;
  succeeded(userId: number): Promise<void>;
};

function storeOf(handle: DbHandle) {
  return { storeClient: handle.sqlite, storeType: "better-sqlite3" as const, tableName: "rate_limits", tableCreated: true };
}

/** A refusal as the seconds to wait; anything else (a database error) is rethrown. */
function secondsToWait(rej: unknown): number {
  if (rej instanceof RateLimiterRes) return Math.max(1, Math.ceil(rej.msBeforeNext / 1000));
  throw rej;
}

/**
 * The typed name as stored in a counter's key: hashed, because what is typed into the name box is
 * now and then a password, and must not rest in the database.
 */
function nameDigest(username: string): string {
  return createHash("sha256").update(usernameKey(username)).digest("base64url").slice(0, 22);
}

export function createSignInLimiter(handle: DbHandle): SignInLimiter {
  const duration = SIGN_IN_LIMITS.windowSeconds;
  const perIp = new RateLimiterSQLite({ ...storeOf(handle), keyPrefix: "login_ip", points: SIGN_IN_LIMITS.perIp, duration });
  const perNameIp = new RateLimiterSQLite({
    ...storeOf(handle),
    keyPrefix: "login_name_ip",
    points: SIGN_IN_LIMITS.perNameAndIp,
    duration,
  });
  const pair = (ip: string, username: string) => `${nameDigest(username)}|${ip}`;
  return {
    async take(ip, username) {
      try {
        await perIp.consume(ip);
        await perNameIp.consume(pair(ip, username));
        return null;
      } catch (rej) {
        return secondsToWait(rej);
      }
    },
    async succeeded(ip, username) {
      await perNameIp.delete(pair(ip, username));
      // Only failures count against an address: an office behind one address signs in all morning.
      const ipState = await perIp.get(ip);
      if (ipState && ipState.consumedPoints > 0) await perIp.reward(ip, 1);
    },
  };
}

export function createPasswordCheckLimiter(handle: DbHandle): PasswordCheckLimiter {
  const limiter = new RateLimiterSQLite({
    ...storeOf(handle),
    keyPrefix: "password_check_user",
    points: PASSWORD_CHECK_LIMITS.perAccount,
    duration: PASSWORD_CHECK_LIMITS.windowSeconds,
  });
  return {
    async take(userId) {
      try {
        await limiter.consume(String(userId));
        return null;
      } catch (rej) {
        return secondsToWait(rej);
      }
    },
    async succeeded(userId) {
      await limiter.delete(String(userId));
    },
  };
}

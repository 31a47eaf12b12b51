import { RateLimiterSQLite, type RateLimiterRes } from "rate-limiter-flexible";
import type { DbHandle } from "../../db/client.js";

// Sign-in attempts limited per IP and per account+IP, kept in SQLite so a restart does not reset
// them (the per-account lockout in users.service stops guessing one password from many IPs).
export type SignInLimiter = { consume(ip: string, username: string): Promise<number | null> };

export function createSignInLimiter(handle: DbHandle): SignInLimiter {
  const common = { storeClient: handle.sqlite, storeType: "better-sqlite3" as const, tableName: "rate_limits", tableCreated: true };
  const perIp = new RateLimiterSQLite({ ...common, keyPrefix: "login_ip", points: 100, duration: 15 * 60 });
  const perAccountIp = new RateLimiterSQLite({ ...common, keyPrefix: "login_user_ip", points: 10, duration: 15 * 60 });
  return {
    /** Counts an attempt; returns null when allowed, else the seconds to wait. */
    async consume(ip, username) {
      try {
        await perIp.consume(ip);
        await perAccountIp.consume(`${username.toLowerCase()}|${ip}`);
        return null;
      } catch (rej) {
        if (rej instanceof Error) throw rej;
        return Math.ceil((rej as RateLimiterRes).msBeforeNext / 1000);
      }
    },
  };
}

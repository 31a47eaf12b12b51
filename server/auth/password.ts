import { hash, verify } from "@node-rs/argon2";

// argon2id with the library's defaults (memory-hard, per-hash random salt embedded in the PHC string).
// @node-rs/argon2 ships its binary as a registry package, so it installs without a download.

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

/**
 * A hash of random bytes nobody kept. A sign-in under an unknown name is checked against it, so it
 * costs what a wrong password for a real account costs and timing does not tell which names exist.
 * Its parameters must stay those hashPassword uses (a unit test compares them); a constant rather
 * than a hash made at start, whose first use would cost a hash more than every later one.
 */
export const DUMMY_HASH = "$argon2id$v=19$m=19456,t=2,p=1$+9WmodfTIwzjSBifO4851w$Xv7dXENcNnSTsDrCFjqkHNMeUYGoSyUrKUYXVHjLeJI";

export async function verifyPassword(passwordHash: string, password: string): Promise<boolean> {
  try {
    return await verify(passwordHash, password);
  } catch {
    return false;
  }
}

/** Account passwords: at least 10 characters, letters and digits. */
export function passwordProblem(password: string): string | null {
  if (password.length < 10) return "密码至少 10 位";
  if (password.length > 200) return "密码过长";
  if (!/[A-Za-z]/.test(password) || !/\d/.test(password)) return "密码须同时包含字母和数字";
  return null;
}

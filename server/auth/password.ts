import { hash, verify } from "@node-rs/argon2";

// argon2id with the library's defaults (memory-hard, per-hash random salt embedded in the PHC string).
// @node-rs/argon2 ships its binary as a registry package, so it installs without a download.

export function hashPassword(password: string): Promise<string> {
  return hash(password);
}

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

// Account names: 3–32 letters, digits, `_`, `.` or `-`, one account whatever the case (`Admin` is
// `admin`). The database's unique index is on SQLite's lower(), which folds A–Z only; the key here
// folds exactly those, so a lookup, the index and the sign-in counters agree on what one name is.

export const USERNAME_PATTERN = /^[A-Za-z0-9_.-]{3,32}$/;

export function usernameProblem(username: string): string | null {
  return USERNAME_PATTERN.test(username) ? null : "用户名为 3–32 位字母、数字、下划线、点或连字符";
}

/** The name as compared: surrounding spaces dropped, A–Z folded to a–z (as SQLite's lower()). */
export function usernameKey(typed: string): string {
  return typed.trim().replace(/[A-Z]/g, (c) => c.toLowerCase());
}

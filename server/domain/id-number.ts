// Citizen ID number (公民身份号码), GB 11643-1999: 17 digits and a check character.
// The one implementation used by forms, imports, the API and the CLIs.

const WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2] as const;
const CHECK_CHARS = "10X98765432";

export type IdNumberResult =
  | { ok: true; value: string; birthDate: string; gender: "male" | "female"; corrected: string[] }
  | { ok: false; reason: string };

export function idNumberCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) sum += (first17.charCodeAt(i) - 48) * WEIGHTS[i]!;
  return CHECK_CHARS[sum % 11]!;
}

/** Full-width digits/letters to half-width, spaces removed. */
export function toHalfWidth(s: string): string {
  return s.replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0)).replace(/\u3000/g, " ");
}

const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

/**
 * A day of the proleptic Gregorian calendar, as Date.UTC sees it (which it was built on: years 0–99
 * are not real to it, they mean 1900–1999), counted without a Date (it runs for every row imported).
 */
export function isRealDate(y: number, m: number, d: number): boolean {
  if (!Number.isInteger(y) || !Number.isInteger(m) || !Number.isInteger(d)) return false;
  if (m < 1 || m > 12 || d < 1 || (y >= 0 && y <= 99)) return false;
  if (Math.abs(y) > 200_000) {
    // Near the ends of Date's range: let Date say.
    const dt = new Date(Date.UTC(y, m - 1, d));
    return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
  }
  const leap = y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0);
  return d <= (m === 2 && leap ? 29 : DAYS_IN_MONTH[m - 1]!);
}

/** 17 ASCII digits and a digit or X: nothing to unwrap, convert or strip (nearly every cell of a roster). */
function isPlainIdShape(s: string): boolean {
  if (s.length !== 18) return false;
  for (let i = 0; i < 17; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  const last = s.charCodeAt(17);
  return (last >= 48 && last <= 57) || last === 88;
}

/**
 * A cell an export forced to text so that Excel would not turn it into a number: a leading
 * apostrophe, a leading tab, or an `="…"` formula wrapper. Returns the text inside and what was
 * taken off (null when nothing was). Every reader of ID numbers goes through parseIdNumber, which
 * calls this first, so rosters, member lists, onboarding files, forms and the API agree.
 */
export function unwrapForcedText(raw: string): { value: string; note: string | null } {
  let s = raw.replace(/^[ \u3000]+|[ \u3000]+$/g, "");
  const notes: string[] = [];
  if (/^\t/.test(s)) {
    s = s.replace(/^\t+/, "");
    notes.push("开头的制表符");
  }
  const formula = /^[=＝]\s*["“”＂](.*)["“”＂]$/.exec(s);
  if (formula) {
    s = formula[1]!;
    notes.push('="…" 公式外壳');
  }
  if (/^['‘’＇`]/.test(s)) {
    s = s.slice(1);
    notes.push("开头的单引号");
  }
  if (notes.length === 0) return { value: raw, note: null };
  return { value: s, note: `已去除导出时为保持文本格式加上的${notes.join("和")}` };
}

/**
 * Validates and normalises an ID number. `today` (YYYY-MM-DD) bounds the birth date.
 * Never rejects an unknown area code: abolished codes live on in old IDs.
 */
export function parseIdNumber(raw: string, today: string = new Date().toISOString().slice(0, 10)): IdNumberResult {
  const corrected: string[] = [];
  let s = raw;
  // Hot path (a million rows an import): a plain 18-character number goes straight to the checks below.
  if (isPlainIdShape(raw)) return checkIdNumber(raw, today, corrected);
  // Most cells start with a digit: only the others can carry a text-forcing prefix.
  const first = raw.charCodeAt(0);
  if (!(first >= 48 && first <= 57)) {
    const forced = unwrapForcedText(raw);
    if (forced.note) corrected.push(forced.note);
    s = forced.value;
  }
  const half = toHalfWidth(s).replace(/\s+/g, "");
  if (half !== s) {
    if (toHalfWidth(s) !== s) corrected.push("全角字符已转为半角");
    if (/\s/.test(toHalfWidth(s))) corrected.push("已去除空格");
    s = half;
  }
  if (s === "") return { ok: false, reason: "身份证号为空" };
  if (/^\d(\.\d+)?E\+?\d+$/i.test(s)) {
    return { ok: false, reason: "身份证号被 Excel 转成了科学计数法，后几位已丢失，请将该列设为文本后重新导出" };
  }
  if (s.length === 18 && s.endsWith("x")) {
    s = `${s.slice(0, 17)}X`;
    corrected.push("末位小写 x 已改为大写 X");
  }
  if (s.length === 17 && /^\d{17}$/.test(s)) {
    return { ok: false, reason: "身份证号只有 17 位，末位可能被 Excel 丢失（常见于末位为 X 的号码）" };
  }
  if (s.length !== 18) return { ok: false, reason: `身份证号应为 18 位，实际为 ${s.length} 位` };
  if (!/^\d{17}[\dX]$/.test(s)) return { ok: false, reason: "身份证号只能由数字和末位的 X 组成" };
  return checkIdNumber(s, today, corrected);
}

/** The checks of an ID number already of the shape 17 digits and a digit or X. */
function checkIdNumber(s: string, today: string, corrected: string[]): IdNumberResult {
  const y = Number(s.slice(6, 10));
  const m = Number(s.slice(10, 12));
  const d = Number(s.slice(12, 14));
  if (!isRealDate(y, m, d) || y < 1800) return { ok: false, reason: "身份证号中的出生日期不存在" };
  const birthDate = `${s.slice(6, 10)}-${s.slice(10, 12)}-${s.slice(12, 14)}`;
  if (birthDate > today) return { ok: false, reason: "身份证号中的出生日期晚于今天" };
  if (idNumberCheckChar(s) !== s[17]) return { ok: false, reason: "身份证号校验位不正确" };
  const gender = Number(s[16]) % 2 === 1 ? "male" : "female";
  return { ok: true, value: s, birthDate, gender, corrected };
}

/** Fast path for hot loops: true when `s` is already a canonical valid ID number. */
export function isValidIdNumber(s: string): boolean {
  const r = parseIdNumber(s);
  return r.ok && r.value === s;
}

/** Builds a valid ID number from an area code, a birth date and a sequence (sample data, tests). */
export function makeIdNumber(area: string, birthDate: string, seq: number): string {
  const first17 = `${area}${birthDate.replaceAll("-", "")}${String(seq % 1000).padStart(3, "0")}`;
  return first17 + idNumberCheckChar(first17);
}

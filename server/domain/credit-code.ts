// Unified social credit code (统一社会信用代码), GB 32100-2015: 18 characters from a 31-character
// alphabet (digits and capitals without I, O, Z, S, V); the last is a check character.

const ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY";
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28] as const;

export type CreditCodeResult = { ok: true; value: string } | { ok: false; reason: string };

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17[i]!);
    if (v < 0) throw new Error(`invalid credit code character ${first17[i]}`);
    sum += v * WEIGHTS[i]!;
  }
  return ALPHABET[(31 - (sum % 31)) % 31]!;
}

export function parseCreditCode(raw: string): CreditCodeResult {
  const s = raw
    .replace(/[\uFF01-\uFF5E]/g, (c) => String.fromCharCode(c.charCodeAt(0) - 0xfee0))
    .replace(/\s+/g, "")
    .toUpperCase();
  if (s === "") return { ok: false, reason: "统一社会信用代码为空" };
  if (s.length !== 18) return { ok: false, reason: `统一社会信用代码应为 18 位，实际为 ${s.length} 位` };
  for (const c of s) {
    if (!ALPHABET.includes(c)) return { ok: false, reason: `统一社会信用代码含有不允许的字符“${c}”（不使用 I、O、Z、S、V）` };
  }
  if (!/^\d{6}$/.test(s.slice(2, 8))) return { ok: false, reason: "统一社会信用代码第 3–8 位应为行政区划码" };
  if (creditCodeCheckChar(s.slice(0, 17)) !== s[17]) return { ok: false, reason: "统一社会信用代码校验位不正确" };
  return { ok: true, value: s };
}

/** Builds a valid code from a registration department/kind prefix, area code and a body (sample data, tests). */
export function makeCreditCode(prefix2: string, area6: string, body9: string): string {
  const first17 = `${prefix2}${area6}${body9}`;
  return first17 + creditCodeCheckChar(first17);
}

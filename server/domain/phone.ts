import { toHalfWidth } from "./id-number.js";

export type PhoneResult = { ok: true; value: string } | { ok: false; reason: string };

/** Mainland mobile numbers: 11 digits starting 1[3-9]; +86/0086 prefixes and separators removed. */
export function parseMobilePhone(raw: string): PhoneResult {
  // Hot path (every row of a roster): already 11 ASCII digits starting 1[3-9], nothing to strip.
  if (isPlainMobile(raw)) return { ok: true, value: raw };
  let s = toHalfWidth(raw).replace(/[\s\-()]/g, "");
  if (s.startsWith("+86")) s = s.slice(3);
  else if (s.startsWith("0086")) s = s.slice(4);
  if (s === "") return { ok: false, reason: "手机号码为空" };
  if (!/^\d+$/.test(s)) return { ok: false, reason: "手机号码只能包含数字" };
  if (s.length !== 11) return { ok: false, reason: `手机号码应为 11 位，实际为 ${s.length} 位` };
  if (!/^1[3-9]\d{9}$/.test(s)) return { ok: false, reason: "手机号码应以 13–19 开头" };
  return { ok: true, value: s };
}

function isPlainMobile(s: string): boolean {
  if (s.length !== 11 || s.charCodeAt(0) !== 49) return false;
  const second = s.charCodeAt(1);
  if (second < 51 || second > 57) return false;
  for (let i = 2; i < 11; i++) {
    const c = s.charCodeAt(i);
    if (c < 48 || c > 57) return false;
  }
  return true;
}

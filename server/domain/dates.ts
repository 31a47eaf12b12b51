// Dates are ISO strings. These helpers read what users and spreadsheets type.

import { isRealDate, toHalfWidth } from "./id-number.js";

export function todayIso(now: Date = new Date()): string {
  // Local calendar date in China Standard Time, whatever the server's zone.
  return new Date(now.getTime() + 8 * 3_600_000).toISOString().slice(0, 10);
}

export function addDays(iso: string, days: number): string {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

export function addMonths(iso: string, months: number): string {
  const [y, m, d] = iso.split("-").map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + months, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, last));
  return target.toISOString().slice(0, 10);
}

export function daysBetween(fromIso: string, toIso: string): number {
  return Math.round((Date.parse(`${toIso}T00:00:00Z`) - Date.parse(`${fromIso}T00:00:00Z`)) / 86_400_000);
}

const EXCEL_EPOCH = Date.UTC(1899, 11, 30);

/**
 * Parses 2024-03-05, 2024/3/5, 2024.3.5, 2024年3月5日, 20240305 and Excel serial numbers.
 * Returns null when the text is not a real date.
 */
export function parseLooseDate(raw: string): string | null {
  const s = toHalfWidth(raw).trim();
  if (s === "") return null;
  let m = /^(\d{4})[-/.年](\d{1,2})[-/.月](\d{1,2})日?(?:[ T].*)?$/.exec(s);
  if (!m) m = /^(\d{4})(\d{2})(\d{2})$/.exec(s);
  if (m) {
    const y = Number(m[1]);
    const mo = Number(m[2]);
    const d = Number(m[3]);
    if (!isRealDate(y, mo, d)) return null;
    return `${m[1]}-${String(mo).padStart(2, "0")}-${String(d).padStart(2, "0")}`;
  }
  if (/^\d{4,5}(\.\d+)?$/.test(s)) {
    const serial = Math.floor(Number(s));
    if (serial < 1 || serial > 80000) return null;
    return new Date(EXCEL_EPOCH + serial * 86_400_000).toISOString().slice(0, 10);
  }
  return null;
}

export function parseMonth(raw: string): string | null {
  const s = toHalfWidth(raw).trim();
  const m = /^(\d{4})[-/.年](\d{1,2})月?$/.exec(s);
  if (!m) return null;
  const mo = Number(m[2]);
  if (mo < 1 || mo > 12) return null;
  return `${m[1]}-${String(mo).padStart(2, "0")}`;
}

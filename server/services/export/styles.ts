// Shared look and cell rules of every workbook we write: fonts, borders, header fill, number formats,
// column widths, and the text-cell rule that keeps spreadsheet formulas from ever being evaluated.

import type ExcelJS from "exceljs";

export const FONT_NAME = "宋体";
export const TITLE_FONT: Partial<ExcelJS.Font> = { name: "黑体", size: 16, bold: true };
export const HEADER_FONT: Partial<ExcelJS.Font> = { name: FONT_NAME, size: 10, bold: true };
export const BODY_FONT: Partial<ExcelJS.Font> = { name: FONT_NAME, size: 10 };
export const HEADER_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFE8EEF7" } };
export const TOTAL_FILL: ExcelJS.Fill = { type: "pattern", pattern: "solid", fgColor: { argb: "FFF3F3F3" } };

const thin: Partial<ExcelJS.Border> = { style: "thin", color: { argb: "FF000000" } };
export const BORDER: Partial<ExcelJS.Borders> = { top: thin, left: thin, bottom: thin, right: thin };

/** Counts: whole numbers with a thousands separator. */
export const COUNT_FORMAT = "#,##0";
/** Rates: stored as real fractions (0.5556), shown as 55.6%. */
export const RATE_FORMAT = "0.0%";
/** Text: the cell stays text even when edited (ID numbers, codes). */
export const TEXT_FORMAT = "@";

export const CENTER: Partial<ExcelJS.Alignment> = { horizontal: "center", vertical: "middle", wrapText: true };

/**
 * Text that a spreadsheet would read as a formula if typed: = + - @ tab CR at the start (and the
 * full-width ＝＋－＠ that WPS also accepts).
 */
export const FORMULA_TRIGGER = /^[=+\-@\t\r＝＋－＠]/;

// biome-ignore lint/suspicious/noControlCharactersInRegex: the characters XML 1.0 cannot carry
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;

/**
 * The value of every text cell of every workbook we write (ledgers, the coverage workbook, the
 * transfer ledger, an import's error list). Text is always written as a string cell, never as a
 * formula, so no spreadsheet evaluates it on opening; but a cell that is edited, or a sheet re-saved
 * as CSV, would turn `=HYPERLINK(…)` typed into a name into a live formula. So text that starts like
 * a formula gets a leading apostrophe. Control characters that XML 1.0 forbids are dropped first
 * (they could hide a trigger behind them). ID numbers and codes start with a digit: unchanged.
 */
export function textCell(v: string | null | undefined): string {
  if (v == null) return "";
  const s = String(v).replace(INVALID_XML, "");
  return FORMULA_TRIGGER.test(s) ? `'${s}` : s;
}

/** Display width of text in Excel's character units: CJK and full-width characters count double. */
export function displayWidth(s: string): number {
  let w = 0;
  for (const ch of s) w += /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6]/.test(ch) ? 2 : 1;
  return w;
}

/** A column width that fits the longest of the given texts, within bounds. */
export function fitWidth(texts: Iterable<string>, min = 6, max = 60): number {
  let w = min;
  for (const t of texts) w = Math.max(w, displayWidth(t) + 2);
  return Math.min(max, w);
}

export const YES_NO = (b: boolean | number | null | undefined) => (b ? "是" : "否");

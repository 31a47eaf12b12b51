// Small formatting helpers for EJS views. EJS escapes with <%= %>; these return plain text, except
// `options`, which returns markup (escaped here) for <%- %>.

import ejs from "ejs";
import { formatYuan } from "../domain/dues-rules.js";

type OptionItem = { id: number; name: string; depth?: number };
type OptionsHtml = { html: string; selectedAt: Map<number, number> };
/** Rendered <option>s per list. The lists come from read caches, so a list is rendered once per data version. */
const optionsHtml = new WeakMap<readonly OptionItem[], OptionsHtml>();
const numberFormat = new Intl.NumberFormat("zh-CN");

export const viewHelpers = {
  /** "2025-03-05T08:00:00.000Z" → "2025-03-05 16:00" in China Standard Time. */
  dateTime(iso: string | null | undefined): string {
    if (!iso) return "";
    const t = Date.parse(iso);
    if (Number.isNaN(t)) return iso;
    return new Date(t + 8 * 3_600_000).toISOString().slice(0, 16).replace("T", " ");
  },
  date(iso: string | null | undefined): string {
    return iso ? iso.slice(0, 10) : "";
  },
  num(n: number | null | undefined): string {
    // One formatter for all: n.toLocaleString("zh-CN") builds one per call (the same text).
    return n == null ? "—" : numberFormat.format(n);
  },
  /** Fen as yuan with two decimals (the dues ledger's amounts). */
  yuan: formatYuan,
  rate(numerator: number, denominator: number): string {
    if (!denominator) return "—";
    return `${((numerator / denominator) * 100).toFixed(1)}%`;
  },
  /**
   * `<option value="id">name</option>` for each item (names escaped, indented by `depth` full-width
   * spaces), the one whose id is `selected` marked selected. A filter's select of hundreds of
   * committees, branches and enterprises is built once per list, not on every page.
   */
  options(items: readonly OptionItem[], selected: number | null | undefined): string {
    let o = optionsHtml.get(items);
    if (!o) {
      let html = "";
      const selectedAt = new Map<number, number>();
      for (const it of items) {
        const open = `<option value="${ejs.escapeXML(it.id)}"`;
        if (!selectedAt.has(it.id)) selectedAt.set(it.id, html.length + open.length);
        html += `${open}>${ejs.escapeXML("　".repeat(it.depth ?? 0) + it.name)}</option>`;
      }
      o = { html, selectedAt };
      optionsHtml.set(items, o);
    }
    const at = selected == null ? undefined : o.selectedAt.get(selected);
    return at === undefined ? o.html : `${o.html.slice(0, at)} selected${o.html.slice(at)}`;
  },
  /** Builds a query string from the current filters, overriding some keys. */
  qs(current: Record<string, unknown>, overrides: Record<string, unknown> = {}): string {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries({ ...current, ...overrides })) {
      if (v !== undefined && v !== null && v !== "") p.set(k, String(v));
    }
    const s = p.toString();
    return s ? `?${s}` : "";
  },
};

// Small formatting helpers for EJS views. EJS escapes with <%= %>; these return plain text.

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
    return n == null ? "—" : n.toLocaleString("zh-CN");
  },
  rate(numerator: number, denominator: number): string {
    if (!denominator) return "—";
    return `${((numerator / denominator) * 100).toFixed(1)}%`;
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

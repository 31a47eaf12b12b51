// What the three onboarding appliers share: the context, the row's cells by field, the lookups of
// the reference tables (industries, and regions by code or by name: whatever the installation's
// `regions` table holds, never a list in code), and turning a service's refusal into the row's issue.

import { and, eq, or } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { industries, organizations, regions } from "../../../db/schema.js";
import { toHalfWidth } from "../../domain/id-number.js";
import { AppError } from "../../errors.js";
import type { Actor } from "../../policy/actor.js";
import type { FieldKey } from "./header-aliases.js";
import type { Columns } from "./normalise.js";
import type { OrgRow } from "./target.js";
import { EMPTY_COUNTS, type ImportCounts, type RowIssue, type SourceRow } from "./types.js";

export type OnboardContext = {
  db: Db;
  actor: Actor;
  today: string;
  cols: Columns;
  importOrg: OrgRow;
  /** Rows settled so far, every ROWS_PER_PROGRESS rows (the CLI's bar, the benchmark's per-row cost). */
  onApplied?: (rowsSettled: number) => void;
};

const ROWS_PER_PROGRESS = 500;

export type OnboardResult = { counts: ImportCounts; issues: RowIssue[] };

/** The row's accounting: each row ends as exactly one of inserted, updated, unchanged, duplicate, rejected. */
export class RowLedger {
  readonly counts: ImportCounts = { ...EMPTY_COUNTS };
  readonly issues: RowIssue[] = [];
  private correctedRows = new Set<number>();
  private settled = 0;

  constructor(private readonly onApplied?: (rowsSettled: number) => void) {}

  private settle(): void {
    this.settled++;
    if (this.onApplied && this.settled % ROWS_PER_PROGRESS === 0) this.onApplied(this.settled);
  }

  reject(row: SourceRow, column: string | null, value: string | null, reason: string): void {
    this.counts.rejected++;
    this.settle();
    this.issues.push({ rowNumber: row.rowNumber, outcome: "rejected", column, value, reason });
  }
  duplicate(row: SourceRow, column: string, value: string, firstRow: number): void {
    this.counts.duplicates++;
    this.settle();
    this.issues.push({ rowNumber: row.rowNumber, outcome: "duplicate", column, value, reason: `与第${firstRow}行重复，本行未导入` });
  }
  note(row: SourceRow, column: string, value: string, reason: string): void {
    if (!this.correctedRows.has(row.rowNumber)) {
      this.correctedRows.add(row.rowNumber);
      this.counts.corrected++;
    }
    this.issues.push({ rowNumber: row.rowNumber, outcome: "corrected", column, value, reason });
  }
  outcome(kind: "inserted" | "updated" | "unchanged"): void {
    this.counts[kind]++;
    this.settle();
  }
  /** The issues in the file's order (rows are applied parents first, not in the file's order). */
  result(): OnboardResult {
    this.onApplied?.(this.settled);
    return { counts: this.counts, issues: [...this.issues].sort((a, b) => a.rowNumber - b.rowNumber) };
  }
}

/** The text of a field's cell, trimmed ("" when the file has no such column). */
export function cellOf(ctx: OnboardContext, row: SourceRow, key: FieldKey): string {
  const i = ctx.cols[key];
  return i === undefined ? "" : toHalfWidth(row.cells[i] ?? "").trim();
}

/** The raw text of a field's cell, as the file holds it (for the issue list). */
export function rawOf(ctx: OnboardContext, row: SourceRow, key: FieldKey): string {
  const i = ctx.cols[key];
  return i === undefined ? "" : (row.cells[i] ?? "");
}

export type Lookup<T> = { ok: true; value: T } | { ok: false; reason: string };

/** An industry by its code or its name (the list an administrator may extend). Null for an empty cell. */
export function industryOf(db: Db, text: string): Lookup<string | null> {
  if (text === "") return { ok: true, value: null };
  const r = db
    .select({ code: industries.code })
    .from(industries)
    .where(or(eq(industries.code, text), eq(industries.name, text)))
    .get();
  if (r) return { ok: true, value: r.code };
  const all = db.select({ name: industries.name }).from(industries).orderBy(industries.sortOrder).all();
  return { ok: false, reason: `行业“${text}”无法识别，应为 ${all.map((i) => i.name).join("、")}` };
}

/**
 * A region of the installation by its 6-digit code, or by its name when one region of the wanted
 * levels bears it (two counties of a province may share a name: then the code is asked for).
 */
export function regionOf(db: Db, text: string, levels: readonly string[] | null): Lookup<string> {
  if (text === "") return { ok: false, reason: "行政区划为空" };
  const found = db
    .select({ code: regions.code, name: regions.name, level: regions.level })
    .from(regions)
    .where(/^\d{6}$/.test(text) ? eq(regions.code, text) : eq(regions.name, text))
    .all()
    .filter((r) => levels === null || levels.includes(r.level));
  if (found.length === 1) return { ok: true, value: found[0]!.code };
  if (found.length > 1) return { ok: false, reason: `有 ${found.length} 个行政区划名为“${text}”，请改填 6 位行政区划代码` };
  return {
    ok: false,
    reason: `行政区划“${text}”不在本系统的行政区划中${levels?.includes("county") && levels.length === 1 ? "（企业应填所在县、区）" : ""}，请填写 6 位行政区划代码或名称`,
  };
}

/** An organization by its code (any scope: the caller decides what an out-of-scope one means). */
export function orgByCode(db: Db, code: string) {
  return db.select().from(organizations).where(eq(organizations.code, code)).get() ?? null;
}

/**
 * A lookup kept for one import: the reference tables and the organizations do not change while an
 * enterprise or instructor file is applied, and thousands of rows name the same few of them.
 */
export function memoised<T>(fn: (text: string) => T): (text: string) => T {
  const seen = new Map<string, T>();
  return (text) => {
    if (seen.has(text)) return seen.get(text) as T;
    const v = fn(text);
    seen.set(text, v);
    return v;
  };
}

/** A committee named by code, else by its full or short name. */
export function committeeByText(db: Db, text: string) {
  return (
    orgByCode(db, text) ??
    db
      .select()
      .from(organizations)
      .where(and(or(eq(organizations.name, text), eq(organizations.shortName, text)), eq(organizations.status, "active")))
      .get() ??
    null
  );
}

/**
 * Runs one row's write through an area's service; a refusal (AppError) becomes the row's issue,
 * on the column its field names. Anything else is a fault and fails the whole import.
 */
export function attempt<T>(ledger: RowLedger, row: SourceRow, columnOf: Record<string, string>, fn: () => T): T | undefined {
  try {
    return fn();
  } catch (e) {
    if (!(e instanceof AppError) || e.status >= 500) throw e;
    const entries = Object.entries(e.fieldErrors ?? {});
    if (entries.length === 0) ledger.reject(row, null, null, e.message);
    else ledger.reject(row, columnOf[entries[0]![0]] ?? null, null, entries.map(([, m]) => m).join("；"));
    return undefined;
  }
}

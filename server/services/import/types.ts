// Shared shapes of the roster import pipeline: read → map → normalise → stage → apply → match.

import type { ImportKind } from "../../domain/codes.js";

export type { ImportKind };

/** How the bytes of a file are read. "xlsx" is a zipped workbook (its XML is UTF-8). */
export type FileEncoding = "utf-8" | "utf-8-bom" | "gb18030" | "utf-16le" | "utf-16be" | "xlsx";

export type Delimiter = "," | "\t";

/** One row as read from the file: its 1-based row number as a spreadsheet shows it, and its cells. */
export type SourceRow = { rowNumber: number; cells: string[] };

export type IssueOutcome = "rejected" | "corrected" | "duplicate";

export type RowIssue = {
  rowNumber: number;
  outcome: IssueOutcome;
  column: string | null;
  value: string | null;
  reason: string;
};

/** The counts every import reports. rows = inserted + updated + unchanged + duplicates + rejected. */
export type ImportCounts = {
  rows: number;
  inserted: number;
  updated: number;
  unchanged: number;
  corrected: number;
  duplicates: number;
  rejected: number;
  membersMatched: number;
  leadsCreated: number;
  departed: number;
};

export type ImportSummary = ImportCounts & {
  importId: number;
  kind: ImportKind;
  encoding: FileEncoding;
  /**
   * A platform API batch only: the two counts as the platform is answered them (docs/API.md). The
   * other counts are the import's own; these two, for a platform, may not depend on records
   * outside the batch's rows in the key's committee (apply.ts, platformLeadsCreated).
   */
  platformAnswer?: Pick<ImportCounts, "membersMatched" | "leadsCreated">;
};

export type ImportProgress = {
  importId: number;
  status: string;
  rowsDone: number;
  bytesDone: number;
  totalBytes: number;
  /** "reading" while rows are read and checked, "applying" while they are written, then "done". */
  phase: "reading" | "applying" | "done";
  /** Onboarding: rows settled so far while "applying" (every ROWS_PER_PROGRESS rows). */
  rowsApplied?: number;
};

export const EMPTY_COUNTS: Readonly<ImportCounts> = Object.freeze({
  rows: 0,
  inserted: 0,
  updated: 0,
  unchanged: 0,
  corrected: 0,
  duplicates: 0,
  rejected: 0,
  membersMatched: 0,
  leadsCreated: 0,
  departed: 0,
});

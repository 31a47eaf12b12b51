// Prepare: everything checked before a file is read through (scope, target, file kind, header,
// mapping), then the import record created, which takes the platform's lock. Nothing else is written.

import { createHash } from "node:crypto";
import fs from "node:fs";
import type { DbHandle } from "../../../db/client.js";
import { todayIso } from "../../domain/dates.js";
import { isOnboardingKind } from "../../domain/onboarding-codes.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite } from "../../policy/actor.js";
import { FIELDS, type FieldDef, type FieldSet, fieldSetOf, type Mapping } from "./header-aliases.js";
import {
  chooseMapping,
  type MappingSource,
  missingColumns,
  otherKindHeader,
  readHeader,
  savedMapping,
  withMappingAliases,
} from "./mappings.js";
import type { OwnerLock } from "./owner-lock.js";
import { DEFAULT_READ_LIMITS, isBlankRow, openRowSource, type ReadLimits, type RowSource } from "./read.js";
import { lastRosterImport, openImportRecord } from "./record.js";
import { checkTarget, loadOrg, normalisePlatform, type OrgRow } from "./target.js";
import type { ImportKind, ImportProgress, ImportSummary, SourceRow } from "./types.js";

export type ImportOptions = {
  kind: ImportKind;
  /** The file to read (for the web, the stored upload). */
  file: string;
  /** The name the file had on the client: shown, never used as a path. */
  originalName?: string | null;
  platform?: string | null;
  orgId: number;
  reference?: boolean;
  dryRun?: boolean;
  /** A mapping edited by the clerk (field → header text). */
  mapping?: Mapping | null;
  /** A saved mapping to use, by name. */
  mappingName?: string | null;
  /** Save the mapping used under this name (for the platform) once the import succeeds. */
  saveMappingAs?: string | null;
  source?: "web" | "cli" | "api";
  /**
   * A roster is the platform's complete list under the organization unless this is false (an API
   * batch sent with complete: false): then nobody is marked departed.
   */
  complete?: boolean;
  limits?: Partial<ReadLimits>;
  /**
   * A file of this size or more is read and checked on a second core (read-thread.ts); default
   * READ_THREAD_MIN_BYTES. Tests set 0 to take that path with a small file.
   */
  readThreadMinBytes?: number;
  today?: string;
  /**
   * Called as rows are read. Inline runs only (executeImport, runImport): a function cannot cross to
   * a worker thread, so executeImportOffLoop drops it; progress is in the import record anyway.
   */
  onProgress?: (p: ImportProgress) => void;
  /**
   * Test-only: called inside the apply transaction after each step (throw to simulate a crash).
   * Inline runs only, like onProgress.
   */
  afterStep?: (step: string) => void;
};

export type Preview = {
  format: "csv" | "xlsx";
  encoding: RowSource["encoding"];
  delimiter: RowSource["delimiter"];
  totalBytes: number;
  headerRowNumber: number;
  headers: string[];
  /** First data rows as read (raw cells), for the clerk to see how the file was understood. */
  sample: SourceRow[];
  fields: readonly FieldDef[];
  mapping: Mapping;
  /** Where the mapping came from. */
  mappingSource: MappingSource;
  missing: FieldDef[];
};

const PREVIEW_ROWS = 10;

export function limitsOf(opts: Pick<ImportOptions, "limits">): ReadLimits {
  return { ...DEFAULT_READ_LIMITS, ...(opts.limits ?? {}) };
}

/**
 * Reads the head of a file: how it was read, its header, the mapping that would be used and the
 * first rows. Throws AppError (Chinese message) for a file that is empty, too large or not a table.
 */
/**
 * Onboarding (organizations, enterprises, instructors) is for administrators and the clerks of a
 * committee, as the forms are: a secretary keeps their branch, a supervisor reads. Each row's scope is
 * then the row's own (onboard-*.ts): a clerk places organizations only below their committee.
 */
function assertMayImport(actor: Actor, kind: ImportOptions["kind"]): void {
  if (isOnboardingKind(kind) && actor.role !== "admin" && actor.role !== "clerk") {
    throw AppError.forbidden("只有系统管理员和行业党委、综合党委的工作人员可以批量导入党组织、企业和指导员。");
  }
}

export async function inspectImportFile(handle: DbHandle, actor: Actor, opts: ImportOptions): Promise<Preview> {
  assertMayImport(actor, opts.kind);
  const reference = opts.kind === "members" && !!opts.reference;
  const fields = FIELDS[fieldSetOf(opts.kind, reference)];
  const platform = normalisePlatform(opts.platform);
  const org = loadOrg(handle, actor, opts.orgId);
  checkTarget(opts.kind, reference, org, opts.kind === "roster" ? platform : null);
  const hint = opts.mapping ?? savedMapping(handle, opts.orgId, opts.kind, platform, opts.mappingName ?? null);
  const source = await openRowSource(opts.file, limitsOf(opts));
  try {
    const header = await readHeader(source, withMappingAliases(fields, hint), opts.kind);
    const sample: SourceRow[] = header.buffered.filter((r) => !isBlankRow(r.cells)).slice(0, PREVIEW_ROWS);
    while (sample.length < PREVIEW_ROWS) {
      const n = await source.rows.next();
      if (n.done) {
        if (sample.length === 0) throw new AppError(422, "文件只有表头，没有数据行。", { code: "empty_file" });
        break;
      }
      if (!isBlankRow(n.value.cells)) sample.push(n.value);
    }
    const { resolved, source: mappingSource } = chooseMapping(handle, opts, fields, header.headers, platform);
    const other = resolved.missing.length > 0 ? otherKindHeader(opts.kind, [header.headers]) : null;
    if (other) throw other;
    return {
      format: source.format,
      encoding: source.encoding,
      delimiter: source.delimiter,
      totalBytes: source.totalBytes,
      headerRowNumber: header.headerRow.rowNumber,
      headers: header.headers,
      sample,
      fields,
      mapping: resolved.mapping,
      mappingSource,
      missing: resolved.missing,
    };
  } finally {
    await source.rows.return(undefined);
    source.close();
  }
}

export async function sha256File(file: string): Promise<string> {
  const hash = createHash("sha256");
  for await (const chunk of fs.createReadStream(file, { highWaterMark: 1 << 20 })) hash.update(chunk as Buffer);
  return hash.digest("hex");
}

export type PreparedImport = {
  importId: number;
  actor: Actor;
  opts: ImportOptions;
  org: OrgRow;
  platform: string | null;
  reference: boolean;
  fieldSet: FieldSet;
  mapping: Mapping;
  today: string;
  /** Held from the record's creation until its final status is committed (owner-lock.ts). */
  ownerLock: OwnerLock | null;
  /** The platform's last import when it read this very file today (see applyRosterRepeat). */
  sameAs: { importId: number; summary: ImportSummary } | null;
};

/**
 * Checks everything that can be checked before reading on (scope, target, file kind, header,
 * mapping) and takes the platform's lock by creating the import record, status "running".
 * Nothing else is written. A second import of the same platform while one runs is refused.
 */
export async function prepareImport(handle: DbHandle, actor: Actor, opts: ImportOptions): Promise<PreparedImport> {
  assertCanWrite(actor);
  assertMayImport(actor, opts.kind);
  const reference = opts.kind === "members" && !!opts.reference;
  const platform = opts.kind === "roster" ? normalisePlatform(opts.platform) : null;
  const org = loadOrg(handle, actor, opts.orgId);
  checkTarget(opts.kind, reference, org, platform);
  const preview = await inspectImportFile(handle, actor, { ...opts, platform });
  if (preview.missing.length > 0) throw missingColumns(preview.missing);
  const stat = fs.statSync(opts.file);
  // A CSV is hashed as it is read (one pass over the file); a workbook is read out of order, so up front.
  let sha256 = preview.format === "xlsx" ? await sha256File(opts.file) : null;
  const now = new Date().toISOString();
  const today = opts.today ?? todayIso();
  // The same file as this platform's last import, read into the same organization with the same
  // mapping earlier today: nothing in it needs reading again (hashed only when size and all else match).
  // Partial API batches are always read: the shortcut counts the platform's whole active list.
  let sameAs: PreparedImport["sameAs"] = null;
  if (opts.kind === "roster" && !opts.dryRun && opts.complete !== false) {
    const last = lastRosterImport(handle.sqlite, platform);
    if (
      last?.summary &&
      last.finishedAt &&
      last.orgId === org.id &&
      last.size === stat.size &&
      last.mapping === JSON.stringify(preview.mapping) &&
      todayIso(new Date(last.finishedAt)) === today
    ) {
      sha256 ??= await sha256File(opts.file);
      const prev = JSON.parse(last.summary) as ImportSummary & { complete?: false };
      if (sha256 === last.sha256 && prev.complete !== false) sameAs = { importId: last.id, summary: prev };
    }
  }
  const { importId, ownerLock } = openImportRecord(handle, {
    kind: opts.kind,
    platform,
    orgId: org.id,
    userId: actor.id > 0 ? actor.id : null,
    source: opts.source ?? "web",
    reference,
    dryRun: !!opts.dryRun,
    originalName: opts.originalName ?? null,
    storedPath: opts.file,
    sha256,
    sizeBytes: stat.size,
    encoding: preview.encoding,
    delimiter: preview.delimiter,
    mapping: preview.mapping,
    startedAt: now,
  });
  return {
    importId,
    actor,
    opts,
    org,
    platform,
    reference,
    fieldSet: fieldSetOf(opts.kind, reference),
    mapping: preview.mapping,
    today,
    ownerLock,
    sameAs,
  };
}

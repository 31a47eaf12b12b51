// The roster import pipeline: read → map → normalise/validate → stage → apply (one transaction)
// → match. One service for the web and the platform API (in the background, in a worker thread:
// executeImportOffLoop), the CLI (its own process) and tests.

import { createHash } from "node:crypto";
import fs from "node:fs";
import { and, count, desc, eq, type SQL } from "drizzle-orm";
import type { DbHandle } from "../../../db/client.js";
import { columnMappings, importIssues, imports, organizations, users } from "../../../db/schema.js";
import { COMMITTEE_KINDS, MEMBER_HOLDING_KINDS, type OrgKind } from "../../domain/codes.js";
import { todayIso } from "../../domain/dates.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite, orgIdInScope, orgPathInScope, scopePath } from "../../policy/actor.js";
import { recordAudit } from "../admin/audit.js";
import { type ApplyContext, type ApplyCounts, heldElsewhereIssues } from "./apply.js";
import { applyMembers, applyReference } from "./apply-members.js";
import { applyRoster, applyRosterRepeat } from "./apply-roster.js";
import {
  autoMapping,
  FIELDS,
  type FieldDef,
  type FieldSet,
  fieldSetOf,
  type Mapping,
  missingColumnsMessage,
  type ResolvedMapping,
  resolveMapping,
} from "./header-aliases.js";
import { type MemberRecord, normaliseMemberRow, normaliseRosterRow, type RosterRecord } from "./normalise.js";
import { DEFAULT_READ_LIMITS, findHeader, isBlankRow, openRowSource, type ReadLimits, type RowSource } from "./read.js";
import { type ImportThread, ImportThreadEnded, startImportThread } from "./import-thread.js";
import { dbFileOf, type OwnerLock, removeOwnerLock, stagePrefix } from "./owner-lock.js";
import {
  finishImportRecord,
  lastRosterImport,
  markImportFailed,
  openImportRecord,
  progressWriter,
  recordedHash,
  setRecordedHash,
  touchImportRecord,
} from "./record.js";
import { Stage } from "./stage.js";
import { EMPTY_COUNTS, type ImportCounts, type ImportKind, type ImportProgress, type ImportSummary, type SourceRow } from "./types.js";

export { failOrphanedImports } from "./record.js";

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
  mappingSource: "given" | "saved" | "auto";
  missing: FieldDef[];
};

const PROGRESS_EVERY_MS = 250;
const BATCH_ROWS = 2000;
const PREVIEW_ROWS = 10;

type OrgRow = { id: number; path: string; kind: OrgKind; name: string };

function limitsOf(opts: Pick<ImportOptions, "limits">): ReadLimits {
  return { ...DEFAULT_READ_LIMITS, ...(opts.limits ?? {}) };
}

function loadOrg(handle: DbHandle, actor: Actor, orgId: number): OrgRow {
  const org = handle.db
    .select({ id: organizations.id, path: organizations.path, kind: organizations.kind, name: organizations.name })
    .from(organizations)
    .where(eq(organizations.id, orgId))
    .get();
  // Named by a select box in the form: answered there, like every form's out-of-scope choice.
  if (!org || !orgPathInScope(actor, org.path)) throw AppError.invalid({ orgId: "所选党组织不存在或不在您的管辖范围内" });
  return org;
}

/** Finds an organization by code within the actor's scope (CLI). */
export function orgIdByCode(handle: DbHandle, actor: Actor, code: string): number {
  const org = handle.db.select({ id: organizations.id, path: organizations.path }).from(organizations).where(eq(organizations.code, code)).get();
  if (!org || !orgPathInScope(actor, org.path)) throw AppError.notFound("党组织");
  return org.id;
}

function checkTarget(kind: ImportKind, reference: boolean, org: OrgRow, platform: string | null): void {
  const committeeLike = COMMITTEE_KINDS.includes(org.kind) || org.kind === "city_department";
  if (kind === "roster") {
    if (!platform) throw AppError.invalid({ platform: "请填写平台名称" });
    if (platform.length > 50) throw AppError.invalid({ platform: "平台名称不能超过 50 个字" });
    if (!committeeLike) throw AppError.invalid({ orgId: "花名册应导入到行业党委或综合党委" });
  } else if (reference) {
    if (!committeeLike) throw AppError.invalid({ orgId: "比对用党员名单应导入到行业党委、综合党委或社会工作部" });
  } else if (!MEMBER_HOLDING_KINDS.includes(org.kind)) {
    throw AppError.invalid({ orgId: "党员名单应导入到党委、党总支或党支部" });
  }
}

function normalisePlatform(p: string | null | undefined): string | null {
  const s = (p ?? "").replace(/\s+/g, " ").trim();
  return s === "" ? null : s;
}

function savedMapping(handle: DbHandle, orgId: number, kind: ImportKind, platform: string | null, name: string | null): Mapping | null {
  const where: SQL[] = [eq(columnMappings.orgId, orgId), eq(columnMappings.kind, kind)];
  if (name) where.push(eq(columnMappings.name, name));
  else if (platform) where.push(eq(columnMappings.platform, platform));
  else return null;
  const row = handle.db.select().from(columnMappings).where(and(...where)).orderBy(desc(columnMappings.updatedAt)).get();
  return row ? (row.mapping as Mapping) : null;
}

export function listMappings(handle: DbHandle, actor: Actor) {
  return handle.db
    .select({ id: columnMappings.id, name: columnMappings.name, kind: columnMappings.kind, platform: columnMappings.platform, orgId: columnMappings.orgId })
    .from(columnMappings)
    .where(orgIdInScope(actor, columnMappings.orgId))
    .orderBy(columnMappings.name)
    .all();
}

export function saveMapping(handle: DbHandle, actor: Actor, input: { orgId: number; name: string; kind: ImportKind; platform: string | null; mapping: Mapping }): void {
  assertCanWrite(actor);
  loadOrg(handle, actor, input.orgId);
  handle.db
    .insert(columnMappings)
    .values({ orgId: input.orgId, name: input.name, kind: input.kind, platform: input.platform, mapping: input.mapping })
    .onConflictDoUpdate({
      target: [columnMappings.orgId, columnMappings.name],
      set: { kind: input.kind, platform: input.platform, mapping: input.mapping, updatedAt: new Date().toISOString() },
    })
    .run();
}

function chooseMapping(
  handle: DbHandle,
  opts: ImportOptions,
  fields: readonly FieldDef[],
  headers: string[],
  platform: string | null,
): { resolved: ResolvedMapping; source: Preview["mappingSource"] } {
  const auto = autoMapping(fields, headers);
  if (opts.mapping) return { resolved: resolveMapping(fields, headers, opts.mapping), source: "given" };
  if (opts.mappingName) {
    const saved = savedMapping(handle, opts.orgId, opts.kind, platform, opts.mappingName);
    if (!saved) throw AppError.invalid({ mappingName: `找不到名为“${opts.mappingName}”的列对应方案` });
    return { resolved: resolveMapping(fields, headers, saved), source: "saved" };
  }
  const saved = savedMapping(handle, opts.orgId, opts.kind, platform, null);
  if (saved) {
    const merged = resolveMapping(fields, headers, { ...auto, ...saved });
    if (merged.missing.length === 0) return { resolved: merged, source: "saved" };
  }
  return { resolved: resolveMapping(fields, headers, auto), source: "auto" };
}

/** The fields with the header texts of a mapping as extra aliases, so a clerk's own header names are found too. */
function withMappingAliases(fields: readonly FieldDef[], mapping: Mapping | null | undefined): readonly FieldDef[] {
  if (!mapping) return fields;
  return fields.map((f) => {
    const h = mapping[f.key];
    return h ? { ...f, aliases: [...f.aliases, h] } : f;
  });
}

/** Refusal naming the missing columns; fieldErrors.columns lists their keys for the CLI's English line. */
function missingColumns(missing: readonly FieldDef[]): AppError {
  return new AppError(422, missingColumnsMessage(missing), {
    code: "missing_columns",
    fieldErrors: { columns: missing.map((f) => `${f.key} (${f.label})`).join(", ") },
  });
}

async function readHeader(source: RowSource, fields: readonly FieldDef[]) {
  const found = await findHeader(source.rows, fields);
  if (!found.header) {
    if (found.firstCandidate === null) throw new AppError(422, "文件是空的：没有表头，也没有数据行。", { code: "empty_file" });
    const required = fields.filter((f) => f.required);
    throw new AppError(422, `找不到表头：文件前 20 行中没有可识别的列名。${missingColumnsMessage(required)}`, {
      code: "missing_columns",
      fieldErrors: { columns: required.map((f) => `${f.key} (${f.label})`).join(", ") },
    });
  }
  return { ...found.header, buffered: found.buffered };
}

/**
 * Reads the head of a file: how it was read, its header, the mapping that would be used and the
 * first rows. Throws AppError (Chinese message) for a file that is empty, too large or not a table.
 */
export async function inspectImportFile(handle: DbHandle, actor: Actor, opts: ImportOptions): Promise<Preview> {
  const reference = opts.kind === "members" && !!opts.reference;
  const fields = FIELDS[fieldSetOf(opts.kind, reference)];
  const platform = normalisePlatform(opts.platform);
  const org = loadOrg(handle, actor, opts.orgId);
  checkTarget(opts.kind, reference, org, opts.kind === "roster" ? platform : null);
  const hint = opts.mapping ?? savedMapping(handle, opts.orgId, opts.kind, platform, opts.mappingName ?? null);
  const source = await openRowSource(opts.file, limitsOf(opts));
  try {
    const header = await readHeader(source, withMappingAliases(fields, hint));
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

async function sha256File(file: string): Promise<string> {
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

class DryRunRollback extends Error {}

/** Reads, stages and applies a prepared import. Always leaves the import record finished (succeeded, dry_run or failed). */
export async function executeImport(handle: DbHandle, prep: PreparedImport): Promise<ImportSummary> {
  const { sqlite } = handle;
  const { importId, opts } = prep;
  const fields = FIELDS[prep.fieldSet];
  let stage: Stage | null = null;
  let source: RowSource | null = null;
  const progress = progressWriter(sqlite, importId);
  const hash = createHash("sha256");
  let hashed = false;
  try {
    if (prep.sameAs) return repeatImport(handle, prep, prep.sameAs);
    hashed = recordedHash(sqlite, importId) === null;
    source = await openRowSource(opts.file, limitsOf(opts), hashed ? (chunk) => hash.update(chunk) : undefined);
    const header = await readHeader(source, withMappingAliases(fields, prep.mapping));
    const resolved = resolveMapping(fields, header.headers, prep.mapping);
    if (resolved.missing.length > 0) throw missingColumns(resolved.missing);
    const cols = resolved.columns;
    // Beside the owner lock: a run killed part way leaves it for the next one to remove.
    stage = new Stage(sqlite, importId, prep.fieldSet, stagePrefix(dbFileOf(sqlite), importId)).open();
    const st = stage;
    const counts: ImportCounts = { ...EMPTY_COUNTS };
    const today = prep.today;
    const isRoster = prep.fieldSet === "roster";

    // The enterprise a worker's franchisee or station names (in the import's scope), looked up
    // once per distinct name: a roster repeats a few hundred names over a million rows.
    const findEnterprise = sqlite
      .prepare(
        "SELECT e.id FROM enterprises e WHERE e.name = ? AND e.committee_id IN (SELECT id FROM organizations WHERE substr(path, 1, ?) = ?) ORDER BY e.id LIMIT 1",
      )
      .pluck();
    const enterprises = new Map<string, number | null>();
    const enterpriseOf = (name: string | null): number | null => {
      if (name === null) return null;
      let id = enterprises.get(name);
      if (id === undefined) {
        id = (findEnterprise.get(name, prep.org.path.length, prep.org.path) as number | undefined) ?? null;
        if (enterprises.size >= 10_000) enterprises.clear();
        enterprises.set(name, id);
      }
      return id;
    };

    const processRow = (row: SourceRow) => {
      if (isBlankRow(row.cells)) return;
      counts.rows++;
      const n = isRoster ? normaliseRosterRow(row.cells, cols, today) : normaliseMemberRow(row.cells, cols, today);
      if (!n.ok) {
        counts.rejected++;
        st.addIssue({ rowNumber: row.rowNumber, outcome: "rejected", column: n.column, value: n.value, reason: n.reason });
        return;
      }
      let dup: number | null;
      if (isRoster) {
        const r = n.record as RosterRecord;
        dup = st.addRoster(row.rowNumber, r, enterpriseOf(r.franchisee ?? r.station));
      } else {
        dup = st.addMember(row.rowNumber, n.record as MemberRecord);
      }
      if (dup !== null) {
        counts.duplicates++;
        st.addIssue({ rowNumber: row.rowNumber, outcome: "duplicate", column: "身份证号", value: n.record.idNumber, reason: `与第${dup}行的身份证号重复，本行未导入` });
      } else if (n.notes.length > 0) {
        counts.corrected++;
        st.addNotes(row.rowNumber, n.notes);
      }
    };

    let batch: SourceRow[] = header.buffered;
    let lastTick = 0;
    const src = source;
    const tick = (force: boolean) => {
      const now = Date.now();
      if (!force && now - lastTick < PROGRESS_EVERY_MS) return;
      lastTick = now;
      progress(counts.rows, src.bytesDone(), new Date(now).toISOString());
      opts.onProgress?.({ importId, status: "running", rowsDone: counts.rows, bytesDone: src.bytesDone(), totalBytes: src.totalBytes, phase: "reading" });
    };
    const flush = () => {
      const rows = batch;
      batch = [];
      st.batch(() => {
        for (const r of rows) processRow(r);
      });
    };
    for await (const row of source.rows) {
      batch.push(row);
      if (batch.length >= BATCH_ROWS) {
        flush();
        tick(false);
      }
    }
    flush();
    tick(true);
    if (hashed) setRecordedHash(sqlite, importId, hash.digest("hex"));
    st.loaded();
    if (counts.rows === 0) throw new AppError(422, "文件只有表头，没有数据行。", { code: "empty_file" });
    opts.onProgress?.({ importId, status: "running", rowsDone: counts.rows, bytesDone: src.totalBytes, totalBytes: src.totalBytes, phase: "applying" });

    const ctx: ApplyContext = {
      importId,
      orgId: prep.org.id,
      orgPath: prep.org.path,
      scopePath: scopePath(prep.actor),
      outsideParty: opts.source === "api",
      platform: prep.platform,
      today,
      userId: prep.actor.id > 0 ? prep.actor.id : null,
      newMemberRelation: prep.org.kind === "branch" || prep.org.kind === "general_branch" ? "local" : "unattached",
      complete: opts.complete !== false,
      afterStep: opts.afterStep,
    };
    const staged = counts.rows - counts.rejected - counts.duplicates;
    let summary: ImportSummary | null = null;
    const finish = (applied: ApplyCounts, status: "succeeded" | "dry_run") => {
      // Rows held by others were staged but not imported: they count, and are listed, as rejected.
      if (applied.heldElsewhere > 0) heldElsewhereIssues(sqlite, st, ctx);
      Object.assign(counts, {
        inserted: applied.inserted,
        updated: applied.updated,
        unchanged: staged - applied.inserted - applied.updated - applied.heldElsewhere,
        rejected: counts.rejected + applied.heldElsewhere,
        membersMatched: applied.membersMatched,
        leadsCreated: applied.leadsCreated,
        departed: applied.departed,
      });
      summary = { importId, kind: opts.kind, encoding: src.encoding, ...counts };
      if (applied.platformLeadsCreated !== null) summary.platformAnswer = { membersMatched: applied.membersMatched, leadsCreated: applied.platformLeadsCreated };
      sqlite
        .prepare(
          `INSERT INTO import_issues (import_id, row_number, outcome, "column", value, reason)
           SELECT ?, row_number, outcome, col, value, reason FROM ${st.alias}.issues ORDER BY row_number, rowid`,
        )
        .run(importId);
      finishImportRecord(sqlite, importId, {
        status,
        summary: opts.complete === false ? { ...summary, complete: false } : summary,
        rowsDone: counts.rows,
        bytesDone: src.totalBytes,
      });
    };
    const apply = (): ApplyCounts => {
      if (prep.fieldSet === "roster") return applyRoster(sqlite, st, ctx);
      if (prep.fieldSet === "reference") return applyReference(sqlite, st, ctx);
      return applyMembers(sqlite, st, ctx);
    };

    if (opts.dryRun) {
      // Apply for real, then roll back: the counts are exactly what the import would do.
      let applied: ApplyCounts | null = null;
      try {
        sqlite
          .transaction(() => {
            applied = apply();
            throw new DryRunRollback();
          })
          .immediate();
      } catch (e) {
        if (!(e instanceof DryRunRollback)) throw e;
      }
      sqlite.transaction(() => finish(applied!, "dry_run")).immediate();
    } else {
      sqlite
        .transaction(() => {
          const applied = apply();
          finish(applied, "succeeded");
          recordAudit(handle.db, prep.actor, {
            action: "import",
            entity: "import",
            entityId: importId,
            details: { kind: opts.kind, platform: prep.platform, reference: prep.reference, file: opts.originalName ?? null, summary },
          });
          if (opts.saveMappingAs) {
            handle.db
              .insert(columnMappings)
              .values({ orgId: prep.org.id, name: opts.saveMappingAs, kind: opts.kind, platform: prep.platform, mapping: resolved.mapping })
              .onConflictDoUpdate({
                target: [columnMappings.orgId, columnMappings.name],
                set: { kind: opts.kind, platform: prep.platform, mapping: resolved.mapping, updatedAt: new Date().toISOString() },
              })
              .run();
          }
        })
        .immediate();
    }
    opts.onProgress?.({ importId, status: opts.dryRun ? "dry_run" : "succeeded", rowsDone: counts.rows, bytesDone: src.totalBytes, totalBytes: src.totalBytes, phase: "done" });
    return summary!;
  } catch (e) {
    const message = e instanceof AppError ? e.message : "导入失败：写入数据库时出错，数据库未被修改。";
    try {
      // Reading stopped early: the record still gets the whole file's hash.
      if (recordedHash(sqlite, importId) === null) setRecordedHash(sqlite, importId, await sha256File(opts.file));
    } catch {
      // the file is gone or unreadable: the record keeps no hash
    }
    try {
      markImportFailed(sqlite, importId, message);
    } catch {
      // the database itself failed (disk full …): the record stays "running" until its heartbeat goes stale
    }
    throw e;
  } finally {
    if (source) {
      await source.rows.return(undefined).catch(() => undefined);
      source.close();
    }
    stage?.close();
    // After the final status is committed (or could not be): a record still "running" now is orphaned.
    prep.ownerLock?.release();
  }
}

/** The same file again today (prep.sameAs): the earlier import's row counts and issue list stand. */
function repeatImport(handle: DbHandle, prep: PreparedImport, same: NonNullable<PreparedImport["sameAs"]>): ImportSummary {
  const { sqlite } = handle;
  const { importId, opts } = prep;
  const prev = same.summary;
  const size = fs.statSync(opts.file).size;
  let summary!: ImportSummary;
  sqlite
    .transaction(() => {
      const applied = applyRosterRepeat(sqlite, {
        importId,
        orgId: prep.org.id,
        orgPath: prep.org.path,
        scopePath: scopePath(prep.actor),
        outsideParty: opts.source === "api",
        platform: prep.platform,
        today: prep.today,
        userId: prep.actor.id > 0 ? prep.actor.id : null,
        newMemberRelation: "unattached",
        complete: true,
        afterStep: opts.afterStep,
      });
      summary = {
        importId,
        kind: opts.kind,
        encoding: prev.encoding,
        rows: prev.rows,
        inserted: 0,
        updated: 0,
        unchanged: prev.rows - prev.rejected - prev.duplicates,
        corrected: prev.corrected,
        duplicates: prev.duplicates,
        rejected: prev.rejected,
        membersMatched: applied.membersMatched,
        leadsCreated: applied.leadsCreated,
        departed: 0,
        ...(applied.platformLeadsCreated === null ? {} : { platformAnswer: { membersMatched: applied.membersMatched, leadsCreated: applied.platformLeadsCreated } }),
      };
      sqlite
        .prepare(
          `INSERT INTO import_issues (import_id, row_number, outcome, "column", value, reason)
           SELECT ?, row_number, outcome, "column", value, reason FROM import_issues WHERE import_id = ? ORDER BY id`,
        )
        .run(importId, same.importId);
      finishImportRecord(sqlite, importId, { status: "succeeded", summary: { ...summary, sameAsImportId: same.importId }, rowsDone: prev.rows, bytesDone: size });
      recordAudit(handle.db, prep.actor, {
        action: "import",
        entity: "import",
        entityId: importId,
        details: { kind: opts.kind, platform: prep.platform, file: opts.originalName ?? null, sameAsImportId: same.importId, summary },
      });
    })
    .immediate();
  opts.onProgress?.({ importId, status: "succeeded", rowsDone: prev.rows, bytesDone: size, totalBytes: size, phase: "done" });
  return summary;
}

/** Runs an import to the end and returns its summary (CLI, tests). Throws AppError on refusal or failure. */
export async function runImport(handle: DbHandle, actor: Actor, opts: ImportOptions): Promise<ImportSummary> {
  const prep = await prepareImport(handle, actor, opts);
  return executeImport(handle, prep);
}

/**
 * Starts an import and returns its id at once (web). The file is read in the background, off the
 * event loop (executeImportOffLoop); progress is in the import record. `onDone` runs when it ends,
 * either way.
 */
export async function startImport(
  handle: DbHandle,
  actor: Actor,
  opts: ImportOptions,
  onDone?: (err: unknown, summary: ImportSummary | null) => void,
  run: OffLoopOptions = {},
): Promise<number> {
  const prep = await prepareImport(handle, actor, opts);
  executeImportOffLoop(handle, prep, run).then(
    (s) => onDone?.(null, s),
    (e) => onDone?.(e, null),
  );
  return prep.importId;
}

export type OffLoopOptions = {
  /** A file smaller than this is imported on this thread (config.importThreadMinBytes); default 0. */
  threadMinBytes?: number;
};

function fileSize(file: string): number {
  try {
    return fs.statSync(file).size;
  } catch {
    return Number.MAX_SAFE_INTEGER; // gone: let the run report it, wherever it runs
  }
}

const THREAD_DIED = "导入失败：导入线程意外退出，已作废；数据库未被修改。";
const SHUT_DOWN = "服务器关闭，导入已中止；数据库未被修改，请重新导入。";

/** Imports running in worker threads of this process, to stop at shutdown. */
const threads = new Map<number, { stop(): void; done: Promise<unknown> }>();

/**
 * Runs a prepared import like executeImport, but in a worker thread with its own connection
 * (import-thread.ts), so the server goes on answering while it reads and applies (the apply is
 * one synchronous transaction: seconds). Same result, same errors (AppError as inline).
 *
 * This thread keeps the import's owner lock (a lock the process holds, whichever thread) until the
 * worker has exited, then releases it once; if the worker died without finishing the record (a
 * crash, or stopImportThreads at shutdown), the record is marked failed first and its scratch
 * files removed. The hooks onProgress and afterStep stay behind (functions cannot cross).
 */
export async function executeImportOffLoop(handle: DbHandle, prep: PreparedImport, run: OffLoopOptions = {}): Promise<ImportSummary> {
  const dbFile = dbFileOf(handle.sqlite);
  // An in-memory database (most HTTP tests) is private to its connection: another thread cannot
  // open it, so the import runs inline, on this thread, as it always did. So does a small file:
  // its whole import takes less time than starting a thread.
  if (dbFile === "" || fileSize(prep.opts.file) < (run.threadMinBytes ?? 0)) return executeImport(handle, prep);
  const { onProgress: _onProgress, afterStep: _afterStep, ...portable } = prep.opts;
  let thread: ImportThread;
  try {
    thread = startImportThread({ dbFile, prep: { ...prep, opts: portable, ownerLock: null } });
  } catch (e) {
    // Not even started: nothing but the record was written; it ends as if the thread had died.
    const ended = new ImportThreadEnded(false, -1, e);
    endOffLoop(handle, prep, dbFile, ended);
    throw ended;
  }
  const done = (async () => {
    try {
      const summary = await thread.result;
      endOffLoop(handle, prep, dbFile, null);
      return summary;
    } catch (e) {
      if (!(e instanceof ImportThreadEnded)) {
        // Finished by the worker (failed, with the error the inline run would throw).
        endOffLoop(handle, prep, dbFile, null);
        throw e;
      }
      endOffLoop(handle, prep, dbFile, e);
      throw e.stopped ? new AppError(503, SHUT_DOWN, { code: "busy" }) : e;
    }
  })();
  const forget = () => threads.delete(prep.importId);
  threads.set(prep.importId, { stop: thread.stop, done: done.then(forget, forget) });
  return done;
}

/**
 * The end of an import run in a worker, once the worker has exited: a record the worker could not
 * finish (`ended`) is marked failed; then, its final status committed, the owner lock is released
 * (exactly once: here) and a dead worker's scratch files removed.
 */
function endOffLoop(handle: DbHandle, prep: PreparedImport, dbFile: string, ended: ImportThreadEnded | null): void {
  try {
    if (ended) {
      markImportFailed(handle.sqlite, prep.importId, ended.stopped ? SHUT_DOWN : THREAD_DIED);
    } else {
      touchImportRecord(handle.sqlite, prep.importId);
    }
  } catch {
    // the database itself failed: the record stays "running" until failOrphanedImports finds it
  } finally {
    prep.ownerLock?.release();
    if (ended) removeOwnerLock(dbFile, prep.importId);
  }
}

/**
 * Stops the imports running in worker threads (server shutdown): each open transaction rolls back,
 * each record is marked failed, each owner lock released. Resolves when all of that is done.
 */
export async function stopImportThreads(): Promise<number> {
  const running = [...threads.values()];
  for (const t of running) t.stop();
  await Promise.all(running.map((t) => t.done));
  return running.length;
}

// ---------------------------------------------------------------------------------------------
// Reading imports back (history, progress page, error list)
// ---------------------------------------------------------------------------------------------

export type ImportRow = typeof imports.$inferSelect & { orgName: string; username: string | null };

export function listImports(handle: DbHandle, actor: Actor, page = 1, pageSize = 30) {
  const rows = handle.db
    .select({ imp: imports, orgName: organizations.name, username: users.displayName })
    .from(imports)
    .innerJoin(organizations, eq(organizations.id, imports.orgId))
    .leftJoin(users, eq(users.id, imports.userId))
    .where(orgIdInScope(actor, imports.orgId))
    .orderBy(desc(imports.id))
    .limit(pageSize + 1)
    .offset((page - 1) * pageSize)
    .all();
  return {
    rows: rows.slice(0, pageSize).map((r) => ({ ...r.imp, orgName: r.orgName, username: r.username })) as ImportRow[],
    hasMore: rows.length > pageSize,
  };
}

export function getImport(handle: DbHandle, actor: Actor, id: number): ImportRow {
  const r = handle.db
    .select({ imp: imports, orgName: organizations.name, username: users.displayName })
    .from(imports)
    .innerJoin(organizations, eq(organizations.id, imports.orgId))
    .leftJoin(users, eq(users.id, imports.userId))
    .where(and(eq(imports.id, id), orgIdInScope(actor, imports.orgId)))
    .get();
  if (!r) throw AppError.notFound("导入记录");
  return { ...r.imp, orgName: r.orgName, username: r.username };
}

export type ProgressView = ImportProgress & {
  summary: ImportSummary | null;
  error: string | null;
  startedAt: string | null;
  finishedAt: string | null;
  /** Rows per second so far, and seconds left estimated from bytes. */
  rowsPerSecond: number | null;
  secondsLeft: number | null;
};

export function importProgress(handle: DbHandle, actor: Actor, id: number, now = Date.now()): ProgressView {
  const imp = getImport(handle, actor, id);
  const total = imp.sizeBytes ?? 0;
  const running = imp.status === "running" || imp.status === "pending";
  const phase: ImportProgress["phase"] = !running ? "done" : total > 0 && imp.bytesDone >= total ? "applying" : "reading";
  let rowsPerSecond: number | null = null;
  let secondsLeft: number | null = null;
  if (imp.startedAt) {
    const elapsed = ((imp.finishedAt ? Date.parse(imp.finishedAt) : now) - Date.parse(imp.startedAt)) / 1000;
    if (elapsed > 0 && imp.rowsDone > 0) rowsPerSecond = Math.round(imp.rowsDone / elapsed);
    if (running && phase === "reading" && imp.bytesDone > 0 && elapsed > 0) {
      secondsLeft = Math.max(0, Math.round(((total - imp.bytesDone) * elapsed) / imp.bytesDone));
    }
  }
  return {
    importId: imp.id,
    status: imp.status,
    rowsDone: imp.rowsDone,
    bytesDone: imp.bytesDone,
    totalBytes: total,
    phase,
    summary: (imp.summary as ImportSummary | null) ?? null,
    error: imp.error,
    startedAt: imp.startedAt,
    finishedAt: imp.finishedAt,
    rowsPerSecond,
    secondsLeft,
  };
}

export function listImportIssues(handle: DbHandle, actor: Actor, id: number, page = 1, pageSize = 100) {
  getImport(handle, actor, id);
  const rows = handle.db
    .select()
    .from(importIssues)
    .where(eq(importIssues.importId, id))
    .orderBy(importIssues.rowNumber, importIssues.id)
    .limit(pageSize + 1)
    .offset((page - 1) * pageSize)
    .all();
  const total = handle.db.select({ n: count() }).from(importIssues).where(eq(importIssues.importId, id)).get()?.n ?? 0;
  return { rows: rows.slice(0, pageSize), hasMore: rows.length > pageSize, total };
}

/** Organizations of the actor's scope an import can go into: committees for rosters and reference lists, any member-holding org for member lists. */
export function importTargets(handle: DbHandle, actor: Actor) {
  return handle.db
    .select({ id: organizations.id, code: organizations.code, name: organizations.name, kind: organizations.kind, depth: organizations.depth })
    .from(organizations)
    .where(and(orgIdInScope(actor, organizations.id), eq(organizations.status, "active")))
    .orderBy(organizations.path)
    .all()
    .filter((o) => o.kind !== "group")
    .map((o) => ({ ...o, rosterTarget: COMMITTEE_KINDS.includes(o.kind) || o.kind === "city_department" }));
}

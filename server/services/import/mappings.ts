// Which column of a file is which field: the header row found, the mapping chosen (given by the
// clerk, saved for the platform, or recognised from the header texts), and mappings saved by name.

import { and, desc, eq, type SQL } from "drizzle-orm";
import type { DbHandle } from "../../../db/client.js";
import { columnMappings } from "../../../db/schema.js";
import { AppError } from "../../errors.js";
import { type Actor, assertCanWrite, orgIdInScope } from "../../policy/actor.js";
import { IMPORT_KIND } from "../../domain/codes.js";
import { ONBOARDING_KINDS, type OnboardingKind } from "../../domain/onboarding-codes.js";
import {
  autoMapping,
  FIELDS,
  type FieldDef,
  type Mapping,
  missingColumnsMessage,
  type ResolvedMapping,
  resolveMapping,
} from "./header-aliases.js";
import { findHeader, type RowSource } from "./read.js";
import { loadOrg } from "./target.js";
import type { ImportKind } from "./types.js";

/** Where the mapping used came from. */
export type MappingSource = "given" | "saved" | "auto";

export function savedMapping(
  handle: DbHandle,
  orgId: number,
  kind: ImportKind,
  platform: string | null,
  name: string | null,
): Mapping | null {
  const where: SQL[] = [eq(columnMappings.orgId, orgId), eq(columnMappings.kind, kind)];
  if (name) where.push(eq(columnMappings.name, name));
  else if (platform) where.push(eq(columnMappings.platform, platform));
  else return null;
  const row = handle.db
    .select()
    .from(columnMappings)
    .where(and(...where))
    .orderBy(desc(columnMappings.updatedAt))
    .get();
  return row ? (row.mapping as Mapping) : null;
}

export function listMappings(handle: DbHandle, actor: Actor) {
  return handle.db
    .select({
      id: columnMappings.id,
      name: columnMappings.name,
      kind: columnMappings.kind,
      platform: columnMappings.platform,
      orgId: columnMappings.orgId,
    })
    .from(columnMappings)
    .where(orgIdInScope(actor, columnMappings.orgId))
    .orderBy(columnMappings.name)
    .all();
}

type NamedMapping = { orgId: number; name: string; kind: ImportKind; platform: string | null; mapping: Mapping };

/** Saves a mapping under its name in the organization, replacing one of that name. */
export function storeMapping(handle: DbHandle, input: NamedMapping): void {
  handle.db
    .insert(columnMappings)
    .values({ orgId: input.orgId, name: input.name, kind: input.kind, platform: input.platform, mapping: input.mapping })
    .onConflictDoUpdate({
      target: [columnMappings.orgId, columnMappings.name],
      set: { kind: input.kind, platform: input.platform, mapping: input.mapping, updatedAt: new Date().toISOString() },
    })
    .run();
}

export function saveMapping(handle: DbHandle, actor: Actor, input: NamedMapping): void {
  assertCanWrite(actor);
  loadOrg(handle, actor, input.orgId);
  storeMapping(handle, input);
}

/** The mapping an import would use: the clerk's, a saved one named, the platform's saved one if it fits, or the recognised one. */
export function chooseMapping(
  handle: DbHandle,
  want: { orgId: number; kind: ImportKind; mapping?: Mapping | null; mappingName?: string | null },
  fields: readonly FieldDef[],
  headers: string[],
  platform: string | null,
): { resolved: ResolvedMapping; source: MappingSource } {
  const auto = autoMapping(fields, headers);
  if (want.mapping) return { resolved: resolveMapping(fields, headers, want.mapping), source: "given" };
  if (want.mappingName) {
    const saved = savedMapping(handle, want.orgId, want.kind, platform, want.mappingName);
    if (!saved) throw AppError.invalid({ mappingName: `找不到名为“${want.mappingName}”的列对应方案` });
    return { resolved: resolveMapping(fields, headers, saved), source: "saved" };
  }
  const saved = savedMapping(handle, want.orgId, want.kind, platform, null);
  if (saved) {
    const merged = resolveMapping(fields, headers, { ...auto, ...saved });
    if (merged.missing.length === 0) return { resolved: merged, source: "saved" };
  }
  return { resolved: resolveMapping(fields, headers, auto), source: "auto" };
}

/** The fields with the header texts of a mapping as extra aliases, so a clerk's own header names are found too. */
export function withMappingAliases(fields: readonly FieldDef[], mapping: Mapping | null | undefined): readonly FieldDef[] {
  if (!mapping) return fields;
  return fields.map((f) => {
    const h = mapping[f.key];
    return h ? { ...f, aliases: [...f.aliases, h] } : f;
  });
}

/** Refusal naming the missing columns; fieldErrors.columns lists their keys for the CLI's English line. */
export function missingColumns(missing: readonly FieldDef[]): AppError {
  return new AppError(422, missingColumnsMessage(missing), {
    code: "missing_columns",
    fieldErrors: { columns: missing.map((f) => `${f.key} (${f.label})`).join(", ") },
  });
}

const ROLL_OF: Record<OnboardingKind, string> = {
  organizations: "党组织名册",
  enterprises: "企业名册",
  instructors: "党建指导员名册",
};

/**
 * When a row of the file is another onboarding kind's complete header (an enterprise list chosen as
 * organizations), the refusal says which kind to choose instead of listing the missing columns.
 */
export function otherKindHeader(kind: ImportKind, rows: readonly (readonly string[])[]): AppError | null {
  // Only between onboarding kinds: a member list lacking a column may still hold an instructor roll's
  // columns (name, ID number), and sending its clerk to the instructors' import would mislead.
  if (!(ONBOARDING_KINDS as readonly string[]).includes(kind)) return null;
  for (const other of ONBOARDING_KINDS) {
    if (other === kind) continue;
    const fields = FIELDS[other];
    const fits = rows.some((cells) => {
      const headers = cells.map((c) => c.trim());
      return resolveMapping(fields, headers, autoMapping(fields, headers)).missing.length === 0;
    });
    if (!fits) continue;
    const message = `这是${ROLL_OF[other]}的表头，请选择‘${IMPORT_KIND.label[other]}’导入。`;
    // On the kind's field: the upload form shows it beside the select to change.
    return new AppError(422, message, { code: "other_kind_header", fieldErrors: { kind: message } });
  }
  return null;
}

/**
 * Finds the header row among the first rows; refuses an empty file or one with no recognisable
 * header (naming the kind whose header it is, when it is another onboarding kind's).
 */
export async function readHeader(source: RowSource, fields: readonly FieldDef[], kind?: ImportKind) {
  const found = await findHeader(source.rows, fields);
  if (!found.header) {
    if (found.firstCandidate === null) throw new AppError(422, "文件是空的：没有表头，也没有数据行。", { code: "empty_file" });
    const other = kind
      ? otherKindHeader(
          kind,
          found.buffered.map((r) => r.cells),
        )
      : null;
    if (other) throw other;
    const required = fields.filter((f) => f.required);
    throw new AppError(422, `找不到表头：文件前 20 行中没有可识别的列名。${missingColumnsMessage(required)}`, {
      code: "missing_columns",
      fieldErrors: { columns: required.map((f) => `${f.key} (${f.label})`).join(", ") },
    });
  }
  return { ...found.header, buffered: found.buffered };
}

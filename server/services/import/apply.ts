// Apply: staged rows become workers / members / reference members, then the finds are matched —
// all set-based SQL on the UNIQUE indexes (a JOIN matches 100k members against a 1M roster in
// 0.2 s; a JavaScript Set over loaded rows is 3–6× slower). The steps are in apply-roster.ts
// (rosters) and apply-members.ts (member and reference lists); what they share is here. The
// caller runs every apply function inside ONE transaction: an import applies completely or not at all.
//
// Rows held by others (docs/ARCHITECTURE.md, "Imports and rows held by others"). A worker is one
// row per (platform, ID number) and a member one row per ID number, city-wide; whoever holds such
// a row outside the importer's scope keeps it: no apply statement moves it, overwrites it, or
// copies its stored values into what the importer sees. The file's row for that person is not
// imported and is listed as such (heldElsewhereIssues) with a reason that names neither the holder
// nor any stored value. That the person is held elsewhere is all the importer learns — the same
// answer the member form gives (one record per person cannot hide it: the importer sees its own
// roster and member list). Reference lists are kept per holder, so they answer nothing at all.
// Counts in the summary count only records inside the importer's scope.

import type Database from "better-sqlite3";
import type { SQL } from "drizzle-orm";
import { drizzle } from "drizzle-orm/better-sqlite3";
import { addTimelineEntries, type TimelineEntry } from "../members/timeline.js";
import type { Stage } from "./stage.js";

export type ApplyContext = {
  importId: number;
  orgId: number;
  /** Materialised path of the import's organization: members and reference lists are its subtree's. */
  orgPath: string;
  /**
   * The importer's scope (scopePath of the actor: a clerk's organization, an API key's committee,
   * "/" for an administrator). Workers held outside it are never touched, and summary counts
   * count only records inside it.
   */
  scopePath: string;
  /**
   * The importer is a platform company (an API key): an outside party, answered only what concerns
   * the batch's rows in its own committee (platformLeadsCreated; docs/API.md).
   */
  outsideParty: boolean;
  platform: string | null;
  today: string;
  userId: number | null;
  /** Relationship status given to members created by a member list. */
  newMemberRelation: "local" | "unattached";
  /**
   * A roster that is the platform's whole list under this organization (the default) marks
   * everyone it leaves out as departed; a partial one (an API batch sent with complete: false)
   * only refreshes the people it names.
   */
  complete: boolean;
  /** Test-only: called after each step, inside the transaction, so a test can fail an import mid-apply. */
  afterStep?: (step: string) => void;
};

export type ApplyCounts = {
  inserted: number;
  updated: number;
  membersMatched: number;
  leadsCreated: number;
  departed: number;
  /** Staged rows not imported because another organization, outside the importer's scope, holds the person. */
  heldElsewhere: number;
  /** For a platform (outsideParty): leadsCreated as it may be told (see applyRoster); else null. */
  platformLeadsCreated: number | null;
};

/** The import's organization and its subtree. */
export const SCOPE = `(SELECT id FROM organizations WHERE substr(path, 1, length(@orgPath)) = @orgPath)`;
/** The importer's scope (ApplyContext.scopePath). */
export const IMPORTER_SCOPE = `(SELECT id FROM organizations WHERE substr(path, 1, length(@scopePath)) = @scopePath)`;
/** The holders of the reference lists that apply to the import's organization: itself and the organizations above it. */
export const LISTS_FOR_ORG = `(SELECT id FROM organizations WHERE substr(@orgPath, 1, length(path)) = path)`;

const HELD_WORKER = "该人员在本平台的花名册中已由其他党组织登记，本行未导入；如人员已变动，请联系上级党组织核实";
const HELD_MEMBER = "该身份证号已由其他党组织登记为党员，本行未导入；请联系上级党组织核实";

export function step(ctx: ApplyContext, name: string): void {
  ctx.afterStep?.(name);
}

/** The import's entries on members' timelines, signed by the importing user (members/timeline.ts writes them all). */
export function addEntries(sqlite: Database.Database, ctx: ApplyContext, entries: TimelineEntry[] | SQL): void {
  addTimelineEntries(drizzle(sqlite), { id: ctx.userId ?? 0 }, entries);
}

/**
 * Lists the rows of the file not imported because another organization, outside the importer's
 * scope, holds the person (ApplyCounts.heldElsewhere > 0). Read from the app's tables, which the
 * apply never changes for those rows: right after the apply, in its transaction, and as well
 * after a dry run's rollback (which takes back whatever the apply wrote to the stage).
 */
export function heldElsewhereIssues(sqlite: Database.Database, stage: Stage, ctx: ApplyContext): void {
  const a = stage.alias;
  if (stage.kind === "roster") {
    // From the staged rows, each found in the workers' ID-number index in the same order (no index
    // leads by platform: driven by the workers, this read every worker).
    sqlite
      .prepare(
        `INSERT INTO ${a}.issues (row_number, outcome, col, value, reason)
         SELECT s.row_number, 'rejected', '身份证号', s.id_number, @reason
         FROM ${a}.rows s CROSS JOIN workers w ON w.id_number = s.id_number AND w.platform = @platform
         WHERE w.org_id NOT IN ${IMPORTER_SCOPE}`,
      )
      .run({ platform: ctx.platform, scopePath: ctx.scopePath, reason: HELD_WORKER });
  } else if (stage.kind === "members") {
    sqlite
      .prepare(
        `INSERT INTO ${a}.issues (row_number, outcome, col, value, reason)
         SELECT s.row_number, 'rejected', '身份证号', s.id_number, @reason
         FROM ${a}.rows s JOIN members m ON m.id_number = s.id_number
         WHERE m.org_id NOT IN ${SCOPE}`,
      )
      .run({ orgPath: ctx.orgPath, reason: HELD_MEMBER });
  }
}

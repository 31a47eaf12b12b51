// Tables 33 and 34 from the records: one fact per mobile spell open at the as-of date, read in the
// scope organization's subtree (and the actor's scope), counted by domain/official-tables/mobile-tables.ts.
// The reach is measured from the region of the organization holding the spell (mobileReach), as
// the member's status page measures it; while a spell is open the member's organization is the spell's.

import { and, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { members, mobileSpells, organizations } from "../../../db/schema.js";
import {
  MOBILE_COLUMNS,
  MOBILE_ROWS,
  MOBILE_TABLES,
  type MobileCell,
  type MobileCheck,
  type MobileFact,
  type MobileTableId,
  mobileCell,
  mobileCellIds,
  mobileChecks,
  parseCellKey,
  statusMismatchIds,
} from "../../domain/official-tables/mobile-tables.js";
import { mobileReach } from "../../domain/mobile-members.js";
import { type Actor, orgIdInScope } from "../../policy/actor.js";
import { readJurisdiction } from "../jurisdiction/jurisdiction.service.js";
import { memberStillHereSql } from "../members/sql.js";

export type ScopeOrg = { id: number; path: string };

/** A spell counts when it began by `asOf` and had not ended by then. */
function openAt(asOf: string) {
  return and(lte(mobileSpells.startedOn, asOf), or(isNull(mobileSpells.endedOn), gt(mobileSpells.endedOn, asOf)));
}

function inSubtree(scope: ScopeOrg) {
  return sql`${organizations.path} LIKE ${`${scope.path}%`}`;
}

export function mobileFacts(db: Db, actor: Actor, scope: ScopeOrg, table: MobileTableId, asOf: string): MobileFact[] {
  const direction = MOBILE_TABLES[table].direction;
  const home = readJurisdiction(db)?.regionCode ?? null;
  const rows = db
    .select({
      memberId: mobileSpells.memberId,
      orgId: mobileSpells.orgId,
      orgRegion: organizations.regionCode,
      destinationCode: mobileSpells.destinationCode,
      homeRegionCode: mobileSpells.homeRegionCode,
      unitKind: mobileSpells.unitKind,
      certificateHeld: mobileSpells.certificateHeld,
      occupation: members.occupation,
    })
    .from(mobileSpells)
    .innerJoin(members, eq(members.id, mobileSpells.memberId))
    .innerJoin(organizations, eq(organizations.id, mobileSpells.orgId))
    .where(and(eq(mobileSpells.direction, direction), openAt(asOf), inSubtree(scope), orgIdInScope(actor, mobileSpells.orgId)))
    .orderBy(mobileSpells.memberId)
    .all();
  return rows.map((r) => {
    const orgHome = r.orgRegion ?? home;
    const reach =
      direction === "out"
        ? r.unitKind === "unknown_destination" && !r.destinationCode
          ? "none"
          : mobileReach(r.destinationCode, orgHome)
        : mobileReach(r.homeRegionCode, orgHome);
    return {
      memberId: r.memberId,
      orgId: r.orgId,
      occupation: r.occupation,
      reach,
      unitKind: direction === "out" ? r.unitKind : null,
      certificateHeld: r.certificateHeld,
    };
  });
}

/** The members whose record says 流出/流入 now, in the scope: the cross-check of a table as of today. */
export function mobileStatusIds(db: Db, actor: Actor, scope: ScopeOrg, table: MobileTableId): number[] {
  const status = MOBILE_TABLES[table].direction === "out" ? "mobile_out" : "mobile_in";
  return db
    .select({ id: members.id })
    .from(members)
    .innerJoin(organizations, eq(organizations.id, members.orgId))
    .where(and(eq(members.relationStatus, status), memberStillHereSql(members), inSubtree(scope), orgIdInScope(actor, members.orgId)))
    .orderBy(members.id)
    .all()
    .map((r) => r.id);
}

export type MobileTableData = {
  table: MobileTableId;
  asOf: string;
  rows: { id: string; no: number; label: string; indent: number; cells: MobileCell[] }[];
  checks: MobileCheck[];
};

/** The table's cells and cross-checks; the status check only when counting as of today. */
export function computeMobileTable(
  db: Db,
  actor: Actor,
  scope: ScopeOrg,
  table: MobileTableId,
  asOf: string,
  today: string,
): MobileTableData {
  const facts = mobileFacts(db, actor, scope, table, asOf);
  const statusIds = asOf === today ? mobileStatusIds(db, actor, scope, table) : null;
  return {
    table,
    asOf,
    rows: MOBILE_ROWS.map((r) => ({ ...r, cells: MOBILE_COLUMNS[table].map((c) => mobileCell(table, facts, r.id, c.id)) })),
    checks: mobileChecks(table, facts, statusIds),
  };
}

/**
 * The ids behind a cell or a cross-check's list: members, or organizations for 接收流入党员的党组织数.
 * Null for a key the table does not have.
 */
export function mobileCellRows(
  db: Db,
  actor: Actor,
  scope: ScopeOrg,
  table: MobileTableId,
  asOf: string,
  today: string,
  key: string,
): { kind: "members" | "orgs"; ids: number[] } | null {
  const parsed = parseCellKey(table, key);
  if (!parsed) return null;
  const facts = mobileFacts(db, actor, scope, table, asOf);
  if (parsed.col === "status_mismatch") {
    return { kind: "members", ids: asOf === today ? statusMismatchIds(facts, mobileStatusIds(db, actor, scope, table)) : [] };
  }
  return { kind: parsed.col === "orgs" ? "orgs" : "members", ids: mobileCellIds(facts, parsed.row, parsed.col) };
}

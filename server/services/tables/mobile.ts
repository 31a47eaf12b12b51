// Tables 33 and 34 from the records: one fact per mobile spell open at the as-of date, read in the
// scope organization's subtree (and the actor's scope), counted by domain/official-tables/mobile-tables.ts.
// The reach is measured from the region of the organization holding the spell (mobileReach), as
// the member's status page measures it; while a spell is open the member's organization is the spell's.

import { and, eq, gt, isNull, lte, or, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { members, mobileSpells, organizations } from "../../../db/schema.js";
import { fullDivisionName } from "../../domain/divisions.js";
import { mobileReach } from "../../domain/mobile-members.js";
import {
  cellKey,
  MOBILE_COLUMNS,
  MOBILE_DEFS,
  MOBILE_ROWS,
  MOBILE_TABLES,
  type MobileCheck,
  type MobileFact,
  type MobileTableId,
  mobileCell,
  mobileCellIds,
  mobileChecks,
  mobileListKeys,
} from "../../domain/official-tables/mobile-tables.js";
import type { ComputedTable, CrossCheck, RowRef } from "../../domain/official-tables/table.js";
import { RELATION_STATUS } from "../../domain/codes.js";
import { type Actor, orgIdInScope } from "../../policy/actor.js";
import { memberListQuerySchema } from "../../schemas/members.schema.js";
import { listMembers } from "../members/list.js";
import { buildFor, type TableContext, type TableModule } from "./context.js";
import { readJurisdiction } from "../jurisdiction/jurisdiction.service.js";
import { destinationText } from "../members/mobile.js";

export type MobileScope = { id: number; path: string };
export type MobileRef = { kind: "member" | "organization"; id: number; on: string | null; note: string | null };
export type MobileCellSpec = { list: string } | { missing: string };

/** A spell counts when it began by `asOf` and had not ended by then. */
function openAt(asOf: string) {
  return and(lte(mobileSpells.startedOn, asOf), or(isNull(mobileSpells.endedOn), gt(mobileSpells.endedOn, asOf)));
}

type FactRow = MobileFact & { on: string; note: string };

export function mobileFacts(db: Db, actor: Actor, scope: MobileScope, table: MobileTableId, asOf: string): FactRow[] {
  const direction = MOBILE_TABLES[table].direction;
  const home = readJurisdiction(db)?.regionCode ?? null;
  const rows = db
    .select({
      memberId: mobileSpells.memberId,
      orgId: mobileSpells.orgId,
      orgRegion: organizations.regionCode,
      startedOn: mobileSpells.startedOn,
      destination: mobileSpells.destination,
      destinationCode: mobileSpells.destinationCode,
      homeRegionCode: mobileSpells.homeRegionCode,
      homeOrgName: mobileSpells.homeOrgName,
      unitKind: mobileSpells.unitKind,
      certificateHeld: mobileSpells.certificateHeld,
      occupation: members.occupation,
    })
    .from(mobileSpells)
    .innerJoin(members, eq(members.id, mobileSpells.memberId))
    .innerJoin(organizations, eq(organizations.id, mobileSpells.orgId))
    .where(
      and(
        eq(mobileSpells.direction, direction),
        openAt(asOf),
        sql`substr(${organizations.path}, 1, ${scope.path.length}) = ${scope.path}`,
        orgIdInScope(actor, mobileSpells.orgId),
      ),
    )
    .orderBy(mobileSpells.memberId)
    .all();
  return rows.map((r) => {
    const orgHome = r.orgRegion ?? home;
    const out = direction === "out";
    const reach = out
      ? r.unitKind === "unknown_destination" && !r.destinationCode
        ? "none"
        : mobileReach(r.destinationCode, orgHome)
      : mobileReach(r.homeRegionCode, orgHome);
    const note = out
      ? destinationText(r)
      : `组织关系在 ${r.homeRegionCode ? `${fullDivisionName(r.homeRegionCode)} ` : ""}${r.homeOrgName ?? "（未登记）"}`;
    return {
      memberId: r.memberId,
      orgId: r.orgId,
      occupation: r.occupation,
      reach,
      unitKind: out ? r.unitKind : null,
      certificateHeld: r.certificateHeld,
      on: r.startedOn,
      note,
    };
  });
}

export type MobileComputed = {
  rows: { no: string; label: string; indent: number; cells: MobileCellSpec[] }[];
  lists: Record<string, MobileRef[]>;
  checks: MobileCheck[];
};

/**
 * The rows (each cell a list, or not recorded with the reason) and every list, the cells' and the
 * cross-checks': members with the spell's start and where they went (流出) or belong (流入);
 * organizations for 接收流入党员的党组织数.
 */
export function computeMobile(db: Db, actor: Actor, scope: MobileScope, table: MobileTableId, asOf: string): MobileComputed {
  const facts = mobileFacts(db, actor, scope, table, asOf);
  const byMember = new Map(facts.map((f) => [f.memberId, f]));
  const lists: Record<string, MobileRef[]> = {};
  for (const { row, col, key } of mobileListKeys(table)) {
    const ids = mobileCellIds(facts, row, col);
    if (col === "orgs") {
      // Each organization with how many of the row's members it received.
      const rowOrgs = mobileCellIds(facts, row, "total").map((id) => byMember.get(id)!.orgId);
      lists[key] = ids.map((id) => ({ kind: "organization", id, on: null, note: `接收${rowOrgs.filter((o) => o === id).length}名` }));
    } else lists[key] = ids.map((id) => ({ kind: "member", id, on: byMember.get(id)!.on, note: byMember.get(id)!.note }));
  }
  const rows = MOBILE_ROWS.map((r) => ({
    no: String(r.no),
    label: r.label,
    indent: r.indent,
    cells: MOBILE_COLUMNS[table].map((c): MobileCellSpec => {
      const cell = mobileCell(table, facts, r.id, c.id);
      if (cell.value !== null) return { list: cell.key };
      // A figure not known has no list either (a partial one would pass for it).
      delete lists[cell.key];
      return { missing: cell.reason! };
    }),
  }));
  return { rows, lists, checks: mobileChecks(table, facts) };
}

// -- The table modules (services/tables/tables.service.ts lists them) --------------------------------

function compute(table: MobileTableId, ctx: TableContext): ComputedTable {
  const c = computeMobile(ctx.db, ctx.actor, ctx.org, table, ctx.asOf);
  const q = (key: string) => `/tables/${table}/rows?${new URLSearchParams({ org: ctx.org.code, period: ctx.period.id, key })}`;
  const checks: CrossCheck[] = c.checks.map((x) => ({ label: x.label, expected: x.expected, actual: x.actual, ok: x.ok, link: q(x.key) }));
  if (ctx.asOf === ctx.today) checks.push(statusCheck(ctx, table, c.lists[cellKey("total", "total")]!.length));
  const computed = buildFor(ctx, MOBILE_DEFS[table], c.rows, c.lists as Record<string, RowRef[]>, checks);
  // The cross-checks' lists (市内, not recorded) are no cells of the table but open like one.
  for (const [key, list] of Object.entries(c.lists)) computed.lists[key] ??= list as RowRef[];
  return computed;
}

/** As of today, the total against the member list's own count of members whose record says 流出/流入. */
function statusCheck(ctx: TableContext, table: MobileTableId, actual: number): CrossCheck {
  const relation = MOBILE_TABLES[table].direction === "out" ? "mobile_out" : "mobile_in";
  const q = memberListQuerySchema.parse({ committee: String(ctx.org.id), relation, standing: "active" });
  const expected = listMembers(ctx.db, ctx.actor, q, ctx.today, { pageSize: 1 }).total;
  return {
    label: `总数 = 党员名册中组织关系状态为“${RELATION_STATUS.label[relation]}”的在册党员人数`,
    expected,
    actual,
    ok: expected === actual,
    link: `/members?committee=${ctx.org.id}&relation=${relation}&standing=active`,
  };
}

export const table33: TableModule = { def: MOBILE_DEFS.table33, rowKind: "member", compute: (ctx) => compute("table33", ctx) };
export const table34: TableModule = { def: MOBILE_DEFS.table34, rowKind: "member", compute: (ctx) => compute("table34", ctx) };

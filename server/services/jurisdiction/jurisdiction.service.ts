// The installation's jurisdiction: installing it (the regions from GB/T 2260 and the root
// organization), reading it, and refusing to change it once the database holds data. Everything that
// names the place (workbook titles, the reports' 填报单位, the breakdowns by division) reads it here.

import { eq, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { jurisdiction, organizations, regions } from "../../../db/schema.js";
import { DIVISION_SOURCE, type Division, type DivisionLevel, descendantsOf, division } from "../../domain/divisions.js";
import {
  type JurisdictionLevel,
  breakdownLevels,
  isJurisdictionLevel,
  isPlaceholderDivision,
  rootOrgCode,
  rootOrgName,
  rootOrgShortName,
} from "../../domain/jurisdiction.js";
import { AppError } from "../../errors.js";

export type Jurisdiction = {
  regionCode: string;
  level: JurisdictionLevel;
  /** 鞍山市 */
  name: string;
  rootOrg: { id: number; code: string; name: string };
  /** The divisions figures are broken down by (domain/jurisdiction.ts). */
  breakdowns: readonly ("city" | "county" | "town")[];
};

export type JurisdictionChoice = { regionCode: string; rootName?: string | null; rootCode?: string | null; rootShortName?: string | null };

export type InstallResult = {
  status: "installed" | "unchanged";
  jurisdiction: Jurisdiction;
  /** Regions added below the jurisdiction by this run, by level. */
  added: Partial<Record<DivisionLevel, number>>;
};

/** Why an install was refused; the CLI prints its own English sentence for each. */
export type JurisdictionRefusal = "unknown_region" | "not_a_jurisdiction" | "already_installed" | "holds_data";

/** A refusal: `message` in Chinese for a page, `english` for the command line. */
export class JurisdictionError extends AppError {
  readonly english: string;
  constructor(reason: JurisdictionRefusal, message: string, english: string) {
    super(reason === "unknown_region" || reason === "not_a_jurisdiction" ? 422 : 409, message, { code: reason });
    this.english = english;
  }
}

const refuse = (reason: JurisdictionRefusal, message: string, english: string) => new JurisdictionError(reason, message, english);

export function readJurisdiction(db: Db): Jurisdiction | null {
  const row = db
    .select({
      regionCode: jurisdiction.regionCode,
      level: jurisdiction.level,
      name: regions.name,
      rootId: organizations.id,
      rootCode: organizations.code,
      rootName: organizations.name,
    })
    .from(jurisdiction)
    .innerJoin(regions, eq(regions.code, jurisdiction.regionCode))
    .innerJoin(organizations, eq(organizations.id, jurisdiction.rootOrgId))
    .get();
  if (!row) return null;
  return {
    regionCode: row.regionCode,
    level: row.level,
    name: row.name,
    rootOrg: { id: row.rootId, code: row.rootCode, name: row.rootName },
    breakdowns: breakdownLevels(row.level),
  };
}

/** Validates a region code as a jurisdiction: a province, city or county of the standard. */
function jurisdictionDivision(code: string): Division {
  const d = /^\d{6}$/.test(code) ? division(code) : undefined;
  if (!d)
    throw refuse(
      "unknown_region",
      `行政区划代码 ${code} 不在 GB/T 2260 中`,
      `${code} is not a division code of GB/T 2260 (6 digits, e.g. 210300 for Anshan, 370000 for Shandong)`,
    );
  if (!isJurisdictionLevel(d.level) || isPlaceholderDivision(d))
    throw refuse(
      "not_a_jurisdiction",
      `${d.name}（${code}）不能作为辖区：请选择省、市或县（区）`,
      `${code} (${d.name}) cannot be a jurisdiction: choose a province, a city or a county`,
    );
  return d;
}

/** The regions an installation keeps: the jurisdiction, the divisions above it, everything below. */
function regionsFor(d: Division): Division[] {
  const above: Division[] = [];
  for (let p = d.parentCode ? division(d.parentCode) : undefined; p; p = p.parentCode ? division(p.parentCode) : undefined)
    above.unshift(p);
  const below = descendantsOf(d.code, "town");
  const hasChildren = new Set(below.map((x) => x.parentCode));
  return [...above, d, ...below.filter((x) => !isPlaceholderDivision(x) || hasChildren.has(x.code))];
}

/** Inserts the regions missing from the table; returns how many were added per level. */
function syncRegions(db: Db, d: Division): InstallResult["added"] {
  const added: InstallResult["added"] = {};
  const rows = regionsFor(d);
  const kept = new Set(rows.map((r) => r.code));
  const values = rows.map((r) => ({
    code: r.code,
    name: r.name,
    level: r.level,
    parentCode: r.parentCode && kept.has(r.parentCode) ? r.parentCode : null,
  }));
  // Parents come first in `rows`, so each batch's parents are in the table already.
  for (let i = 0; i < values.length; i += 500) {
    const inserted = db
      .insert(regions)
      .values(values.slice(i, i + 500))
      .onConflictDoNothing()
      .returning({ code: regions.code, level: regions.level })
      .all();
    for (const r of inserted)
      if (r.code !== d.code && r.code.startsWith(d.code.slice(0, d.level === "province" ? 2 : d.level === "city" ? 4 : 6)))
        added[r.level] = (added[r.level] ?? 0) + 1;
  }
  return added;
}

/** Whether the database holds anything beyond the reference data, the root and the first admin. */
function holdsData(db: Db): boolean {
  const n = db.get<{ n: number }>(sql`SELECT
      (SELECT count(*) FROM organizations WHERE parent_id IS NOT NULL)
    + (SELECT count(*) FROM enterprises) + (SELECT count(*) FROM members) + (SELECT count(*) FROM workers) AS n`);
  return (n?.n ?? 0) > 0;
}

/**
 * Installs the jurisdiction: the regions from GB/T 2260 (the jurisdiction, the divisions above it,
 * and below it every city, county, street and township), the root organization named after it, and
 * the jurisdiction row. The same code again is a no-op (regions a newer division list added are
 * added); another code is refused once the database holds data, and otherwise replaces the empty
 * installation's jurisdiction and root.
 */
export function installJurisdiction(db: Db, choice: JurisdictionChoice): InstallResult {
  const d = jurisdictionDivision(choice.regionCode.trim());
  const rootName = choice.rootName?.trim() || rootOrgName(d);
  return db.transaction((tx) => {
    const current = readJurisdiction(tx);
    if (current?.regionCode === d.code) {
      const added = syncRegions(tx, d);
      tx.update(jurisdiction).set({ divisionSource: DIVISION_SOURCE }).run();
      if (choice.rootName?.trim() && choice.rootName.trim() !== current.rootOrg.name)
        throw refuse(
          "already_installed",
          `辖区已是${current.name}，根组织为${current.rootOrg.name}；根组织请在组织管理中改名`,
          `the jurisdiction is already ${current.regionCode} (${current.name}) with the root organization ${current.rootOrg.name}: rename it on the organizations page instead`,
        );
      return { status: "unchanged", jurisdiction: current, added };
    }
    if (holdsData(tx))
      throw refuse(
        "holds_data",
        `本数据库${current ? `的辖区为${current.name}（${current.regionCode}），且` : ""}已有组织、企业或党员数据，不能改为${d.name}（${d.code}）；请使用新的数据库`,
        `this database ${current ? `serves ${current.regionCode} (${current.name}) and ` : ""}already holds organizations, enterprises or members: its jurisdiction cannot be changed to ${d.code} (${d.name}); use a new database (DATABASE_PATH)`,
      );
    const added = syncRegions(tx, d);
    const root = tx.select().from(organizations).where(sql`parent_id IS NULL`).orderBy(organizations.id).get();
    const values = {
      code: choice.rootCode ?? rootOrgCode(d),
      name: rootName,
      shortName: choice.rootShortName ?? rootOrgShortName(d),
      kind: "city_department" as const,
      regionCode: d.code,
    };
    let rootId: number;
    if (root) {
      // An empty installation of another place: its root is renamed and moved, not deleted (accounts hang from it).
      tx.update(organizations).set(values).where(eq(organizations.id, root.id)).run();
      rootId = root.id;
    } else {
      rootId = tx
        .insert(organizations)
        .values({ ...values, path: "/", depth: 0 })
        .returning({ id: organizations.id })
        .get().id;
      tx.update(organizations)
        .set({ path: `/${rootId}/` })
        .where(eq(organizations.id, rootId))
        .run();
    }
    tx.insert(jurisdiction)
      .values({ id: 1, regionCode: d.code, level: d.level as JurisdictionLevel, rootOrgId: rootId, divisionSource: DIVISION_SOURCE })
      .onConflictDoUpdate({
        target: jurisdiction.id,
        set: { regionCode: d.code, level: d.level as JurisdictionLevel, rootOrgId: rootId, divisionSource: DIVISION_SOURCE },
      })
      .run();
    if (current) removeRegionsOutside(tx, d);
    forgetRegionMaps();
    return { status: "installed", jurisdiction: readJurisdiction(tx)!, added };
  });
}

/** After replacing an empty installation's jurisdiction: the old place's regions nothing refers to. */
function removeRegionsOutside(db: Db, d: Division): void {
  const keep = new Set(regionsFor(d).map((r) => r.code));
  const all = db.all<{ code: string; level: string }>(sql`SELECT code, level FROM regions`);
  for (const level of ["town", "county", "city", "province"])
    for (const r of all)
      if (r.level === level && !keep.has(r.code))
        db.run(sql`DELETE FROM regions WHERE code = ${r.code} AND NOT EXISTS (SELECT 1 FROM organizations WHERE region_code = ${r.code})
          AND NOT EXISTS (SELECT 1 FROM regions c WHERE c.parent_code = ${r.code})`);
}

/**
 * At every start: the regions a newer division list adds below the installed jurisdiction (after a
 * package update), once per list version.
 */
export function refreshRegions(db: Db): void {
  const row = db.select().from(jurisdiction).get();
  if (!row || row.divisionSource === DIVISION_SOURCE) return;
  const d = division(row.regionCode);
  db.transaction((tx) => {
    if (d) syncRegions(tx, d);
    tx.update(jurisdiction).set({ divisionSource: DIVISION_SOURCE }).run();
  });
  forgetRegionMaps();
}

export type RegionNode = { code: string; name: string; level: DivisionLevel; parentCode: string | null };

// The regions table changes only at install (and after a package update, at start): kept per
// database object for the breakdowns' folding, all dropped when an install writes.
let regionMaps = new WeakMap<Db, Map<string, RegionNode>>();

function forgetRegionMaps(): void {
  regionMaps = new WeakMap();
}

/** Every region by code (the breakdowns fold a row's region up to the level they group by). */
export function regionMap(db: Db): Map<string, RegionNode> {
  let map = regionMaps.get(db);
  if (!map) {
    map = new Map();
    for (const r of db.select().from(regions).all()) map.set(r.code, r);
    regionMaps.set(db, map);
  }
  return map;
}

/** The region at `level` that `code` lies in (itself when it is at that level); null when it lies above. */
export function regionAtLevel(map: Map<string, RegionNode>, code: string, level: DivisionLevel): RegionNode | null {
  for (let r = map.get(code); r; r = r.parentCode ? map.get(r.parentCode) : undefined) if (r.level === level) return r;
  return null;
}

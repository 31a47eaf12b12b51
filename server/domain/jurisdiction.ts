// The jurisdiction (辖区) an installation serves: a province, a city or a county of GB/T 2260, chosen
// at install. What it decides, once: which divisions may be one, the root organization's name and
// code, and by which divisions the statistics break figures down.

import type { Division, DivisionLevel } from "./divisions.js";

export const JURISDICTION_LEVELS = ["province", "city", "county"] as const;
export type JurisdictionLevel = (typeof JURISDICTION_LEVELS)[number];

export function isJurisdictionLevel(level: DivisionLevel): level is JurisdictionLevel {
  return (JURISDICTION_LEVELS as readonly string[]).includes(level);
}

/**
 * Statistical groupings of the standard that are no place of their own (市辖区, 县, the 直辖县级
 * groups): never a jurisdiction, and left out of the regions when nothing sits below them.
 */
export function isPlaceholderDivision(d: Pick<Division, "name">): boolean {
  return d.name === "市辖区" || d.name === "县" || d.name.endsWith("直辖县级行政区划");
}

/**
 * The Party committee of a division as it is written in an organization's name: 鞍山市 → 鞍山市委,
 * 山东省 → 山东省委; a two-character county keeps its 县 before 县委 (曹县 → 曹县县委), as in 中共曹县县委.
 */
export function partyCommitteeOf(name: string): string {
  if (name.endsWith("自治区")) return `${name}党委`;
  if (name.length === 2 && name.endsWith("县")) return `${name}县委`;
  return `${name}委`;
}

/** 中共鞍山市委社会工作部, 中共山东省委社会工作部, 中共海城市委社会工作部 … */
export function rootOrgName(d: Pick<Division, "name">): string {
  return `中共${partyCommitteeOf(d.name)}社会工作部`;
}

/** 市委社会工作部, 省委社会工作部, 县委社会工作部, 区委社会工作部 (the name a list shows). */
export function rootOrgShortName(d: Pick<Division, "name" | "level">): string {
  if (d.name.endsWith("自治区")) return "自治区党委社会工作部";
  if (d.level === "province" && !d.name.endsWith("市")) return "省委社会工作部";
  return `${d.name.slice(-1)}委社会工作部`;
}

/** The root organization's code: the division code, unique and readable (the demo keeps HZ). */
export function rootOrgCode(d: Pick<Division, "code">): string {
  return d.code;
}

/**
 * The divisions the statistics break figures down by, below the committees: a province by city and
 * by county, a city by county, a county by street and township (乡镇、街道); rows attributed to the
 * jurisdiction itself (or to a county without its town) come after them as …本级.
 */
export function breakdownLevels(level: JurisdictionLevel): readonly ("city" | "county" | "town")[] {
  if (level === "province") return ["city", "county"];
  if (level === "city") return ["county"];
  return ["town"];
}

/** How a breakdown by a level is headed on pages and in workbooks. */
export const BREAKDOWN_TITLE = { city: "按市", county: "按县（区）", town: "按乡镇（街道）" } as const;
export const BREAKDOWN_COLUMN = { city: "市", county: "县（区）", town: "乡镇（街道）" } as const;

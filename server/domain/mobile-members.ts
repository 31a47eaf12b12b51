// Mobile members in the official shape (tables 33 and 34): where a 流出 member went as a GB/T 2260
// division, the kind of unit gone to, and whether the move crosses the province or the city of this
// installation; for 流入, the region the relationship sits in. Pure.

import { cityCodeOf, childrenOf, type Division, division, isDivisionCode, provinceCodeOf } from "./divisions.js";

function labels<const K extends string>(map: Record<K, string>) {
  return { keys: Object.keys(map) as [K, ...K[]], label: map };
}

/** The kind of unit a 流出 member went to (流动党员流向单位类别), the official list; enterprises by ownership. */
export const MOBILE_UNIT_KIND = labels({
  organ: "机关",
  public_institution: "事业单位",
  state_enterprise: "国有企业",
  collective_enterprise: "集体企业",
  private_enterprise: "非公有制企业",
  individual_business: "个体工商户",
  urban_community: "城市社区",
  town_community: "乡镇社区",
  village: "建制村",
  other: "其他",
  unknown_destination: "不掌握流向",
});
export const MOBILE_UNIT_KINDS = MOBILE_UNIT_KIND.keys;
export type MobileUnitKind = (typeof MOBILE_UNIT_KINDS)[number];

export type MobileReach = "cross_province" | "cross_city" | "within_city";
export const MOBILE_REACH_LABEL: Record<MobileReach, string> = {
  cross_province: "跨省（区、市）流动",
  cross_city: "省内跨市（地、州、盟）流动",
  within_city: "市内流动",
};

/** How far a region is from `home` (the region of the member's organization); null when either is not known. */
export function mobileReach(regionCode: string | null | undefined, home: string | null | undefined): MobileReach | null {
  if (!regionCode || !isDivisionCode(regionCode) || !home) return null;
  if (provinceCodeOf(regionCode) !== provinceCodeOf(home)) return "cross_province";
  // A region known only to its province, inside the home province, says nothing about the city
  // (unless the province is a municipality, which is its own city).
  if (division(regionCode)?.level === "province" && cityCodeOf(home) !== provinceCodeOf(home)) return null;
  return cityCodeOf(regionCode) !== cityCodeOf(home) ? "cross_city" : "within_city";
}

// -- Old free text to a division ------------------------------------------------------------------

const LEVEL_DEPTH = { province: 1, city: 2, county: 3, town: 4 } as const;
const SUFFIXES = ["维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "自治州", "地区", "省", "市", "盟"];

let names: { name: string; d: Division }[] | null = null;

/** Provinces, cities and counties by full name, and provinces and cities also by short name (广东, 深圳). */
function nameList() {
  if (names) return names;
  const list: { name: string; d: Division }[] = [];
  const walk = (codes: readonly Division[]) => {
    for (const d of codes) {
      if (d.level === "town") continue;
      list.push({ name: d.name, d });
      if (d.level !== "county") {
        const suffix = SUFFIXES.find((s) => d.name.endsWith(s) && d.name.length - s.length >= 2);
        if (suffix) list.push({ name: d.name.slice(0, -suffix.length), d });
      }
      walk(childrenOf(d.code));
    }
  };
  const provinces: Division[] = [];
  for (let p = 11; p <= 82; p++) {
    const d = division(`${p}0000`);
    if (d) provinces.push(d);
  }
  walk(provinces);
  names = list;
  return list;
}

function ancestorsOf(d: Division): string[] {
  const out: string[] = [];
  let p = d.parentCode ? division(d.parentCode) : undefined;
  while (p) {
    out.push(p.code);
    p = p.parentCode ? division(p.parentCode) : undefined;
  }
  return out;
}

/**
 * The most specific division an old free-text place names (e.g. "广东深圳南山区" → 440305), or null
 * when it names none or is ambiguous (a county name found in two provinces with nothing above it).
 */
export function divisionFromText(text: string | null | undefined): string | null {
  const t = (text ?? "").replace(/\s+/g, "");
  if (t.length < 2) return null;
  const found = new Map<string, Division>();
  for (const { name, d } of nameList()) if (t.includes(name)) found.set(d.code, d);
  if (found.size === 0) return null;
  let best: Division[] = [];
  let bestScore = -1;
  for (const d of found.values()) {
    const anc = ancestorsOf(d);
    // An ancestor named too confirms the match; a division whose named ancestors disagree is not one.
    const score = LEVEL_DEPTH[d.level] + 10 * anc.filter((a) => found.has(a)).length;
    if (score > bestScore) {
      best = [d];
      bestScore = score;
    } else if (score === bestScore) best.push(d);
  }
  if (best.length === 1) return best[0]!.code;
  // Several equally good: keep what they share, when the text named it.
  const shared = ancestorsOf(best[0]!).find((a) => best.every((d) => ancestorsOf(d).includes(a)) && found.has(a));
  return shared ?? null;
}

let choices: string[] | null = null;

/** Full names of every province and city, for the region field's suggestions (a county is typed after them). */
export function regionChoices(): readonly string[] {
  if (choices) return choices;
  const out: string[] = [];
  for (let p = 11; p <= 82; p++) {
    const prov = division(`${p}0000`);
    if (!prov) continue;
    out.push(prov.name);
    for (const c of childrenOf(prov.code)) if (c.level === "city") out.push(`${prov.name}${c.name}`);
  }
  choices = out;
  return out;
}

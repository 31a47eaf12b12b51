// The codes an onboarding file may use for an organization's kind and formation: the national
// standard's kind codes (党组织类别, DOMAIN.md: 611 党委, 621 党总支部, 631 党支部, 632 联合党支部,
// 641 党小组, 9xx the temporary ones) and the labels people type, mapped onto ORG_KINDS. Defined
// once here: the importer reads with it and the template's instruction sheet prints it.

import { ORG_FORMATION, ORG_KIND, type OrgFormation, type OrgKind } from "./codes.js";
import { toHalfWidth } from "./id-number.js";

/** The import kinds that onboard a committee's reference records (IMPORT_KIND in codes.ts has their labels). */
export const ONBOARDING_KINDS = ["organizations", "enterprises", "instructors"] as const;
export type OnboardingKind = (typeof ONBOARDING_KINDS)[number];

export function isOnboardingKind(kind: string): kind is OnboardingKind {
  return (ONBOARDING_KINDS as readonly string[]).includes(kind);
}

/** Rows one onboarding file may hold: a city has hundreds of organizations, a province tens of thousands of enterprises. */
export const ONBOARDING_MAX_ROWS = 50_000;

/** A national kind code and what it becomes here. 611 is a committee: industry or comprehensive, by its name. */
export type NationalOrgKind = { code: string; label: string; kind: OrgKind | "committee"; formation: OrgFormation | null };

export const NATIONAL_ORG_KINDS: readonly NationalOrgKind[] = [
  { code: "611", label: "党委", kind: "committee", formation: null },
  { code: "621", label: "党总支部", kind: "general_branch", formation: null },
  { code: "631", label: "党支部", kind: "branch", formation: "standalone" },
  { code: "632", label: "联合党支部", kind: "branch", formation: "joint" },
  { code: "641", label: "党小组", kind: "group", formation: null },
];

/** Temporary organizations (临时党委 911 …) are coded 9 and the permanent code's last two digits. */
export const TEMPORARY_PREFIX = "9";

/** What a 611 (党委) becomes: a comprehensive committee when its name says so (街道"两新"组织综合党委), else an industry committee. */
export const COMPREHENSIVE_NAME_MARK = "综合党委";

const LABEL_ALIASES: Record<string, { kind: OrgKind | "committee"; formation: OrgFormation | null }> = {
  党委: { kind: "committee", formation: null },
  党的基层委员会: { kind: "committee", formation: null },
  党总支: { kind: "general_branch", formation: null },
  总支部: { kind: "general_branch", formation: null },
  党支部: { kind: "branch", formation: null },
  支部: { kind: "branch", formation: null },
  单独党支部: { kind: "branch", formation: "standalone" },
  联合支部: { kind: "branch", formation: "joint" },
};

export type ParsedOrgKind =
  | { ok: true; kind: OrgKind; formation: OrgFormation | null; note: string | null }
  | { ok: false; reason: string };

/**
 * Reads the kind column: a national code (611, 632, 931 …), a national label (党委, 联合党支部 …) or
 * one of ORG_KIND's labels or keys. `name` decides what a plain 党委 is. A formation implied by the
 * kind (632 is joint) comes back with it; a temporary code comes back with a note.
 */
export function parseOrgKind(raw: string, name: string): ParsedOrgKind {
  const s = toHalfWidth(raw).replace(/\s+/g, "");
  if (s === "") return { ok: false, reason: "组织类别为空" };
  let note: string | null = null;
  let found: { kind: OrgKind | "committee"; formation: OrgFormation | null } | undefined;
  const code = /^\d{3}$/.test(s) ? s : undefined;
  if (code) {
    const permanent = code.startsWith(TEMPORARY_PREFIX) ? `6${code.slice(1)}` : code;
    const national = NATIONAL_ORG_KINDS.find((k) => k.code === permanent);
    if (national && permanent !== code) note = `临时党组织（${code}）按${national.label}（${permanent}）导入`;
    found = national;
  } else {
    const label = s.replace(/^临时/, "");
    if (label !== s) note = `临时党组织按${label}导入`;
    // A plain 党支部 says nothing of its formation (the formation column does); 联合党支部 does.
    found =
      (Object.hasOwn(LABEL_ALIASES, label) ? LABEL_ALIASES[label] : undefined) ??
      NATIONAL_ORG_KINDS.find((k) => k.label === label) ??
      (Object.entries(ORG_KIND.label) as [OrgKind, string][])
        .filter(([k, l]) => l === label || k === label)
        .map(([k]) => ({ kind: k, formation: null }))[0];
  }
  if (!found) {
    return {
      ok: false,
      reason: `组织类别“${raw.trim()}”无法识别，应为 ${NATIONAL_ORG_KINDS.map((k) => `${k.code} ${k.label}`).join("、")}（临时党组织 9xx），或${Object.values(ORG_KIND.label).join("、")}`,
    };
  }
  const kind: OrgKind =
    found.kind === "committee" ? (name.includes(COMPREHENSIVE_NAME_MARK) ? "comprehensive_committee" : "industry_committee") : found.kind;
  return { ok: true, kind, formation: found.formation, note };
}

const FORMATION_ALIASES: Record<string, OrgFormation> = {
  单建: "standalone",
  单独: "standalone",
  单独建立: "standalone",
  联建: "joint",
  联合: "joint",
  联合建立: "joint",
};

/** Reads the formation column: 单独组建 / 联合组建, their short forms, or the keys. Null when empty; undefined when unknown. */
export function parseOrgFormation(raw: string): OrgFormation | null | undefined {
  const s = toHalfWidth(raw).replace(/\s+/g, "");
  if (s === "") return null;
  const byLabel = (Object.entries(ORG_FORMATION.label) as [OrgFormation, string][]).find(([k, l]) => l === s || k === s)?.[0];
  return byLabel ?? (Object.hasOwn(FORMATION_ALIASES, s) ? FORMATION_ALIASES[s] : undefined);
}

const YES = new Set(["是", "Y", "y", "yes", "YES", "1", "√", "✓", "true", "TRUE", "有"]);
const NO = new Set(["否", "N", "n", "no", "NO", "0", "×", "false", "FALSE", "无", ""]);

/** A yes/no column (法定代表人是否党员): true, false, or undefined when it is neither. */
export function parseYesNo(raw: string): boolean | undefined {
  const s = toHalfWidth(raw).trim();
  if (YES.has(s)) return true;
  if (NO.has(s)) return false;
  return undefined;
}

/** Several organization codes in one cell (a joint branch's enterprise names its branch; an enterprise may have more than one). */
export function splitCodes(raw: string): string[] {
  return toHalfWidth(raw)
    .split(/[,，;；、\s]+/)
    .map((s) => s.trim())
    .filter((s) => s !== "");
}

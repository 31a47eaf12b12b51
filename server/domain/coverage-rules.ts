// The "two coverages" (两个覆盖) rules, as pure functions. The statistics service applies the same
// rules in SQL (server/services/coverage/sql.ts); tests hold the two to the same hand-written answers.

/** Highest level of an enterprise's own (standalone) organization: table 27 rows 3–5. */
export type OwnOrgLevel = "committee" | "general_branch" | "branch";

/** How an enterprise is covered, in precedence order: its own organization wins over a joint branch. */
export type CoverageClass = "standalone" | "joint" | "work" | "uncovered";

export const COVERAGE_CLASS_LABEL: Record<CoverageClass, string> = {
  standalone: "单独建立党组织",
  joint: "联合党支部覆盖",
  work: "仅工作覆盖",
  uncovered: "未覆盖",
};

export type EnterpriseCoverageFacts = {
  /** The highest level among active standalone organizations covering it, or null. */
  ownOrgLevel: OwnOrgLevel | null;
  /** Covered by at least one active joint branch (联合党支部). */
  inJointBranch: boolean;
  /** An instructor or liaison is assigned to it (assignment not ended). */
  hasInstructor: boolean;
  /** Full members (正式党员) working there; probationary members do not count. */
  fullMembers: number;
  /** All members (full and probationary) working there. */
  members: number;
};

export function classifyEnterprise(f: EnterpriseCoverageFacts): CoverageClass {
  if (f.ownOrgLevel !== null) return "standalone";
  if (f.inJointBranch) return "joint";
  if (f.hasInstructor) return "work";
  return "uncovered";
}

/** Organization coverage (党的组织覆盖): own organization or a joint branch. */
export function hasOrgCoverage(c: CoverageClass): boolean {
  return c === "standalone" || c === "joint";
}

/** Work coverage (党的工作覆盖) in the rate's sense: organization coverage or Party work (instructor). */
export function hasWorkCoverage(c: CoverageClass): boolean {
  return c !== "uncovered";
}

/** Party Constitution: a basic organization is formed where there are three or more full members. */
export const FULL_MEMBERS_TO_FORM = 3;

/**
 * 应建未建: three or more full members and no standalone organization (a joint branch does not
 * count: such an enterprise should form its own).
 */
export function shouldFormButHasNot(f: Pick<EnterpriseCoverageFacts, "ownOrgLevel" | "fullMembers">): boolean {
  return f.ownOrgLevel === null && f.fullMembers >= FULL_MEMBERS_TO_FORM;
}

/**
 * Table 27 rows 8–10 split the enterprises without any organization coverage into three parts
 * that add up: should form one (3+ full members) / only a few members (at least one member, fewer
 * than three full) / no members.
 */
export type NoOrgSubclass = "should_form" | "few_members" | "no_members";

export function noOrgSubclass(f: Pick<EnterpriseCoverageFacts, "fullMembers" | "members">): NoOrgSubclass {
  if (f.fullMembers >= FULL_MEMBERS_TO_FORM) return "should_form";
  if (f.members > 0) return "few_members";
  return "no_members";
}

/** A rate from counts; null when the denominator is zero (shown as "—"). Never stored. */
export function rate(numerator: number, denominator: number): number | null {
  if (!Number.isFinite(denominator) || denominator <= 0) return null;
  return numerator / denominator;
}

/** "66.7%" or "—" for a null rate. One decimal place. */
export function formatRate(r: number | null): string {
  if (r === null || !Number.isFinite(r)) return "—";
  return `${(Math.round(r * 1000) / 10).toFixed(1)}%`;
}

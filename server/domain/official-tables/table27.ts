// 党内统计 table 27 (非公有制经济控制企业法人单位建立党的基层组织情况) in its official orientation:
// rows 1–17 (DOMAIN.md) × the five columns. One definition for the page, the workbooks and the tests.
// Which enterprise a row counts is the coverage rules' answer (coverage/figures.ts: one flag each);
// this file adds only what table 27 alone has: the column tests and the size thresholds.

import { FULL_MEMBERS_TO_FORM } from "../coverage-rules.js";

export const TABLE27_ID = "table27";
export const TABLE27_TITLE = "非公有制经济控制企业法人单位建立党的基层组织情况";

/** The size columns: enterprises with at least this many people employed (从业人员…人以上, 以上 includes the number). */
export const WORKERS_AT_LEAST_50 = 50;
export const WORKERS_AT_LEAST_100 = 100;

/** What 在岗职工 (rows 12, 14, 16) adds up: the enterprise's 从业人员数. */
export const WORKERS_SUM_OF = "从业人员数";

/**
 * An enterprise's worker count as 在岗职工 adds it up, or null when it is not recorded: the enterprise
 * form and the import store a blank as 0, and a 法人单位 with nobody at work is not a figure a clerk
 * would report, so 0 reads as "not recorded" (the cell says how many such enterprises it left out).
 */
export function recordedWorkers(workerCount: number | null | undefined): number | null {
  return workerCount != null && workerCount > 0 ? workerCount : null;
}

/** What a column tests of an enterprise. */
export type Table27Enterprise = { workerCount: number; legalRepIsMember: boolean; legalRepIsSecretary: boolean };

export const TABLE27_COLUMNS = [
  { key: "all", label: "总数", test: (_e: Table27Enterprise) => true },
  {
    key: "workers50",
    label: `从业人员${WORKERS_AT_LEAST_50}人以上企业`,
    test: (e: Table27Enterprise) => e.workerCount >= WORKERS_AT_LEAST_50,
  },
  {
    key: "workers100",
    label: `从业人员${WORKERS_AT_LEAST_100}人以上企业`,
    test: (e: Table27Enterprise) => e.workerCount >= WORKERS_AT_LEAST_100,
  },
  { key: "repMember", label: "法定代表人是党员的", test: (e: Table27Enterprise) => e.legalRepIsMember },
  { key: "repSecretary", label: "兼任企业党组织书记的", test: (e: Table27Enterprise) => e.legalRepIsSecretary },
] as const;
export type Table27ColumnKey = (typeof TABLE27_COLUMNS)[number]["key"];

/**
 * What a row's cell counts: enterprises (the coverage figure named by `figure`), the joint branches
 * covering them, the instructors contacting them, the people employed there (a sum of the
 * enterprises' worker counts: its list is the enterprises) or the members working there.
 */
export type Table27Measure =
  | { kind: "enterprises" }
  | { kind: "jointBranches" }
  | { kind: "instructors" }
  | { kind: "workers" }
  | { kind: "members" };

/**
 * The enterprises a row reads: a figure key of the coverage statistics (coverage/figures.ts),
 * "all" for every enterprise in scope.
 */
export type Table27Base =
  | "all"
  | "instructorContacted"
  | "standaloneCommittee"
  | "standaloneGeneralBranch"
  | "standaloneBranch"
  | "joint"
  | "joint3Plus"
  | "noOrgShouldForm"
  | "noOrgFewMembers"
  | "noOrgNoMembers"
  | "orgCoverage"
  | "workOnly";

export type Table27Row = {
  no: number;
  group: string | null;
  label: string;
  indent: number;
  base: Table27Base;
  measure: Table27Measure["kind"];
};

const E = "enterprises" as const;

export const TABLE27_ROWS: readonly Table27Row[] = [
  { no: 1, group: null, label: "单位数", indent: 0, base: "all", measure: E },
  { no: 2, group: null, label: "党建工作指导员联系的", indent: 1, base: "instructorContacted", measure: E },
  { no: 3, group: "已单独建立党组织的", label: "建立党委的", indent: 1, base: "standaloneCommittee", measure: E },
  { no: 4, group: "已单独建立党组织的", label: "建立总支部的", indent: 1, base: "standaloneGeneralBranch", measure: E },
  { no: 5, group: "已单独建立党组织的", label: "建立支部的", indent: 1, base: "standaloneBranch", measure: E },
  { no: 6, group: "已建立联合党支部的", label: `具有${FULL_MEMBERS_TO_FORM}名以上党员的`, indent: 1, base: "joint3Plus", measure: E },
  { no: 7, group: "已建立联合党支部的", label: "联合党支部数", indent: 1, base: "joint", measure: "jointBranches" },
  { no: 8, group: "未建立党组织的", label: "应建尚未建立党组织的", indent: 1, base: "noOrgShouldForm", measure: E },
  { no: 9, group: "未建立党组织的", label: "仅有个别党员的", indent: 1, base: "noOrgFewMembers", measure: E },
  { no: 10, group: "未建立党组织的", label: "没有党员的", indent: 1, base: "noOrgNoMembers", measure: E },
  { no: 11, group: "补充情况", label: "党建工作指导员（人）", indent: 1, base: "instructorContacted", measure: "instructors" },
  { no: 12, group: "补充情况", label: "在岗职工（人）", indent: 1, base: "all", measure: "workers" },
  { no: 13, group: "补充情况", label: "其中：党员", indent: 2, base: "all", measure: "members" },
  { no: 14, group: "补充情况", label: "已建立党组织的企业在岗职工", indent: 1, base: "orgCoverage", measure: "workers" },
  { no: 15, group: "补充情况", label: "其中：党员", indent: 2, base: "orgCoverage", measure: "members" },
  { no: 16, group: "补充情况", label: "未建立党组织、已派出党建指导员的企业在岗职工", indent: 1, base: "workOnly", measure: "workers" },
  { no: 17, group: "补充情况", label: "其中：党员", indent: 2, base: "workOnly", measure: "members" },
];

/** A cell's key: "r<no>_<column>", e.g. "r8_workers50". */
export function table27CellKey(no: number, column: Table27ColumnKey): string {
  return `r${no}_${column}`;
}

export function parseTable27CellKey(key: string): { row: Table27Row; column: Table27ColumnKey } | null {
  const m = /^r(\d{1,2})_([a-zA-Z0-9]+)$/.exec(key);
  if (!m) return null;
  const row = TABLE27_ROWS.find((r) => r.no === Number(m[1]));
  const column = TABLE27_COLUMNS.find((c) => c.key === m[2]);
  return row && column ? { row, column: column.key } : null;
}

/** What each kind of cell counts, in plain Chinese (the page's and the workbook's notes). */
export const TABLE27_NOTES: readonly string[] = [
  `“从业人员${WORKERS_AT_LEAST_50}人以上”“${WORKERS_AT_LEAST_100}人以上”按企业登记的从业人员数计（含本数）。`,
  "“法定代表人是党员的”“兼任企业党组织书记的”按企业信息中的两项标记计（批量导入企业时填写；未填写的按“否”计）。",
  `第6行“具有${FULL_MEMBERS_TO_FORM}名以上党员的”按正式党员计（预备党员不计），与“应建未建”同一口径。`,
  "第7行为覆盖该列“已建立联合党支部的”企业（自身未单独建立党组织）的联合党支部个数（覆盖多家企业的只计一次），点击数字列出这些联合党支部及其覆盖的企业；第11行为联系该列企业的党建工作指导员（含联络员）人数，每人计一次，点击数字列出指导员及其联系的企业。",
  "第12、14、16行在岗职工为相应企业登记的从业人员数之和，点击数字列出这些企业及各自计入的人数（名单合计即表中数字）；从业人员数为空或为0的企业视为未登记，不计入合计，表下和名单中注明未登记的企业家数，请补登后重新生成；第13、15、17行党员为在该企业工作的党员人数。",
  "第14行“已建立党组织的企业”含单独建立党组织和由联合党支部覆盖的企业；第16行为未建立党组织、有党建工作指导员联系的企业。",
];

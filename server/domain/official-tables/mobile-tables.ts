// Tables 33 and 34 (流出党员情况, 流入党员情况): their rows, columns and headers, and the pure count of
// one fact per mobile spell into cells. One definition for the page, the workbook and the tests; the
// facts come from services/tables/mobile.ts. Unit kinds, reaches and occupations are the existing
// lists (mobile-members.ts, codes.ts), never spelt again here.

import { OCCUPATION, OCCUPATIONS, type Occupation } from "../codes.js";
import { MOBILE_UNIT_KIND, MOBILE_UNIT_KINDS, type MobileReach, type MobileUnitKind } from "../mobile-members.js";

export type MobileTableId = "table33" | "table34";
export type MobileDirection = "out" | "in";

export const MOBILE_TABLES: Record<MobileTableId, { direction: MobileDirection; title: string; definition: string }> = {
  table33: {
    direction: "out",
    title: "流出党员情况",
    definition:
      "统计期末（所选期间的最后一天；当前期间为今天）仍在流出登记中的党员：组织关系在本组织及下级党组织、外出日期不晚于期末、流出登记在期末尚未结束（返回、转出或离开党组织）。跨省、省内跨市按流向地区与党员所在党组织的地区比较；不掌握流向的只计入总数和“不掌握流向”栏。原职业按党员登记的职业。",
  },
  table34: {
    direction: "in",
    title: "流入党员情况",
    definition:
      "统计期末（所选期间的最后一天；当前期间为今天）仍在流入登记中的党员：由本组织及下级党组织接收管理、流入日期不晚于期末、流入登记在期末尚未结束。跨省、省内跨市按组织关系所在地区与接收党组织的地区比较。接收流入党员的党组织数为期末管理这些党员的党组织个数。原职业按党员登记的职业。",
  },
};

/** One mobile spell open at the as-of date, with what the table reads of it and of its member. */
export type MobileFact = {
  memberId: number;
  /** The organization holding the spell: the home branch of a 流出, the receiving one of a 流入. */
  orgId: number;
  occupation: Occupation | null;
  /** "none": 不掌握流向 (no destination, so no reach); null: the regions do not tell. */
  reach: MobileReach | "none" | null;
  unitKind: MobileUnitKind | null;
  certificateHeld: boolean | null;
};

// -- Rows and columns -----------------------------------------------------------------------------

export const OCCUPATION_UNRECORDED = "occupation_unrecorded";
export type MobileRowId = "total" | Occupation | typeof OCCUPATION_UNRECORDED;
export type MobileRowDef = { id: MobileRowId; no: number; label: string; indent: number };

export const MOBILE_ROWS: readonly MobileRowDef[] = [
  { id: "total", no: 1, label: "总计", indent: 0 },
  ...OCCUPATIONS.map((o, i) => ({ id: o, no: i + 2, label: OCCUPATION.label[o], indent: 1 })),
  // Not an official row: members whose occupation is not recorded, so that the rows add up to the total.
  { id: OCCUPATION_UNRECORDED, no: OCCUPATIONS.length + 2, label: "原职业未登记", indent: 1 },
];

export type MobileColumnId =
  | "total"
  | "cross_province"
  | "cross_city"
  | "certificate"
  | `unit_${MobileUnitKind}`
  | "orgs"
  // Lists behind the cross-checks, not columns of the official table.
  | "within_city"
  | "missing_reach"
  | "missing_certificate"
  | "missing_unit_kind";
export type MobileColumnDef = { id: MobileColumnId; label: string };

const ENTERPRISE_KINDS: readonly MobileUnitKind[] = ["state_enterprise", "collective_enterprise", "private_enterprise"];
const unitColumns: MobileColumnDef[] = MOBILE_UNIT_KINDS.map((k) => ({ id: `unit_${k}` as const, label: MOBILE_UNIT_KIND.label[k] }));

export const MOBILE_COLUMNS: Record<MobileTableId, readonly MobileColumnDef[]> = {
  table33: [
    { id: "total", label: "流出党员总数" },
    { id: "cross_province", label: "跨省（区、市）流出" },
    { id: "cross_city", label: "省内跨市（地、州、盟）流出" },
    { id: "certificate", label: "持《流动党员活动证》" },
    ...unitColumns,
  ],
  table34: [
    { id: "total", label: "流入党员总数" },
    { id: "cross_province", label: "跨省（区、市）流入" },
    { id: "cross_city", label: "省内跨市（地、州、盟）流入" },
    { id: "certificate", label: "持《流动党员活动证》" },
    { id: "orgs", label: "接收流入党员的党组织数" },
  ],
};

/** Lists besides the table's cells, of the total row (the cross-checks link to them). */
export const MOBILE_EXTRA_COLUMNS: Record<MobileTableId, readonly MobileColumnId[]> = {
  table33: ["within_city", "missing_reach", "missing_certificate", "missing_unit_kind"],
  table34: ["within_city", "missing_reach", "missing_certificate"],
};

/** A header cell as an HTML table has it: the workbook merges the same spans. */
export type HeaderCell = { label: string; rowSpan?: number; colSpan?: number };

/** The official header: the row label and row number columns, then the columns, grouped (其中, 流向单位类别 → 企业). */
export function mobileHeader(table: MobileTableId): HeaderCell[][] {
  const cols = MOBILE_COLUMNS[table];
  if (table === "table34") {
    return [
      [
        { label: "项目", rowSpan: 2 },
        { label: "序号", rowSpan: 2 },
        { label: cols[0]!.label, rowSpan: 2 },
        { label: "其中", colSpan: 3 },
        { label: cols[4]!.label, rowSpan: 2 },
      ],
      cols.slice(1, 4).map((c) => ({ label: c.label })),
    ];
  }
  const units = MOBILE_UNIT_KINDS.map((k) => (ENTERPRISE_KINDS.includes(k) ? null : { label: MOBILE_UNIT_KIND.label[k], rowSpan: 2 }));
  const firstEnterprise = units.findIndex((u) => u == null);
  const row2: HeaderCell[] = cols.slice(1, 4).map((c) => ({ label: c.label, rowSpan: 2 }));
  units.forEach((u, i) => {
    if (u) row2.push(u);
    else if (i === firstEnterprise) row2.push({ label: "企业", colSpan: ENTERPRISE_KINDS.length });
  });
  return [
    [
      { label: "项目", rowSpan: 3 },
      { label: "序号", rowSpan: 3 },
      { label: cols[0]!.label, rowSpan: 3 },
      { label: "其中", colSpan: 3 },
      { label: "流向单位类别", colSpan: MOBILE_UNIT_KINDS.length },
    ],
    row2,
    ENTERPRISE_KINDS.map((k) => ({ label: MOBILE_UNIT_KIND.label[k] })),
  ];
}

/**
 * The tables' definitions in the shape of the official tables' registry (table.ts's TableDef): number,
 * title, header, column labels, and the notes printed under the table (口径说明).
 */
export const MOBILE_DEFS: Record<
  MobileTableId,
  { id: MobileTableId; number: string; title: string; header: HeaderCell[][]; columns: string[]; notes: string[] }
> = {
  table33: def("table33", "党内统计表33"),
  table34: def("table34", "党内统计表34"),
};

function def(id: MobileTableId, number: string) {
  const t = MOBILE_TABLES[id];
  return {
    id,
    number,
    title: t.title,
    header: mobileHeader(id),
    columns: MOBILE_COLUMNS[id].map((c) => c.label),
    notes: [
      t.definition,
      "某项所需的记录不全时（流向地区、流向单位类别、是否持证未登记），该行该项以“—”表示并说明原因，不以 0 代替；“原职业未登记”一行为本系统所加，使各行之和等于总计。",
      "市内流动的党员计入总数，本表不单列（见核对一栏）。",
    ],
  };
}

// -- Counting -------------------------------------------------------------------------------------

/** A cell's key, short enough for the rows page's query (`r2_unit_village`: row 2, column unit_village). */
export function cellKey(row: MobileRowId, col: MobileColumnId): string {
  return `r${MOBILE_ROWS.find((r) => r.id === row)!.no}_${col}`;
}

/** The lists a table has: every cell's, and the extra ones its cross-checks link to. */
export function mobileListKeys(table: MobileTableId): { row: MobileRowId; col: MobileColumnId; key: string }[] {
  const cols = (row: MobileRowId) => [...MOBILE_COLUMNS[table].map((c) => c.id), ...(row === "total" ? MOBILE_EXTRA_COLUMNS[table] : [])];
  return MOBILE_ROWS.flatMap((r) => cols(r.id).map((col) => ({ row: r.id, col, key: cellKey(r.id, col) })));
}

function inRow(f: MobileFact, row: MobileRowId): boolean {
  if (row === "total") return true;
  if (row === OCCUPATION_UNRECORDED) return f.occupation == null;
  return f.occupation === row;
}

/** Whether a fact belongs to a column's list (orgs: the fact's organization is one of the list). */
function inColumn(f: MobileFact, col: MobileColumnId): boolean {
  switch (col) {
    case "total":
    case "orgs":
      return true;
    case "cross_province":
    case "cross_city":
    case "within_city":
      return f.reach === col;
    case "certificate":
      return f.certificateHeld === true;
    case "missing_reach":
      return f.reach == null;
    case "missing_certificate":
      return f.certificateHeld == null;
    case "missing_unit_kind":
      return f.unitKind == null;
    default:
      return f.unitKind === col.slice("unit_".length);
  }
}

/** The column's input that, missing on a fact, leaves the column's count unknown for the row. */
function missingFor(col: MobileColumnId): MobileColumnId | null {
  if (col === "cross_province" || col === "cross_city" || col === "within_city") return "missing_reach";
  if (col === "certificate") return "missing_certificate";
  if (col.startsWith("unit_")) return "missing_unit_kind";
  return null;
}

const WHO: Record<MobileDirection, string> = { out: "流出党员", in: "流入党员" };
const MISSING_REASON: Record<MobileDirection, Partial<Record<MobileColumnId, string>>> = {
  out: {
    missing_reach: "的流向地区未登记到市（或所在党组织的地区未登记），不能区分跨省、省内跨市",
    missing_certificate: "未登记是否持有《流动党员活动证》",
    missing_unit_kind: "未登记流向单位类别",
  },
  in: {
    missing_reach: "的组织关系所在地区未登记到市（或接收党组织的地区未登记），不能区分跨省、省内跨市",
    missing_certificate: "未登记是否持有《流动党员活动证》",
  },
};

/** Member ids (orgs: organization ids) behind a cell or an extra list, sorted. */
export function mobileCellIds(facts: readonly MobileFact[], row: MobileRowId, col: MobileColumnId): number[] {
  const hit = facts.filter((f) => inRow(f, row) && inColumn(f, col));
  const ids = col === "orgs" ? hit.map((f) => f.orgId) : hit.map((f) => f.memberId);
  return [...new Set(ids)].sort((a, b) => a - b);
}

export type MobileCell = { key: string; value: number | null; reason: string | null };

/**
 * One cell: its count, or null with the reason when a fact of its row lacks the input it needs
 * (a count that would silently leave them out is not the table's figure).
 */
export function mobileCell(table: MobileTableId, facts: readonly MobileFact[], row: MobileRowId, col: MobileColumnId): MobileCell {
  const key = cellKey(row, col);
  const missing = missingFor(col);
  if (missing) {
    const n = mobileCellIds(facts, row, missing).length;
    if (n > 0)
      return {
        key,
        value: null,
        reason: `${n}名${WHO[MOBILE_TABLES[table].direction]}${MISSING_REASON[MOBILE_TABLES[table].direction][missing]}`,
      };
  }
  return { key, value: mobileCellIds(facts, row, col).length, reason: null };
}

export type MobileCheck = { label: string; expected: number; actual: number; ok: boolean; key: string };

/**
 * The cross-checks over the facts: the rows add up to the total; the reaches (with 市内 and 不掌握流向,
 * which the table does not list) and the unit kinds add up to it; every certificate is recorded. Each
 * names the list that explains it (`key`, a list of the total row).
 */
export function mobileChecks(table: MobileTableId, facts: readonly MobileFact[]): MobileCheck[] {
  const direction = MOBILE_TABLES[table].direction;
  const count = (row: MobileRowId, col: MobileColumnId) => mobileCellIds(facts, row, col).length;
  const total = count("total", "total");
  const check = (label: string, actual: number, key: string): MobileCheck => ({
    label,
    expected: total,
    actual,
    ok: actual === total,
    key,
  });
  const occupationSum = MOBILE_ROWS.filter((r) => r.id !== "total").reduce((s, r) => s + count(r.id, "total"), 0);
  const checks = [check("各原职业行（含原职业未登记）之和 = 总计", occupationSum, cellKey(OCCUPATION_UNRECORDED, "total"))];
  const within = count("total", "within_city");
  const reachSum =
    count("total", "cross_province") + count("total", "cross_city") + within + facts.filter((f) => f.reach === "none").length;
  const reachLabel = `跨省 + 省内跨市 + 市内流动（${within}人，本表不单列）${direction === "out" ? " + 不掌握流向" : ""} = 总数`;
  // When the reaches add up, the list worth opening is the part the table does not show (市内).
  checks.push(check(reachLabel, reachSum, cellKey("total", reachSum === total ? "within_city" : "missing_reach")));
  if (direction === "out") {
    const unitSum = MOBILE_UNIT_KINDS.reduce((s, k) => s + count("total", `unit_${k}`), 0);
    checks.push(check("流向单位类别各栏之和 = 总数", unitSum, cellKey("total", "missing_unit_kind")));
  }
  checks.push(check("已登记是否持证的人数 = 总数", total - count("total", "missing_certificate"), cellKey("total", "missing_certificate")));
  return checks;
}

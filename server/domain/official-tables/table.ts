// The shape every official table takes once computed: data, not markup. The page, the workbook, the
// snapshot store and the tests all read this one shape (docs/ARCHITECTURE.md, "Official tables").
//
// A table module defines its rows and columns here (a TableDef) and computes, per cell key, the list
// of records behind it; `buildTable` turns the lists into numbers (`listNumber`), so a cell's number
// is the length of its list — or, for a sum cell (table 27's 在岗职工), the sum of its records'
// `amount` — by construction. A cell that is arithmetic over other cells (应有数, 差额) has no list:
// its key is null and `formula` says how it is made. A cell whose input is not recorded is null with
// the reason, never a made-up 0.

import type { Period } from "./periods.js";

/** What the records behind a cell are: the rows page and the list's workbook pick their columns by it. */
export type RowKind = "member" | "enterprise" | "organization" | "instructor";

/**
 * One record behind a cell: a member, an enterprise, an organization (table 34's receiving ones, table
 * 27's joint branches) or an instructor, with what makes it count (a date, a note). `amount` is what a
 * sum cell adds up for this record, as it stood when computed (null: not recorded); frozen with the list.
 */
export type RowRef = { kind: RowKind; id: number; on?: string | null; note?: string | null; amount?: number | null };

/** A sum cell: what it adds up, and how many of its records do not have that figure recorded. */
export type CellSum = { of: string; missing: number };

/**
 * The number a keyed cell shows for its list: its length, or with `sum` the sum of the records'
 * amounts (a record without one adds nothing and is counted in `missing`). The one spelling of the
 * rule: buildTable, the rows page and the tests all read it.
 */
export function listNumber(list: readonly RowRef[], sum: boolean): { value: number; missing: number } {
  if (!sum) return { value: list.length, missing: 0 };
  let value = 0;
  let missing = 0;
  for (const r of list) {
    if (r.amount == null) missing++;
    else value += r.amount;
  }
  return { value, missing };
}

export type Cell = {
  /** null = not recorded (see `missing`). */
  value: number | null;
  /** The key of the list behind the cell (`/tables/:table/rows?key=`); null for arithmetic and missing cells. */
  key: string | null;
  /** Why the cell is null: which input the records do not hold. */
  missing?: string;
  /** For an arithmetic cell: how it is made ("1+2−9"). */
  formula?: string;
  /** What the list behind the cell holds (when the module says; else the module's rowKind). */
  kind?: RowKind;
  /** A sum cell: the number is the sum of its list's amounts (listNumber), not its length. */
  sum?: CellSum;
};

export type TableRow = { no: string; label: string; indent: number; cells: Cell[] };

/** A header cell spanning `colSpan` columns and `rowSpan` header rows. */
export type HeaderCell = { label: string; colSpan?: number; rowSpan?: number };

export type CrossCheck = {
  label: string;
  expected: number | null;
  actual: number | null;
  ok: boolean;
  /** Where the expected figure can be seen in the app (a list page). */
  link: string | null;
};

export type TableSource = {
  /** live: computed from today's records; snapshot: frozen when the period closed. */
  kind: "live" | "snapshot";
  /** When the figures were computed (ISO timestamp). */
  takenAt: string;
  /** A snapshot frozen after the fact (`npm run snapshot -- --tables-backfill`), from the records as they then stood. */
  reconstructed?: boolean;
  /** Said on the page and in the workbook (e.g. a closed period with no snapshot). */
  note?: string;
};

export type OfficialTable = {
  id: string;
  /** 表号, e.g. "党内统计表1". */
  number: string;
  title: string;
  /** 填报单位: the scope organization's name. */
  unit: string;
  unitCode: string;
  period: { id: string; label: string; start: string; end: string; asOf: string };
  /** Header rows above the data (the first column holds the row label, the second the row number). */
  header: HeaderCell[][];
  /** The column labels under the header, one per cell of a row. */
  columns: string[];
  rows: TableRow[];
  crossChecks: CrossCheck[];
  /** Definitions printed under the table (口径说明). */
  notes: string[];
  source: TableSource;
};

/** A computed table with the list behind every keyed cell (the snapshot store keeps both). */
export type ComputedTable = { table: OfficialTable; lists: Record<string, RowRef[]> };

/**
 * How a module describes a row: its cells are keyed lists (counted, or with `sum` the sum of their
 * records' amounts, `sum` naming what is added up), arithmetic, or not recorded.
 */
export type CellSpec = { list: string; kind?: RowKind; sum?: string } | { formula: string; value: number } | { missing: string };

export type RowSpec = { no: string; label: string; indent?: number; cells: CellSpec[] };

export type TableDef = {
  id: string;
  number: string;
  title: string;
  header: HeaderCell[][];
  columns: string[];
  notes: string[];
};

export type BuildInput = {
  def: TableDef;
  unit: { name: string; code: string };
  period: Period;
  asOf: string;
  rows: RowSpec[];
  lists: Record<string, RowRef[]>;
  crossChecks?: CrossCheck[];
  source: TableSource;
};

/** Turns a module's rows and lists into the table: each keyed cell's value is listNumber of its list. */
export function buildTable(input: BuildInput): ComputedTable {
  const lists: Record<string, RowRef[]> = {};
  const rows: TableRow[] = input.rows.map((r) => ({
    no: r.no,
    label: r.label,
    indent: r.indent ?? 0,
    cells: r.cells.map((c): Cell => {
      if ("list" in c) {
        const list = input.lists[c.list] ?? [];
        lists[c.list] = list;
        const n = listNumber(list, c.sum !== undefined);
        return {
          value: n.value,
          key: c.list,
          ...(c.kind ? { kind: c.kind } : {}),
          ...(c.sum !== undefined ? { sum: { of: c.sum, missing: n.missing } } : {}),
        };
      }
      if ("formula" in c) return { value: c.value, key: null, formula: c.formula };
      return { value: null, key: null, missing: c.missing };
    }),
  }));
  const p = input.period;
  return {
    table: {
      id: input.def.id,
      number: input.def.number,
      title: input.def.title,
      unit: input.unit.name,
      unitCode: input.unit.code,
      period: { id: p.id, label: p.label, start: p.start, end: p.end, asOf: input.asOf },
      header: input.def.header,
      columns: input.def.columns,
      rows,
      crossChecks: input.crossChecks ?? [],
      notes: input.def.notes,
      source: input.source,
    },
    lists,
  };
}

/** The value of the cell behind `key` (for arithmetic over other cells). */
export function listLength(lists: Record<string, RowRef[]>, key: string): number {
  return lists[key]?.length ?? 0;
}

/** How a list's records are counted in words ("共 3 家企业"). */
export const ROW_KIND_UNIT: Record<RowKind, string> = {
  member: "人次",
  enterprise: "家企业",
  organization: "个党组织",
  instructor: "名党建工作指导员",
};

/** What a sum cell's incompleteness reads as, on the page and in the workbook ("其中3家企业未登记从业人员数，未计入"). */
export function sumMissingText(sum: CellSum, kind: RowKind): string {
  return `其中${sum.missing}${ROW_KIND_UNIT[kind]}未登记${sum.of}，未计入`;
}

/** The sum cells that left records out (page and workbook list them under the table), in words. */
export function incompleteCells(t: OfficialTable): string[] {
  const out: string[] = [];
  for (const row of t.rows)
    row.cells.forEach((c, i) => {
      if (c.sum?.missing)
        out.push(`第${row.no}行“${row.label.trim()}”·${t.columns[i] ?? ""}：${sumMissingText(c.sum, c.kind ?? "enterprise")}`);
    });
  return out;
}

/** Every keyed cell of a table, for checks that walk them all. */
export function keyedCells(t: OfficialTable): { row: TableRow; cell: Cell & { key: string; value: number } }[] {
  const out: { row: TableRow; cell: Cell & { key: string; value: number } }[] = [];
  for (const row of t.rows)
    for (const cell of row.cells)
      if (cell.key !== null && cell.value !== null) out.push({ row, cell: cell as Cell & { key: string; value: number } });
  return out;
}

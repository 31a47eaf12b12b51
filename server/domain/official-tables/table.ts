// The shape every official table takes once computed: data, not markup. The page, the workbook, the
// snapshot store and the tests all read this one shape (docs/ARCHITECTURE.md, "Official tables").
//
// A table module defines its rows and columns here (a TableDef) and computes, per cell key, the list
// of records behind it; `buildTable` turns the lists into numbers, so a cell's number is the length of
// its list by construction. A cell that is arithmetic over other cells (应有数, 差额) has no list: its
// key is null and `formula` says how it is made. A cell whose input is not recorded is null with the
// reason, never a made-up 0.

import type { Period } from "./periods.js";

/** One record behind a cell: a member, an enterprise or an organization (table 34's receiving ones), with what makes it count (a date, a note). */
export type RowRef = { kind: "member" | "enterprise" | "organization"; id: number; on?: string | null; note?: string | null };

export type Cell = {
  /** null = not recorded (see `missing`). */
  value: number | null;
  /** The key of the list behind the cell (`/tables/:table/rows?key=`); null for arithmetic and missing cells. */
  key: string | null;
  /** Why the cell is null: which input the records do not hold. */
  missing?: string;
  /** For an arithmetic cell: how it is made ("1+2−9"). */
  formula?: string;
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

/** How a module describes a row: its cells are keyed lists, arithmetic, or not recorded. */
export type CellSpec = { list: string } | { formula: string; value: number } | { missing: string };

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

/** Turns a module's rows and lists into the table: each keyed cell's value is its list's length. */
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
        return { value: list.length, key: c.list };
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

/** Every keyed cell of a table, for checks that walk them all. */
export function keyedCells(t: OfficialTable): { row: TableRow; cell: Cell & { key: string; value: number } }[] {
  const out: { row: TableRow; cell: Cell & { key: string; value: number } }[] = [];
  for (const row of t.rows)
    for (const cell of row.cells)
      if (cell.key !== null && cell.value !== null) out.push({ row, cell: cell as Cell & { key: string; value: number } });
  return out;
}

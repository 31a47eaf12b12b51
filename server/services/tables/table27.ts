// Table 27 computed from the records (table27-facts.ts reads them): each cell is the set of enterprises
// its row and column pick, and its list is that set — or the joint branches, instructors or members
// behind it, or for 在岗职工 the enterprises with their worker counts as the amounts the cell adds up.
// One function (cellRefs) makes every cell's list; the number is always listNumber of it.

import {
  listNumber,
  type RowKind,
  type CellSpec,
  type ComputedTable,
  type RowRef,
  type RowSpec,
  sumMissingText,
  type TableDef,
} from "../../domain/official-tables/table.js";
import {
  recordedWorkers,
  TABLE27_COLUMNS,
  TABLE27_ID,
  TABLE27_NOTES,
  TABLE27_ROWS,
  TABLE27_TITLE,
  type Table27ColumnKey,
  type Table27Row,
  table27CellKey,
  WORKERS_SUM_OF,
} from "../../domain/official-tables/table27.js";
import { type ResolvedScope, resolveScope } from "../coverage/scope.js";
import { buildFor, type TableContext, type TableModule } from "./context.js";
import { cellEnterprises, type Fact, type Table27Facts, table27Facts } from "./table27-facts.js";
import type { Db } from "../../../db/client.js";

export type Table27Cell = { key: string; value: number | null };
export type Table27 = {
  id: typeof TABLE27_ID;
  title: string;
  /** 填报单位: the scope organization's name. */
  unit: string;
  asOf: string;
  columns: { key: Table27ColumnKey; label: string }[];
  rows: (Table27Row & { cells: Table27Cell[] })[];
  /** The 在岗职工 cells that left out enterprises without a recorded worker count, in words. */
  incomplete: string[];
};

const NAMES_SHOWN = 10;

/** The enterprises a joint branch covers or an instructor contacts in a cell, as its list shows them. */
function namesOf(ents: Fact[]): string {
  const shown = ents.slice(0, NAMES_SHOWN).map((e) => e.name);
  return ents.length > NAMES_SHOWN ? `${shown.join("、")}等${ents.length}家` : shown.join("、");
}

/** The records linked to the cell's enterprises (joint branches, instructors), each with the enterprises it links to. */
function linked(ents: Fact[], by: Map<number, number[]>, kind: RowKind, verb: string): RowRef[] {
  const per = new Map<number, Fact[]>();
  for (const e of ents) for (const id of by.get(e.id) ?? []) per.set(id, [...(per.get(id) ?? []), e]);
  return [...per.keys()]
    .sort((a, b) => a - b)
    .map((id) => ({ kind, id, note: `${verb}${per.get(id)!.length}家：${namesOf(per.get(id)!)}` }));
}

/** The list behind one cell, what it holds, and whether its number is the sum of the amounts. */
export function cellRefs(c: Table27Facts, row: Table27Row, column: Table27ColumnKey): { refs: RowRef[]; kind: RowKind; sum: boolean } {
  const ents = cellEnterprises(c, row, column);
  switch (row.measure) {
    case "enterprises":
      return { refs: ents.map((e) => ({ kind: "enterprise", id: e.id, note: null })), kind: "enterprise", sum: false };
    case "workers":
      return {
        refs: ents.map((e) => {
          const amount = recordedWorkers(e.worker_count);
          return { kind: "enterprise", id: e.id, amount, note: amount === null ? `未登记${WORKERS_SUM_OF}` : null };
        }),
        kind: "enterprise",
        sum: true,
      };
    case "members": {
      const ids = [...new Set(ents.flatMap((e) => c.links.members.get(e.id) ?? []))].sort((a, b) => a - b);
      return { refs: ids.map((id) => ({ kind: "member", id, note: null })), kind: "member", sum: false };
    }
    case "jointBranches":
      return { refs: linked(ents, c.links.joint, "organization", "覆盖本列企业"), kind: "organization", sum: false };
    case "instructors":
      return { refs: linked(ents, c.links.instr, "instructor", "联系本列企业"), kind: "instructor", sum: false };
  }
}

/** Table 27 for the scope at `asOf` (the coverage workbook's sheet): the same lists' numbers as the page. */
export function computeTable27(db: Db, rs: ResolvedScope, asOf: string): Table27 {
  const c = table27Facts(db, rs, asOf);
  const incomplete: string[] = [];
  const rows = TABLE27_ROWS.map((row) => ({
    ...row,
    cells: TABLE27_COLUMNS.map((col) => {
      const l = cellRefs(c, row, col.key);
      const n = listNumber(l.refs, l.sum);
      if (n.missing)
        incomplete.push(
          `第${row.no}行“${row.label}”·${col.label}：${sumMissingText({ of: WORKERS_SUM_OF, missing: n.missing }, l.kind)}。`,
        );
      return { key: table27CellKey(row.no, col.key), value: n.value };
    }),
  }));
  return {
    id: TABLE27_ID,
    title: TABLE27_TITLE,
    unit: rs.rootOrg?.name ?? "全部",
    asOf,
    columns: TABLE27_COLUMNS.map((col) => ({ key: col.key, label: col.label })),
    rows,
    incomplete,
  };
}

// -- Table 27 in the official tables (tables.service.ts) --------------------------------------------

/** Table 27's definition in the framework's shape (the rows are TABLE27_ROWS, under their groups' headings). */
export const TABLE27_DEF: TableDef = {
  id: TABLE27_ID,
  number: "党内统计表27",
  title: TABLE27_TITLE,
  header: [
    [
      { label: "项目", rowSpan: 2 },
      { label: "行次", rowSpan: 2 },
      { label: TABLE27_COLUMNS[0].label, rowSpan: 2 },
      { label: "其中", colSpan: 4 },
    ],
    TABLE27_COLUMNS.slice(1).map((c) => ({ label: c.label })),
  ],
  columns: TABLE27_COLUMNS.map((c) => c.label),
  notes: [...TABLE27_NOTES],
};

function compute(ctx: TableContext): ComputedTable {
  const rs = resolveScope(ctx.db, ctx.actor, { orgId: ctx.org.id });
  const c = table27Facts(ctx.db, rs, ctx.asOf);
  const lists: Record<string, RowRef[]> = {};
  const rows: RowSpec[] = [];
  let group: string | null = null;
  for (const row of TABLE27_ROWS) {
    if (row.group !== group && row.group !== null) rows.push({ no: "", label: row.group, indent: 0, cells: [] });
    group = row.group;
    const cells: CellSpec[] = TABLE27_COLUMNS.map((col): CellSpec => {
      const key = table27CellKey(row.no, col.key);
      const l = cellRefs(c, row, col.key);
      lists[key] = l.refs;
      return l.sum ? { list: key, kind: l.kind, sum: WORKERS_SUM_OF } : { list: key, kind: l.kind };
    });
    rows.push({ no: String(row.no), label: row.label, indent: row.indent, cells });
  }
  const total = (no: number) => rows.find((r) => r.no === String(no))!.cells[0]!;
  const len = (spec: CellSpec) => ("list" in spec ? (lists[spec.list]?.length ?? 0) : 0);
  const noOrg = c.facts.filter(
    (e) => e.flags.has("noOrgShouldForm") || e.flags.has("noOrgFewMembers") || e.flags.has("noOrgNoMembers"),
  ).length;
  const split = len(total(8)) + len(total(9)) + len(total(10));
  return buildFor(ctx, TABLE27_DEF, rows, lists, [
    {
      label: "第8、9、10行之和 = 未建立党组织的企业数（两个覆盖统计）",
      expected: noOrg,
      actual: split,
      ok: noOrg === split,
      link: null,
    },
  ]);
}

export const table27: TableModule = { def: TABLE27_DEF, rowKind: "enterprise", compute };

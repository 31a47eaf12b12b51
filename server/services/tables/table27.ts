// Table 27 computed from the records: each enterprise of the coverage statistics' source with its
// figures' flags (coverage/figures.ts: the one spelling of 应建未建, the joint and no-organization
// classes), its worker count and legal-representative marks; each cell is the set its row and column
// pick, and its list is that set (or the joint branches, instructors or members behind it).

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { INSTRUCTOR_KIND } from "../../domain/codes.js";
import {
  TABLE27_COLUMNS,
  TABLE27_ID,
  TABLE27_NOTES,
  TABLE27_ROWS,
  TABLE27_TITLE,
  type Table27Base,
  type Table27ColumnKey,
  type Table27Row,
  table27CellKey,
} from "../../domain/official-tables/table27.js";
import { FIGURES } from "../coverage/figures.js";
import {
  type EnterpriseRow,
  type EnterpriseSourceRow,
  hydrateEnterprises,
  hydrateMembers,
  hydrateOrgs,
  type MemberRow,
  type OrgRow,
} from "../coverage/rows.js";
import { orgInScope, type ResolvedScope, resolveScope } from "../coverage/scope.js";
import { fromSource } from "../coverage/sources.js";
import { assignmentActiveSql, coveringLinkSql } from "../coverage/sql.js";
import { memberPresentSql } from "../members/sql.js";
import type { CellSpec, ComputedTable, RowRef, RowSpec, TableDef } from "../../domain/official-tables/table.js";
import { buildFor, type TableContext, type TableModule } from "./context.js";

const BASES = [...new Set(TABLE27_ROWS.map((r) => r.base))].filter((b): b is Exclude<Table27Base, "all"> => b !== "all");

type Fact = EnterpriseSourceRow & {
  worker_count: number;
  rep_member: number;
  rep_secretary: number;
  flags: Set<Table27Base>;
};

export type Table27Cell = { key: string; value: number | null };
export type Table27 = {
  id: typeof TABLE27_ID;
  title: string;
  /** 填报单位: the scope organization's name. */
  unit: string;
  asOf: string;
  columns: { key: Table27ColumnKey; label: string }[];
  rows: (Table27Row & { cells: Table27Cell[] })[];
};

/** The enterprises in scope at `asOf`, each with the flags of the rows' figures and what the columns test. */
function facts(db: Db, rs: ResolvedScope, asOf: string): Fact[] {
  const flags = sql.join(
    BASES.map((b) => {
      const f = FIGURES[b];
      if (f.source !== "enterprise") throw new Error(`table 27 row base ${b} is not an enterprise figure`);
      return sql`(${sql.raw(f.flag)}) AS ${sql.raw(`b_${b}`)}`;
    }),
    sql`, `,
  );
  const rows = db.all<EnterpriseSourceRow & Record<string, number>>(
    fromSource(
      { rs, asOf, periodFrom: asOf },
      "enterprise",
      sql`s.*, (SELECT worker_count FROM enterprises WHERE id = s.id) AS worker_count,
        (SELECT legal_rep_is_member FROM enterprises WHERE id = s.id) AS rep_member,
        (SELECT legal_rep_is_secretary FROM enterprises WHERE id = s.id) AS rep_secretary, ${flags}`,
      null,
      sql`ORDER BY s.id`,
    ),
  );
  return rows.map((r) => ({
    ...r,
    worker_count: Number(r.worker_count ?? 0),
    rep_member: Number(r.rep_member ?? 0),
    rep_secretary: Number(r.rep_secretary ?? 0),
    flags: new Set<Table27Base>(["all", ...BASES.filter((b) => r[`b_${b}`])]),
  }));
}

const idList = (ids: number[]): SQL => sql`(SELECT value FROM json_each(${JSON.stringify(ids)}))`;

/** Which joint branches cover each enterprise, which instructors contact it, how many members in scope work there. */
function links(db: Db, rs: ResolvedScope, asOf: string, ids: number[]) {
  const joint = db.all<{ org: number; ent: number }>(sql`SELECT oe.organization_id AS org, oe.enterprise_id AS ent
    FROM organization_enterprises oe JOIN organizations o ON o.id = oe.organization_id
    WHERE oe.enterprise_id IN ${idList(ids)} AND ${coveringLinkSql("joint", asOf)}`);
  const instr = db.all<{ instr: number; ent: number }>(sql`SELECT ia.instructor_id AS instr, ia.enterprise_id AS ent
    FROM instructor_assignments ia WHERE ia.enterprise_id IN ${idList(ids)} AND ${assignmentActiveSql(asOf)}`);
  const members = db.all<{ id: number; ent: number }>(sql`SELECT m.id, m.enterprise_id AS ent FROM members m
    WHERE m.enterprise_id IN ${idList(ids)} AND ${memberPresentSql("m", asOf)} AND ${orgInScope(rs, "m.org_id")} ORDER BY m.id`);
  const group = <T>(rows: { ent: number }[], pick: (r: never) => T) => {
    const out = new Map<number, T[]>();
    for (const r of rows) out.set(r.ent, [...(out.get(r.ent) ?? []), pick(r as never)]);
    return out;
  };
  return {
    joint: group<number>(joint, (r: { org: number }) => r.org),
    instr: group<number>(instr, (r: { instr: number }) => r.instr),
    members: group<number>(members, (r: { id: number }) => r.id),
  };
}

type Computed = { facts: Fact[]; links: ReturnType<typeof links> };

function computeAll(db: Db, rs: ResolvedScope, asOf: string): Computed {
  const f = facts(db, rs, asOf);
  return {
    facts: f,
    links: links(
      db,
      rs,
      asOf,
      f.map((e) => e.id),
    ),
  };
}

const COLUMN = new Map(TABLE27_COLUMNS.map((c) => [c.key, c]));

/** The enterprises a cell's row and column pick. */
function cellEnterprises(c: Computed, row: Table27Row, column: Table27ColumnKey): Fact[] {
  const col = COLUMN.get(column)!;
  return c.facts.filter(
    (e) =>
      e.flags.has(row.base) &&
      col.test({ workerCount: e.worker_count, legalRepIsMember: !!e.rep_member, legalRepIsSecretary: !!e.rep_secretary }),
  );
}

const distinct = (lists: (number[] | undefined)[]) => [...new Set(lists.flatMap((l) => l ?? []))].sort((a, b) => a - b);

/** A cell's value: a count of its list, or for 在岗职工 the sum of its enterprises' worker counts. */
function cellValue(c: Computed, row: Table27Row, column: Table27ColumnKey): number {
  const ents = cellEnterprises(c, row, column);
  switch (row.measure) {
    case "enterprises":
      return ents.length;
    case "workers":
      return ents.reduce((n, e) => n + e.worker_count, 0);
    case "members":
      return distinct(ents.map((e) => c.links.members.get(e.id))).length;
    case "jointBranches":
      return distinct(ents.map((e) => c.links.joint.get(e.id))).length;
    case "instructors":
      return distinct(ents.map((e) => c.links.instr.get(e.id))).length;
  }
}

/** Table 27 for the scope at `asOf`. */
export function computeTable27(db: Db, rs: ResolvedScope, asOf: string): Table27 {
  const c = computeAll(db, rs, asOf);
  return {
    id: TABLE27_ID,
    title: TABLE27_TITLE,
    unit: rs.rootOrg?.name ?? "全部",
    asOf,
    columns: TABLE27_COLUMNS.map((col) => ({ key: col.key, label: col.label })),
    rows: TABLE27_ROWS.map((row) => ({
      ...row,
      cells: TABLE27_COLUMNS.map((col) => ({ key: table27CellKey(row.no, col.key), value: cellValue(c, row, col.key) })),
    })),
  };
}

export type Instructor = { id: number; name: string; kind: string; workUnit: string; enterprises: number };

export type Table27CellRows =
  | { source: "enterprise"; rows: EnterpriseRow[] /** 在岗职工: the cell is the sum of the rows' worker counts. */; sum: boolean }
  | { source: "org"; rows: OrgRow[] }
  | { source: "instructor"; rows: Instructor[] }
  | { source: "member"; rows: MemberRow[] };

/** The list behind a cell (all of it: a cell's count is its length, a 在岗职工 cell the sum of its worker counts). */
export function table27CellRows(db: Db, rs: ResolvedScope, asOf: string, row: Table27Row, column: Table27ColumnKey): Table27CellRows {
  const c = computeAll(db, rs, asOf);
  const ents = cellEnterprises(c, row, column);
  switch (row.measure) {
    case "enterprises":
    case "workers":
      return { source: "enterprise", rows: hydrateEnterprises(db, ents, asOf), sum: row.measure === "workers" };
    case "members":
      return { source: "member", rows: hydrateMembers(db, distinct(ents.map((e) => c.links.members.get(e.id)))) };
    case "jointBranches":
      return { source: "org", rows: hydrateOrgs(db, distinct(ents.map((e) => c.links.joint.get(e.id)))) };
    case "instructors": {
      const ids = distinct(ents.map((e) => c.links.instr.get(e.id)));
      const per = new Map<number, number>();
      for (const e of ents) for (const i of c.links.instr.get(e.id) ?? []) per.set(i, (per.get(i) ?? 0) + 1);
      const rows = db.all<{ id: number; name: string; kind: string; work_unit: string | null }>(
        sql`SELECT id, name, kind, work_unit FROM instructors WHERE id IN ${idList(ids)} ORDER BY id`,
      );
      return {
        source: "instructor",
        rows: rows.map((r) => ({
          id: r.id,
          name: r.name,
          kind: INSTRUCTOR_KIND.label[r.kind as keyof typeof INSTRUCTOR_KIND.label] ?? r.kind,
          workUnit: r.work_unit ?? "",
          enterprises: per.get(r.id) ?? 0,
        })),
      };
    }
  }
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

/** Why a cell has no list of its own: its number is not a count of enterprises or members. */
function formulaOf(row: Table27Row): string {
  switch (row.measure) {
    case "workers":
      return "本列相应企业登记的从业人员数之和";
    case "jointBranches":
      return "覆盖本列“已建立联合党支部的”企业的联合党支部个数（覆盖多家企业的计一次）";
    default:
      return "联系本列相应企业的党建工作指导员（含联络员）人数，每人计一次";
  }
}

function compute(ctx: TableContext): ComputedTable {
  const rs = resolveScope(ctx.db, ctx.actor, { orgId: ctx.org.id });
  const c = computeAll(ctx.db, rs, ctx.asOf);
  const lists: Record<string, RowRef[]> = {};
  const rows: RowSpec[] = [];
  let group: string | null = null;
  for (const row of TABLE27_ROWS) {
    if (row.group !== group && row.group !== null) rows.push({ no: "", label: row.group, indent: 0, cells: [] });
    group = row.group;
    const cells: CellSpec[] = TABLE27_COLUMNS.map((col): CellSpec => {
      const key = table27CellKey(row.no, col.key);
      const ents = cellEnterprises(c, row, col.key);
      if (row.measure === "enterprises") {
        lists[key] = ents.map((e) => ({ kind: "enterprise", id: e.id, note: null }));
        return { list: key };
      }
      if (row.measure === "members") {
        lists[key] = distinct(ents.map((e) => c.links.members.get(e.id))).map((id) => ({ kind: "member", id, note: null }));
        return { list: key };
      }
      return { formula: formulaOf(row), value: cellValue(c, row, col.key) };
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

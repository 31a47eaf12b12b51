// The audited downloads of the official tables (web and `npm run export -- table1 …`): the table's
// workbook, or the list behind one cell with ID numbers masked by role. Each writes the audit entry
// (what, for which scope and period, how many rows, whether whole numbers were written).

import { finished } from "node:stream/promises";
import type { Writable } from "node:stream";
import type { Db } from "../../../db/client.js";
import { type Actor, canUnmask } from "../../policy/actor.js";
import { recordAudit } from "../admin/audit.js";
import { cellList, getTable, type TableRequest } from "./tables.service.js";
import { loadRows } from "./rows.js";
import { writeCellListWorkbook, writeTableWorkbook } from "./workbook.js";

export const XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";

export type PreparedTableExport = { filename: string; fallback: string; contentType: string; run(out: Writable): Promise<number> };

function safe(s: string): string {
  return s.replace(/[\\/:*?"<>|\s]+/g, "_").slice(0, 60);
}

/**
 * Checks scope and period (throws before anything is written) and prepares the workbook of a table,
 * or with `key` the list behind that cell.
 */
export function prepareTableExport(
  db: Db,
  actor: Actor,
  tableId: string,
  req: TableRequest & { key?: string | null; ip?: string | null },
): PreparedTableExport {
  const unmask = canUnmask(actor);
  const finish = async (out: Writable, write: Promise<number>) => {
    const n = await write;
    if (!out.writableEnded) out.end();
    await finished(out);
    return n;
  };
  if (req.key) {
    const list = cellList(db, actor, tableId, { ...req, key: req.key });
    const t = list.table;
    const audit = (rows: number, completed: boolean) =>
      recordAudit(db, actor, {
        action: "export",
        entity: "report",
        entityId: tableId,
        details: {
          kind: tableId,
          org: t.unitCode,
          period: t.period.id,
          key: req.key,
          rows,
          unmasked: unmask,
          completed,
          source: t.source.kind,
        },
        ip: req.ip ?? null,
      });
    return {
      filename: `${t.title}_${safe(list.label)}_${safe(t.unit)}_${t.period.id}.xlsx`,
      fallback: `${tableId}-${req.key}-${t.period.id}.xlsx`,
      contentType: XLSX_TYPE,
      async run(out) {
        try {
          const n = await finish(out, writeCellListWorkbook(t, list, loadRows(db, list.refs, { unmask }), out));
          audit(n, true);
          return n;
        } catch (err) {
          audit(0, false);
          throw err;
        }
      },
    };
  }
  const { table: t } = getTable(db, actor, tableId, req);
  const audit = (rows: number, completed: boolean) =>
    recordAudit(db, actor, {
      action: "export",
      entity: "report",
      entityId: tableId,
      details: { kind: tableId, org: t.unitCode, period: t.period.id, rows, completed, source: t.source.kind },
      ip: req.ip ?? null,
    });
  return {
    filename: `${t.title}_${safe(t.unit)}_${t.period.id}.xlsx`,
    fallback: `${tableId}-${t.period.id}.xlsx`,
    contentType: XLSX_TYPE,
    async run(out) {
      try {
        const n = await finish(out, writeTableWorkbook(t, out));
        audit(n, true);
        return n;
      } catch (err) {
        audit(0, false);
        throw err;
      }
    },
  };
}

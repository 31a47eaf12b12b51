// The error list of an import as .xlsx: every rejected, corrected or duplicate row with its row
// number, column, value and reason. Written with exceljs's streaming writer (the normal Workbook
// takes 1.5 GB for 100k rows), awaiting between rows so the zip stream drains. Every value is a
// text cell (an ID number as a number loses digits), through the one text-cell rule of every
// workbook (export/styles.ts textCell: formulas neutralised).

import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import type { DbHandle } from "../../../db/client.js";
import { IMPORT_KIND } from "../../domain/codes.js";
import type { Actor } from "../../policy/actor.js";
import { recordAudit } from "../admin/audit.js";
import { textCell } from "../export/styles.js";
import { getImport } from "./import.service.js";

const OUTCOME_LABEL: Record<string, string> = { rejected: "未导入（错误）", corrected: "已导入（已更正）", duplicate: "未导入（重复）" };

export function issueWorkbookName(importId: number): string {
  return `导入问题清单-${importId}.xlsx`;
}

/** Streams the workbook to `out` and records the export in the audit log. */
export async function writeIssueWorkbook(
  handle: DbHandle,
  actor: Actor,
  importId: number,
  out: Writable,
  ctx: { ip?: string | null } = {},
): Promise<number> {
  const imp = getImport(handle, actor, importId);
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  const ws = wb.addWorksheet("问题清单", { views: [{ state: "frozen", ySplit: 3 }] });
  ws.columns = [
    { key: "row", width: 10 },
    { key: "outcome", width: 18 },
    { key: "column", width: 16 },
    { key: "value", width: 28 },
    { key: "reason", width: 70 },
  ];
  const title = `${IMPORT_KIND.label[imp.kind]}导入 #${imp.id}${imp.platform ? `（${imp.platform}）` : ""}${imp.originalName ? ` ${imp.originalName}` : ""}`;
  ws.addRow([textCell(title)]).commit();
  ws.addRow(["行号为原文件中的行号（表头所在行也计入）。"]).commit();
  const header = ws.addRow(["行号", "处理结果", "列", "原值", "原因"]);
  header.font = { bold: true };
  header.commit();
  const stmt = handle.sqlite.prepare(
    'SELECT row_number AS rowNumber, outcome, "column", value, reason FROM import_issues WHERE import_id = ? ORDER BY row_number, id',
  );
  let n = 0;
  for (const r of stmt.iterate(importId) as Iterable<{
    rowNumber: number;
    outcome: string;
    column: string | null;
    value: string | null;
    reason: string;
  }>) {
    const row = ws.addRow([
      `第${r.rowNumber}行`,
      OUTCOME_LABEL[r.outcome] ?? r.outcome,
      textCell(r.column ?? ""),
      textCell(r.value ?? ""),
      textCell(r.reason),
    ]);
    // Text cells, whatever they look like.
    for (let c = 1; c <= 5; c++) row.getCell(c).numFmt = "@";
    row.commit();
    n++;
    if (n % 1000 === 0) await new Promise<void>((resolve) => setImmediate(resolve));
  }
  ws.commit();
  await wb.commit();
  recordAudit(handle.db, actor, {
    action: "export",
    entity: "import_issues",
    entityId: importId,
    details: { rows: n },
    ip: ctx.ip ?? null,
  });
  return n;
}

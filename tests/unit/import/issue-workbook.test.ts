import fs from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import type { Actor } from "../../../server/policy/actor.js";
import { runImport } from "../../../server/services/import/import.service.js";
import { writeIssueWorkbook } from "../../../server/services/import/issue-workbook.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { tempFileDb } from "../../helpers/db.js";
import { buildSmallCity, type SmallCity } from "../../helpers/fixtures.js";
import { ROSTERS_DIR } from "../../helpers/paths.js";

const FIX = ROSTERS_DIR;

let h: DbHandle & { dir: string };
let city: SmallCity;
let clerk: Actor;
beforeEach(async () => {
  h = tempFileDb();
  city = await buildSmallCity(h);
  clerk = loadActor(h.db, city.userIds.clerkPs!)!;
});
afterEach(() => h.close());

describe("the error list workbook", () => {
  it("lists every issue with its row, as text cells, and audits the export", async () => {
    const dir = path.join(h.dir, "in");
    fs.mkdirSync(dir);
    const file = path.join(dir, "evil.csv");
    fs.copyFileSync(path.join(FIX, "excel-scientific-ids.csv"), file);
    fs.appendFileSync(file, '=HYPERLINK("http://x"),=1+1,,东站,群众,\n');
    const s = await runImport(h, clerk, { kind: "roster", file, platform: "P", orgId: city.ps.id });
    expect(s.rejected).toBe(4);
    const out = path.join(h.dir, "issues.xlsx");
    const n = await writeIssueWorkbook(h, clerk, s.importId, fs.createWriteStream(out));
    expect(n).toBe(4);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.getWorksheet("问题清单")!;
    const rows = [4, 5, 6, 7, 8].map((r) => (ws.getRow(r).values as unknown[]).slice(1));
    expect(rows[0]).toEqual([
      "第2行",
      "未导入（错误）",
      "身份证号",
      "3.71702E+17",
      "身份证号被 Excel 转成了科学计数法，后几位已丢失，请将该列设为文本后重新导出",
    ]);
    expect(rows[3]).toEqual(["第6行", "未导入（错误）", "身份证号", "'=1+1", "身份证号应为 18 位，实际为 4 位"]);
    expect(rows[4]).toEqual([]);
    for (const r of [4, 5, 6, 7]) for (let c = 1; c <= 5; c++) expect(ws.getRow(r).getCell(c).type).toBe(ExcelJS.ValueType.String);
    const audit = h.sqlite.prepare("SELECT action, entity, entity_id AS id FROM audit_log WHERE action = 'export'").all();
    expect(audit).toEqual([{ action: "export", entity: "import_issues", id: String(s.importId) }]);
  });
});

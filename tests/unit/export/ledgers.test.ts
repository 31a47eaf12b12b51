import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { type ExportRequest, prepareExport } from "../../../server/services/export/export.service.js";
import { textCell } from "../../../server/services/export/styles.js";
import { LEDGER_COLUMNS } from "../../../server/services/export/transfer-ledger.js";
import type { Actor } from "../../../server/policy/actor.js";
import { memoryDb } from "../../helpers/db.js";
import { buildFixture, clerkDL, secretaryJoint, supervisor } from "../coverage/fixture.js";
import { readWorkbook, toBuffer, zipEntries } from "./xlsx-helpers.js";

const JAN_15 = new Date("2026-01-15T04:00:00Z");
const HYPERLINK = '=HYPERLINK("http://x","y")';

let h: DbHandle;
beforeEach(() => {
  h = memoryDb();
  buildFixture(h.sqlite);
  h.sqlite.prepare("UPDATE enterprises SET name = ? WHERE name = 'E9企业'").run(HYPERLINK);
  h.sqlite.prepare("UPDATE members SET name = '-2+3', phone = '13812345678' WHERE name = '党员3'").run();
  h.sqlite.prepare("UPDATE leads SET name = ?, note = '+cmd|calc' WHERE name = '线索2'").run("\tTAB");
});
afterEach(() => h.close());

async function exportOf(who: Actor, req: Omit<ExportRequest, "now">) {
  const p = prepareExport(h.db, who, { ...req, now: JAN_15 });
  let rows = -1;
  const buf = await toBuffer(async (out) => {
    rows = await p.run(out);
  });
  const wb = await readWorkbook(buf);
  const ws = wb.worksheets[0]!;
  const header = (ws.getRow(1).values as unknown[]).slice(1);
  const col = (name: string) => header.indexOf(name) + 1;
  const column = (name: string) => {
    const out = [];
    for (let r = 2; r <= ws.rowCount; r++) out.push(ws.getCell(r, col(name)));
    return out;
  };
  return { p, buf, ws, rows, header, col, column, xml: await zipEntries(buf) };
}

describe("member roster", () => {
  it("one header row, filters on, frozen, widths fitted, ID numbers whole as text for a clerk", async () => {
    const x = await exportOf(clerkDL, { kind: "members" });
    expect(x.p.filename).toBe("党员花名册_市道路运输行业党委_2026-01-15.xlsx");
    expect(x.rows).toBe(12); // m1–m11 and m19: the road-transport committee's current members
    expect(x.ws.rowCount).toBe(13);
    expect(x.header.slice(0, 6)).toEqual(["姓名", "性别", "民族", "出生日期", "公民身份号码", "联系电话"]);
    expect(x.ws.views[0]).toMatchObject({ state: "frozen", ySplit: 1 });
    expect(x.xml.get("xl/worksheets/sheet1.xml")).toContain('<autoFilter ref="A1:W13"/>');
    for (const c of x.column("公民身份号码")) {
      expect(typeof c.value).toBe("string");
      expect(c.value).toMatch(/^\d{17}[\dX]$/);
      expect(c.numFmt).toBe("@");
    }
    expect(x.ws.getColumn(x.col("公民身份号码")).width).toBeGreaterThanOrEqual(20);
    expect(x.ws.getColumn(x.col("管理党组织")).width).toBeGreaterThanOrEqual(20); // "道路运输联合党支部": 9 CJK characters
    // Formula-like text is neutralised with a leading apostrophe, in a string cell, never a formula.
    const formulaLike = x.column("姓名").find((c) => c.text === "'-2+3");
    expect(formulaLike?.type).toBe(3);
    expect(formulaLike?.formula).toBeUndefined();
    const phone = x.column("联系电话").find((c) => c.value === "13812345678");
    expect(phone?.type).toBe(3); // a string: phone numbers are never turned into numbers
    const sheetXml = x.xml.get("xl/worksheets/sheet1.xml") ?? "";
    expect(sheetXml).not.toMatch(/<f[ >]/);
    expect(sheetXml).toContain('t="inlineStr"><is><t>\'-2+3</t></is>');
  });

  it("masks ID numbers and phones for a secretary and keeps to the branch", async () => {
    const x = await exportOf(secretaryJoint, { kind: "members" });
    expect(x.rows).toBe(4);
    for (const c of x.column("公民身份号码")) expect(c.value).toMatch(/^\d{6}\*{8}\d{3}[\dX]$/);
    expect(x.column("联系电话").map((c) => c.value)).toContain("138****5678");
  });

  it("can include members who left", async () => {
    expect((await exportOf(supervisor, { kind: "members" })).rows).toBe(18);
    expect((await exportOf(supervisor, { kind: "members", filters: { includeLeft: true } })).rows).toBe(20);
  });
});

describe("enterprise list", () => {
  it("shows each enterprise's coverage as the statistics count it; a formula-like name is neutralised text", async () => {
    const x = await exportOf(supervisor, { kind: "enterprises", asOf: "2025-12-31" });
    expect(x.rows).toBe(9);
    const byName = new Map(x.column("企业名称").map((c) => [c.text, c.row]));
    const cov = (name: string) => x.ws.getCell(Number(byName.get(name)), x.col("覆盖情况")).value;
    const should = (name: string) => x.ws.getCell(Number(byName.get(name)), x.col("应建未建")).value;
    expect([cov("E1企业"), cov("E2企业"), cov("E5企业"), cov("E7企业"), cov(`'${HYPERLINK}`)]).toEqual([
      "单独建立党组织",
      "联合党支部覆盖",
      "仅工作覆盖",
      "未覆盖",
      "未覆盖",
    ]);
    expect([should("E2企业"), should("E5企业"), should("E3企业")]).toEqual(["是", "是", "否"]);
    const cell = x.ws.getCell(Number(byName.get(`'${HYPERLINK}`)), x.col("企业名称"));
    expect(cell.type).toBe(3); // a string cell
    expect(cell.text).toBe(`'${HYPERLINK}`);
    expect(cell.formula).toBeUndefined();
    expect(x.column("统一社会信用代码").every((c) => typeof c.value === "string" && c.numFmt === "@")).toBe(true);
    const sheetXml = x.xml.get("xl/worksheets/sheet1.xml") ?? "";
    expect(sheetXml).not.toMatch(/<f[ >]/);
    expect(sheetXml).toContain('t="inlineStr"><is><t>\'=HYPERLINK("http://x","y")</t></is>');
  });
});

describe("leads, transfers, workers", () => {
  it("leads, with a status filter", async () => {
    const all = await exportOf(supervisor, { kind: "leads" });
    expect(all.rows).toBe(4);
    expect(all.column("姓名").map((c) => c.text)).toContain("'\tTAB");
    expect(all.column("备注").map((c) => c.text)).toContain("'+cmd|calc");
    expect(all.xml.get("xl/worksheets/sheet1.xml")).toContain('<t xml:space="preserve">\'\tTAB</t>');
    expect((await exportOf(supervisor, { kind: "leads", filters: { status: "verified" } })).rows).toBe(2);
    expect((await exportOf(clerkDL, { kind: "leads" })).rows).toBe(2);
  });

  it("the transfer ledger marks overdue letters and filters them", async () => {
    const x = await exportOf(supervisor, { kind: "transfers", asOf: "2025-12-31" });
    expect(x.rows).toBe(5);
    expect(x.column("是否逾期").map((c) => c.value ?? "")).toEqual(["逾期", "", "", "", ""]);
    expect(x.column("转入党组织").map((c) => c.value)).toContain("外省某党支部（系统外）");
    // The same columns as the ledger downloaded from /transfers.
    expect(x.header).toEqual(LEDGER_COLUMNS.map((c) => c.header));
    expect((await exportOf(supervisor, { kind: "transfers", asOf: "2025-12-31", filters: { overdue: true } })).rows).toBe(1);
  });

  it("workers", async () => {
    expect((await exportOf(supervisor, { kind: "workers" })).rows).toBe(4);
    expect((await exportOf(clerkDL, { kind: "workers" })).rows).toBe(1);
  });
});

describe("every export is audited with its filters and row count", () => {
  it("records kind, scope, filters, rows and whether ID numbers were whole", async () => {
    await exportOf(secretaryJoint, { kind: "members", filters: { relationStatus: "local" } });
    const rows = h.sqlite.prepare("SELECT username, entity_id, details FROM audit_log WHERE action = 'export'").all() as {
      username: string;
      entity_id: string;
      details: string;
    }[];
    expect(rows).toHaveLength(1);
    expect(rows[0]?.entity_id).toBe("members");
    expect(JSON.parse(rows[0]!.details)).toEqual({
      kind: "members",
      orgId: 4,
      org: "DL-J1",
      asOf: "2026-01-15",
      filters: { relationStatus: "local" },
      rows: 3,
      unmasked: false,
      completed: true,
    });
  });

  it("refuses a scope outside the actor's before writing anything", () => {
    expect(() => prepareExport(h.db, clerkDL, { kind: "members", orgId: 3, now: JAN_15 })).toThrow(/找不到/);
    expect(h.sqlite.prepare("SELECT count(*) AS n FROM audit_log").get()).toEqual({ n: 0 });
  });
});

describe("text cells", () => {
  it("escape markup, keep edge spaces and drop what XML cannot carry, in the streamed rows", async () => {
    h.sqlite.prepare("UPDATE enterprises SET name = ? WHERE name = 'E1企业'").run(" A&B <有限>\u0007公司 ");
    const x = await exportOf(supervisor, { kind: "enterprises", asOf: "2025-12-31" });
    const sheetXml = x.xml.get("xl/worksheets/sheet1.xml") ?? "";
    expect(sheetXml).toContain('t="inlineStr"><is><t xml:space="preserve"> A&amp;B &lt;有限&gt;公司 </t></is>');
    expect(x.column("企业名称").map((c) => c.value)).toContain(" A&B <有限>公司 ");
  });

  it("drop only the control characters XML cannot carry, and neutralise what a spreadsheet would take for a formula", () => {
    expect(textCell("a\u0001b\tc\r\nd")).toBe("ab\tc\r\nd");
    expect(textCell(null)).toBe("");
    for (const v of [HYPERLINK, "+86 138", "-1", "@SUM(A1)", "\tx", "\rx", "＝1+1", "＋1", "－1", "＠SUM(1)"])
      expect(textCell(v), JSON.stringify(v)).toBe(`'${v}`);
    // A control character XML drops cannot hide a trigger behind it.
    expect(textCell("\u0001=1+1")).toBe("'=1+1");
    // ID numbers, codes, dates, Excel's own scientific notation, masked numbers: unchanged.
    for (const v of [
      "371702199001011234",
      "91371700MA00000009",
      "2025-01-01",
      "3.71702E+17",
      "371702********1234",
      "—",
      "'=quoted already",
    ])
      expect(textCell(v)).toBe(v);
  });
});

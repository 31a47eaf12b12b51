// The streamed data rows (server/services/export/sheet-rows.ts) go to the zip entry's deflate stage
// in reused buffers once archiver has attached it, after what exceljs wrote itself: a ledger of many
// chunks must read back whole, in order, after its header row, with the sheet's tail (autofilter)
// intact — including a row longer than a reused buffer holds, and the rows of a slow reader.

import { type PassThrough, Writable } from "node:stream";
import { finished } from "node:stream/promises";
import { describe, expect, it } from "vitest";
import { type LedgerRows, writeLedgerRows } from "../../../server/services/export/ledgers.js";
import { OutputClosedError, type SheetCell } from "../../../server/services/export/sheet-rows.js";
import { readWorkbook, toBuffer, zipEntries } from "./xlsx-helpers.js";

const N = 3000;
const LONG_ROW = 2345;
const long = "长".repeat(40_000);

function row(i: number): SheetCell[] {
  return [
    `骑手${i}`,
    `3717021980${String(i).padStart(8, "0")}`,
    i === LONG_ROW ? long : `站点${i % 40} <A&B>`,
    i % 7 === 0 ? null : `=SUM(${i})`,
    i,
  ];
}

function ledger(n: number, pageSize: number): LedgerRows {
  return {
    title: "测试台账",
    columns: [
      { header: "姓名", text: false },
      { header: "公民身份号码", text: true, min: 20 },
      { header: "站点", text: false },
      { header: "备注", text: false },
      { header: "序号", text: false },
    ],
    *pages() {
      for (let from = 0; from < n; from += pageSize) {
        const page: SheetCell[][] = [];
        for (let i = from; i < Math.min(n, from + pageSize); i++) page.push(row(i));
        yield page;
      }
    },
  };
}

async function check(buf: Buffer, n: number) {
  const wb = await readWorkbook(buf);
  const ws = wb.worksheets[0]!;
  expect(ws.rowCount).toBe(n + 1);
  expect((ws.getRow(1).values as unknown[]).slice(1)).toEqual(["姓名", "公民身份号码", "站点", "备注", "序号"]);
  for (let i = 0; i < n; i++) {
    const r = ws.getRow(i + 2);
    const want = row(i);
    expect(r.getCell(1).value, `row ${i}`).toBe(want[0]);
    expect(r.getCell(2).value).toBe(want[1]);
    expect(r.getCell(2).numFmt).toBe("@");
    expect(r.getCell(3).value).toBe(want[2]);
    expect(r.getCell(4).value).toBe(want[3] == null ? null : `'${want[3]}`);
    expect(r.getCell(5).value).toBe(i);
  }
  const xml = (await zipEntries(buf)).get("xl/worksheets/sheet1.xml") ?? "";
  expect(xml).toContain(`<autoFilter ref="A1:E${n + 1}"/>`);
  expect(xml.endsWith("</worksheet>")).toBe(true);
}

describe("streamed ledger rows", () => {
  it("a ledger of many chunks reads back whole and in order, a row longer than a reused buffer included", async () => {
    let rows = -1;
    const buf = await toBuffer(async (out) => {
      rows = await writeLedgerRows(ledger(N, 500), out);
    });
    expect(rows).toBe(N);
    await check(buf, N);
  });

  it("a slow reader (back-pressure at every write) gets the same workbook", async () => {
    const chunks: Buffer[] = [];
    const out = new Writable({
      highWaterMark: 1024,
      write(chunk: Buffer, _enc, cb) {
        chunks.push(chunk);
        setTimeout(cb, 0);
      },
    });
    const rows = await writeLedgerRows(ledger(2000, 700), out);
    await finished(out);
    expect(rows).toBe(2000);
    await check(Buffer.concat(chunks), 2000);
  });

  it("a reader that stops reading and goes away ends the export with an error, not a wait forever", async () => {
    const out = new Writable({
      highWaterMark: 1024,
      write(_chunk, _enc, _cb) {
        // never done: the reader stalled
      },
    });
    const writing = writeLedgerRows(ledger(N, 500), out);
    setTimeout(() => out.destroy(), 300);
    await expect(writing).rejects.toBeInstanceOf(OutputClosedError);
  });

  it("a ledger smaller than one chunk still has its rows", async () => {
    const buf = await toBuffer((out: PassThrough) => writeLedgerRows(ledger(3, 500), out));
    await check(buf, 3);
  });
});

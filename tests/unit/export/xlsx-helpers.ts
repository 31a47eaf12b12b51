// Reading back the workbooks we write: exceljs for cells, the raw XML for what Excel will see.
import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import yauzl from "yauzl";

/** Runs a writer into memory and returns the bytes. */
export async function toBuffer(write: (out: PassThrough) => Promise<unknown>): Promise<Buffer> {
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on("data", (c: Buffer) => chunks.push(c));
  await write(out);
  return Buffer.concat(chunks);
}

export async function readWorkbook(buf: Buffer): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return wb;
}

/** Every XML part of the .xlsx, by path. */
export function zipEntries(buf: Buffer): Promise<Map<string, string>> {
  return new Promise((resolve, reject) => {
    yauzl.fromBuffer(buf, { lazyEntries: true }, (err, zip) => {
      if (err || !zip) return reject(err);
      const out = new Map<string, string>();
      zip.on("entry", (entry: yauzl.Entry) => {
        zip.openReadStream(entry, (e, stream) => {
          if (e || !stream) return reject(e);
          const parts: Buffer[] = [];
          stream.on("data", (c: Buffer) => parts.push(c));
          stream.on("end", () => {
            out.set(entry.fileName, Buffer.concat(parts).toString("utf8"));
            zip.readEntry();
          });
        });
      });
      zip.on("end", () => resolve(out));
      zip.on("error", reject);
      zip.readEntry();
    });
  });
}

export function sheet(wb: ExcelJS.Workbook, name: string): ExcelJS.Worksheet {
  const ws = wb.getWorksheet(name);
  if (!ws) throw new Error(`no sheet ${name}`);
  return ws;
}

/**
 * Everything a reader sees in a workbook, one line a fact (sheets, views, page setup, filters,
 * merges, columns, rows and every cell's type, value and style), for comparing two workbooks.
 */
export async function workbookFacts(buf: Buffer): Promise<string[]> {
  const wb = await readWorkbook(buf);
  const j = (x: unknown) => JSON.stringify(x);
  const out = [`creator ${wb.creator}`, `definedNames ${j((wb as unknown as { definedNames: { model: unknown } }).definedNames.model)}`];
  for (const ws of wb.worksheets) {
    out.push(`sheet ${ws.id} ${ws.name} ${ws.state}`, `views ${j(ws.views)}`, `pageSetup ${j(ws.pageSetup)}`);
    out.push(`headerFooter ${j(ws.headerFooter)}`, `autoFilter ${j(ws.autoFilter)}`, `properties ${j(ws.properties)}`);
    out.push(`merges ${j([...((ws.model as unknown as { merges?: string[] }).merges ?? [])].sort())}`);
    (ws.columns ?? []).forEach((c, i) => {
      out.push(`col ${i + 1} ${c.width} ${j(c.style)}`);
    });
    ws.eachRow({ includeEmpty: true }, (row, r) => {
      out.push(`row ${r} ${row.height} ${j((row as unknown as { style: unknown }).style)}`);
      row.eachCell({ includeEmpty: true }, (cell, c) => {
        out.push(`cell ${r},${c} ${cell.type} ${j(cell.value)} ${j(cell.style)}`);
      });
    });
  }
  return out;
}

// Reads the first worksheet of an .xlsx as rows of text, streaming.
//
// An .xlsx is a zip, so a small upload can unpack to gigabytes (a zip bomb). The central
// directory is checked first — entry count and declared uncompressed sizes — before a byte is
// inflated, and yauzl's validateEntrySizes stops any entry that inflates past what it declared.
// exceljs's reader unzips on its own with no such limits, so the XML is parsed here with saxes
// (already exceljs's XML parser).

import { SaxesParser } from "saxes";
import yauzl from "yauzl";
import { AppError } from "../../errors.js";
import type { SourceRow } from "./types.js";

export type XlsxLimits = { maxEntries: number; maxUncompressedBytes: number };

export const DEFAULT_XLSX_LIMITS: XlsxLimits = { maxEntries: 10_000, maxUncompressedBytes: 1024 * 1024 * 1024 };

type Entry = yauzl.Entry;

export type XlsxBook = {
  /** Uncompressed size of the worksheet XML: progress is measured against it. */
  sheetBytes: number;
  rows(onBytes?: (uncompressedDone: number) => void): AsyncGenerator<SourceRow>;
  close(): void;
};

function openZip(file: string): Promise<yauzl.ZipFile> {
  return new Promise((resolve, reject) => {
    yauzl.open(file, { lazyEntries: true, autoClose: false, validateEntrySizes: true, strictFileNames: false }, (err, zip) => {
      if (err || !zip) reject(err ?? new Error("zip open failed"));
      else resolve(zip);
    });
  });
}

function notWorkbook(cause?: unknown): AppError {
  return new AppError(422, "文件不是有效的 Excel .xlsx 工作簿（可能已损坏，或只是改了扩展名）。", { code: "not_a_table", cause });
}

async function listEntries(zip: yauzl.ZipFile, limits: XlsxLimits): Promise<Map<string, Entry>> {
  if (zip.entryCount > limits.maxEntries) {
    throw new AppError(422, `Excel 文件包含 ${zip.entryCount} 个内部文件，超过上限 ${limits.maxEntries}，疑似压缩炸弹，已拒绝。`, {
      code: "zip_bomb",
    });
  }
  const entries = new Map<string, Entry>();
  let total = 0;
  await new Promise<void>((resolve, reject) => {
    zip.on("entry", (entry: Entry) => {
      total += entry.uncompressedSize;
      if (total > limits.maxUncompressedBytes) {
        reject(
          new AppError(422, `Excel 文件解压后超过 ${Math.round(limits.maxUncompressedBytes / 1024 / 1024)} MB，疑似压缩炸弹，已拒绝。`, {
            code: "zip_bomb",
          }),
        );
        return;
      }
      entries.set(entry.fileName.replace(/^\/+/, ""), entry);
      zip.readEntry();
    });
    zip.on("end", () => resolve());
    zip.on("error", (e: unknown) => reject(notWorkbook(e)));
    zip.readEntry();
  });
  return entries;
}

function openEntry(zip: yauzl.ZipFile, entry: Entry): Promise<NodeJS.ReadableStream> {
  return new Promise((resolve, reject) => {
    zip.openReadStream(entry, (err, stream) => {
      if (err || !stream) reject(notWorkbook(err));
      else resolve(stream);
    });
  });
}

/** Feeds one zip entry's XML to a SAX parser, yielding control after each chunk. */
async function* parseEntry(zip: yauzl.ZipFile, entry: Entry, parser: SaxesParser, onBytes?: (n: number) => void): AsyncGenerator<void> {
  const stream = await openEntry(zip, entry);
  const decoder = new TextDecoder("utf-8");
  let done = 0;
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      done += chunk.length;
      parser.write(decoder.decode(chunk, { stream: true }));
      onBytes?.(done);
      yield;
    }
    parser.write(decoder.decode());
    parser.close();
  } catch (e) {
    if (e instanceof AppError) throw e;
    throw notWorkbook(e);
  }
}

async function readWhole(zip: yauzl.ZipFile, entry: Entry): Promise<string> {
  const stream = await openEntry(zip, entry);
  const parts: Buffer[] = [];
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) parts.push(chunk);
  } catch (e) {
    throw notWorkbook(e); // a damaged entry: inflate fails, or it is longer than it says
  }
  return Buffer.concat(parts).toString("utf8");
}

async function loadSharedStrings(zip: yauzl.ZipFile, entry: Entry | undefined): Promise<string[]> {
  if (!entry) return [];
  const out: string[] = [];
  const parser = new SaxesParser({ xmlns: false, position: false });
  let current = "";
  let inT = false;
  let inPhonetic = 0;
  parser.on("opentag", (tag) => {
    if (tag.name === "si") current = "";
    else if (tag.name === "rPh") inPhonetic++;
    else if (tag.name === "t" && inPhonetic === 0) inT = true;
  });
  parser.on("closetag", (tag) => {
    if (tag.name === "si") out.push(current);
    else if (tag.name === "rPh") inPhonetic--;
    else if (tag.name === "t") inT = false;
  });
  parser.on("text", (t) => {
    if (inT) current += t;
  });
  parser.on("cdata", (t) => {
    if (inT) current += t;
  });
  for await (const _ of parseEntry(zip, entry, parser)) {
    // consumed by the handlers above
  }
  return out;
}

/** "AB12" → 27 (0-based column index). */
export function columnIndex(ref: string): number {
  let n = 0;
  for (let i = 0; i < ref.length; i++) {
    const c = ref.charCodeAt(i);
    if (c < 65 || c > 90) break;
    n = n * 26 + (c - 64);
  }
  return n - 1;
}

/**
 * A numeric cell as text. Numbers past 2^53 have lost digits (an ID number Excel stored as a
 * number): they read as Excel shows them, 3.70102199001011E+17, so validation can say so.
 */
export function numericCellText(v: string): string {
  const n = Number(v);
  if (!Number.isFinite(n)) return v;
  if (Math.abs(n) > Number.MAX_SAFE_INTEGER) {
    // Excel keeps 15 significant digits.
    const [mantissa, exp] = n.toExponential(14).split("e") as [string, string];
    return `${mantissa.replace(/\.?0+$/, "")}E${exp}`;
  }
  if (Number.isInteger(n)) return String(n);
  return v;
}

async function firstSheetPath(zip: yauzl.ZipFile, entries: Map<string, Entry>): Promise<string | undefined> {
  const wb = entries.get("xl/workbook.xml");
  const rels = entries.get("xl/_rels/workbook.xml.rels");
  if (wb && rels) {
    const wbXml = await readWhole(zip, wb);
    const relXml = await readWhole(zip, rels);
    const sheet = /<(?:\w+:)?sheet\b[^>]*?\br:id="([^"]+)"/.exec(wbXml) ?? /<(?:\w+:)?sheet\b[^>]*?\bid="([^"]+)"/.exec(wbXml);
    if (sheet) {
      const rid = sheet[1]!;
      for (const m of relXml.matchAll(/<Relationship\b[^>]*>/g)) {
        const tag = m[0];
        if (new RegExp(`\\bId="${rid.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}"`).test(tag)) {
          const target = /\bTarget="([^"]+)"/.exec(tag)?.[1];
          if (target) return target.startsWith("/") ? target.slice(1) : `xl/${target.replace(/^\.\//, "")}`;
        }
      }
    }
  }
  return [...entries.keys()].filter((k) => /^xl\/worksheets\/[^/]+\.xml$/.test(k)).sort()[0];
}

export async function openXlsx(file: string, limits: XlsxLimits = DEFAULT_XLSX_LIMITS): Promise<XlsxBook> {
  let zip: yauzl.ZipFile;
  try {
    zip = await openZip(file);
  } catch (e) {
    throw notWorkbook(e);
  }
  try {
    const entries = await listEntries(zip, limits);
    const sheetPath = await firstSheetPath(zip, entries);
    const sheetEntry = sheetPath ? entries.get(sheetPath) : undefined;
    if (!sheetEntry) throw notWorkbook();
    const shared = await loadSharedStrings(zip, entries.get("xl/sharedStrings.xml"));
    return {
      sheetBytes: sheetEntry.uncompressedSize,
      rows: (onBytes) => sheetRows(zip, sheetEntry, shared, onBytes),
      close: () => zip.close(),
    };
  } catch (e) {
    zip.close();
    throw e instanceof AppError ? e : notWorkbook(e);
  }
}

async function* sheetRows(zip: yauzl.ZipFile, entry: Entry, shared: string[], onBytes?: (n: number) => void): AsyncGenerator<SourceRow> {
  const parser = new SaxesParser({ xmlns: false, position: false });
  const ready: SourceRow[] = [];
  let rowNumber = 0;
  let cells: string[] = [];
  let col = -1;
  let type = "";
  let text = "";
  let inValue = false;
  let inInline = false;
  parser.on("opentag", (tag) => {
    switch (tag.name) {
      case "row": {
        const r = Number(tag.attributes.r);
        rowNumber = Number.isInteger(r) && r > 0 ? r : rowNumber + 1;
        cells = [];
        col = -1;
        break;
      }
      case "c": {
        const ref = tag.attributes.r;
        col = typeof ref === "string" && ref !== "" ? columnIndex(ref) : col + 1;
        type = typeof tag.attributes.t === "string" ? tag.attributes.t : "";
        text = "";
        break;
      }
      case "v":
        inValue = true;
        break;
      case "is":
        inInline = true;
        break;
      case "t":
        if (inInline) inValue = true;
        break;
    }
  });
  parser.on("text", (t) => {
    if (inValue) text += t;
  });
  parser.on("closetag", (tag) => {
    switch (tag.name) {
      case "v":
        inValue = false;
        break;
      case "t":
        if (inInline) inValue = false;
        break;
      case "is":
        inInline = false;
        break;
      case "c": {
        let value: string;
        if (type === "s") value = shared[Number(text)] ?? "";
        else if (type === "b") value = text === "1" ? "TRUE" : "FALSE";
        else if (type === "inlineStr" || type === "str" || type === "e" || type === "d") value = text;
        else value = text === "" ? "" : numericCellText(text);
        if (col >= 0 && col < 16_384) cells[col] = value;
        break;
      }
      case "row": {
        for (let i = 0; i < cells.length; i++) if (cells[i] === undefined) cells[i] = "";
        ready.push({ rowNumber, cells });
        break;
      }
    }
  });
  for await (const _ of parseEntry(zip, entry, parser, onBytes)) {
    if (ready.length) {
      const batch = ready.splice(0);
      for (const r of batch) yield r;
    }
  }
  for (const r of ready.splice(0)) yield r;
}

// Reading a roster as it arrived: never the whole file in memory. CSV is decoded as detected
// (a fatal decoder for UTF-8) and parsed as arrays by ./csv.ts (columns are mapped by us);
// .xlsx goes through the guarded reader. Every row keeps the number a spreadsheet
// shows for it, so messages can say 第N行.

import fs from "node:fs";
import { TextDecoder } from "node:util";
import { AppError } from "../../errors.js";
import { CsvParser, CsvSyntaxError } from "./csv.js";
import { NOT_A_TABLE, SNIFF_BYTES, type Sniffed, sniff, utf8Boundary } from "./encoding.js";
import { type FieldDef, headerScore } from "./header-aliases.js";
import type { Delimiter, FileEncoding, SourceRow } from "./types.js";
import { DEFAULT_XLSX_LIMITS, openXlsx, type XlsxLimits } from "./xlsx-reader.js";

export type ReadLimits = { maxBytes: number } & XlsxLimits;

export const DEFAULT_READ_LIMITS: ReadLimits = { maxBytes: 200 * 1024 * 1024, ...DEFAULT_XLSX_LIMITS };

export type RowSource = {
  format: "csv" | "xlsx";
  encoding: FileEncoding;
  delimiter: Delimiter | null;
  totalBytes: number;
  /** Bytes of the file consumed so far (for .xlsx, the worksheet's share of the file). */
  bytesDone(): number;
  rows: AsyncGenerator<SourceRow>;
  close(): void;
};

function readHead(file: string, n: number): { head: Buffer; size: number } {
  const fd = fs.openSync(file, "r");
  try {
    const size = fs.fstatSync(fd).size;
    const head = Buffer.alloc(Math.min(n, size));
    let off = 0;
    while (off < head.length) {
      const got = fs.readSync(fd, head, off, head.length - off, off);
      if (got === 0) break;
      off += got;
    }
    return { head: head.subarray(0, off), size };
  } finally {
    fs.closeSync(fd);
  }
}

function decoderFor(encoding: Exclude<FileEncoding, "xlsx">): TextDecoder {
  switch (encoding) {
    case "utf-8":
    case "utf-8-bom":
      return new TextDecoder("utf-8", { fatal: true });
    case "gb18030":
      return new TextDecoder("gb18030");
    case "utf-16le":
      return new TextDecoder("utf-16le");
    case "utf-16be":
      return new TextDecoder("utf-16be");
  }
}

/** Comma or tab, whichever the first lines hold more of outside quotes. */
export function detectDelimiter(text: string): Delimiter {
  let commas = 0;
  let tabs = 0;
  let inQuotes = false;
  let lines = 0;
  for (let i = 0; i < text.length && lines < 20; i++) {
    const c = text[i];
    if (c === '"') inQuotes = !inQuotes;
    else if (!inQuotes) {
      if (c === ",") commas++;
      else if (c === "\t") tabs++;
      else if (c === "\n") lines++;
    }
  }
  return tabs > commas ? "\t" : ",";
}

/**
 * Opens a file as a stream of rows, after checking size and kind. Throws AppError before reading on.
 * `onRaw`, for CSV, sees every byte of the file in order (the import hashes the file as it reads it).
 */
export async function openRowSource(
  file: string,
  limits: ReadLimits = DEFAULT_READ_LIMITS,
  onRaw?: (chunk: Buffer) => void,
): Promise<RowSource> {
  let sample: { head: Buffer; size: number };
  try {
    sample = readHead(file, SNIFF_BYTES);
  } catch (e) {
    throw new AppError(422, "无法读取上传的文件。", { code: "unreadable", cause: e });
  }
  const { head, size } = sample;
  if (size > limits.maxBytes) {
    throw new AppError(413, `文件大小 ${(size / 1024 / 1024).toFixed(1)} MB，超过上限 ${Math.round(limits.maxBytes / 1024 / 1024)} MB。`, {
      code: "too_large",
    });
  }
  if (size === 0) throw new AppError(422, "文件是空的：没有表头，也没有数据行。", { code: "empty_file" });
  const sniffed = sniff(head, head.length === size);
  if (sniffed.format === "xlsx") return openXlsxSource(file, size, limits);
  return openCsvSource(file, size, head, sniffed, onRaw);
}

async function openXlsxSource(file: string, size: number, limits: XlsxLimits): Promise<RowSource> {
  const book = await openXlsx(file, limits);
  let done = 0;
  const onBytes = (n: number) => {
    done = book.sheetBytes > 0 ? Math.min(size, Math.round((n / book.sheetBytes) * size)) : size;
  };
  return {
    format: "xlsx",
    encoding: "xlsx",
    delimiter: null,
    totalBytes: size,
    bytesDone: () => done,
    rows: book.rows(onBytes),
    close: () => book.close(),
  };
}

function openCsvSource(
  file: string,
  size: number,
  head: Buffer,
  sniffed: Extract<Sniffed, { format: "csv" }>,
  onRaw?: (chunk: Buffer) => void,
): RowSource {
  const { encoding, bomLength } = sniffed;
  const headText = decodeSample(head.subarray(bomLength), encoding, head.length === size);
  const delimiter = detectDelimiter(headText);
  let done = bomLength;
  if (onRaw && bomLength > 0) onRaw(head.subarray(0, bomLength));
  const stream = fs.createReadStream(file, { start: bomLength, highWaterMark: 64 * 1024 });
  const rows = csvRows(stream, encoding, delimiter, (chunk) => {
    done += chunk.length;
    onRaw?.(chunk);
  });
  return {
    format: "csv",
    encoding,
    delimiter,
    totalBytes: size,
    bytesDone: () => done,
    rows,
    close: () => stream.destroy(),
  };
}

function decodeSample(buf: Buffer, encoding: Exclude<FileEncoding, "xlsx">, complete: boolean): string {
  if (encoding === "utf-8" || encoding === "utf-8-bom") {
    return new TextDecoder("utf-8").decode(complete ? buf : buf.subarray(0, utf8Boundary(buf)));
  }
  const d = decoderFor(encoding);
  return d.decode(buf, { stream: !complete });
}

function encodingBroken(): AppError {
  return new AppError(
    422,
    "文件编码不一致：开头按 UTF-8 读取，但后面出现了不是 UTF-8 的内容。请在 Excel/WPS 中另存为“CSV UTF-8”或统一为 GBK 后重试。",
    { code: "bad_encoding" },
  );
}

async function* csvRows(
  stream: fs.ReadStream,
  encoding: Exclude<FileEncoding, "xlsx">,
  delimiter: Delimiter,
  onChunk: (chunk: Buffer) => void,
): AsyncGenerator<SourceRow> {
  // Strict UTF-8 all the way: a file that starts as UTF-8 and later is not is refused, not garbled.
  const decoder = decoderFor(encoding);
  const parser = new CsvParser(delimiter);
  const out: string[][] = [];
  let rowNumber = 0;
  try {
    for await (const raw of stream as AsyncIterable<Buffer>) {
      onChunk(raw);
      parser.push(decode(decoder, raw, true), out);
      for (let i = 0; i < out.length; i++) yield { rowNumber: ++rowNumber, cells: out[i]! };
      out.length = 0;
    }
    parser.push(decode(decoder, undefined, false), out);
    parser.end(out);
    for (let i = 0; i < out.length; i++) yield { rowNumber: ++rowNumber, cells: out[i]! };
  } catch (e) {
    if (e instanceof CsvSyntaxError) {
      throw new AppError(422, `从第${e.rowNumber}行起有引号没有闭合，文件无法按表格读取。`, { code: "bad_csv", cause: e });
    }
    throw e;
  } finally {
    stream.destroy();
  }
}

function decode(decoder: TextDecoder, chunk: Buffer | undefined, more: boolean): string {
  try {
    return decoder.decode(chunk, { stream: more });
  } catch (e) {
    throw e instanceof TypeError ? encodingBroken() : e;
  }
}

export function isBlankRow(cells: readonly string[]): boolean {
  for (const c of cells) if (c.trim() !== "") return false;
  return true;
}

export type HeaderFound = { headerRow: SourceRow; headers: string[] };

/** Rows looked at to find the header: platforms put a title or a note above it. */
const HEADER_SEARCH_ROWS = 20;
/**
 * Columns of a row looked at as a header. Rosters have dozens; without a bound, a file whose
 * first rows hold tens of thousands of cells kept the server's CPU busy for minutes.
 */
export const HEADER_MAX_COLUMNS = 1000;

/**
 * Finds the header row among the first non-blank rows by aliases. Returns the header and the
 * rows already read after it (data rows to process first).
 */
export async function findHeader(
  rows: AsyncGenerator<SourceRow>,
  fields: readonly FieldDef[],
): Promise<{ header: HeaderFound | null; firstCandidate: string[] | null; buffered: SourceRow[] }> {
  const seen: SourceRow[] = [];
  while (seen.length < HEADER_SEARCH_ROWS) {
    const n = await rows.next();
    if (n.done) break;
    if (isBlankRow(n.value.cells)) continue;
    seen.push(n.value);
  }
  let best = -1;
  let bestScore = 0;
  for (let i = 0; i < seen.length; i++) {
    const s = headerScore(fields, seen[i]!.cells.slice(0, HEADER_MAX_COLUMNS));
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  }
  // Without a header, the rows looked at come back (buffered): another kind's header may be among them.
  if (best < 0 || bestScore < 10) return { header: null, firstCandidate: seen[0]?.cells ?? null, buffered: seen };
  const headerRow = seen[best]!;
  return {
    header: { headerRow, headers: headerRow.cells.slice(0, HEADER_MAX_COLUMNS).map((c) => c.trim()) },
    firstCandidate: headerRow.cells,
    buffered: seen.slice(best + 1),
  };
}

export { NOT_A_TABLE };

// Reading a roster as it arrived: never the whole file in memory. CSV is decoded as detected
// and parsed by csv-parse as arrays (its `columns: true` costs 38% more; we map columns
// ourselves); .xlsx goes through the guarded reader. Every row keeps the number a spreadsheet
// shows for it, so messages can say 第N行.

import { isUtf8 } from "node:buffer";
import { once } from "node:events";
import fs from "node:fs";
import { TextDecoder } from "node:util";
import { parse } from "csv-parse";
import { AppError } from "../../errors.js";
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

/** Opens a file as a stream of rows, after checking size and kind. Throws AppError before reading on. */
export async function openRowSource(file: string, limits: ReadLimits = DEFAULT_READ_LIMITS): Promise<RowSource> {
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
  return openCsvSource(file, size, head, sniffed);
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

function openCsvSource(file: string, size: number, head: Buffer, sniffed: Extract<Sniffed, { format: "csv" }>): RowSource {
  const { encoding, bomLength } = sniffed;
  const headText = decodeSample(head.subarray(bomLength), encoding, head.length === size);
  const delimiter = detectDelimiter(headText);
  let done = bomLength;
  const stream = fs.createReadStream(file, { start: bomLength, highWaterMark: 1 << 20 });
  const rows = csvRows(stream, encoding, delimiter, (n) => {
    done += n;
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
  onBytes: (n: number) => void,
): AsyncGenerator<SourceRow> {
  const utf8 = encoding === "utf-8" || encoding === "utf-8-bom";
  const parser = parse({
    delimiter,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false,
    bom: false,
    // UTF-8 buffers go to csv-parse as they are (it works on bytes); others are decoded first.
    encoding: "utf8",
  });
  const decoder = utf8 ? null : decoderFor(encoding);
  const feed = (async () => {
    let carry: Buffer | null = null;
    for await (const raw of stream as AsyncIterable<Buffer>) {
      onBytes(raw.length);
      let out: Buffer | string;
      if (utf8) {
        // Validate UTF-8 without decoding twice: keep a sequence cut at the chunk's end for the next one.
        const chunk: Buffer = carry ? Buffer.concat([carry, raw]) : raw;
        const cut = utf8Boundary(chunk);
        const whole = chunk.subarray(0, cut);
        carry = cut < chunk.length ? Buffer.from(chunk.subarray(cut)) : null;
        if (!isUtf8(whole)) throw encodingBroken();
        out = whole;
      } else {
        out = decoder!.decode(raw, { stream: true });
      }
      if (!parser.write(out)) await once(parser, "drain");
    }
    if (carry) throw encodingBroken();
    if (decoder) parser.write(decoder.decode());
    parser.end();
  })();
  let feedError: unknown = null;
  feed.catch((e: unknown) => {
    feedError = e;
    parser.destroy(e instanceof Error ? e : new Error(String(e)));
  });
  let rowNumber = 0;
  try {
    for await (const rec of parser as AsyncIterable<string[]>) {
      rowNumber++;
      yield { rowNumber, cells: rec };
    }
  } catch (e) {
    if (feedError) throw feedError;
    if (e instanceof AppError) throw e;
    const msg = e instanceof Error ? e.message : String(e);
    throw new AppError(422, `第${rowNumber + 1}行附近无法按表格读取（${csvReason(msg)}）。`, { code: "bad_csv", cause: e });
  } finally {
    stream.destroy();
  }
  await feed;
}

function csvReason(message: string): string {
  if (/quote/i.test(message) && /not closed|unclosed/i.test(message)) return "引号没有闭合";
  if (/quote/i.test(message)) return "引号使用不规范";
  return "格式错误";
}

export function isBlankRow(cells: readonly string[]): boolean {
  for (const c of cells) if (c.trim() !== "") return false;
  return true;
}

export type HeaderFound = { headerRow: SourceRow; headers: string[] };

/** Rows looked at to find the header: platforms put a title or a note above it. */
const HEADER_SEARCH_ROWS = 20;

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
    const s = headerScore(fields, seen[i]!.cells);
    if (s > bestScore) {
      bestScore = s;
      best = i;
    }
  }
  if (best < 0 || bestScore < 10) return { header: null, firstCandidate: seen[0]?.cells ?? null, buffered: [] };
  const headerRow = seen[best]!;
  return {
    header: { headerRow, headers: headerRow.cells.map((c) => c.trim()) },
    firstCandidate: headerRow.cells,
    buffered: seen.slice(best + 1),
  };
}

export { NOT_A_TABLE };

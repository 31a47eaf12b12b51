// Fast data rows for exceljs' streaming WorkbookWriter.
//
// Measured here (Node 20, 14 text columns): exceljs renders a committed row through its generic
// cell/style pipeline at 6–11k rows/s (2.4k with a font on every column), about 1/30 of writing the
// same rows as CSV; and its sheet stream ignores backpressure, so the deflate stage's input buffer
// grows without bound (380 MB at 300k rows). The WorkbookWriter still builds the package (parts,
// styles, views, columns, autofilter, zip); this module only renders the <row> elements of the data,
// each text cell an inline string (t="inlineStr", literal text that no spreadsheet evaluates, and
// neutralised by textCell should it be edited), and
// waits for the deflate stage to drain.
//
// Where the bytes go: exceljs' sheet stream (a StreamBuf) turns each chunk into a Buffer, copies it
// into a fresh 64 KB one and hands that to archiver's input for the entry (a PassThrough piped to the
// entry's deflate stage). That is ~700 MB of short-lived Buffers for a million rows, outside the JS
// heap: V8 frees them only when a full collection runs, which it starts once ~64 MB of them have
// gathered, and they made the export's peak (arrayBuffers 55–61 MB at the peak RSS of 190–205 MB).
// So once the entry's input is piped to the deflate stage and empty, the rows are encoded into a few
// reused buffers and written to the deflate stage itself, whose write callback says it has read
// them (before, and while exceljs' own writes are still in the input, they go through the input).
// It relies on exceljs 4.4 and archiver 5 internals, checked at construction or before use: the
// worksheet's `stream` with its `pipes[0]`, `buffers` and `_flush()`, and the input's stream states.

import { once } from "node:events";
import type { Writable } from "node:stream";
import ExcelJS from "exceljs";
import { textCell } from "./styles.js";

export type SheetCell = string | number | null | undefined;

type Stage = {
  write(chunk: Buffer, cb?: (err?: Error | null) => void): boolean;
  once(ev: string, cb: () => void): unknown;
  _writableState?: { length: number };
  /** `pipes`: one stream or an array of them, by the streams library's version. */
  _readableState?: { length: number; pipes?: Stage | Stage[] | null };
};

type InternalStreamBuf = {
  write(data: string): unknown;
  pipes?: Stage[];
  buffers?: unknown[];
  _flush?(): void;
};

/**
 * Buffer this much XML before handing it to the sheet stream. Small enough that each chunk's bytes
 * (up to 3 a character) stay under glibc's 128 KB mmap threshold: with 64 K characters, freed
 * chunks stayed in the process (200 MB of RSS writing rows from memory, against ~140 MB now).
 */
const CHUNK_CHARS = 16 * 1024;
/** Chunks handed on between two turns of the event loop when nothing downstream is full. */
const TURN_EVERY = 8;
/** Wait for the zip entry when its input or its deflate stage holds more than this. */
const DEFLATE_BACKLOG = 256 * 1024;
/** A reused buffer: a chunk of CHUNK_CHARS plus a row of as many, 3 bytes a character at most. */
const CHUNK_BYTES = 2 * 3 * CHUNK_CHARS;

// biome-ignore lint/suspicious/noControlCharactersInRegex: characters XML 1.0 cannot carry
const NEEDS_ESCAPE = /[&<>\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: characters XML 1.0 cannot carry
const INVALID_XML = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/g;
const NEEDS_PRESERVE = /^\s|\s$|[\t\n\r]/;

export function escapeXmlText(s: string): string {
  if (!NEEDS_ESCAPE.test(s)) return s;
  return s.replace(INVALID_XML, "").replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
}

export function columnLetter(n: number): string {
  let s = "";
  for (let x = n; x > 0; x = Math.floor((x - 1) / 26)) s = String.fromCharCode(65 + ((x - 1) % 26)) + s;
  return s;
}

export class SheetRowWriter {
  private buf = "";
  private chunks = 0;
  private rowNumber: number;
  private readonly letters: string[];
  private readonly styleAttr: string[];
  private readonly sheetStream: InternalStreamBuf;
  /** The entry's deflate stage, written directly once found (see the top of the file). */
  private deflate: Stage | null = null;
  /** Buffers the deflate stage has read, for the next chunks. */
  private readonly free: Buffer[] = [];

  /**
   * @param styles per column: a cell style (e.g. `{ numFmt: "@" }`) registered once with the workbook.
   * @param firstRow the number of the first data row (after the header rows written through exceljs).
   */
  constructor(
    wb: ExcelJS.stream.xlsx.WorkbookWriter,
    ws: ExcelJS.Worksheet,
    private readonly out: Writable,
    styles: (Partial<ExcelJS.Style> | undefined)[],
    firstRow: number,
    /**
     * An empty text ("") as a shared-string cell of this index (what exceljs' in-memory workbook
     * writes for it); without it an empty text is no cell at all (the ledgers).
     */
    private readonly emptyTextIndex: number | null = null,
  ) {
    const stream = (ws as unknown as { stream?: InternalStreamBuf }).stream;
    const registry = (wb as unknown as { styles?: { addStyleModel?(s: unknown, type: number): number } }).styles;
    if (
      !stream ||
      typeof stream.write !== "function" ||
      !Array.isArray(stream.pipes) ||
      !Array.isArray(stream.buffers) ||
      typeof stream._flush !== "function" ||
      !registry?.addStyleModel
    ) {
      throw new Error(
        "exceljs internals changed: SheetRowWriter needs WorksheetWriter.stream (pipes, buffers, _flush) and WorkbookWriter.styles (exceljs 4.4)",
      );
    }
    this.sheetStream = stream;
    this.rowNumber = firstRow;
    this.letters = styles.map((_s, k) => columnLetter(k + 1));
    this.styleAttr = styles.map((s) => {
      if (!s) return "";
      const id = registry.addStyleModel?.(s, ExcelJS.ValueType.String) ?? 0;
      return id ? ` s="${id}"` : "";
    });
  }

  /** Rows written so far. */
  get rows(): number {
    return this.rowNumber - 1;
  }

  add(values: SheetCell[]): void {
    const r = this.rowNumber++;
    let x = `<row r="${r}">`;
    for (let k = 0; k < values.length; k++) {
      const v = values[k];
      if (v === null || v === undefined) continue;
      if (v === "" && this.emptyTextIndex === null) continue;
      const ref = `${this.letters[k] ?? columnLetter(k + 1)}${r}`;
      const s = this.styleAttr[k] ?? "";
      if (v === "") {
        x += `<c r="${ref}"${s} t="s"><v>${this.emptyTextIndex}</v></c>`;
        continue;
      }
      if (typeof v === "number") {
        if (Number.isFinite(v)) x += `<c r="${ref}"${s}><v>${v}</v></c>`;
        continue;
      }
      // Every text cell of the streamed ledgers passes the one text-cell rule (formulas neutralised).
      const t = textCell(v);
      const space = NEEDS_PRESERVE.test(t) ? ' xml:space="preserve"' : "";
      x += `<c r="${ref}"${s} t="inlineStr"><is><t${space}>${escapeXmlText(t)}</t></is></c>`;
    }
    this.buf += `${x}</row>`;
  }

  /** Enough rows have gathered to hand them on: call flush() (and await it) before adding more. */
  get full(): boolean {
    return this.buf.length >= CHUNK_CHARS;
  }

  /**
   * Once archiver has piped the entry's input into its deflate stage: waits until that input has
   * handed everything on (what exceljs wrote, the first chunks), then writes to the stage itself.
   */
  private async reachDeflate(input: Stage): Promise<void> {
    // What exceljs wrote to the sheet stream (the sheet's head, the header row) goes first.
    if (this.sheetStream.buffers?.length) this.sheetStream._flush?.();
    const r = input._readableState;
    const w = input._writableState;
    const dest = Array.isArray(r?.pipes) ? (r.pipes.length === 1 ? r.pipes[0] : null) : r?.pipes;
    if (!r || !w || !dest || typeof dest.write !== "function" || !dest._writableState) return;
    while (r.length > 0 || w.length > 0) {
      await new Promise((resolve) => setTimeout(resolve, 2));
      if (this.out.destroyed) throw new OutputClosedError();
    }
    this.deflate = dest;
  }

  private writeChunk(input: Stage, text: string): void {
    const deflate = this.deflate;
    if (!deflate) {
      if (this.sheetStream.buffers?.length) this.sheetStream._flush?.();
      // The input only queues a Buffer (its callback does not mean read): a fresh one each time.
      input.write(Buffer.from(text, "utf8"));
      return;
    }
    // Anything exceljs wrote now would land after rows written later: not expected (it writes
    // the sheet's tail at commit), and refused rather than written out of order.
    if (this.sheetStream.buffers?.length) throw new Error("exceljs wrote to the sheet stream while its rows were being written");
    if (text.length * 3 > CHUNK_BYTES) {
      deflate.write(Buffer.from(text, "utf8"));
      return;
    }
    const b = this.free.pop() ?? Buffer.allocUnsafeSlow(CHUNK_BYTES);
    const n = b.write(text, "utf8");
    deflate.write(b.subarray(0, n), () => this.free.push(b));
  }

  async flush(): Promise<void> {
    if (this.out.destroyed) throw new OutputClosedError();
    const input = this.sheetStream.pipes?.[0];
    if (this.buf) {
      if (!input)
        this.sheetStream.write(this.buf); // no input yet: the sheet stream keeps it
      else {
        if (!this.deflate) await this.reachDeflate(input);
        this.writeChunk(input, this.buf);
      }
      this.buf = "";
    }
    const backlog = (this.deflate ?? input)?._writableState;
    let wait: Promise<unknown>;
    if (backlog && backlog.length > DEFLATE_BACKLOG) wait = once((this.deflate ?? input) as unknown as NodeJS.EventEmitter, "drain");
    else if (this.out.writableNeedDrain) wait = once(this.out, "drain");
    // Room downstream: go on at once. (A turn of the event loop per chunk cost more than the chunk
    // under load; the deflate stage runs meanwhile and the backlog check above bounds it.)
    else if (++this.chunks % TURN_EVERY !== 0) return;
    else wait = new Promise<void>((resolve) => setImmediate(resolve));
    // A reader that goes away (a closed HTTP response) must not leave the export waiting forever.
    const closed = new AbortController();
    await Promise.race([wait, once(this.out, "close", { signal: closed.signal }).catch(() => undefined)]);
    closed.abort();
    if (this.out.destroyed) throw new OutputClosedError();
  }
}

export class OutputClosedError extends Error {
  constructor() {
    super("the output stream was closed before the workbook was complete");
    this.name = "OutputClosedError";
  }
}

type PrintOptions = { showRowColHeaders?: boolean; showGridLines?: boolean; horizontalCentered?: boolean; verticalCentered?: boolean };

/**
 * exceljs' streaming worksheet writes no <printOptions> (its in-memory one does): a sheet's
 * pageSetup.horizontalCentered (and the other print options) would be lost. Writes the element where
 * the schema puts it, just before <pageMargins>, when the sheet is committed. A worksheet of the
 * in-memory workbook is left as it is.
 */
export function keepPrintOptions(ws: ExcelJS.Worksheet): void {
  const w = ws as unknown as { _writePageMargins?: () => void; stream?: { write(s: string): unknown }; pageSetup: PrintOptions };
  const writeMargins = w._writePageMargins;
  if (typeof writeMargins !== "function") return;
  w._writePageMargins = function (this: typeof w) {
    const p = this.pageSetup;
    const attrs = [
      p.showRowColHeaders && 'headings="1"',
      p.showGridLines && 'gridLines="1"',
      p.horizontalCentered && 'horizontalCentered="1"',
      p.verticalCentered && 'verticalCentered="1"',
    ].filter(Boolean);
    if (attrs.length) this.stream?.write(`<printOptions ${attrs.join(" ")}/>`);
    writeMargins.call(this);
  };
}

// A streaming CSV parser for rosters: RFC 4180 (quoted fields with delimiters, doubled quotes and
// line breaks), CRLF, LF or CR line ends, and real files' looseness (a quote inside an unquoted
// field is kept as text; text after a closing quote is kept). Rows come out as arrays of strings.
//
// Why not csv-parse, which the benchmark's baseline uses: on this machine it spends ~12 µs a row
// working on bytes and decoding each field; this parser works on already-decoded text with
// indexOf and substring and takes a fraction of that, which is most of what keeps a full import
// (validation, staging, apply) within 2× the bare baseline. It is checked against csv-spectrum.

export class CsvSyntaxError extends Error {
  constructor(
    message: string,
    readonly rowNumber: number,
  ) {
    super(message);
  }
}

const QUOTE = 34;
const CR = 13;
const LF = 10;

export class CsvParser {
  private readonly delim: number;
  private buf = "";
  /** Rows completed so far (the number of the last row returned). */
  rowNumber = 0;

  constructor(delimiter: string) {
    this.delim = delimiter.charCodeAt(0);
  }

  /** Parses what is complete in `text` (appended to what was left over); the rest waits for more. */
  push(text: string, out: string[][]): void {
    const s = this.buf === "" ? text : this.buf + text;
    const consumed = this.parse(s, false, out);
    this.buf = consumed < s.length ? s.slice(consumed) : "";
  }

  /** Parses the rest at the end of input. Throws CsvSyntaxError on an unclosed quote. */
  end(out: string[][]): void {
    const s = this.buf;
    this.buf = "";
    if (s !== "") this.parse(s, true, out);
  }

  /** Returns how many characters of `s` form complete rows (all of it when `final`). */
  private parse(s: string, final: boolean, out: string[][]): number {
    const n = s.length;
    const d = this.delim;
    let pos = 0;
    let rowStart = 0;
    let row: string[] = [];
    while (pos <= n) {
      // At the start of a field.
      if (pos === n) {
        // Input ends where a field would start: after a delimiter (an empty last field) or at a row start.
        if (!final) return rowStart;
        if (row.length > 0) {
          row.push("");
          out.push(row);
          this.rowNumber++;
        }
        return n;
      }
      let c = s.charCodeAt(pos);
      let value: string;
      if (c === QUOTE) {
        // Quoted field: up to the closing quote, "" standing for one quote.
        let acc = "";
        let from = pos + 1;
        for (;;) {
          const q = s.indexOf('"', from);
          if (q < 0) {
            if (!final) return rowStart;
            throw new CsvSyntaxError("unclosed quote", this.rowNumber + 1);
          }
          if (q + 1 < n && s.charCodeAt(q + 1) === QUOTE) {
            acc += s.slice(from, q + 1);
            from = q + 2;
            continue;
          }
          if (q + 1 >= n && !final) return rowStart; // cannot yet tell "" from a closing quote
          acc += s.slice(from, q);
          pos = q + 1;
          break;
        }
        // Loose text after the closing quote belongs to the field.
        let j = pos;
        while (j < n) {
          c = s.charCodeAt(j);
          if (c === d || c === LF || c === CR) break;
          j++;
        }
        value = j > pos ? acc + s.slice(pos, j) : acc;
        pos = j;
      } else {
        let j = pos;
        while (j < n) {
          c = s.charCodeAt(j);
          if (c === d || c === LF || c === CR) break;
          j++;
        }
        value = s.slice(pos, j);
        pos = j;
      }
      row.push(value);
      if (pos >= n) {
        if (!final) return rowStart;
        out.push(row);
        this.rowNumber++;
        return n;
      }
      c = s.charCodeAt(pos);
      if (c === d) {
        pos++;
        continue;
      }
      // End of row: LF, CRLF or a lone CR.
      if (c === CR) {
        if (pos + 1 >= n && !final) return rowStart; // a CRLF may be cut between chunks
        pos += pos + 1 < n && s.charCodeAt(pos + 1) === LF ? 2 : 1;
      } else {
        pos++;
      }
      out.push(row);
      this.rowNumber++;
      row = [];
      rowStart = pos;
      if (pos === n) return n;
    }
    return rowStart;
  }
}

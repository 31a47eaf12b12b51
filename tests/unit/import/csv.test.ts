import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { CsvParser, CsvSyntaxError } from "../../../server/services/import/csv.js";

/** Parses `text` fed in chunks of `size` characters (every split point gets exercised). */
function parseChunked(text: string, size: number, delimiter = ","): string[][] {
  const p = new CsvParser(delimiter);
  const out: string[][] = [];
  for (let i = 0; i < text.length; i += size) p.push(text.slice(i, i + size), out);
  p.end(out);
  return out;
}

const spectrumDir = path.dirname(createRequire(import.meta.url).resolve("csv-spectrum/package.json"));

describe("CsvParser", () => {
  // csv-spectrum: the standard CSV edge cases with their expected JSON, an independent check.
  // location_coordinates is left out of the loop: its expected JSON has another phone number
  // than its CSV (an upstream slip); its real point, quotes inside an unquoted field, is below.
  const names = fs
    .readdirSync(path.join(spectrumDir, "csvs"))
    .map((f) => path.basename(f, ".csv"))
    .filter((n) => n !== "location_coordinates");
  it.each(names)("agrees with csv-spectrum: %s", (name) => {
    const csv = fs.readFileSync(path.join(spectrumDir, "csvs", `${name}.csv`), "utf8");
    const expected = JSON.parse(fs.readFileSync(path.join(spectrumDir, "json", `${name}.json`), "utf8")) as Record<string, string>[];
    for (const size of [1, 2, 3, 7, 1 << 20]) {
      const rows = parseChunked(csv, size).filter((r) => !(r.length === 1 && r[0] === ""));
      const [header, ...data] = rows;
      const objects = data.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i] ?? ""])));
      expect(objects, `chunks of ${size}`).toEqual(expected);
    }
  });

  it("reads csv-spectrum's location_coordinates: quotes inside an unquoted field are text", () => {
    const csv = fs.readFileSync(path.join(spectrumDir, "csvs", "location_coordinates.csv"), "utf8");
    const expected = JSON.parse(fs.readFileSync(path.join(spectrumDir, "json", "location_coordinates.json"), "utf8")) as Record<
      string,
      string
    >;
    const rows = parseChunked(csv, 5);
    expect(rows).toHaveLength(2);
    expect(rows[1]).toEqual(["2095257564", expected["Location Coordinates"], "Modesto", "Stanislaus"]);
  });

  it("handles CRLF, LF and lone CR row ends, and a CRLF split between chunks", () => {
    const text = "a,b\r\n1,2\n3,4\r5,6\r\n";
    for (const size of [1, 2, 4, 100])
      expect(parseChunked(text, size)).toEqual([
        ["a", "b"],
        ["1", "2"],
        ["3", "4"],
        ["5", "6"],
      ]);
  });

  it("keeps empty fields, empty last fields and blank lines as one empty cell", () => {
    expect(parseChunked("a,,c,\n\n,\n", 3)).toEqual([["a", "", "c", ""], [""], ["", ""]]);
    expect(parseChunked("a,b", 1)).toEqual([["a", "b"]]);
    expect(parseChunked("a,", 1)).toEqual([["a", ""]]);
  });

  it("is loose where real files are: stray quotes inside a field and text after a closing quote", () => {
    expect(parseChunked('张"伟",1\n"东站"北,2\n', 2)).toEqual([
      ['张"伟"', "1"],
      ["东站北", "2"],
    ]);
  });

  it("splits on tabs when told to, leaving commas as text", () => {
    expect(parseChunked('姓名\t站点\n张伟\t"东站,西站"\n', 4, "\t")).toEqual([
      ["姓名", "站点"],
      ["张伟", "东站,西站"],
    ]);
  });

  it("counts rows and names the row of an unclosed quote", () => {
    const p = new CsvParser(",");
    const out: string[][] = [];
    p.push('a,b\n1,2\n3,"open\n', out);
    expect(out).toHaveLength(2);
    let err: unknown;
    try {
      p.end(out);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(CsvSyntaxError);
    expect((err as CsvSyntaxError).rowNumber).toBe(3);
  });
});

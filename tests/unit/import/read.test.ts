import path from "node:path";
import { describe, expect, it } from "vitest";
import { AppError } from "../../../server/errors.js";
import { sniff, utf8Boundary } from "../../../server/services/import/encoding.js";
import { FIELDS } from "../../../server/services/import/header-aliases.js";
import { DEFAULT_READ_LIMITS, detectDelimiter, findHeader, openRowSource } from "../../../server/services/import/read.js";
import type { SourceRow } from "../../../server/services/import/types.js";
import { numericCellText } from "../../../server/services/import/xlsx-reader.js";
import { fixtureId } from "../../fixtures/rosters/people.js";
import { ROSTERS_DIR } from "../../helpers/paths.js";

const FIX = ROSTERS_DIR;
const f = (name: string) => path.join(FIX, name);

async function readAll(name: string, limits = DEFAULT_READ_LIMITS) {
  const src = await openRowSource(f(name), limits);
  const rows: SourceRow[] = [];
  for await (const r of src.rows) rows.push(r);
  src.close();
  return { src, rows };
}

async function refusal(p: Promise<unknown>): Promise<AppError> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AppError) return e;
    throw e;
  }
  throw new Error("expected a refusal");
}

describe("encoding detection", () => {
  it("lets a BOM decide", () => {
    expect(sniff(Buffer.from([0xef, 0xbb, 0xbf, 0x41]), true)).toEqual({ format: "csv", encoding: "utf-8-bom", bomLength: 3 });
    expect(sniff(Buffer.from([0xff, 0xfe, 0x41, 0]), true).encoding).toBe("utf-16le");
    expect(sniff(Buffer.from([0xfe, 0xff, 0, 0x41]), true).encoding).toBe("utf-16be");
  });

  it("takes strict UTF-8 when it decodes, GB18030 otherwise", () => {
    expect(sniff(Buffer.from("姓名,身份证号\n", "utf8"), true).encoding).toBe("utf-8");
    // 姓名 in GBK is C3FB C3FB: not valid UTF-8.
    expect(sniff(Buffer.from([0xd0, 0xd5, 0xc3, 0xfb, 0x2c, 0x41, 0x0a]), true).encoding).toBe("gb18030");
  });

  it("does not mistake a UTF-8 sample cut inside a character for GBK", () => {
    const text = Buffer.from("张".repeat(100), "utf8");
    const cut = text.subarray(0, 100); // 100 is not a multiple of 3
    expect(utf8Boundary(cut)).toBe(99);
    expect(sniff(cut, false).encoding).toBe("utf-8");
  });

  it("refuses binaries and old .xls files", () => {
    expect(() => sniff(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]), false)).toThrow(/不是表格/);
    expect(() => sniff(Buffer.from([0xd0, 0xcf, 0x11, 0xe0, 0xa1, 0xb1, 0x1a, 0xe1]), false)).toThrow(/\.xls/);
  });

  it("chooses tab or comma from the first lines, ignoring quoted commas", () => {
    expect(detectDelimiter("姓名\t身份证号\t站点\n张伟\t1\t东站\n")).toBe("\t");
    expect(detectDelimiter('姓名,身份证号\n"a\tb",1\n')).toBe(",");
    expect(detectDelimiter('姓名\t站点\n张伟\t"东站,西站,北站"\n')).toBe("\t");
  });
});

describe("reading the fixture files", () => {
  it("reads GBK with CRLF line ends", async () => {
    const { src, rows } = await readAll("gbk-crlf.csv");
    expect(src.encoding).toBe("gb18030");
    expect(src.delimiter).toBe(",");
    expect(rows[0]!.cells).toEqual(["骑手姓名", "公民身份号码", "联系电话", "所属站点", "政治面貌", "入职日期"]);
    expect(rows[1]!.cells).toEqual(["张伟", fixtureId(0), "13800000001", "牡丹区东站", "中共党员", "2024年3月5日"]);
    expect(rows).toHaveLength(6);
  });

  it("strips the UTF-8 BOM from the first header", async () => {
    const { src, rows } = await readAll("utf8-bom.csv");
    expect(src.encoding).toBe("utf-8-bom");
    expect(rows[0]!.cells[0]).toBe("姓名");
  });

  it("reads Excel's Unicode text (UTF-16LE, tabs)", async () => {
    const { src, rows } = await readAll("utf16le-excel-unicode.txt");
    expect(src.encoding).toBe("utf-16le");
    expect(src.delimiter).toBe("\t");
    expect(rows[1]!.cells).toEqual(["张伟", fixtureId(0), "13800000001", "东站", "中共党员"]);
    expect(rows).toHaveLength(4);
  });

  it("numbers rows as a spreadsheet does: quoted line breaks stay inside their row", async () => {
    const { rows } = await readAll("quoted-newlines.csv");
    expect(rows.map((r) => r.rowNumber)).toEqual([1, 2, 3, 4]);
    expect(rows[1]!.cells[3]).toBe("牡丹区,东站");
    expect(rows[2]!.cells[3]).toBe('牡丹区\n西站（"新"）');
    expect(rows[3]!.cells[0]).toBe("李娜");
  });

  it("keeps blank lines' numbers but they hold no cells", async () => {
    const { rows } = await readAll("tab-separated.tsv");
    expect(rows.map((r) => r.rowNumber)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(rows[3]!.cells.join("")).toBe("");
    expect(rows[4]!.cells[0]).toBe("李娜");
  });

  it("reads the first sheet of an .xlsx, numbers as Excel shows them", async () => {
    const { src, rows } = await readAll("roster.xlsx");
    expect(src.format).toBe("xlsx");
    expect(rows[0]).toEqual({ rowNumber: 1, cells: ["某平台骑手花名册（2025年6月）"] });
    expect(rows[1]!.cells).toEqual(["序号", "骑手姓名", "身份证号", "手机号", "所属站点", "政治面貌", "入职日期"]);
    expect(rows[2]!.cells.slice(0, 6)).toEqual(["1", "张伟", fixtureId(0), "13800000001", "东站", "中共党员"]);
    expect(rows[2]!.cells[6]).toBe("45356"); // 2024-03-05 as a date serial
    expect(rows[3]!.cells[3]).toBe("13800000002"); // a phone stored as a number
    expect(rows[4]!.cells[2]).toMatch(/^3\.\d+E\+17$/); // an ID stored as a number: digits lost
    expect(rows).toHaveLength(6);
  });

  it("writes numbers past 2^53 the way Excel shows them", () => {
    expect(numericCellText("3.7170219900103101E+17")).toBe("3.71702199001031E+17");
    expect(numericCellText("1.3800138E+10")).toBe("13800138000");
    expect(numericCellText("45356.5")).toBe("45356.5");
  });

  it("refuses a zip bomb before inflating it", async () => {
    const e = await refusal(openRowSource(f("zip-bomb.xlsx"), { ...DEFAULT_READ_LIMITS, maxUncompressedBytes: 32 * 1024 * 1024 }));
    expect(e.code).toBe("zip_bomb");
    expect(e.message).toMatch(/压缩炸弹/);
    const many = await refusal(openRowSource(f("roster.xlsx"), { ...DEFAULT_READ_LIMITS, maxEntries: 3 }));
    expect(many.code).toBe("zip_bomb");
  });

  it("stops a zip whose entries inflate past their declared size", async () => {
    const src = await openRowSource(f("zip-lying-sizes.xlsx"));
    let rows = 0;
    const e = await refusal(
      (async () => {
        for await (const _ of src.rows) rows++;
      })(),
    );
    src.close();
    expect(e.code).toBe("not_a_table");
    expect(rows).toBeLessThan(50_000);
  });

  it("refuses an empty file, a binary renamed .csv and a file over the limit", async () => {
    expect((await refusal(openRowSource(f("empty.csv")))).code).toBe("empty_file");
    expect((await refusal(openRowSource(f("binary-renamed.csv")))).code).toBe("not_a_table");
    const big = await refusal(openRowSource(f("gbk-crlf.csv"), { ...DEFAULT_READ_LIMITS, maxBytes: 100 }));
    expect(big.code).toBe("too_large");
    expect(big.status).toBe(413);
  });

  it("finds the header below a title row by its aliases", async () => {
    const src = await openRowSource(f("roster.xlsx"));
    const found = await findHeader(src.rows, FIELDS.roster);
    src.close();
    expect(found.header?.headerRow.rowNumber).toBe(2);
    expect(found.buffered[0]!.rowNumber).toBe(3);
  });
});

// What kind of file arrived, decided from its first bytes: a BOM decides; a zip is a workbook;
// else strict UTF-8 on a sample that ends on a character boundary; else GB18030 (a superset of
// GBK, what Chinese Excel and WPS write). Detectors such as chardet misread short GBK samples.

import { AppError } from "../../errors.js";
import type { FileEncoding } from "./types.js";

export type Sniffed =
  | { format: "csv"; encoding: Exclude<FileEncoding, "xlsx">; bomLength: number }
  | { format: "xlsx"; encoding: "xlsx"; bomLength: 0 };

/** Bytes read to decide; enough for many rows, small enough to be instant. */
export const SNIFF_BYTES = 64 * 1024;

export const NOT_A_TABLE = "文件不是表格：请上传 CSV（逗号或制表符分隔的文本）或 Excel .xlsx 文件。";

/**
 * Decides format and encoding from the first bytes of a file. `complete` says whether the
 * sample is the whole file (then its last character may not be cut).
 */
export function sniff(sample: Buffer, complete: boolean): Sniffed {
  if (sample.length >= 3 && sample[0] === 0xef && sample[1] === 0xbb && sample[2] === 0xbf) {
    return { format: "csv", encoding: "utf-8-bom", bomLength: 3 };
  }
  if (sample.length >= 2 && sample[0] === 0xff && sample[1] === 0xfe) return { format: "csv", encoding: "utf-16le", bomLength: 2 };
  if (sample.length >= 2 && sample[0] === 0xfe && sample[1] === 0xff) return { format: "csv", encoding: "utf-16be", bomLength: 2 };
  if (sample.length >= 4 && sample[0] === 0x50 && sample[1] === 0x4b && sample[2] === 0x03 && sample[3] === 0x04) {
    return { format: "xlsx", encoding: "xlsx", bomLength: 0 };
  }
  if (sample.length >= 4 && sample[0] === 0xd0 && sample[1] === 0xcf && sample[2] === 0x11 && sample[3] === 0xe0) {
    throw new AppError(422, "这是旧版 Excel（.xls）文件，暂不支持：请在 Excel 中“另存为” .xlsx 或 CSV 后再上传。", {
      code: "unsupported_format",
    });
  }
  const utf16 = guessBomlessUtf16(sample);
  if (utf16) return { format: "csv", encoding: utf16, bomLength: 0 };
  if (looksBinary(sample)) throw new AppError(422, NOT_A_TABLE, { code: "not_a_table" });
  const body = complete ? sample : sample.subarray(0, utf8Boundary(sample));
  try {
    new TextDecoder("utf-8", { fatal: true }).decode(body);
    return { format: "csv", encoding: "utf-8", bomLength: 0 };
  } catch {
    return { format: "csv", encoding: "gb18030", bomLength: 0 };
  }
}

/** Length of the longest prefix of `buf` that does not end inside a UTF-8 sequence. */
export function utf8Boundary(buf: Buffer): number {
  const n = buf.length;
  // Walk back over at most 3 continuation bytes to the lead byte of the last sequence.
  for (let back = 1; back <= 4 && back <= n; back++) {
    const b = buf[n - back]!;
    if ((b & 0xc0) === 0x80) continue; // continuation byte
    let need = 1;
    if (b >= 0xf0) need = 4;
    else if (b >= 0xe0) need = 3;
    else if (b >= 0xc0) need = 2;
    return need > back ? n - back : n;
  }
  return n;
}

/** Text files have no NUL bytes and few control characters; images, archives and executables do. */
function looksBinary(sample: Buffer): boolean {
  if (sample.length === 0) return false;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const b = sample[i]!;
    if (b === 0) return true;
    if (b < 0x09 || (b > 0x0d && b < 0x20 && b !== 0x1b) || b === 0x7f) control++;
  }
  return control / sample.length > 0.01;
}

/** UTF-16 without a BOM: a NUL in every other byte of ASCII text. */
function guessBomlessUtf16(sample: Buffer): "utf-16le" | "utf-16be" | null {
  const n = Math.min(sample.length, 4096) & ~1;
  if (n < 8) return null;
  let evenZero = 0;
  let oddZero = 0;
  for (let i = 0; i < n; i += 2) {
    if (sample[i] === 0) evenZero++;
    if (sample[i + 1] === 0) oddZero++;
  }
  const pairs = n / 2;
  if (oddZero > pairs * 0.3 && evenZero < pairs * 0.05) return "utf-16le";
  if (evenZero > pairs * 0.3 && oddZero < pairs * 0.05) return "utf-16be";
  return null;
}

/** Label shown to clerks. */
export const ENCODING_LABEL: Record<FileEncoding, string> = {
  "utf-8": "UTF-8",
  "utf-8-bom": "UTF-8（带 BOM）",
  gb18030: "GBK / GB18030",
  "utf-16le": "UTF-16（Excel“Unicode 文本”）",
  "utf-16be": "UTF-16 BE",
  xlsx: "Excel 工作簿（.xlsx）",
};

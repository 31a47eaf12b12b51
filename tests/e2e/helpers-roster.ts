import fs from "node:fs";
import iconv from "iconv-lite";
import { makeIdNumber } from "../../server/domain/id-number.js";
import { GIVEN, pick, rng, SURNAMES } from "../../scripts/bench/synthetic.js";

// A platform's roster as Chinese Excel/WPS saves it: GBK, CRLF, the platform's own header names.
// Large enough that the import's progress bar is on screen for a moment; a few rows planted
// where the journey can find them: Party members (leads), rejected rows, a duplicate.

export const GBK_HEADER = ["骑手姓名", "公民身份号码", "联系电话", "所属站点", "政治面貌", "入职日期"];

/** Born in Kunming (530102): the demo city's people are all Heze or a few other areas, never this one. */
const AREA = "530102";

/** The i-th worker's ID number, unique for i < 10,000 × 1,000. */
export function workerId(i: number): string {
  const birth = new Date(Date.UTC(1970, 0, 1) + (i % 10_000) * 86_400_000).toISOString().slice(0, 10);
  return makeIdNumber(AREA, birth, Math.floor(i / 10_000));
}

/** The same ID number with a wrong check character. */
export function withWrongCheck(id: string): string {
  return id.slice(0, 17) + (id.endsWith("1") ? "2" : "1");
}

export type Planted = {
  /** Data rows the file holds (the duplicate included). */
  rows: number;
  /** Party members by 政治面貌: the leads this roster creates, with the row (1-based, header = 1) each is on. */
  members: { name: string; idNumber: string; political: string; rowNumber: number }[];
  /** Rows rejected, with the words their reason must contain. */
  rejected: { rowNumber: number; column: string; reason: string }[];
  /** Rows that repeat an earlier row exactly. */
  duplicates: number[];
};

/**
 * Writes `workers` valid rows plus the planted ones, GBK-encoded. Everyone is 群众 except the
 * planted members; two rows are rejected (a wrong check character, an empty name) and the last
 * row repeats row 2 exactly.
 */
export function writeGbkRoster(file: string, workers: number, seed = 6): Planted {
  const r = rng(seed);
  const planted: Planted = { rows: 0, members: [], rejected: [], duplicates: [] };
  const memberAt = new Map<number, { name: string; political: string }>([
    [7, { name: "贺明远", political: "中共党员" }],
    [11, { name: "隋立新", political: "中共党员" }],
    [13, { name: "卜晓燕", political: "中共预备党员" }],
  ]);
  const lines: string[] = [GBK_HEADER.join(",")];
  let first = "";
  for (let i = 0; i < workers; i++) {
    const rowNumber = i + 2;
    const m = memberAt.get(i);
    let name = m?.name ?? pick(r, SURNAMES) + pick(r, GIVEN) + pick(r, GIVEN);
    let id = workerId(i);
    if (i === 20) {
      id = withWrongCheck(id);
      planted.rejected.push({ rowNumber, column: "身份证号", reason: "校验位" });
    } else if (i === 21) {
      name = "";
      planted.rejected.push({ rowNumber, column: "姓名", reason: "姓名为空" });
    }
    if (m) planted.members.push({ name, idNumber: id, political: m.political, rowNumber });
    const phone = `13${String(100_000_000 + i).padStart(9, "0")}`;
    const line = `${name},${id},${phone},昆明市五华区第${1 + (i % 50)}站,${m ? m.political : "群众"},2024年${1 + (i % 12)}月${1 + (i % 28)}日`;
    if (i === 0) first = line;
    lines.push(line);
  }
  lines.push(first);
  planted.duplicates.push(workers + 2);
  planted.rows = workers + 1;
  fs.writeFileSync(file, iconv.encode(`${lines.join("\r\n")}\r\n`, "gbk"));
  return planted;
}

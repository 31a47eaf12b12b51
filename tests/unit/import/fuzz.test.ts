// Importer fuzz (issue 6): a few thousand mutated roster and member files — cut at random points,
// blocks duplicated, bytes flipped, CSV structure broken, re-encoded wrongly (GBK bytes behind a
// UTF-8 BOM, UTF-16 without BOM), random binary, huge lines, workbooks with damaged zips — each fed
// to the import service against one database. Fixed seed, small files, bounded in time.
//
// Every file must end in one of two ways:
//   refused — an AppError (the pipeline's own clean refusal), and nothing written: workers, leads,
//             members, member events unchanged, no issues recorded, the import failed or absent;
//   accepted — rows = inserted + updated + unchanged + duplicates + rejected, the workers (members)
//             added equal `inserted`, its issues recorded, the import succeeded.
// Anything else (another error type, a broken invariant, an unhandled rejection) fails the test.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import iconv from "iconv-lite";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { AppError } from "../../../server/errors.js";
import type { Actor } from "../../../server/policy/actor.js";
import { type ImportOptions, runImport } from "../../../server/services/import/import.service.js";
import type { ImportSummary } from "../../../server/services/import/types.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { memoryDb } from "../../helpers/db.js";
import { buildSmallCity, type SmallCity } from "../../helpers/fixtures.js";
import { ROSTERS_DIR } from "../../helpers/paths.js";

const FIX = ROSTERS_DIR;
const SEED = 0x5eed_2024;
const FILES = Number(process.env.FUZZ_FILES ?? 2500);
const BUDGET_MS = 50_000;

/** mulberry32: a small, fast, seedable PRNG. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    int: (n: number) => Math.floor(next() * n),
    pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!,
  };
}
type Rng = ReturnType<typeof prng>;

// -- The corpus: the fixtures, and synthetic rosters in several shapes --------------------------------

type Seed = { name: string; kind: ImportOptions["kind"]; bytes: Buffer };

function syntheticRoster(rng: Rng, n: number): string {
  const headers = rng.pick([
    ["姓名", "身份证号", "手机号", "政治面貌", "所属站点"],
    ["骑手姓名", "公民身份号码", "联系电话", "政治面貌", "入职日期"],
    ["司机姓名", "证件号码", "手机号码", "加盟商"],
  ]);
  const lines = [headers.join(",")];
  for (let i = 0; i < n; i++) {
    const id = makeIdNumber("371702", `19${70 + rng.int(30)}-0${1 + rng.int(9)}-1${rng.int(9)}`, 1 + rng.int(900));
    const cells = headers.map((h) => {
      if (/身份|证件/.test(h)) return rng.next() < 0.1 ? `${id.slice(0, 6)}E+11` : id;
      if (/姓名/.test(h)) return rng.pick(["张伟", "王芳", '"李, 娜"', "刘洋", "陈 静", "赵𠮷", '"多行\n姓名"']);
      if (/手机|电话/.test(h)) return `139${String(rng.int(1e8)).padStart(8, "0")}`;
      if (h === "政治面貌") return rng.pick(["中共党员", "中共预备党员", "群众", "共青团员", ""]);
      if (/日期/.test(h)) return rng.pick(["2024-03-05", "2024年3月5日", "45321", "不详"]);
      return rng.pick(["牡丹区东站", "定陶站", "", "某某加盟商"]);
    });
    lines.push(cells.join(","));
  }
  return `${lines.join(rng.next() < 0.5 ? "\r\n" : "\n")}\n`;
}

function corpus(rng: Rng): Seed[] {
  const file = (name: string, kind: ImportOptions["kind"] = "roster"): Seed => ({
    name,
    kind,
    bytes: fs.readFileSync(path.join(FIX, name)),
  });
  const seeds: Seed[] = [
    file("gbk-crlf.csv"),
    file("utf8-bom.csv"),
    file("quoted-newlines.csv"),
    file("duplicate-rows.csv"),
    file("excel-scientific-ids.csv"),
    file("fullwidth-digits.csv"),
    file("tab-separated.tsv"),
    file("utf16le-excel-unicode.txt"),
    file("lowercase-x.csv"),
    file("roster.xlsx"),
    file("members.csv", "members"),
  ];
  for (let i = 0; i < 4; i++)
    seeds.push({ name: `synthetic-${i}.csv`, kind: "roster", bytes: Buffer.from(syntheticRoster(rng, 20 + rng.int(40))) });
  return seeds;
}

// -- Mutations ----------------------------------------------------------------------------------------

const MAX_BYTES = 24 * 1024;

const MUTATIONS: Record<string, (b: Buffer, rng: Rng) => Buffer> = {
  cut: (b, rng) => b.subarray(0, rng.int(b.length + 1)),
  cutHead: (b, rng) => b.subarray(rng.int(Math.min(b.length, 40))),
  duplicateBlock: (b, rng) => {
    const from = rng.int(b.length);
    const to = Math.min(b.length, from + 1 + rng.int(200));
    const at = rng.int(b.length + 1);
    const times = 1 + rng.int(4);
    return Buffer.concat([b.subarray(0, at), ...Array.from({ length: times }, () => b.subarray(from, to)), b.subarray(at)]);
  },
  flipBytes: (b, rng) => {
    const out = Buffer.from(b);
    for (let i = 1 + rng.int(8); i > 0 && out.length; i--) {
      const at = rng.int(out.length);
      out[at] = out[at]! ^ (1 + rng.int(255));
    }
    return out;
  },
  flipBits: (b, rng) => {
    const out = Buffer.from(b);
    for (let i = 1 + rng.int(3); i > 0 && out.length; i--) {
      const at = rng.int(out.length);
      out[at] = out[at]! ^ (1 << rng.int(8));
    }
    return out;
  },
  structure: (b, rng) => {
    // Quotes, delimiters, line breaks and NULs where they do not belong.
    const bits = ['"', ",", "\t", "\r", "\n", "\r\n", '""', "\0", "\uFEFF", "=1+1", "\u2028"];
    let out = b;
    for (let i = 1 + rng.int(5); i > 0; i--) {
      const at = rng.int(out.length + 1);
      out = Buffer.concat([out.subarray(0, at), Buffer.from(rng.pick(bits)), out.subarray(at)]);
    }
    return out;
  },
  gbkDeclaredUtf8: (b) => Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), iconv.encode(b.toString("utf8"), "gbk")]),
  utf16leNoBom: (b) => iconv.encode(b.toString("utf8").replace(/^\uFEFF/, ""), "utf16le"),
  utf16beNoBom: (b) => iconv.encode(b.toString("utf8").replace(/^\uFEFF/, ""), "utf16be"),
  utf8AfterGbk: (b, rng) => {
    // Starts as GBK, goes on as UTF-8 (two files pasted together).
    const text = b.toString("utf8");
    const at = rng.int(text.length + 1);
    return Buffer.concat([iconv.encode(text.slice(0, at), "gbk"), Buffer.from(text.slice(at))]);
  },
  randomBinary: (_b, rng) => {
    const out = Buffer.alloc(1 + rng.int(4096));
    for (let i = 0; i < out.length; i++) out[i] = rng.int(256);
    return out;
  },
  binaryTail: (b, rng) => {
    const tail = Buffer.alloc(1 + rng.int(512));
    for (let i = 0; i < tail.length; i++) tail[i] = rng.int(256);
    return Buffer.concat([b, tail]);
  },
  hugeLine: (b, rng) => {
    const line = Buffer.from(`${rng.pick(["张", "a", ",", '"', "1"]).repeat(4000 + rng.int(8000))}\n`);
    const at = rng.pick([0, rng.int(b.length + 1), b.length]);
    return Buffer.concat([b.subarray(0, at), line, b.subarray(at)]);
  },
  manyColumns: (b, rng) => Buffer.concat([b, Buffer.from(`${",x".repeat(500 + rng.int(3000))}\n`)]),
  emptyish: (_b, rng) => Buffer.from(rng.pick(["", "\n", "\r\n\r\n", "\uFEFF", '"', ",,,,\n,,,\n", "\t\t\n"])),
};
const NAMES = Object.keys(MUTATIONS);

function mutate(seed: Seed, rng: Rng): { bytes: Buffer; how: string[] } {
  let bytes = seed.bytes;
  const how: string[] = [];
  for (let i = 1 + rng.int(3); i > 0; i--) {
    const m = rng.pick(NAMES);
    bytes = MUTATIONS[m]!(bytes, rng);
    how.push(m);
    if (bytes.length > MAX_BYTES) bytes = bytes.subarray(0, MAX_BYTES);
  }
  return { bytes, how };
}

// -- The database and its invariants --------------------------------------------------------------------

let h: DbHandle;
let city: SmallCity;
let clerk: Actor;
let dir: string;
const unhandled: unknown[] = [];
const onUnhandled = (e: unknown) => unhandled.push(e);

beforeAll(async () => {
  h = memoryDb();
  city = await buildSmallCity(h);
  clerk = loadActor(h.db, city.userIds.clerk!)!;
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-fuzz-"));
  process.on("unhandledRejection", onUnhandled);
});
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
  h?.close();
  if (dir) fs.rmSync(dir, { recursive: true, force: true });
});

const count = (sql: string, ...args: unknown[]) =>
  h.sqlite
    .prepare(sql)
    .pluck()
    .get(...args) as number;
function tables() {
  return {
    workers: count("SELECT count(*) FROM workers"),
    leads: count("SELECT count(*) FROM leads"),
    members: count("SELECT count(*) FROM members"),
    memberEvents: count("SELECT count(*) FROM member_events"),
    importIssues: count("SELECT count(*) FROM import_issues"),
  };
}
const lastImportId = () => count("SELECT coalesce(max(id), 0) FROM imports");

/** What is wrong with an accepted import: its record, its counts, the rows it added, its issue list. */
function acceptedProblems(
  label: string,
  kind: ImportOptions["kind"],
  s: ImportSummary,
  imp: { id: number; status: string } | undefined,
  before: ReturnType<typeof tables>,
  after: ReturnType<typeof tables>,
): string[] {
  const p: string[] = [];
  if (!imp || imp.id !== s.importId || imp.status !== "succeeded")
    p.push(`${label}: accepted but the import record is ${JSON.stringify(imp)}`);
  if (s.rows !== s.inserted + s.updated + s.unchanged + s.duplicates + s.rejected)
    p.push(`${label}: rows ${s.rows} ≠ ${JSON.stringify(s)}`);
  if (s.rows <= 0) p.push(`${label}: accepted with ${s.rows} rows`);
  for (const k of ["inserted", "updated", "unchanged", "duplicates", "rejected", "corrected"] as const)
    if (s[k] < 0) p.push(`${label}: ${k} is negative`);
  const added = kind === "roster" ? after.workers - before.workers : after.members - before.members;
  if (added !== s.inserted) p.push(`${label}: ${added} rows added, summary says inserted ${s.inserted}`);
  // The same file again today stands on the earlier import's issue list (its summary names it).
  const stored = JSON.parse(h.sqlite.prepare("SELECT summary FROM imports WHERE id = ?").pluck().get(s.importId) as string) as {
    sameAsImportId?: number;
  };
  const issuesOf = stored.sameAsImportId ?? s.importId;
  const refusedRows = count("SELECT count(*) FROM import_issues WHERE import_id = ? AND outcome IN ('rejected', 'duplicate')", issuesOf);
  if (refusedRows !== s.rejected + s.duplicates)
    p.push(`${label}: ${refusedRows} rejected/duplicate issues, summary says ${s.rejected + s.duplicates}`);
  const own = count("SELECT count(*) FROM import_issues WHERE import_id = ?", s.importId);
  if (after.importIssues - before.importIssues !== own) p.push(`${label}: issues written for other imports`);
  return p;
}

describe("importer fuzz", () => {
  it(`${FILES} mutated files: a clean refusal or a complete, consistent import — never a crash, never half an import`, async () => {
    const rng = prng(SEED);
    const seeds = corpus(rng);
    const started = Date.now();
    const outcomes = { refused: 0, accepted: 0 };
    const refusals = new Map<string, number>();
    const problems: string[] = [];
    let done = 0;
    for (; done < FILES && problems.length < 10; done++) {
      // Bounded: stop early (and say so) rather than run over on a slow machine.
      if (Date.now() - started > BUDGET_MS) break;
      const seed = seeds[done % seeds.length]!;
      const { bytes, how } = mutate(seed, rng);
      const ext = seed.name.endsWith(".xlsx") && rng.next() < 0.8 ? ".xlsx" : ".csv";
      const file = path.join(dir, `f${done}${ext}`);
      fs.writeFileSync(file, bytes);
      const label = `#${done} ${seed.name} ${how.join("+")} (${bytes.length} bytes)`;
      const before = tables();
      const lastBefore = lastImportId();
      const kind = seed.kind;
      const orgId = kind === "members" ? city.dlBranch.id : city.dl.id;
      let summary: ImportSummary | null = null;
      let error: unknown = null;
      try {
        summary = await runImport(h, clerk, {
          kind,
          file,
          originalName: path.basename(file),
          platform: kind === "roster" ? `平台${done % 3}` : null,
          orgId,
          source: "cli",
          limits: { maxBytes: 64 * 1024 },
        });
      } catch (e) {
        error = e;
      }
      fs.rmSync(file, { force: true });
      const after = tables();
      const created = h.sqlite.prepare("SELECT id, status FROM imports WHERE id > ? ORDER BY id").all(lastBefore) as {
        id: number;
        status: string;
      }[];
      if (created.length > 1) problems.push(`${label}: ${created.length} import records for one file`);

      if (error !== null) {
        outcomes.refused++;
        if (!(error instanceof AppError)) {
          problems.push(`${label}: threw ${(error as Error)?.name}: ${(error as Error)?.message}`);
          continue;
        }
        if (error.status >= 500) problems.push(`${label}: refused with ${error.status} ${error.message}`);
        refusals.set(error.code, (refusals.get(error.code) ?? 0) + 1);
        if (JSON.stringify(after) !== JSON.stringify(before))
          problems.push(`${label}: refused (${error.message}) but wrote ${JSON.stringify({ before, after })}`);
        if (created[0] && created[0].status !== "failed") problems.push(`${label}: refused but the import is ${created[0].status}`);
        continue;
      }
      outcomes.accepted++;
      problems.push(...acceptedProblems(label, kind, summary!, created[0], before, after));
    }
    const elapsed = Date.now() - started;
    console.info(
      `importer fuzz: ${done} files in ${elapsed} ms — ${outcomes.accepted} accepted, ${outcomes.refused} refused ${JSON.stringify(Object.fromEntries(refusals))}`,
    );
    expect(problems).toEqual([]);
    expect(unhandled).toEqual([]);
    // Both outcomes were exercised, and the run was not cut short to a handful.
    expect(outcomes.accepted).toBeGreaterThan(done / 10);
    expect(outcomes.refused).toBeGreaterThan(done / 10);
    expect(done).toBeGreaterThanOrEqual(Math.min(FILES, 1000));
    // The database is whole, with no import left running.
    expect(h.sqlite.pragma("integrity_check", { simple: true })).toBe("ok");
    expect(h.sqlite.pragma("foreign_key_check")).toEqual([]);
    expect(count("SELECT count(*) FROM imports WHERE status IN ('pending', 'running')")).toBe(0);
  }, 90_000);
});

describe("hostile shapes, bounded in time", () => {
  it("a file whose first rows hold thousands of cells is refused quickly (the header search is bounded)", async () => {
    // 20 rows of 5,000 cells (~700 KB): scoring every cell against every alias took ~35 s and held the server's CPU.
    const row = Array.from({ length: 5000 }, (_, i) => `列${i}`).join(",");
    const file = path.join(dir, "wide.csv");
    fs.writeFileSync(file, `${Array.from({ length: 20 }, () => row).join("\n")}\n`);
    const before = tables();
    const t0 = Date.now();
    const err = await runImport(h, clerk, { kind: "roster", file, platform: "宽表平台", orgId: city.dl.id, source: "cli" }).catch(
      (e: unknown) => e,
    );
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(err).toBeInstanceOf(AppError);
    expect(["not_a_table", "missing_columns"]).toContain((err as AppError).code);
    expect(tables()).toEqual(before);
  });

  it("the same file twice the same day: the second stands on the first's counts and issue list, consistently", async () => {
    const rng = prng(7);
    const file = path.join(dir, "twice.csv");
    fs.writeFileSync(file, `${syntheticRoster(rng, 30)}张三,not-an-id,群众\n`);
    const results: string[] = [];
    let lastSummary: ImportSummary | null = null;
    for (const round of [1, 2]) {
      const before = tables();
      const lastBefore = lastImportId();
      const s = await runImport(h, clerk, { kind: "roster", file, platform: "两次平台", orgId: city.dl.id, source: "cli" });
      const imp = h.sqlite.prepare("SELECT id, status FROM imports WHERE id > ? ORDER BY id").get(lastBefore) as {
        id: number;
        status: string;
      };
      results.push(...acceptedProblems(`round ${round}`, "roster", s, imp, before, tables()));
      lastSummary = s;
    }
    expect(results).toEqual([]);
    // The second run did take the same-file path.
    const stored = JSON.parse(h.sqlite.prepare("SELECT summary FROM imports WHERE id = ?").pluck().get(lastSummary!.importId) as string);
    expect(stored.sameAsImportId).toBe(lastSummary!.importId - 1);
    expect(lastSummary!.inserted).toBe(0);
    expect(lastSummary!.rejected).toBeGreaterThan(0);
  });

  it("a real header followed by thousands of extra columns still imports its rows", async () => {
    const extra = Array.from({ length: 5000 }, (_, i) => `备注${i}`).join(",");
    const rows = [
      `姓名,身份证号,政治面貌,${extra}`,
      `宽表甲,${makeIdNumber("371702", "1990-01-01", 41)},群众`,
      `宽表乙,${makeIdNumber("371702", "1990-01-01", 42)},中共党员`,
    ];
    const file = path.join(dir, "wide-header.csv");
    fs.writeFileSync(file, `${rows.join("\n")}\n`);
    const t0 = Date.now();
    const s = await runImport(h, clerk, { kind: "roster", file, platform: "宽表平台", orgId: city.dl.id, source: "cli" });
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(s).toMatchObject({ rows: 2, inserted: 2, rejected: 0 });
  });
});

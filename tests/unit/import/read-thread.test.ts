// Large files are read and checked on a second core (read-thread.ts). readThreadMinBytes: 0 takes
// that path with the small fixtures; each case compares it with the one-thread path on a copy of
// the same database: same counts, same issue list (row numbers, Chinese reasons), same tables,
// same recorded SHA-256, and the same refusals.

import fs from "node:fs";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { AppError } from "../../../server/errors.js";
import type { Actor } from "../../../server/policy/actor.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { type ImportOptions, runImport } from "../../../server/services/import/import.service.js";
import { sha256File } from "../../../server/services/import/prepare.js";
import { tempFileDb } from "../../helpers/db.js";
import { buildSmallCity, type SmallCity } from "../../helpers/fixtures.js";
import { ROSTERS_DIR } from "../../helpers/paths.js";

const f = (name: string) => path.resolve(ROSTERS_DIR, name);

type Side = { h: DbHandle & { dir: string }; city: SmallCity; clerk: Actor };
let one: Side;
let two: Side;

async function side(): Promise<Side> {
  const h = tempFileDb();
  const city = await buildSmallCity(h);
  return { h, city, clerk: loadActor(h.db, city.userIds.clerkPs!)! };
}

beforeAll(async () => {
  one = await side();
  two = await side();
}, 60_000);
afterAll(() => {
  one.h.close();
  two.h.close();
});

function run(s: Side, over: Partial<ImportOptions>, threaded: boolean) {
  return runImport(s.h, s.clerk, {
    kind: "roster",
    platform: "某外卖平台",
    orgId: s.city.ps.id,
    source: "cli",
    file: "",
    ...over,
    readThreadMinBytes: threaded ? 0 : Number.MAX_SAFE_INTEGER,
  });
}

function issues(s: Side, importId: number) {
  return s.h.sqlite
    .prepare('SELECT row_number, outcome, "column", value, reason FROM import_issues WHERE import_id = ? ORDER BY id')
    .all(importId);
}

/** What a roster import wrote: the workers it saw, the leads it raised (the fixtures' own rows differ: random phones). */
function written(s: Side, importId: number) {
  // Both databases see the same imports in the same order, so ids agree; times of writing need not.
  const timeless = (r: unknown) => Object.fromEntries(Object.entries(r as object).filter(([k]) => k !== "at" && !k.endsWith("_at")));
  const q = (sql: string) => s.h.sqlite.prepare(sql).all(importId).map(timeless);
  return {
    workers: q("SELECT * FROM workers WHERE last_import_id = ? ORDER BY id_number"),
    leads: q("SELECT * FROM leads WHERE import_id = ? ORDER BY id_number"),
  };
}

function tables(s: Side) {
  return s.h.sqlite
    .prepare("SELECT (SELECT count(*) FROM workers), (SELECT count(*) FROM leads), (SELECT count(*) FROM members)")
    .raw()
    .get();
}

function recordedHash(s: Side, importId: number) {
  return s.h.sqlite.prepare("SELECT sha256 FROM imports WHERE id = ?").pluck().get(importId);
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

describe("an import read on a second core", () => {
  // Fixtures with every outcome: corrections with notes, duplicates, rejections, encodings, .xlsx.
  const cases: [string, Partial<ImportOptions>][] = [
    ["gbk-crlf.csv", {}],
    ["duplicates-and-corrections.csv", {}],
    ["excel-scientific-ids.csv", {}],
    ["fullwidth-digits.csv", {}],
    ["quoted-newlines.csv", {}],
    ["utf16le-excel-unicode.txt", {}],
    ["roster.xlsx", {}],
    ["members.csv", { kind: "members", platform: null }],
  ];
  for (const [file, over] of cases) {
    it(`${file}: the same counts, issues, rows and hash as on one thread`, async () => {
      const opts = { file: f(file), ...over };
      const a = await run(one, opts, false);
      const b = await run(two, opts, true);
      expect({ ...b, importId: 0 }).toEqual({ ...a, importId: 0 });
      expect(issues(two, b.importId)).toEqual(issues(one, a.importId));
      expect(recordedHash(two, b.importId)).toBe(await sha256File(opts.file));
      expect(recordedHash(one, a.importId)).toBe(await sha256File(opts.file));
      const w = written(two, b.importId);
      if (opts.kind !== "members") expect(w.workers.length).toBe(b.inserted + b.updated); // unchanged rows are not rewritten
      expect(w).toEqual(written(one, a.importId));
      expect(tables(two)).toEqual(tables(one));
    }, 60_000);
  }

  it("a file of several batches with every kind of row: the same counts, issues and rows as on one thread", async () => {
    // 1,300 rows: three batches of the reading thread, staged 25 rows an INSERT with remainders;
    // plain rows, corrected ones (full-width digits, spaced phones, lower-case x), repeats,
    // rejections, empty optional cells, members by 政治面貌, and names outside the BMP.
    const full = (d: string) => d.replace(/[0-9]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
    const lines = ["姓名,身份证号,手机号,站点,加盟商,政治面貌,入职日期"];
    for (let i = 0; i < 1300; i++) {
      const id = makeIdNumber("371702", `19${String(60 + (i % 40))}-0${1 + (i % 9)}-1${i % 10}`, i);
      const idCell =
        i % 97 === 0 ? "37170219900101100" : i % 50 === 0 ? full(id) : i % 13 === 0 && id.endsWith("X") ? `${id.slice(0, 17)}x` : id;
      const phone = i % 7 === 0 ? "" : i % 11 === 0 ? `138 ${String(i).padStart(4, "0")} 0000` : `139${String(i).padStart(8, "0")}`;
      const name = i % 31 === 0 ? "𠮷田" : i % 29 === 0 ? "" : `张${i}`;
      const politics = i % 17 === 0 ? "中共党员" : i % 19 === 0 ? "预备党员" : "群众";
      lines.push(
        `${name},${idCell},${phone},站点${i % 5},${i % 3 === 0 ? "" : `加盟商${i % 4}`},${politics},${i % 5 === 0 ? "" : "2024/3/1"}`,
      );
      if (i % 101 === 0) lines.push(`重复,${id},,,,,`);
    }
    const file = path.join(two.h.dir, "several-batches.csv");
    fs.writeFileSync(file, `${lines.join("\n")}\n`);
    const a = await run(one, { file }, false);
    const b = await run(two, { file }, true);
    expect(a.rows).toBe(1300 + 13);
    expect(a.duplicates).toBeGreaterThan(0);
    expect(a.rejected).toBeGreaterThan(0);
    expect(a.corrected).toBeGreaterThan(0);
    expect({ ...b, importId: 0 }).toEqual({ ...a, importId: 0 });
    expect(issues(two, b.importId)).toEqual(issues(one, a.importId));
    expect(written(two, b.importId)).toEqual(written(one, a.importId));
    expect(tables(two)).toEqual(tables(one));
  }, 120_000);

  it("a read error comes back as the same refusal, and nothing is written", async () => {
    // An unclosed quote half-way through, after enough rows for several batches.
    const header = "姓名,公民身份号码\n";
    const rows = Array.from({ length: 1500 }, () => "张三,371702199001011008\n").join("");
    const file = path.join(two.h.dir, "broken.csv");
    fs.writeFileSync(file, `${header}${rows}李四,"3717\n`);
    const before = tables(two);
    const e = await refusal(run(two, { file }, true));
    const inline = await refusal(run(one, { file }, false));
    expect(e.code).toBe("bad_csv");
    expect(e.message).toBe(inline.message);
    expect(e.message).toContain("第1502行");
    expect(tables(two)).toEqual(before);
    const status = two.h.sqlite.prepare("SELECT status, error FROM imports ORDER BY id DESC LIMIT 1").get() as {
      status: string;
      error: string;
    };
    expect(status).toEqual({ status: "failed", error: e.message });
  }, 60_000);
});

// The import CLI, run as a user runs it: a child process over a database file.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedDbFile } from "../helpers/db.js";
import { buildSmallCity } from "../helpers/fixtures.js";
import { ROSTERS_DIR } from "../helpers/paths.js";

const FIX = ROSTERS_DIR;
const KEYS = [
  "importId",
  "kind",
  "encoding",
  "rows",
  "inserted",
  "updated",
  "unchanged",
  "corrected",
  "duplicates",
  "rejected",
  "membersMatched",
  "leadsCreated",
  "departed",
];

let dir: string;
let dbPath: string;

beforeAll(async () => {
  ({ dir, path: dbPath } = await closedDbFile(buildSmallCity));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join("scripts", "import.ts"), ...args], {
    env: { ...process.env, DATABASE_PATH: dbPath, NODE_ENV: "test", LOG_LEVEL: "silent" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

function count(table: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe("npm run import", () => {
  it("imports a roster; with --json the last line is the summary object", () => {
    const r = run(["roster", path.join(FIX, "gbk-crlf.csv"), "--platform", "某外卖平台", "--org", "HZ-PS", "--json"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    const last = JSON.parse(r.out.split("\n").pop()!);
    expect(Object.keys(last)).toEqual(KEYS);
    expect(last).toMatchObject({
      kind: "roster",
      encoding: "gb18030",
      rows: 5,
      inserted: 5,
      updated: 0,
      unchanged: 0,
      corrected: 0,
      duplicates: 0,
      rejected: 0,
      leadsCreated: 2,
      departed: 0,
    });
    expect(count("workers")).toBe(5);
  });

  it("a dry run reports and writes nothing", () => {
    const before = count("workers");
    const r = run(["roster", path.join(FIX, "duplicate-rows.csv"), "--platform", "另一平台", "--org", "HZ-PS", "--dry-run", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out.split("\n").pop()!)).toMatchObject({ rows: 5, inserted: 3, duplicates: 2 });
    expect(count("workers")).toBe(before);
  });

  it("imports a member list and a reference list", () => {
    const m = run(["members", path.join(FIX, "members.csv"), "--org", "HZ-PS-001", "--json"]);
    expect(m.code).toBe(0);
    expect(JSON.parse(m.out)).toMatchObject({ kind: "members", rows: 3, inserted: 3, membersMatched: 1 });
    const r = run(["members", path.join(FIX, "reference-members.csv"), "--org", "HZ-PS", "--reference", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.out)).toMatchObject({ kind: "members", rows: 2, inserted: 2, leadsCreated: 1 });
  });

  it("prints a one-line human summary without --json", () => {
    const r = run(["roster", path.join(FIX, "gbk-crlf.csv"), "--platform", "某外卖平台", "--org", "HZ-PS"]);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(
      /^Imported #\d+ \(roster, gb18030\): 5 rows = 0 inserted \+ 0 updated \+ 5 unchanged \+ 0 duplicates \+ 0 rejected; /,
    );
  });

  it.each([
    [
      ["roster", "tests/fixtures/rosters/missing-id-column.csv", "--platform", "P", "--org", "HZ-PS"],
      /^import failed: required column missing: idNumber \(身份证号\)$/,
    ],
    [
      ["roster", "tests/fixtures/rosters/binary-renamed.csv", "--platform", "P", "--org", "HZ-PS"],
      /^import failed: the file is not a table \(expected CSV or \.xlsx\)$/,
    ],
    [["roster", "tests/fixtures/rosters/empty.csv", "--platform", "P", "--org", "HZ-PS"], /^import failed: the file has no data rows$/],
    [
      ["roster", "tests/fixtures/rosters/utf8-bom.csv", "--platform", "P", "--org", "NOPE"],
      /^import failed: organization not found \(check --org\)$/,
    ],
    [["roster", "tests/fixtures/rosters/utf8-bom.csv", "--org", "HZ-PS"], /^import failed: --platform NAME is required for a roster$/],
    [
      ["roster", "tests/fixtures/rosters/utf8-bom.csv", "--platform", "P", "--org", "HZ-PS-001"],
      /^import failed: invalid arguments: 花名册应导入到行业党委或综合党委$/,
    ],
    [
      ["bogus", "x.csv"],
      /^import failed: the first argument must be roster, members or organizations, enterprises, instructors \(see --help\)$/,
    ],
  ])("fails with a one-line reason: %j", (args, message) => {
    const before = count("imports");
    const r = run(args);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(message); // one line
    expect(count("imports")).toBe(before);
  });
});

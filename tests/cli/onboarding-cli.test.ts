// npm run import for the onboarding kinds, as a user runs it: a child process over a database file.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedDbFile } from "../helpers/db.js";
import { buildSmallCity } from "../helpers/fixtures.js";
import { ONBOARDING_DIR } from "../helpers/onboarding.js";

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

function count(sql: string): number {
  const db = new Database(dbPath, { readonly: true });
  try {
    return db.prepare(sql).pluck().get() as number;
  } finally {
    db.close();
  }
}

describe("npm run import -- organizations|enterprises|instructors", () => {
  it("onboards the tree, then enterprises into a committee by --org, then instructors; again changes nothing", () => {
    const orgs = run(["organizations", path.join(ONBOARDING_DIR, "orgs-title-and-unit-above-header.csv"), "--json"]);
    expect(orgs.err).toBe("");
    expect(orgs.code).toBe(0);
    expect(JSON.parse(orgs.out.split("\n").pop()!)).toMatchObject({ kind: "organizations", rows: 4, inserted: 4, rejected: 0 });
    const ents = run(["enterprises", path.join(ONBOARDING_DIR, "enterprises-good.csv"), "--org", "HZ-DL"]);
    expect(ents.code).toBe(0);
    expect(ents.out).toContain("3 rows = 3 inserted + 0 updated + 0 unchanged");
    const ins = run(["instructors", path.join(ONBOARDING_DIR, "instructors-with-assignments.csv"), "--org", "HZ-DL", "--json"]);
    expect(ins.code).toBe(0);
    expect(JSON.parse(ins.out.split("\n").pop()!)).toMatchObject({ rows: 3, inserted: 3 });
    const again = run(["organizations", path.join(ONBOARDING_DIR, "orgs-title-and-unit-above-header.csv"), "--json"]);
    expect(JSON.parse(again.out.split("\n").pop()!)).toMatchObject({ inserted: 0, updated: 0, unchanged: 4 });
    expect(count("SELECT count(*) FROM imports WHERE source = 'cli' AND status = 'succeeded'")).toBe(4);
  }, 240_000);

  it("a file with a rejected row exits non-zero, names the row, and writes nothing; --dry-run writes nothing", () => {
    const before = count("SELECT count(*) FROM organizations");
    const r = run(["organizations", path.join(ONBOARDING_DIR, "orgs-parent-cycle.csv")]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("rows rejected, nothing imported");
    expect(r.err).toContain("第2行");
    const dry = run(["organizations", path.join(ONBOARDING_DIR, "orgs-children-before-parents.csv"), "--dry-run"]);
    expect(dry.code).toBe(0);
    expect(dry.out).toContain("Dry run (nothing written)");
    expect(count("SELECT count(*) FROM organizations")).toBe(before);
    expect(run(["organizations", "x.csv", "--reference"]).code).toBe(2);
  }, 240_000);
});

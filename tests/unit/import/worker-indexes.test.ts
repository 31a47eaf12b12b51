// The workers' indexes a roster import writes. Every index holding each worker's ID number is a
// B-tree a province's roster of new people writes on nearly every page of (issue 17 §4:
// docs/PERFORMANCE.md); one unique index led by the ID number both keeps a person to one row per
// platform and serves every look-up of a person's rows.

import { afterEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { memoryDb } from "../../helpers/db.js";
import { smallCityDb } from "../../helpers/fixtures.js";

let h: DbHandle;
afterEach(() => h?.close());

type IndexRow = { name: string; unique: number; partial: number };

function plan(sql: string, ...args: unknown[]): string {
  return (h.sqlite.prepare(`EXPLAIN QUERY PLAN ${sql}`).all(...args) as { detail: string }[]).map((r) => r.detail).join("\n");
}

describe("the workers' ID-number index", () => {
  it("is one unique index led by the ID number: no other index holds every worker's ID number", () => {
    h = memoryDb();
    const indexes = h.sqlite.prepare("PRAGMA index_list(workers)").all() as IndexRow[];
    const withIdNumber = indexes
      .filter((i) => i.partial === 0)
      .filter((i) => (h.sqlite.prepare(`PRAGMA index_info(${i.name})`).all() as { name: string }[]).some((c) => c.name === "id_number"));
    expect(withIdNumber.map((i) => i.name)).toEqual(["workers_id_number_platform_uq"]);
    expect(withIdNumber[0]!.unique).toBe(1);
    const cols = (h.sqlite.prepare("PRAGMA index_info(workers_id_number_platform_uq)").all() as { name: string }[]).map((c) => c.name);
    expect(cols).toEqual(["id_number", "platform"]);
  });

  it("keeps a person to one row per platform, and finds a person's rows on every platform", async () => {
    const made = await smallCityDb();
    h = made.handle;
    const org = made.city.ps;
    const add = h.sqlite.prepare(
      "INSERT INTO workers (platform, id_number, name, org_id, first_seen_on, last_seen_on) VALUES (?, '110101199001011234', '张三', ?, '2026-01-01', '2026-01-01')",
    );
    add.run("甲平台", org.id);
    add.run("乙平台", org.id);
    expect(() => add.run("甲平台", org.id)).toThrow(/UNIQUE constraint failed: workers.id_number, workers.platform/);
    // The roster's upsert names its conflict target by (platform, id_number): the same index.
    h.sqlite
      .prepare(
        `INSERT INTO workers (platform, id_number, name, org_id, first_seen_on, last_seen_on)
         VALUES ('甲平台', '110101199001011234', '张三丰', ?, '2026-01-02', '2026-01-02')
         ON CONFLICT (platform, id_number) DO UPDATE SET name = excluded.name`,
      )
      .run(org.id);
    expect(h.sqlite.prepare("SELECT platform, name FROM workers ORDER BY platform").all()).toEqual([
      { platform: "乙平台", name: "张三" },
      { platform: "甲平台", name: "张三丰" },
    ]);
    expect(plan("SELECT id FROM workers WHERE id_number = ?", "x")).toMatch(
      /USING COVERING INDEX workers_id_number_platform_uq \(id_number=\?\)/,
    );
    expect(plan("SELECT id FROM workers WHERE platform = ? AND id_number = ?", "x", "y")).toMatch(
      /USING COVERING INDEX workers_id_number_platform_uq \(id_number=\? AND platform=\?\)/,
    );
  });
});

import { describe, expect, it } from "vitest";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { IdTable } from "../../../server/services/import/id-table.js";

describe("IdTable", () => {
  it("returns the first row of an ID number seen again, through many growths", () => {
    const t = new IdTable(16);
    const ids: string[] = [];
    for (let i = 0; i < 50_000; i++)
      ids.push(makeIdNumber(i % 2 ? "371702" : "110105", `19${50 + (i % 50)}-0${1 + (i % 9)}-1${i % 10}`, i));
    const unique = new Set(ids);
    const first = new Map<string, number>();
    ids.forEach((id, i) => {
      const got = t.add(id, i + 2);
      expect(got).toBe(first.get(id) ?? null);
      if (!first.has(id)) first.set(id, i + 2);
    });
    expect(t.size).toBe(unique.size);
    // Seen again after all the growing: the first rows are kept.
    for (const [id, row] of first) expect(t.add(id, 999_999)).toBe(row);
  });

  it("tells apart numbers that share the first nine or the last eight digits", () => {
    const t = new IdTable();
    expect(t.add("110105194912310021", 2)).toBeNull();
    expect(t.add("110105194912310048", 3)).toBeNull();
    expect(t.add("210105194912310021", 4)).toBeNull();
    expect(t.add("11010519491231002X", 5)).toBe(2); // same 17 digits: the same person (the check character follows from them)
  });
});

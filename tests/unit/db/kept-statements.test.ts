// drizzle's statements are kept per connection by text: prepared once for many runs, handed out
// again with raw mode off (drizzle turns it on for array results and never off), and `db.$client`
// stays the connection itself (per-connection state is keyed by it).

import { sql } from "drizzle-orm";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { memoryDb } from "../../helpers/db.js";

let h: DbHandle;
beforeEach(() => {
  h = memoryDb();
});
afterEach(() => h.close());

describe("statements drizzle prepares", () => {
  it("are prepared once per text, whatever the parameters", () => {
    const prepare = vi.spyOn(h.sqlite, "prepare");
    try {
      const q = (n: number) => sql`SELECT ${n} + 1 AS n`;
      expect([1, 2, 3].map((n) => h.db.get<{ n: number }>(q(n))!.n)).toEqual([2, 3, 4]);
      expect(prepare).toHaveBeenCalledTimes(1);
    } finally {
      prepare.mockRestore();
    }
  });

  it("come back as objects after a run that asked for arrays", () => {
    const q = sql`SELECT 7 AS seven, 'x' AS x`;
    expect(h.db.values(q)).toEqual([[7, "x"]]);
    expect(h.db.all(q)).toEqual([{ seven: 7, x: "x" }]);
    expect(h.db.get(q)).toEqual({ seven: 7, x: "x" });
    expect(h.db.values(q)).toEqual([[7, "x"]]);
  });

  it("leave db.$client the connection itself", () => {
    expect((h.db as unknown as { $client: unknown }).$client).toBe(h.sqlite);
  });
});

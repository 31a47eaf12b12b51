// A ledger read for export goes through its own read-only connection and one snapshot
// (server/services/export/read-connection.ts): a write committed while the export is between
// pages is not in it, the reader is gone once the pages end or are left, and a database another
// connection cannot open (in memory) is read as before.

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { idNumberCheckChar } from "../../../server/domain/id-number.js";
import { resolveScope } from "../../../server/services/coverage/scope.js";
import { ledgerRows } from "../../../server/services/export/ledgers.js";
import { memoryDb, tempFileDb } from "../../helpers/db.js";
import { buildFixture, supervisor } from "../coverage/fixture.js";

const WORKERS = 1300; // three pages of the export's 500

function addWorkers(h: DbHandle, from: number, n: number): void {
  const ins = h.sqlite.prepare(
    "INSERT INTO workers (platform, id_number, name, org_id, first_seen_on, last_seen_on) VALUES ('某外卖平台', ?, ?, 2, '2025-01-01', '2025-12-01')",
  );
  h.sqlite.transaction(() => {
    for (let i = from; i < from + n; i++) {
      // 1980-01-01 and on, 900 people a day
      const first17 = `37170219800${String(101 + Math.floor(i / 900))}${String(100 + (i % 900))}`;
      ins.run(first17 + idNumberCheckChar(first17), `骑手${i}`);
    }
  })();
}

function ledger(h: DbHandle) {
  return ledgerRows("workers", { db: h.db, rs: resolveScope(h.db, supervisor, {}), asOf: "2026-01-15", unmask: true, filters: {} });
}

const nameCol = (h: DbHandle) => ledger(h).columns.findIndex((c) => c.header === "姓名");

describe("a ledger's own read connection", () => {
  let h: DbHandle & { dir?: string };
  afterEach(() => h.close());

  describe("on a database file", () => {
    beforeEach(() => {
      h = tempFileDb();
      buildFixture(h.sqlite);
      addWorkers(h, 0, WORKERS);
    });

    it("reads one snapshot: a worker added and one deleted between pages change nothing in the export", () => {
      const before = h.sqlite.prepare("SELECT count(*) FROM workers").pluck().get() as number;
      const pages = ledger(h).pages();
      const seen: string[] = [];
      const k = nameCol(h);
      const first = pages.next();
      for (const v of first.value ?? []) seen.push(String(v[k]));
      // Committed on the app's connection while the export waits between pages.
      addWorkers(h, WORKERS, 5);
      h.sqlite.prepare("DELETE FROM workers WHERE name = ?").run(`骑手${WORKERS - 1}`);
      for (let p = pages.next(); !p.done; p = pages.next()) for (const v of p.value) seen.push(String(v[k]));
      expect(seen).toHaveLength(before);
      expect(seen).toContain(`骑手${WORKERS - 1}`);
      expect(seen).not.toContain(`骑手${WORKERS}`);
    });

    it("lets go of its snapshot when the pages are left half-way", () => {
      const pages = ledger(h).pages();
      pages.next();
      addWorkers(h, WORKERS, 5);
      // While the reader holds its snapshot, the WAL cannot be checkpointed past it (asked without waiting).
      h.sqlite.pragma("busy_timeout = 0");
      const held = h.sqlite.pragma("wal_checkpoint(TRUNCATE)", { simple: false }) as { busy: number }[];
      expect(held[0]!.busy).toBe(1);
      pages.return(undefined);
      const free = h.sqlite.pragma("wal_checkpoint(TRUNCATE)", { simple: false }) as { busy: number }[];
      expect(free[0]!.busy).toBe(0);
    });
  });

  it("in memory (another connection cannot open it): read through the caller's connection, every row", () => {
    h = memoryDb();
    buildFixture(h.sqlite);
    addWorkers(h, 0, WORKERS);
    const total = h.sqlite.prepare("SELECT count(*) FROM workers").pluck().get() as number;
    let n = 0;
    for (const page of ledger(h).pages()) n += page.length;
    expect(n).toBe(total);
  });
});

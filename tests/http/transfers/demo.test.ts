// The demo seed's transfers: every state, overdue ones, mobile members with spells, and a
// lived-in inbox for the demo secretaries.

import { PassThrough } from "node:stream";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { exportTransferLedger } from "../../../server/services/export/transfer-ledger.js";
import { seedDemo } from "../../../db/seed/index.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { DEMO_JURISDICTION } from "../../../server/domain/reference-data.js";
import { todayIso } from "../../../server/domain/dates.js";
import { inboxCounts } from "../../../server/services/inbox.service.js";
import { type DemoTransferCounts, seedDemoTransfers } from "../../../db/seed/demo-transfers.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { memoryDb } from "../../helpers/db.js";

const today = todayIso();
let h: ReturnType<typeof memoryDb>;
let counts: DemoTransferCounts;
beforeAll(async () => {
  h = memoryDb();
  prepareDatabase(h, { jurisdiction: DEMO_JURISDICTION });
  await seedDemo(h, {
    today,
    members: 1500,
    extras: (handle) => {
      counts = seedDemoTransfers(handle, today);
    },
  });
}, 120_000);
afterAll(() => h.close());

const all = <T>(sqlText: string, ...args: unknown[]) => h.sqlite.prepare(sqlText).all(...args) as T[];

describe("demo transfers", () => {
  it("has transfers of every kind in every state, overdue ones and a correction", () => {
    const states = all<{ state: string; n: number }>("SELECT state, count(*) n FROM transfers GROUP BY state");
    expect(states.map((s) => s.state).sort()).toEqual(["cancelled", "completed", "pending", "returned"]);
    const kinds = all<{ kind: string }>("SELECT DISTINCT kind FROM transfers")
      .map((k) => k.kind)
      .sort();
    expect(kinds).toEqual(["incoming", "internal", "outgoing"]);
    expect(counts.overdue).toBeGreaterThan(0);
    expect(counts.transfers).toBeGreaterThan(40);
    expect(all("SELECT id FROM transfers WHERE corrects_transfer_id IS NOT NULL")).toHaveLength(1);
  });

  it("keeps every mobile member on exactly one open spell and nobody else on one", () => {
    const wrong = all(
      "SELECT m.id FROM members m WHERE (m.relation_status IN ('mobile_in','mobile_out') AND m.left_on IS NULL) != EXISTS (SELECT 1 FROM mobile_spells s WHERE s.member_id = m.id AND s.ended_on IS NULL)",
    );
    expect(wrong).toEqual([]);
    expect(counts.spellsBackfilled).toBeGreaterThan(50);
    expect(
      all(
        "SELECT id FROM mobile_spells WHERE direction = 'in' AND ended_on IS NULL AND certificate_valid_until <= date(?, '+30 days')",
        today,
      ).length,
    ).toBeGreaterThan(0);
  });

  it("gives the demo secretaries and clerk a lived-in inbox", () => {
    for (const username of ["secretary", "secretary2", "clerk"]) {
      const u = h.sqlite.prepare("SELECT id FROM users WHERE username = ?").get(username) as { id: number };
      const c = inboxCounts(h.db, loadActor(h.db, u.id)!, today);
      expect(c.total, username).toBeGreaterThan(0);
      if (username !== "clerk") expect(c.incoming, username).toBeGreaterThan(0);
    }
    const sec = h.sqlite.prepare("SELECT id FROM users WHERE username = 'secretary'").get() as { id: number };
    const c = inboxCounts(h.db, loadActor(h.db, sec.id)!, today);
    expect(c.overdue).toBeGreaterThan(0);
    expect(c.expiring).toBeGreaterThan(0);
    expect(c.lost).toBeGreaterThan(0);
  });

  it("exports the whole demo ledger, the correction naming the letter it corrects", async () => {
    const admin = loadActor(h.db, (h.sqlite.prepare("SELECT id FROM users WHERE username = 'admin'").get() as { id: number }).id)!;
    const out = new PassThrough();
    const chunks: Buffer[] = [];
    out.on("data", (c: Buffer) => chunks.push(c));
    const n = await exportTransferLedger(h.db, admin, {}, out, today);
    expect(n).toBe((h.sqlite.prepare("SELECT count(*) n FROM transfers").get() as { n: number }).n);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(Buffer.concat(chunks) as unknown as ArrayBuffer);
    const ws = wb.worksheets[0]!;
    expect(ws.rowCount).toBe(n + 1);
    const header = (ws.getRow(1).values as unknown[]).map(String);
    const col = header.indexOf("更正的介绍信");
    const fix = h.sqlite.prepare("SELECT c.letter_number FROM transfers t JOIN transfers c ON c.id = t.corrects_transfer_id").get() as {
      letter_number: string;
    };
    const values: unknown[] = [];
    ws.eachRow((row, i) => {
      if (i > 1) values.push(row.getCell(col).value);
    });
    expect(values).toContain(fix.letter_number);
  });
});

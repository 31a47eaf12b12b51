// The dashboard's cards counted on the counting thread (its own read-only connection to the file)
// equal the same cards counted on the server's thread, before and after a write made on the
// server's connection; a thread that fails is answered on the server's thread, not by a hang; an
// in-memory database is counted on the server's thread.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DbHandle, openDb } from "../../../db/client.js";
import { StatsCache } from "../../../server/services/coverage/stats-cache.js";
import { countDashboardCards, type DashboardTask } from "../../../server/services/counting/cards.js";
import { CountingThread } from "../../../server/services/counting/thread.js";
import { RiskParts } from "../../../server/services/risk/parts.js";
import { MeetingParts } from "../../../server/services/meetings/parts.js";
import { memoryDb } from "../../helpers/db.js";
import { buildFixture, clerkPS, type Fixture, supervisor } from "../coverage/fixture.js";

const silent = { error: () => undefined };
const kept = (h: DbHandle) => ({
  stats: new StatsCache(h.sqlite),
  riskParts: new RiskParts(h.sqlite),
  meetingParts: new MeetingParts(h.sqlite),
});
const TODAY = "2026-01-15";
const tasks: DashboardTask[] = [
  { actor: supervisor, scope: {}, today: TODAY },
  { actor: supervisor, scope: { committeeId: 2 }, today: TODAY },
  { actor: clerkPS, scope: {}, today: TODAY },
];

let dir: string;
let h: DbHandle;
let f: Fixture;
let thread: CountingThread;

beforeAll(() => {
  const m = memoryDb();
  f = buildFixture(m.sqlite);
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "counting-thread-"));
  fs.writeFileSync(path.join(dir, "app.db"), m.sqlite.serialize());
  m.close();
  h = openDb(path.join(dir, "app.db"));
  thread = new CountingThread(h, kept(h), silent);
});
afterAll(async () => {
  await thread.close();
  h.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** The cards of every task counted anew on the server's thread. */
const fresh = () => tasks.map((t) => countDashboardCards(h.db, kept(h), t));

describe("the counting thread", () => {
  it("counts on its own connection what the server's thread counts, and the server's thread keeps running meanwhile", async () => {
    expect(thread.offThread).toBe(true);
    let turns = 0;
    const timer = setInterval(() => turns++, 0);
    const cards = await Promise.all(tasks.map((t) => thread.dashboardCards(t)));
    clearInterval(timer);
    expect(turns).toBeGreaterThan(0);
    expect(thread.counted).toEqual({ thread: 3, fallback: 0 });
    expect(cards).toEqual(fresh());
    // The badges came with them, every area's counted on the thread too (a clerk's: a supervisor only reads).
    expect(Object.keys(cards[2]!.nav).sort()).toEqual(["duesUnpaid", "inbox", "leads", "meetings"]);
    expect(cards[0]!.nav).toEqual({});
    expect(cards[0]!.d.figures.members).toBeGreaterThan(0);
  }, 60_000);

  it("sees a write made on the server's connection at once, counting again only what it touched", async () => {
    const before = await thread.dashboardCards(tasks[0]!);
    const id = h.sqlite.prepare("SELECT id_number FROM leads WHERE id = ?").pluck().get(f.L[2]) as string;
    h.sqlite.prepare("UPDATE leads SET status = 'verified', decided_on = '2025-12-01' WHERE id = ?").run(f.L[2]);
    h.sqlite
      .prepare(
        `INSERT INTO members (name, gender, birth_date, id_number, id_last4, category, org_id, relation_status, verified_on, lost_contact_on)
         VALUES ('核实', 'male', '1990-01-01', ?, ?, 'full', 4, 'local', '2025-12-01', '2025-01-01')`,
      )
      .run(id, id.slice(-4));
    const after = await Promise.all(tasks.map((t) => thread.dashboardCards(t)));
    expect(after).toEqual(fresh());
    expect(after[0]!.d.figures).not.toEqual(before.d.figures);
    expect(after[0]!.risk.lost_contact).toBe(before.risk.lost_contact + 1);
  }, 60_000);

  it("a thread that fails (here: its file cannot be opened) is answered on the server's thread, and tried again next time", async () => {
    const broken = new CountingThread({ ...h, path: path.join(dir, "missing.db") }, kept(h), silent);
    try {
      expect(await broken.dashboardCards(tasks[0]!)).toEqual(fresh()[0]);
      expect(await broken.dashboardCards(tasks[2]!)).toEqual(fresh()[2]);
      expect(broken.counted).toEqual({ thread: 0, fallback: 2 });
    } finally {
      await broken.close();
    }
  }, 60_000);

  it("counts an in-memory database on the server's thread", async () => {
    const m = memoryDb();
    try {
      buildFixture(m.sqlite);
      const inline = new CountingThread(m, kept(m), silent);
      expect(inline.offThread).toBe(false);
      expect(await inline.dashboardCards(tasks[0]!)).toEqual(countDashboardCards(m.db, kept(m), tasks[0]!));
      expect(inline.counted).toEqual({ thread: 0, fallback: 0 });
    } finally {
      m.close();
    }
  });
});

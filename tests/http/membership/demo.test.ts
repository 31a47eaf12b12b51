// The demo seed's membership changes and mobile spells in the official shape.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DemoMembershipCounts, seedDemoMembership } from "../../../db/seed/demo-membership.js";
import { seedDemoTransfers } from "../../../db/seed/demo-transfers.js";
import { seedDemo } from "../../../db/seed/index.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { DEMO_JURISDICTION } from "../../../server/domain/reference-data.js";
import { todayIso } from "../../../server/domain/dates.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { inboxCounts } from "../../../server/services/inbox.service.js";
import { memoryDb } from "../../helpers/db.js";

const today = todayIso();
let h: ReturnType<typeof memoryDb>;
let counts: DemoMembershipCounts;
let ms = 0;
beforeAll(async () => {
  h = memoryDb();
  prepareDatabase(h, { jurisdiction: DEMO_JURISDICTION });
  await seedDemo(h, {
    today,
    members: 1500,
    extras: (handle) => {
      seedDemoTransfers(handle, today);
      const t0 = performance.now();
      counts = seedDemoMembership(handle, today);
      ms = performance.now() - t0;
    },
  });
}, 120_000);
afterAll(() => h.close());

const all = <T>(sqlText: string) => h.sqlite.prepare(sqlText).all() as T[];

describe("demo membership", () => {
  it("has members suspended (one restored since), one expelled, one deceased and one suspension waiting, quickly", () => {
    expect(counts).toEqual({ suspended: 3, restored: 1, leftParty: 1, deceased: 1, pending: 1 });
    const standing = all<{ left_reason: string | null; n: number }>(
      "SELECT m.left_reason, count(*) AS n FROM members m WHERE m.id IN (SELECT member_id FROM membership_changes) GROUP BY m.left_reason ORDER BY 1",
    );
    expect(standing).toEqual([
      { left_reason: null, n: 2 },
      { left_reason: "deceased", n: 1 },
      { left_reason: "expelled", n: 1 },
      { left_reason: "suspended", n: 2 },
    ]);
    expect(ms).toBeLessThan(2000);
  });

  it("the committee's clerk has the waiting suspension on the inbox", () => {
    const clerk = h.sqlite.prepare("SELECT id FROM users WHERE username = 'clerk'").get() as { id: number };
    expect(inboxCounts(h.db, loadActor(h.db, clerk.id)!, today).membership).toBe(1);
  });

  it("mobile spells carry the official shape: every 流出 a division or 不掌握流向, and a unit kind or a mapped old region", () => {
    const out = all<{ destination_code: string | null; unit_kind: string | null }>(
      "SELECT destination_code, unit_kind FROM mobile_spells WHERE direction = 'out'",
    );
    expect(out.length).toBeGreaterThan(10);
    for (const s of out) expect(s.destination_code != null || s.unit_kind === "unknown_destination").toBe(true);
    expect(out.filter((s) => s.unit_kind === "unknown_destination").length).toBeGreaterThan(0);
    expect(new Set(out.map((s) => s.unit_kind)).size).toBeGreaterThan(3);
    const inn = all<{ home_region_code: string | null; certificate_held: number }>(
      "SELECT home_region_code, certificate_held FROM mobile_spells WHERE direction = 'in'",
    );
    expect(inn.every((s) => s.certificate_held === 1)).toBe(true);
    expect(inn.filter((s) => s.home_region_code != null).length).toBeGreaterThan(0);
  });
});

// A closed period regenerates identically after later changes: the snapshot job freezes 2025's
// tables at the start of 2026; then a member is edited, one restored to contact, one transferred, one
// restored to membership; 2025 reads exactly what was frozen (while the same tables computed from the
// changed records differ: the control that this test can fail).

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { parsePeriod } from "../../../server/domain/official-tables/periods.js";
import { systemActor } from "../../../server/policy/actor.js";
import { restoreContact } from "../../../server/services/members/contact.js";
import {
  computeTable,
  freezeClosedPeriods,
  freezePeriod,
  getTable,
  resolveTableOrg,
  TABLES,
  tableModule,
} from "../../../server/services/tables/tables.service.js";
import { memoryDb } from "../../helpers/db.js";
import { buildTablesWorld, type World } from "./fixture.js";

const CLOSE = new Date("2026-01-01T01:00:00Z");
const LATER = new Date("2026-03-15T08:00:00Z");
const actor = systemActor("test");
let h: DbHandle;
let w: World;

beforeAll(() => {
  h = memoryDb();
  w = buildTablesWorld(h);
});
afterAll(() => h.close());

describe("past periods from the snapshot store", () => {
  it("the job freezes the period that closed last month, for every scope, once", async () => {
    const [r] = await freezeClosedPeriods(h.db, CLOSE);
    expect(r).toMatchObject({ period: "2025", tables: TABLES.length, kept: 0 });
    // root, two committees, three branches: six scopes × every table
    expect(r!.scopes).toBe(6);
    expect(r!.written).toBe(6 * TABLES.length);
    const again = await freezeClosedPeriods(h.db, CLOSE);
    expect(again[0]).toMatchObject({ written: 0, kept: 6 * TABLES.length });
    // In February nothing closed last month: nothing to do.
    expect(await freezeClosedPeriods(h.db, new Date("2026-02-10T00:00:00Z"))).toEqual([]);
    expect(() => h.sqlite.prepare("UPDATE official_table_snapshots SET period = '2024'").run()).toThrow(/never changed/);
    expect(() => h.sqlite.prepare("DELETE FROM official_table_snapshots").run()).toThrow(/never deleted/);
  });

  it("tables 1 and 43 of 2025 regenerate identically after later changes, for a committee and a branch", () => {
    const before = Object.fromEntries(
      ["T-DL", "T-DL-1", "T-PS"].flatMap((org) =>
        ["table1", "table43"].map((id) => [`${org}:${id}`, getTable(h.db, actor, id, { org, period: "2025", now: LATER })]),
      ),
    );
    expect(before["T-DL:table1"]!.table.source).toMatchObject({ kind: "snapshot", reconstructed: false });

    // Later changes: 甲's record edited (moved to the joint branch, education filled in), 失联出国 found
    // again, 壬 transferred out of the system, 失联停籍 restored to membership — all in 2026.
    h.db.run(sql`UPDATE members SET org_id = ${w.dlJoint.id}, education = 'bachelor', ethnicity = '03' WHERE id = ${w.A.id}`);
    restoreContact(h.db, actor, w.Q.id, { restoredOn: "2026-02-01" }, "2026-03-15");
    h.db.run(sql`UPDATE members SET education = 'college' WHERE id = ${w.Q.id}`);
    h.db.run(
      sql`UPDATE members SET relation_status = 'transferred_out', left_on = '2026-02-20', left_reason = 'transferred_out' WHERE id = ${w.I.id}`,
    );
    h.db.run(sql`INSERT INTO transfers (member_id, kind, from_org_id, external_org_name, letter_number, issued_on, valid_days, deadline_on, state, receipt_on)
      VALUES (${w.I.id}, 'outgoing', ${w.dlBranch.id}, '外地某支部', 'LATE-1', '2026-02-10', 30, '2026-03-12', 'completed', '2026-02-20')`);
    h.db.run(sql`UPDATE members SET left_on = NULL, left_reason = NULL, lost_contact_on = NULL WHERE id = ${w.V.id}`);
    h.db.run(sql`INSERT INTO membership_changes (member_id, kind, state, from_standing, effective_on, reason, org_id, approval_org_id, approved_on)
      VALUES (${w.V.id}, 'restoration', 'approved', 'suspended', '2026-03-01', '找到', ${w.dlBranch.id}, ${w.dl.id}, '2026-03-01')`);
    // A change dated back into 2025 and approved late: the frozen report stays as it was submitted.
    h.db.run(sql`UPDATE members SET left_on = '2025-11-30', left_reason = 'deceased' WHERE id = ${w.J.id}`);
    h.db.run(sql`INSERT INTO membership_changes (member_id, kind, state, from_standing, effective_on, reason, org_id, approval_org_id, approved_on)
      VALUES (${w.J.id}, 'death', 'approved', 'active', '2025-11-30', '补报', ${w.dlBranch.id}, ${w.dl.id}, '2026-03-10')`);

    for (const [k, t] of Object.entries(before)) {
      const [org, id] = k.split(":") as [string, string];
      expect(getTable(h.db, actor, id, { org, period: "2025", now: LATER }), k).toEqual(t);
    }
    // The control: computed from today's records, 2025 now reads differently.
    const org = resolveTableOrg(h.db, actor, "T-DL");
    const live1 = computeTable(h.db, actor, tableModule("table1"), org, parsePeriod("2025")!, { now: LATER });
    expect(live1.lists.died!.length).toBe(before["T-DL:table1"]!.lists.died!.length + 1);
    const live43 = computeTable(h.db, actor, tableModule("table43"), org, parsePeriod("2025")!, { now: LATER });
    // 失联出国 is still out of contact at the end of 2025 (the restored spell, read from the timeline) …
    expect(live43.lists.total).toEqual(before["T-DL:table43"]!.lists.total);
    // … but his education, edited since, moves him between the groups when computed from today's records.
    expect(live43.lists.eduJunior).toEqual([]);
    expect(before["T-DL:table43"]!.lists.eduJunior!.map((r) => r.id)).toEqual([w.Q.id]);
  });

  it("a closed period without a snapshot says so, and a late freeze is marked as made after the fact", async () => {
    const t = getTable(h.db, actor, "table1", { org: "T-DL", period: "2025-H1", now: LATER });
    expect(t.table.source.kind).toBe("live");
    expect(t.table.source.note).toContain("没有期末冻结的快照");
    const r = await freezePeriod(h.db, parsePeriod("2025-H1")!, { now: LATER, reconstructed: true });
    expect(r.written).toBe(6 * TABLES.length);
    const frozen = getTable(h.db, actor, "table1", { org: "T-DL", period: "2025-H1", now: LATER });
    expect(frozen.table.source).toMatchObject({ kind: "snapshot", reconstructed: true });
    await expect(freezePeriod(h.db, parsePeriod("2026-H1")!, { now: LATER })).rejects.toThrow();
  });
});

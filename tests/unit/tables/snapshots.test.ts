// A closed period regenerates identically after later changes: the snapshot job freezes 2025's
// tables at the start of 2026; then a member is edited, one restored to contact, one transferred, one
// restored to membership; 2025 reads exactly what was frozen (while the same tables computed from the
// changed records differ: the control that this test can fail).

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { parsePeriod } from "../../../server/domain/official-tables/periods.js";
import type { ComputedTable } from "../../../server/domain/official-tables/table.js";
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
import { addEnterprise, cover } from "../../helpers/fixtures.js";
import { buildTablesWorld, type World } from "./fixture.js";

const CLOSE = new Date("2026-01-01T01:00:00Z");
const LATER = new Date("2026-03-15T08:00:00Z");
const actor = systemActor("test");
let h: DbHandle;
let w: World;

let ent: { joint: number; contacted: number; unrecorded: number };

beforeAll(() => {
  h = memoryDb();
  w = buildTablesWorld(h);
  // Table 27's records: an enterprise of the joint branch's (80 workers), one contacted by an instructor
  // (30), one of the joint branch's with no worker count recorded.
  const joint = addEnterprise(h, w.dl.id, { name: "联建货运", workerCount: 80 });
  const contacted = addEnterprise(h, w.dl.id, { name: "指导员联系的物流", workerCount: 30 });
  const unrecorded = addEnterprise(h, w.dl.id, { name: "未登记人数的车队", workerCount: 0 });
  cover(h, w.dlJoint.id, joint.id);
  cover(h, w.dlJoint.id, unrecorded.id);
  h.db.run(
    sql`INSERT INTO instructors (id, name, kind, phone, committee_id) VALUES (7, '赵指导', 'instructor', '13900001111', ${w.dl.id})`,
  );
  h.db.run(sql`INSERT INTO instructor_assignments (instructor_id, enterprise_id, assigned_on) VALUES (7, ${contacted.id}, '2025-03-01')`);
  ent = { joint: joint.id, contacted: contacted.id, unrecorded: unrecorded.id };
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

  it("table 27 of 2025 keeps its joint branches, instructors and worker counts as frozen, after later changes", () => {
    const t27 = (org: string) => getTable(h.db, actor, "table27", { org, period: "2025", now: LATER });
    const before = { dl: t27("T-DL"), joint: t27("T-DL-2") };
    expect(before.dl.table.source.kind).toBe("snapshot");
    // What was frozen reads back whole: the kinds, the notes and the amounts of the sum cells.
    expect(before.dl.lists.r7_all).toEqual([
      { kind: "organization", id: w.dlJoint.id, on: null, note: "覆盖本列企业2家：联建货运、未登记人数的车队" },
    ]);
    expect(before.dl.lists.r11_all).toEqual([{ kind: "instructor", id: 7, on: null, note: "联系本列企业1家：指导员联系的物流" }]);
    expect(before.dl.lists.r12_all!.map((r) => [r.id, r.amount])).toEqual([
      [ent.joint, 80],
      [ent.contacted, 30],
      [ent.unrecorded, null],
    ]);
    const cell = (t: ComputedTable, no: string) => t.table.rows.find((r) => r.no === no)!.cells[0]!;
    expect(cell(before.dl, "12")).toMatchObject({ value: 110, sum: { of: "从业人员数", missing: 1 } });
    expect(cell(before.dl, "16")).toMatchObject({ value: 30, sum: { missing: 0 } });
    // The freeze stored what the computation made (the lists of the new kinds survive the store's columns).
    const org = resolveTableOrg(h.db, actor, "T-DL");
    const live = computeTable(h.db, actor, tableModule("table27"), org, parsePeriod("2025")!, { now: CLOSE });
    for (const key of ["r7_all", "r11_all", "r12_all", "r14_all", "r16_all"])
      expect(
        live.lists[key]!.map((r) => ({ on: null, ...r })),
        key,
      ).toEqual(before.dl.lists[key]);

    // Later: worker counts recorded and changed, the instructor's assignment ended in 2025 (recorded
    // late), the joint branch no longer covering one enterprise, the instructor's name corrected.
    h.db.run(sql`UPDATE enterprises SET worker_count = 95 WHERE id = ${ent.unrecorded}`);
    h.db.run(sql`UPDATE enterprises SET worker_count = 40 WHERE id = ${ent.contacted}`);
    h.db.run(sql`UPDATE instructor_assignments SET ended_on = '2025-10-01' WHERE instructor_id = 7`);
    h.db.run(sql`DELETE FROM organization_enterprises WHERE enterprise_id = ${ent.joint}`);

    expect(t27("T-DL")).toEqual(before.dl);
    expect(t27("T-DL-2")).toEqual(before.joint);
    // The control: computed from today's records, 2025 now reads differently.
    const now = computeTable(h.db, actor, tableModule("table27"), org, parsePeriod("2025")!, { now: LATER });
    expect(cell(now, "12")).toMatchObject({ value: 215, sum: { missing: 0 } });
    expect(now.lists.r11_all).toEqual([]);
    expect(now.lists.r7_all!.map((r) => r.note)).toEqual(["覆盖本列企业1家：未登记人数的车队"]);
  });
});

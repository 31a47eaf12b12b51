// The month-change job counts every organization's report in one pass (month-pass.ts): each stored
// snapshot must be, byte for byte, the one takeSnapshot stores for that organization alone.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { takeMonthlySnapshots, takeSnapshot } from "../../../server/services/coverage/snapshots.js";
import { memoryDb } from "../../helpers/db.js";
import { buildFixture, fakeId, type Fixture } from "./fixture.js";

let h: DbHandle;
let fx: Fixture;
const NOW = new Date("2026-01-15T04:00:00Z");

/** The stored snapshots' JSON, by organization. */
function stored(month: string): Map<number, string> {
  const rows = h.sqlite
    .prepare("SELECT scope_org_id AS id, figures FROM coverage_snapshots WHERE month = ? ORDER BY scope_org_id")
    .all(month) as { id: number; figures: string }[];
  return new Map(rows.map((r) => [r.id, r.figures]));
}

beforeAll(() => {
  h = memoryDb();
  fx = buildFixture(h.sqlite);
  const run = (q: string, ...p: unknown[]) => h.sqlite.prepare(q).run(...p);
  // Rows whose scopes are not one subtree: E8 (held by committee 3) also covered by the joint branch
  // 4 under committee 2; a transfer from committee 3's general branch to committee 2's joint branch (below).
  run("INSERT INTO organization_enterprises (organization_id, enterprise_id) VALUES (4, ?)", fx.E[8]);
  // A fourth level (a branch under the county committee 8), with a member, a lead, a worker.
  run(
    `INSERT INTO organizations (id, code, name, kind, formation, parent_id, path, depth, region_code, status, industry_code)
     VALUES (9, 'CX-B1', '曹县站点党支部', 'branch', 'standalone', 8, '/1/3/8/9/', 3, '371721', 'active', 'road_transport')`,
  );
  const id = fakeId();
  run(
    `INSERT INTO members (name, gender, birth_date, id_number, id_last4, category, enterprise_id, org_id, relation_status, joined_on)
     VALUES ('党员X', 'male', '1990-01-01', ?, ?, 'full', ?, 9, 'local', '2020-01-01')`,
    id,
    id.slice(-4),
    fx.E[9],
  );
  const memberX = Number(h.sqlite.prepare("SELECT id FROM members WHERE name = '党员X'").pluck().get());
  run(
    `INSERT INTO transfers (member_id, kind, from_org_id, to_org_id, letter_number, issued_on, valid_days, deadline_on, state)
     VALUES (?, 'internal', 6, 4, 'T-X', '2025-12-02', 10, '2025-12-12', 'pending')`,
    memberX,
  );
  run(
    "INSERT INTO leads (id_number, name, channel, committee_id, status, found_on) VALUES (?, '线索X', 'field_visit', 9, 'open', '2025-11-01')",
    fakeId(),
  );
  // The other areas' figures: recruitment, organizational life, dues, in branches of both committees.
  const recruit = (org: number, stage: string, extra: string, values: unknown[]) =>
    run(
      `INSERT INTO recruitments (org_id, name, id_number, gender, birth_date, applied_on, stage${extra}) VALUES (?, '申请人', ?, 'male', '2000-01-01', '2025-01-01', ?${values.map(() => ", ?").join("")})`,
      org,
      fakeId(),
      stage,
      ...values,
    );
  recruit(5, "applicant", "", []);
  recruit(9, "activist", "", []);
  recruit(4, "full", ", joined_on, full_on", ["2024-06-01", "2025-06-01"]);
  const meeting = run(
    "INSERT INTO meetings (org_id, type, held_on, host, recorder, topic) VALUES (9, 'theme_day', '2025-12-10', '书记', '委员', '主题党日')",
  );
  run("INSERT INTO meeting_attendance (meeting_id, member_id, status) VALUES (?, ?, 'present')", meeting.lastInsertRowid, memberX);
  run(
    "INSERT INTO dues_entries (member_id, org_id, month, basis, due_fen, paid_fen, paid_on, method) VALUES (?, 9, '2025-12', 'regular', 200, 200, '2025-12-05', 'cash')",
    memberX,
  );
});
afterAll(() => h.close());

describe("the month-change job's one pass", () => {
  it("stores for every organization the snapshot takeSnapshot stores for it alone, byte for byte", async () => {
    const ids = (h.sqlite.prepare("SELECT id FROM organizations WHERE status = 'active' ORDER BY id").pluck().all() as number[]).filter(
      (id) => id !== 7,
    );
    for (const id of ids) takeSnapshot(h.db, id, { asOf: "2025-12-31", final: true, now: NOW });
    const one = stored("2025-12");
    expect([...one.keys()]).toEqual(ids);
    h.sqlite.prepare("DELETE FROM coverage_snapshots").run();

    const r = await takeMonthlySnapshots(h.db, { asOf: "2025-12-31", final: true, now: NOW });
    expect(r).toMatchObject({ month: "2025-12", scopes: ids.length, written: ids.length, kept: 0 });
    const pass = stored("2025-12");
    for (const id of ids) expect(pass.get(id), `organization ${id}`).toBe(one.get(id));
    // The fixture reaches what the pass must get right: a row in two subtrees, four levels, each area.
    const root = JSON.parse(one.get(1)!);
    expect(root.figures.transfersPending).toBeGreaterThan(0);
    expect(JSON.parse(one.get(2)!).figures.enterprises).toBe(6);
    expect(JSON.parse(one.get(8)!).recruitment.activists).toBe(1);
    expect(JSON.parse(one.get(8)!).dues).toMatchObject({ members: 1, collectedFen: 200 });
    expect(JSON.parse(one.get(3)!).meetings.tookPart3).toBe(1);
    expect(root.unmanaged.length).toBeGreaterThan(0);
    expect(root.shouldForm.length).toBeGreaterThan(0);
  });

  it("keeps a final snapshot and retakes a provisional one, as takeSnapshot does", async () => {
    h.sqlite.prepare("DELETE FROM coverage_snapshots").run();
    takeSnapshot(h.db, 2, { asOf: "2026-01-10", final: true, now: NOW });
    takeSnapshot(h.db, 3, { asOf: "2026-01-10", now: NOW });
    const before = stored("2026-01");
    const r = await takeMonthlySnapshots(h.db, { asOf: "2026-01-15", now: NOW });
    expect(r).toMatchObject({ kept: 1, written: r.scopes - 1 });
    const after = stored("2026-01");
    expect(after.get(2)).toBe(before.get(2));
    expect(JSON.parse(after.get(3)!).asOf).toBe("2026-01-15");
  });
});

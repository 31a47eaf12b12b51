// The live tables' read cache (deps.ts caches.tables): a second view with nothing changed is the kept
// table (no computation); any write — a member, a transfer, an enterprise — makes the next view compute
// again, with the write in it.

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import type { ComputedTable } from "../../../server/domain/official-tables/table.js";
import { type Actor, systemActor } from "../../../server/policy/actor.js";
import { ReadCache } from "../../../server/services/read-cache.js";
import { getTable } from "../../../server/services/tables/tables.service.js";
import { memoryDb } from "../../helpers/db.js";
import { addEnterprise, addMember } from "../../helpers/fixtures.js";
import { buildTablesWorld, type World } from "./fixture.js";

const NOW = new Date("2026-03-15T08:00:00Z");
const actor = systemActor("test");
let h: DbHandle;
let w: World;
let cache: ReadCache<ComputedTable>;

beforeAll(() => {
  h = memoryDb();
  w = buildTablesWorld(h);
  cache = new ReadCache<ComputedTable>(h.sqlite, { max: 50, othersMaxAgeMs: 0 });
});
afterAll(() => h.close());

const view = (id: string, org = "T-DL", who: Actor = actor) => getTable(h.db, who, id, { org, period: "2026", now: NOW, cache });

describe("the live tables' read cache", () => {
  it("a second view with nothing changed is the kept table; another scope or table is its own entry", () => {
    const first = view("table1");
    expect(view("table1").table).toBe(first.table);
    expect(view("table1").lists).toBe(first.lists);
    expect(view("table1", "T-PS").table).not.toBe(first.table);
    expect(view("table43").table).not.toBe(first.table);
    const clerk: Actor = {
      id: 5,
      username: "c",
      displayName: "c",
      role: "clerk",
      orgId: w.dl.id,
      orgPath: w.dl.path,
      orgName: "道路运输行业党委",
    };
    expect(view("table1", "T-DL", clerk).table).not.toBe(first.table);
    // The same figures whoever asks within the scope.
    expect(view("table1", "T-DL", clerk).table.rows).toEqual(first.table.rows);
  });

  it("a write makes the next view compute again, with the write in it", () => {
    const before = view("table1");
    const end = before.lists.end!.length;
    addMember(h, w.dlBranch.id, { name: "三月新转入" });
    const after = view("table1");
    expect(after.table).not.toBe(before.table);
    expect(after.lists.end!.length).toBe(end + 1);
    expect(view("table1").table).toBe(after.table);
    // A transfer record alone (no member row touched) counts as a change too.
    h.db.run(sql`INSERT INTO transfers (member_id, kind, from_org_id, to_org_id, letter_number, issued_on, valid_days, deadline_on, state)
      VALUES (${w.A.id}, 'internal', ${w.dlBranch.id}, ${w.dlJoint.id}, 'CACHE-1', '2026-03-01', 30, '2026-03-31', 'pending')`);
    expect(view("table1").table).not.toBe(after.table);
    // Table 27's inputs likewise: a new enterprise is in the next view.
    const t27 = view("table27");
    addEnterprise(h, w.dl.id, { name: "新登记企业", workerCount: 12 });
    const t27after = view("table27");
    expect(t27after.lists.r1_all!.length).toBe(t27.lists.r1_all!.length + 1);
  });

  it("another day is another entry (a running period is as of today)", () => {
    const today = view("table1");
    const tomorrow = getTable(h.db, actor, "table1", { org: "T-DL", period: "2026", now: new Date("2026-03-16T08:00:00Z"), cache });
    expect(tomorrow.table).not.toBe(today.table);
    expect(tomorrow.table.period.asOf).toBe("2026-03-16");
  });
});

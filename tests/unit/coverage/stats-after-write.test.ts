// The statistics are kept per holding organization (coverage/partitions.ts) and counted again only where a
// write touched them (migration 0019's triggers). For every kind of write the figures read — the
// columns of figures.ts's sources — the figures through the cache after the write must equal a
// fresh count, for every scope kept before the write. Each write changes what a fresh count gives
// (checked), so a kind of write that stopped invalidating leaves the kept figures behind and fails.
// The writes are the rows each service writes (the service tests prove the services write them);
// the triggers see the rows, whoever writes them.

import type Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { type Actor, systemActor } from "../../../server/policy/actor.js";
import { computeFiguresAndBreakdowns, type StatsScope } from "../../../server/services/coverage/coverage.service.js";
import { StatsCache } from "../../../server/services/coverage/stats-cache.js";
import { memoryDb } from "../../helpers/db.js";
import { AS_OF, buildFixture, clerkDL, clerkPS, type Fixture, fakeId, supervisor } from "./fixture.js";

const SCOPES: [Actor, StatsScope][] = [
  [supervisor, {}],
  [supervisor, { committeeId: 2 }],
  [supervisor, { committeeId: 3 }],
  [supervisor, { county: "371702" }],
  [supervisor, { orgId: 3 }],
  [clerkDL, {}],
  [clerkPS, {}],
];

type Write = (sqlite: Database.Database, f: Fixture) => void;

/** [kind of write, the rows it writes], each as its service writes them, dated on or before AS_OF. */
const WRITES: [string, Write][] = [
  // Leads (four finds)
  [
    "lead verified: the lead's status and date, and the member it becomes",
    (s, f) => {
      const id = s.prepare("SELECT id_number FROM leads WHERE id = ?").pluck().get(f.L[2]) as string;
      s.prepare("UPDATE leads SET status = 'verified', decided_on = '2025-12-01' WHERE id = ?").run(f.L[2]);
      s.prepare(
        `INSERT INTO members (name, gender, birth_date, id_number, id_last4, category, org_id, relation_status, verified_on)
         VALUES ('核实', 'male', '1990-01-01', ?, ?, 'full', 4, 'local', '2025-12-01')`,
      ).run(id, id.slice(-4));
    },
  ],
  ["lead rejected after being verified", (s, f) => s.prepare("UPDATE leads SET status = 'rejected' WHERE id = ?").run(f.L[1])],
  [
    "lead found by hand or by a roster match (a new lead)",
    (s) =>
      s
        .prepare(
          "INSERT INTO leads (id_number, name, channel, committee_id, status, found_on) VALUES (?, '新线索', 'field_visit', 3, 'open', '2025-11-01')",
        )
        .run(fakeId()),
  ],
  ["lead handed to another committee", (s, f) => s.prepare("UPDATE leads SET committee_id = 3 WHERE id = ?").run(f.L[2])],
  ["lead's channel corrected", (s, f) => s.prepare("UPDATE leads SET channel = 'platform_report' WHERE id = ?").run(f.L[2])],
  ["lead deleted", (s, f) => s.prepare("DELETE FROM leads WHERE id = ?").run(f.L[4])],
  // Members
  [
    "member added (with a discovery channel, no lead)",
    (s) => {
      const id = fakeId();
      s.prepare(
        `INSERT INTO members (name, gender, birth_date, id_number, id_last4, category, enterprise_id, org_id, relation_status, discovery_channel)
         VALUES ('新党员', 'male', '1990-01-01', ?, ?, 'full', (SELECT min(id) FROM enterprises), 5, 'local', 'field_visit')`,
      ).run(id, id.slice(-4));
    },
  ],
  [
    "member edited: probationary to full",
    (s, f) => s.prepare("UPDATE members SET category = 'full', full_on = '2025-10-01' WHERE id = ?").run(f.M[7]),
  ],
  [
    "member filed to a branch (organization, managed from)",
    (s, f) => s.prepare("UPDATE members SET org_id = 4, relation_status = 'local', managed_on = '2025-10-01' WHERE id = ?").run(f.M[5]),
  ],
  ["member flowing in (relation status)", (s, f) => s.prepare("UPDATE members SET relation_status = 'mobile_in' WHERE id = ?").run(f.M[1])],
  [
    "member flowing out (relation status)",
    (s, f) => s.prepare("UPDATE members SET relation_status = 'mobile_out' WHERE id = ?").run(f.M[2]),
  ],
  ["member out of contact", (s, f) => s.prepare("UPDATE members SET lost_contact_on = '2025-01-10' WHERE id = ?").run(f.M[13])],
  ["member back in contact", (s, f) => s.prepare("UPDATE members SET lost_contact_on = NULL WHERE id = ?").run(f.M[12])],
  [
    "member left: a membership change approved (停止党籍/出党/去世: left_on)",
    (s, f) => s.prepare("UPDATE members SET left_on = '2025-11-30', left_reason = 'deceased' WHERE id = ?").run(f.M[6]),
  ],
  [
    "membership restored (恢复党籍: left_on cleared)",
    (s, f) => s.prepare("UPDATE members SET left_on = NULL, left_reason = NULL, relation_status = 'local' WHERE id = ?").run(f.M[18]),
  ],
  ["member moved to another enterprise", (s, f) => s.prepare("UPDATE members SET enterprise_id = ? WHERE id = ?").run(f.E[9], f.M[3])],
  [
    "member's discovery date set after the as-of date",
    (s, f) => s.prepare("UPDATE members SET discovered_on = '2026-02-01' WHERE id = ?").run(f.M[1]),
  ],
  [
    "member's verification date set after the as-of date",
    (s, f) => s.prepare("UPDATE members SET verified_on = '2026-02-01' WHERE id = ?").run(f.M[9]),
  ],
  [
    "member's discovery channel recorded",
    (s, f) => s.prepare("UPDATE members SET discovery_channel = 'data_match' WHERE id = ?").run(f.M[10]),
  ],
  [
    "member's ID number corrected to a lead's (the lead now has its member)",
    (s, f) => {
      const id = s.prepare("SELECT id_number FROM leads WHERE id = ?").pluck().get(f.L[3]) as string;
      s.prepare("UPDATE leads SET status = 'verified', decided_on = '2025-03-01' WHERE id = ?").run(f.L[3]);
      s.prepare("UPDATE members SET id_number = ?, id_last4 = ? WHERE id = ?").run(id, id.slice(-4), f.M[20]);
    },
  ],
  [
    "transfer accepted: the member's organization and the transfer",
    (s, f) => {
      // Into another committee's branch: the member's figures move from committee 2 to committee 3.
      s.prepare("UPDATE transfers SET to_org_id = 6, state = 'completed', receipt_on = '2025-12-20' WHERE letter_number = 'T-1'").run();
      s.prepare("UPDATE members SET org_id = 6 WHERE id = ?").run(f.M[1]);
    },
  ],
  [
    "transfer out of the city accepted (transferred out)",
    (s, f) => s.prepare("UPDATE members SET relation_status = 'transferred_out', left_on = '2025-12-01' WHERE id = ?").run(f.M[16]),
  ],
  // Workers (kept whole under data_versions 'workers')
  [
    "roster import: new workers",
    (s) =>
      s
        .prepare(
          "INSERT INTO workers (platform, id_number, name, org_id, first_seen_on, last_seen_on) VALUES ('美团', ?, '骑手', 8, '2025-05-01', '2025-05-01')",
        )
        .run(fakeId()),
  ],
  ["roster departure (left_on)", (s) => s.prepare("UPDATE workers SET left_on = '2025-07-01' WHERE org_id = 2").run()],
  ["worker moved to another organization", (s) => s.prepare("UPDATE workers SET org_id = 8 WHERE org_id = 2").run()],
  // Enterprises, their coverage and instructors
  [
    "enterprise created",
    (s) =>
      s
        .prepare(
          `INSERT INTO enterprises (name, credit_code, kind, industry_code, region_code, committee_id, status)
           VALUES ('新企业', '91371700MA99999999', 'station', 'road_transport', '371702', 3, 'active')`,
        )
        .run(),
  ],
  ["enterprise closed (status)", (s, f) => s.prepare("UPDATE enterprises SET status = 'closed' WHERE id = ?").run(f.E[2])],
  ["enterprise handed to another committee", (s, f) => s.prepare("UPDATE enterprises SET committee_id = 3 WHERE id = ?").run(f.E[5])],
  ["enterprise's region changed", (s, f) => s.prepare("UPDATE enterprises SET region_code = '371721' WHERE id = ?").run(f.E[2])],
  [
    "coverage attached (a joint branch covers an enterprise)",
    (s, f) => s.prepare("INSERT INTO organization_enterprises (organization_id, enterprise_id) VALUES (4, ?)").run(f.E[8]),
  ],
  [
    "coverage removed",
    (s, f) => s.prepare("DELETE FROM organization_enterprises WHERE organization_id = 4 AND enterprise_id = ?").run(f.E[2]),
  ],
  [
    "coverage dated (since after the as-of date)",
    (s, f) => s.prepare("UPDATE organization_enterprises SET since = '2026-03-01' WHERE enterprise_id = ?").run(f.E[1]),
  ],
  [
    "instructor assigned",
    (s, f) =>
      s.prepare("INSERT INTO instructor_assignments (instructor_id, enterprise_id, assigned_on) VALUES (2, ?, '2025-05-01')").run(f.E[8]),
  ],
  [
    "instructor assignment ended",
    (s, f) => s.prepare("UPDATE instructor_assignments SET ended_on = '2025-09-01' WHERE enterprise_id = ?").run(f.E[1]),
  ],
  ["instructor assignment deleted", (s, f) => s.prepare("DELETE FROM instructor_assignments WHERE enterprise_id = ?").run(f.E[4])],
  // Organizations
  [
    "organization created (a standalone branch covering an enterprise), as orgs.service creates it",
    (s, f) => {
      const id = Number(
        s
          .prepare(
            `INSERT INTO organizations (code, name, kind, formation, parent_id, path, depth, region_code, industry_code)
             VALUES ('PS-B9', 'E8党支部', 'branch', 'standalone', 3, '/', 2, '371702', 'road_transport')`,
          )
          .run().lastInsertRowid,
      );
      s.prepare("UPDATE organizations SET path = ? WHERE id = ?").run(`/1/3/${id}/`, id);
      s.prepare("INSERT INTO organization_enterprises (organization_id, enterprise_id) VALUES (?, ?)").run(id, f.E[8]);
    },
  ],
  [
    "organization's formation changed (standalone to joint)",
    (s) => s.prepare("UPDATE organizations SET formation = 'joint' WHERE id = 5").run(),
  ],
  [
    "organization dissolved",
    (s) => s.prepare("UPDATE organizations SET status = 'dissolved', dissolved_on = '2025-06-01' WHERE id = 4").run(),
  ],
  [
    "organization's kind changed",
    (s) => s.prepare("UPDATE organizations SET kind = 'branch', formation = 'standalone' WHERE id = 6").run(),
  ],
  [
    "organization moved under another committee",
    (s) => s.prepare("UPDATE organizations SET parent_id = 3, path = '/1/3/4/' WHERE id = 4").run(),
  ],
  ["organization's region changed", (s) => s.prepare("UPDATE organizations SET region_code = '371721' WHERE id = 2").run()],
];

describe("statistics after a write equal a fresh count", () => {
  let h: DbHandle;
  let f: Fixture;
  beforeEach(() => {
    h = memoryDb();
    f = buildFixture(h.sqlite);
  });
  afterEach(() => h.close());

  const count = (cache: StatsCache | null) =>
    SCOPES.map(([actor, scope]) => computeFiguresAndBreakdowns(h.db, actor, scope, { asOf: AS_OF, cache }));

  it.each(WRITES)("%s", (_kind, write) => {
    const cache = new StatsCache(h.sqlite);
    const before = count(cache);
    expect(count(cache)).toEqual(before);
    write(h.sqlite, f);
    const fresh = count(null);
    // The write changes the figures: a kept part it failed to invalidate would show the old ones.
    expect(fresh).not.toEqual(before);
    expect(count(cache)).toEqual(fresh);
  });

  // A cache made for fewer parts than the scope has makes room for them all (else it would evict
  // its own first parts while keeping its last, and count them all again at every view).
  it.each([
    ["", 4096],
    [" (a cache made for 2 parts)", 2],
  ])("a member added to one organization counts again only that organization's part%s", (_name, maxParts) => {
    const cache = new StatsCache(h.sqlite, 16, maxParts);
    const whole = () => computeFiguresAndBreakdowns(h.db, supervisor, {}, { asOf: AS_OF, cache });
    whole();
    const parts = cache.partCounts;
    expect(parts).toBeGreaterThan(2);
    whole();
    expect(cache.partCounts).toBe(parts);
    // A member held by committee 8 (曹县), with no enterprise and no lead: its holder's part alone.
    const id = fakeId();
    h.sqlite
      .prepare(
        `INSERT INTO members (name, gender, birth_date, id_number, id_last4, category, org_id, relation_status)
         VALUES ('新党员', 'male', '1990-01-01', ?, ?, 'full', 8, 'unattached')`,
      )
      .run(id, id.slice(-4));
    expect(whole()).toEqual(computeFiguresAndBreakdowns(h.db, supervisor, {}, { asOf: AS_OF }));
    expect(cache.partCounts).toBe(parts + 1);
  });

  it("scopes share the parts of the organizations inside them: each scope's figures equal its fresh count, in either order", () => {
    const fresh = count(null);
    expect(count(new StatsCache(h.sqlite))).toEqual(fresh);
    const reversed = new StatsCache(h.sqlite);
    const backwards = [...SCOPES]
      .reverse()
      .map(([actor, scope]) => computeFiguresAndBreakdowns(h.db, actor, scope, { asOf: AS_OF, cache: reversed }));
    expect(backwards.reverse()).toEqual(fresh);
  });

  it("the administrators' view after a supervisor's of the single root counts no part again", () => {
    const cache = new StatsCache(h.sqlite);
    computeFiguresAndBreakdowns(h.db, supervisor, {}, { asOf: AS_OF, cache });
    const parts = cache.partCounts;
    const admin = systemActor("test");
    expect(computeFiguresAndBreakdowns(h.db, admin, {}, { asOf: AS_OF, cache })).toEqual(
      computeFiguresAndBreakdowns(h.db, admin, {}, { asOf: AS_OF }),
    );
    expect(cache.partCounts).toBe(parts);
    // A clerk's scope is inside: their organizations' parts are the supervisor's too.
    computeFiguresAndBreakdowns(h.db, clerkPS, {}, { asOf: AS_OF, cache });
    computeFiguresAndBreakdowns(h.db, clerkDL, {}, { asOf: AS_OF, cache });
    const outside = cache.partCounts - parts;
    computeFiguresAndBreakdowns(h.db, supervisor, {}, { asOf: AS_OF, cache });
    computeFiguresAndBreakdowns(h.db, clerkPS, {}, { asOf: AS_OF, cache });
    expect(cache.partCounts - parts).toBe(outside);
  });

  it("the comparison catches kept figures a write did not invalidate (the triggers dropped)", () => {
    const cache = new StatsCache(h.sqlite);
    const before = count(cache);
    for (const name of h.sqlite
      .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'coverage\\_%' ESCAPE '\\'")
      .pluck()
      .all() as string[])
      h.sqlite.exec(`DROP TRIGGER ${name}`);
    h.sqlite.prepare("UPDATE members SET category = 'full', full_on = '2025-10-01' WHERE id = ?").run(f.M[7]);
    expect(count(cache)).toEqual(before);
    expect(count(null)).not.toEqual(before);
  });
});

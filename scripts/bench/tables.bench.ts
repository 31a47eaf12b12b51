// Benchmark: the official tables (党内统计) with 100,000 members.
//
//   npm run bench:tables            (BENCH_MEMBERS=200000 to try more)
//
// Seeds the member-list data set (seed-members.ts: ~200 organizations, 100,000 members), adds a
// year's records the tables read (transfers between committees and out of the system, approved
// membership changes, contact restored), then times: tables 1 and 43 computed live for the city, a
// committee and a branch; freezing a closed period for every scope organization (the snapshot job);
// reading the frozen table back (what a closed period's page costs). Not a test: timings depend on
// the machine.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { parsePeriod } from "../../server/domain/official-tables/periods.js";
import type { ComputedTable } from "../../server/domain/official-tables/table.js";
import { systemActor } from "../../server/policy/actor.js";
import { ReadCache } from "../../server/services/read-cache.js";
import { computeTable, freezePeriod, getTable, resolveTableOrg, tableModule } from "../../server/services/tables/tables.service.js";
import { seedMembers } from "./seed-members.js";
import { positive } from "./options.js";

const MEMBERS = positive("bench:tables", "BENCH_MEMBERS", process.env.BENCH_MEMBERS ?? "100000", true);

/** Wall and CPU milliseconds (on a loaded machine the CPU time is the honest figure). */
function time<T>(f: () => T): [T, number, number] {
  const c0 = process.cpuUsage();
  const t0 = performance.now();
  const r = f();
  const c = process.cpuUsage(c0);
  return [r, performance.now() - t0, (c.user + c.system) / 1000];
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tables-bench-"));
  try {
    const { handle, committees, seconds } = seedMembers(dir, MEMBERS);
    const { db, sqlite } = handle;
    console.log(`seeded ${MEMBERS.toLocaleString("en")} members in ${seconds.toFixed(1)} s`);
    // A year of records: 2% transferred between committees, 1% out of the system, 1% changes approved, 1% found again.
    const ids = sqlite.prepare("SELECT id, org_id FROM members WHERE relation_status = 'local' ORDER BY id").all() as {
      id: number;
      org_id: number;
    }[];
    const other = committees.map((c) => c.branches[0]!);
    const tr = sqlite.prepare(
      `INSERT INTO transfers (member_id, kind, from_org_id, to_org_id, external_org_name, letter_number, issued_on, valid_days, deadline_on, state, receipt_on)
       VALUES (?, ?, ?, ?, ?, ?, '2025-05-01', 30, '2025-05-31', 'completed', '2025-05-10')`,
    );
    const ch = sqlite.prepare(
      `INSERT INTO membership_changes (member_id, kind, state, from_standing, effective_on, reason, org_id, approval_org_id, approved_on)
       VALUES (?, 'death', 'approved', 'active', '2025-07-01', 'bench', ?, ?, '2025-07-02')`,
    );
    const ev = sqlite.prepare(
      `INSERT INTO member_events (member_id, kind, summary, details) VALUES (?, 'contact_restored', 'bench', json_object('lostContactOn', '2024-01-01', 'lostContactReason', 'other', 'restoredOn', '2025-03-01'))`,
    );
    sqlite.transaction(() => {
      ids.forEach((m, i) => {
        if (i % 50 === 0) {
          const to = other[i % other.length]!;
          if (to !== m.org_id) {
            tr.run(m.id, "internal", m.org_id, to, null, `B-${i}`);
            sqlite.prepare("UPDATE members SET org_id = ? WHERE id = ?").run(to, m.id);
          }
        } else if (i % 100 === 1) {
          tr.run(m.id, "outgoing", m.org_id, null, "外地", `B-${i}`);
          sqlite
            .prepare(
              "UPDATE members SET relation_status = 'transferred_out', left_on = '2025-05-10', left_reason = 'transferred_out' WHERE id = ?",
            )
            .run(m.id);
        } else if (i % 100 === 2) {
          ch.run(m.id, m.org_id, m.org_id);
          sqlite.prepare("UPDATE members SET left_on = '2025-07-01', left_reason = 'deceased' WHERE id = ?").run(m.id);
        } else if (i % 100 === 3) ev.run(m.id);
      });
    })();
    sqlite.exec("ANALYZE");
    const actor = systemActor("bench");
    const now = new Date("2026-01-02T02:00:00Z");
    const year = parsePeriod("2025")!;
    const orgs = {
      city: "HZ",
      committee: committees[0]!.code,
      branch: sqlite.prepare("SELECT code FROM organizations WHERE id = ?").pluck().get(committees[0]!.branches[0]) as string,
    };
    for (const id of ["table1", "table43"]) {
      for (const [name, code] of Object.entries(orgs)) {
        const org = resolveTableOrg(db, actor, code);
        computeTable(db, actor, tableModule(id), org, year, { now }); // warm
        const runs: [number, number][] = [];
        let cells = 0;
        for (let i = 0; i < 5; i++) {
          const [t, ms, cpu] = time(() => computeTable(db, actor, tableModule(id), org, year, { now }));
          runs.push([ms, cpu]);
          cells = t.lists[id === "table1" ? "end" : "total"]!.length;
        }
        runs.sort((a, b) => a[1] - b[1]);
        const [ms, cpu] = runs[2]!;
        console.log(
          `${id} live, ${name} (${code}): median ${cpu.toFixed(0)} ms CPU, ${ms.toFixed(0)} ms wall (${cells.toLocaleString("en")} ${id === "table1" ? "实有数" : "失联"}); load ${os.loadavg()[0]!.toFixed(1)}`,
        );
      }
    }
    // A running period's page as the server serves it (deps.ts caches.tables): the first view computes,
    // a second with nothing changed is the kept table, a write makes the next one compute again.
    const cache = new ReadCache<ComputedTable>(sqlite, { max: 200, othersMaxAgeMs: 0 });
    const view = () => getTable(db, actor, "table1", { org: "HZ", period: "2025", now, cache });
    const [, firstMs, firstCpu] = time(view);
    const [, againMs, againCpu] = time(view);
    sqlite.prepare("UPDATE members SET phone = phone WHERE id = (SELECT min(id) FROM members)").run();
    const [, afterMs, afterCpu] = time(view);
    console.log(
      `table1 page, city, through the read cache: first view ${firstCpu.toFixed(0)} ms CPU (${firstMs.toFixed(0)} wall), second ${againCpu.toFixed(2)} ms CPU (${againMs.toFixed(2)} wall), after a write ${afterCpu.toFixed(0)} ms CPU (${afterMs.toFixed(0)} wall); load ${os.loadavg()[0]!.toFixed(1)}`,
    );
    const c0 = process.cpuUsage();
    const r = await freezePeriod(db, year, { now });
    const c = process.cpuUsage(c0);
    const bytes = sqlite.prepare("SELECT sum(length(payload)) FROM official_table_snapshots").pluck().get() as number;
    console.log(
      `freeze 2025: ${r.written} tables for ${r.scopes} organizations in ${((c.user + c.system) / 1e6).toFixed(1)} s CPU, ${(r.ms / 1000).toFixed(1)} s wall, ${(bytes / 1e6).toFixed(1)} MB stored`,
    );
    for (const id of ["table1", "table43"]) {
      const [, ms, cpu] = time(() => getTable(db, actor, id, { org: "HZ", period: "2025", now }));
      console.log(`${id} frozen, city: read in ${cpu.toFixed(0)} ms CPU, ${ms.toFixed(0)} ms wall`);
    }
    handle.close();
  } finally {
    if (!process.env.BENCH_KEEP) fs.rmSync(dir, { recursive: true, force: true });
  }
}

await main();

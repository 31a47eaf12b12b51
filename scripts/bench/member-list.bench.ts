// Benchmark: one page of the member list with 100,000 members (issue 2: "answers a page in under 50 ms").
//
//   npm run bench:members            (BENCH_MEMBERS=200000 to try more; BENCH_RUNS=41 runs a case)
//
// Seeds a temporary database file (WAL, the real migrations) with ~200 organizations and 100,000
// members through prepared statements, runs ANALYZE as `PRAGMA optimize` would, then times the
// list service itself (listMembers: the page query, the count and the label look-ups the page
// shows) for each case and prints the median. Not a test: timings depend on the machine.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { openDb } from "../../db/client.js";
import { todayIso } from "../../server/domain/dates.js";
import type { Actor } from "../../server/policy/actor.js";
import { memberListQuerySchema } from "../../server/schemas/members.schema.js";
import { listMembers, loadOrgs } from "../../server/services/members/list.js";
import { median } from "./measure.js";
import { seedMembers } from "./seed-members.js";
import { positive } from "./options.js";

const MEMBERS = positive("bench:members", "BENCH_MEMBERS", process.env.BENCH_MEMBERS ?? "100000", true);
const RUNS = positive("bench:members", "BENCH_RUNS", process.env.BENCH_RUNS ?? "31", true);
const TARGET_MS = 50;

function reuse(file: string) {
  const handle = openDb(file);
  const committees = (
    handle.sqlite.prepare("SELECT id, path, code FROM organizations WHERE kind = 'industry_committee' ORDER BY id").all() as {
      id: number;
      path: string;
      code: string;
    }[]
  ).map((c) => ({
    ...c,
    industry: "",
    weight: 0,
    branches: handle.sqlite.prepare("SELECT id FROM organizations WHERE parent_id = ? ORDER BY id").pluck().all(c.id) as number[],
  }));
  return { handle, committees, seconds: 0 };
}

function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "member-bench-"));
  try {
    // BENCH_DB=path reuses a database seeded earlier (with BENCH_KEEP=1) to try out plans.
    const { handle, committees, seconds } = process.env.BENCH_DB ? reuse(process.env.BENCH_DB) : seedMembers(dir, MEMBERS);
    const { db, sqlite } = handle;
    const count = (sqlite.prepare("SELECT count(*) FROM members").pluck().get() as number).toLocaleString("en");
    const orgCount = sqlite.prepare("SELECT count(*) FROM organizations").pluck().get() as number;
    console.log(`seeded ${count} members in ${orgCount} organizations in ${seconds.toFixed(1)} s (${dir})`);

    const root = sqlite.prepare("SELECT id, path FROM organizations WHERE code = 'HZ'").get() as { id: number; path: string };
    const dl = committees[0]!;
    const branchId = dl.branches[0]!;
    const branchPath = sqlite.prepare("SELECT path FROM organizations WHERE id = ?").pluck().get(branchId) as string;
    const actor = (role: Actor["role"], orgId: number, orgPath: string): Actor => ({
      id: 1,
      username: role,
      displayName: role,
      role,
      orgId,
      orgPath,
      orgName: "",
    });
    const admin = actor("admin", root.id, root.path);
    const clerk = actor("clerk", dl.id, dl.path);
    const secretary = actor("secretary", branchId, branchPath);
    const today = todayIso();

    // A cursor half-way down the admin's list by name: what "page 1,000 of 2,000" means with keysets.
    const midId = sqlite
      .prepare("SELECT id FROM members WHERE relation_status <> 'transferred_out' AND left_on IS NULL ORDER BY name, id LIMIT 1 OFFSET ?")
      .pluck()
      .get(Math.floor(MEMBERS / 2)) as number;
    const last4 = sqlite
      .prepare("SELECT id_last4 FROM members WHERE org_id IN (SELECT id FROM organizations WHERE path LIKE ?) LIMIT 1")
      .pluck()
      .get(`${dl.path}%`) as string;

    const cases: [string, Actor, Record<string, string>][] = [
      ["admin · first page (by name)", admin, {}],
      ["supervisor-wide · first page by joined date, newest first", admin, { sort: "joined", dir: "desc" }],
      ["clerk (HZ-DL, ~25%) · first page", clerk, {}],
      ["secretary (one branch) · first page", secretary, {}],
      ["admin · deep page (after row 50,000)", admin, { after: String(midId), page: "1001" }],
      ["admin · deep page going back (before row 50,000)", admin, { before: String(midId), page: "1000" }],
      ["admin · name search “张” (contains)", admin, { q: "张" }],
      ["admin · name search “王秀英” (rare)", admin, { q: "王秀英" }],
      ["clerk · last-4 search", clerk, { q: last4 }],
      [
        "clerk · occupation+category+relation+channel, by joined",
        clerk,
        { occupation: "truck_driver", category: "full", relation: "local", channel: "data_match", sort: "joined" },
      ],
      ["admin · committee + out of contact 6 months", admin, { committee: String(committees[1]!.id), lost: "6m" }],
      [
        "admin · enterprise filter",
        admin,
        { enterprise: String(sqlite.prepare("SELECT enterprise_id FROM members WHERE enterprise_id IS NOT NULL LIMIT 1").pluck().get()) },
      ],
    ];

    const load = () =>
      os
        .loadavg()
        .map((x) => x.toFixed(2))
        .join(" ");
    console.log(`\n${RUNS} runs a case · listMembers = page (51 rows) + count + labels · target < ${TARGET_MS} ms (median)`);
    console.log(
      `load average before: ${load()} on ${os.cpus().length} CPUs (other work on the machine inflates medians; min shows the uncontended cost)\n`,
    );
    console.log(
      `${"case".padEnd(62)} ${"median".padStart(10)} ${"min".padStart(10)} ${"page only".padStart(10)} ${"rows".padStart(6)} ${"total".padStart(8)}`,
    );
    let worst = 0;
    for (const [label, who, query] of cases) {
      const q = memberListQuerySchema.parse(query);
      const run = (withTotal: boolean) => {
        const times: number[] = [];
        let last = listMembers(db, who, q, today, { withTotal });
        for (let i = 0; i < RUNS; i++) {
          const t = performance.now();
          last = listMembers(db, who, q, today, { withTotal, orgs: i % 2 ? loadOrgs(db) : undefined });
          times.push(performance.now() - t);
        }
        return { ms: median(times), min: Math.min(...times), last };
      };
      const full = run(true);
      const pageOnly = run(false);
      worst = Math.max(worst, full.ms);
      console.log(
        `${label.padEnd(62)} ${full.ms.toFixed(2).padStart(7)} ms ${full.min.toFixed(2).padStart(7)} ms ${pageOnly.ms.toFixed(2).padStart(7)} ms ${String(full.last.rows.length).padStart(6)} ${full.last.total.toLocaleString("en").padStart(8)}`,
      );
    }

    // For comparison only: what OFFSET paging would cost at the same depth.
    const offsetTimes: number[] = [];
    const offsetStmt = sqlite.prepare(
      "SELECT * FROM members WHERE relation_status <> 'transferred_out' AND left_on IS NULL ORDER BY name, id LIMIT 51 OFFSET ?",
    );
    for (let i = 0; i < RUNS; i++) {
      const t = performance.now();
      offsetStmt.all(Math.floor(MEMBERS / 2));
      offsetTimes.push(performance.now() - t);
    }
    console.log(`\n(comparison) LIMIT/OFFSET at row 50,000, same order: ${median(offsetTimes).toFixed(2)} ms`);
    console.log(`load average after: ${load()}`);
    console.log(`\nworst median ${worst.toFixed(2)} ms · target < ${TARGET_MS} ms · ${worst < TARGET_MS ? "MET" : "NOT MET"}`);
    handle.close();
    if (worst >= TARGET_MS) process.exitCode = 1;
  } finally {
    if (process.env.BENCH_KEEP) console.log(`kept ${dir}`);
    else fs.rmSync(dir, { recursive: true, force: true });
  }
}

main();

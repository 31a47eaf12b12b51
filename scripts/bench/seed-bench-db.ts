// The bench:http data set, seeded into `bench.db` in a directory: 100,000 members (the bench:members
// data set), 1,000,000 platform workers on three platforms (+ leads from the party members among
// them), last month's final coverage snapshots, and an admin account to sign in with. Used by
// bench:http and bench:backup; bench:dashboard and bench:dashboard-parts reuse a kept copy.

import { finalisePreviousMonth } from "../../server/services/coverage/snapshots.js";
import { createUser } from "../../server/services/admin/users.js";
import { seedMembers } from "./seed-members.js";
import { GIVEN, person, pick, rng, SURNAMES } from "./synthetic.js";

export const BENCH_USER = "bench-admin";
export const BENCH_PASSWORD = "bench-password-2024";

/** Seeds `dir`/bench.db (checkpointed) and returns it open, with the root organization, the admin's id and the row counts. */
export async function seedBenchDb(dir: string, { members: MEMBERS, workers: WORKERS }: { members: number; workers: number }) {
  const t0 = performance.now();
  const { handle, committees } = seedMembers(dir, MEMBERS);
  process.stdout.write(`  members seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  const s = handle.sqlite;
  const today = new Date().toISOString().slice(0, 10);
  const ents = new Map<number, number[]>();
  for (const r of s.prepare("SELECT id, committee_id FROM enterprises").all() as { id: number; committee_id: number }[]) {
    ents.set(r.committee_id, [...(ents.get(r.committee_id) ?? []), r.id]);
  }
  // The workers (1,000,000 in the benches) on three platforms, spread over the committees by their weight.
  const ins = s.prepare(
    `INSERT INTO workers (platform, id_number, name, phone, org_id, enterprise_id, station, occupation, political_status, hired_on, first_seen_on, last_seen_on, left_on)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const lead = s.prepare(
    `INSERT OR IGNORE INTO leads (id_number, name, phone, channel, committee_id, worker_id, enterprise_id, occupation, platform, status, found_on)
     VALUES (?, ?, ?, 'platform_report', ?, ?, ?, ?, ?, ?, ?)`,
  );
  const r = rng(20240801);
  const PLATFORMS: [string, string][] = [
    ["美团", "delivery_rider"],
    ["滴滴出行", "ride_hailing_driver"],
    ["货拉拉", "truck_driver"],
  ];
  const weights = committees.map((c) => c.weight);
  const total = weights.reduce((a, b) => a + b, 0);
  const committeeOf = () => {
    let x = r() * total;
    for (const c of committees) {
      x -= c.weight;
      if (x <= 0) return c;
    }
    return committees[committees.length - 1]!;
  };
  // Inserted in (platform, ID number) order, as the import writes them: the UNIQUE index then
  // grows at its right edge instead of splitting pages all over (20k rows/s → several 100k).
  const order = Array.from({ length: WORKERS }, (_, i) => i);
  const ids = order.map((i) => person(i));
  order.sort((a, b) => (a % 3) - (b % 3) || (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  s.pragma("cache_size = -262144");
  s.transaction(() => {
    for (const i of order) {
      const [platform, occupation] = PLATFORMS[i % 3]!;
      const c = committeeOf();
      const e = ents.get(c.id) ?? [];
      const name = pick(r, SURNAMES) + pick(r, GIVEN) + (r() < 0.6 ? pick(r, GIVEN) : "");
      const phone = `1${3 + Math.floor(r() * 7)}${String(Math.floor(r() * 1e9)).padStart(9, "0")}`;
      const party = r() < 0.02;
      const firstSeen = `202${3 + (i % 2)}-0${1 + (i % 9)}-1${i % 10}`;
      const info = ins.run(
        platform,
        ids[i]!,
        name,
        phone,
        c.id,
        e.length && r() < 0.7 ? e[i % e.length]! : null,
        `第${1 + (i % 400)}站`,
        occupation,
        party ? "party_member" : "masses",
        "2020-01-01",
        firstSeen,
        today,
        r() < 0.05 ? today : null,
      );
      if (party)
        lead.run(ids[i]!, name, phone, c.id, info.lastInsertRowid, null, occupation, platform, r() < 0.4 ? "verified" : "open", firstSeen);
    }
  })();
  const root = s.prepare("SELECT id FROM organizations WHERE code = 'HZ'").pluck().get() as number;
  process.stdout.write(`  workers seeded at ${((performance.now() - t0) / 1000).toFixed(1)} s\n`);
  // A year of dues, as the branches of a real city keep them: an entry a month for every member of a
  // branch, one in ten unpaid. The dashboard's dues cards, the 党费 badge and the dues_unpaid risk
  // signal read them all (without them, those counted nothing here and cost nothing).
  const months = JSON.stringify(Array.from({ length: 12 }, (_, k) => k + 1));
  const dues = s
    .prepare(
      `INSERT INTO dues_entries (member_id, org_id, month, basis, due_fen, paid_fen, paid_on, method)
       SELECT m.id, m.org_id, strftime('%Y-%m', date(@today, 'start of month', '-' || k.value || ' months')), 'regular', 200,
         CASE WHEN (m.id + k.value) % 10 = 0 THEN 0 ELSE 200 END,
         CASE WHEN (m.id + k.value) % 10 = 0 THEN NULL ELSE date(@today, 'start of month', '-' || k.value || ' months', '+14 days') END,
         CASE WHEN (m.id + k.value) % 10 = 0 THEN NULL ELSE 'cash' END
       FROM members m JOIN organizations o ON o.id = m.org_id AND o.kind IN ('branch', 'general_branch'), json_each(@months) k
       WHERE m.left_on IS NULL AND m.joined_on IS NOT NULL`,
    )
    .run({ today, months });
  process.stdout.write(
    `  ${dues.changes.toLocaleString("en-US")} dues entries (a year) at ${((performance.now() - t0) / 1000).toFixed(1)} s\n`,
  );
  s.exec("ANALYZE");
  // A server that has been running has last month's final coverage snapshots. A new database has
  // none, and the server would take them at its start (the month-change job: one per organization,
  // each a count over the whole data set and a write that empties the read caches) while the pages
  // are being measured. They are taken here, timed, as the server would.
  const t1 = performance.now();
  const snap = await finalisePreviousMonth(handle.db);
  process.stdout.write(
    `  last month's final coverage snapshots (${snap?.scopes ?? 0} scopes) in ${((performance.now() - t1) / 1000).toFixed(1)} s\n`,
  );
  s.pragma("wal_checkpoint(TRUNCATE)");
  const counts = {
    members: s.prepare("SELECT count(*) FROM members").pluck().get() as number,
    workers: s.prepare("SELECT count(*) FROM workers").pluck().get() as number,
    leads: s.prepare("SELECT count(*) FROM leads").pluck().get() as number,
    enterprises: s.prepare("SELECT count(*) FROM enterprises").pluck().get() as number,
  };
  const userId = (
    await createUser(handle.db, null, {
      username: BENCH_USER,
      displayName: "压测管理员",
      role: "admin",
      orgId: root,
      password: BENCH_PASSWORD,
    })
  ).id;
  return { handle, root, userId, counts, seconds: (performance.now() - t0) / 1000 };
}

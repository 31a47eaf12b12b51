// One person across platforms at scale: N workers (1,000,000 by default) of whom a share (5%) are
// also on a second platform, in a temp-file database with the real migrations. Times: inserting the
// rows (the multi_platform trigger included) against the same insert with the trigger dropped; the
// city's worker groups counted by rows (before issue 15) and by people (peopleGroupsSql); the person
// look-up for the rows of people on several platforms. Not a test.
//
//   npm run bench:identity [-- --workers N] [--shared 0.05]
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { openDb } from "../../db/client.js";
import { prepareDatabase } from "../../server/bootstrap.js";
import { makeIdNumber } from "../../server/domain/id-number.js";
import { addDays, todayIso } from "../../server/domain/dates.js";
import { peopleGroupsSql } from "../../server/services/identity/sql.js";
import { benchArgs, positive, refuse } from "./options.js";

const values = benchArgs("bench:identity", {
  workers: { type: "string", default: "1000000" },
  shared: { type: "string", default: "0.05" },
});
const N = positive("bench:identity", "--workers", values.workers, true);
const SHARED = positive("bench:identity", "--shared", values.shared, false);
if (SHARED > 1) refuse("bench:identity", `--shared is a share of the workers, at most 1, got "${values.shared}"`);
const today = todayIso();
/** A distinct valid ID number per person: 900 a birth date. */
const idOf = (i: number) => makeIdNumber("371702", addDays("1950-01-01", Math.floor(i / 900)), (i % 900) + 1);

function seed(file: string, withTrigger: boolean): number {
  const h = openDb(file);
  prepareDatabase(h);
  const s = h.sqlite;
  if (!withTrigger) s.exec("DROP TRIGGER workers_multi_platform_insert");
  const org = s.prepare("SELECT id FROM organizations WHERE parent_id IS NULL").pluck().get() as number;
  const ins = s.prepare(
    "INSERT INTO workers (platform, id_number, name, org_id, first_seen_on, last_seen_on, left_on) VALUES (?, ?, '某人', ?, ?, ?, ?)",
  );
  const people = Math.round(N / (1 + SHARED));
  const t0 = performance.now();
  s.transaction(() => {
    // Platform A: every person, in ID order as an import writes; platform B: the shared share.
    for (let i = 0; i < people; i++) ins.run("甲平台", idOf(i), org, "2024-01-01", today, i % 20 === 10 ? today : null);
    const step = Math.max(1, Math.round(1 / SHARED));
    for (let i = 0; i < people; i += step) ins.run("乙平台", idOf(i), org, "2024-06-01", i % 2 ? today : "2024-12-01", null);
  })();
  const ms = performance.now() - t0;
  h.close();
  return ms;
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-identity-bench-"));
try {
  const without = seed(path.join(dir, "plain.db"), false);
  const withT = seed(path.join(dir, "bench.db"), true);
  const h = openDb(path.join(dir, "bench.db"));
  const s = h.sqlite;
  const rows = s.prepare("SELECT count(*) FROM workers").pluck().get() as number;
  const multi = s.prepare("SELECT count(*) FROM workers WHERE multi_platform = 1").pluck().get() as number;
  console.log(`${rows} roster rows, ${multi} of people on two platforms`);
  console.log(`insert: ${(withT / 1000).toFixed(2)} s with the multi_platform trigger, ${(without / 1000).toFixed(2)} s without`);
  const time = (label: string, f: () => unknown) => {
    f();
    const t = [0, 1, 2].map(() => {
      const t0 = performance.now();
      f();
      return performance.now() - t0;
    });
    console.log(`${label}: ${t.map((x) => `${(x / 1000).toFixed(3)} s`).join(" / ")}`);
  };
  let byRows = 0;
  let byPeople = 0;
  time("worker groups by rows (before)", () => {
    byRows = s
      .prepare(
        "SELECT sum(n) FROM (SELECT org_id, enterprise_id, COUNT(*) AS n FROM workers w WHERE w.first_seen_on <= ? AND (w.left_on IS NULL OR w.left_on > ?) GROUP BY org_id, enterprise_id)",
      )
      .pluck()
      .get(today, today) as number;
  });
  time("worker groups by people (peopleGroupsSql)", () => {
    byPeople = h.db.get<{ n: number }>(sql`SELECT sum(n) AS n FROM (${peopleGroupsSql(today, () => null)})`)!.n;
  });
  console.log(`counted: ${byRows} rows on the roll, ${byPeople} people`);
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}

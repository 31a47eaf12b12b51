// bench:province's floor for the import (issue 17 §4): the roster's people inserted into an
// installation's real `workers` table by one bare INSERT … SELECT, in ID-number order, in one
// transaction, on a connection with the app's pragmas and the import's cache: no application code
// (no upsert, staging, validation, links or leads), the table's indexes and triggers as the app
// has them. What the province's rate is to the city-size installation's here is what SQLite itself
// allows the import (import-rounds.ts).
//
//   bare-insert.ts DB ROWS_DB COUNTY_CODE      prints {"seconds":…,"cpuSeconds":…}

import { openDb } from "../../../db/client.js";
import { IMPORT_CACHE_KIB } from "../../../server/services/import/execute.js";

const [dbPath, rowsDb, countyCode] = process.argv.slice(2);
if (!dbPath || !rowsDb || !countyCode) {
  process.stderr.write("usage: bare-insert.ts DB ROWS_DB COUNTY_CODE\n");
  process.exit(2);
}
const h = openDb(dbPath);
try {
  h.sqlite.pragma(`main.cache_size = -${IMPORT_CACHE_KIB}`);
  h.sqlite.prepare("ATTACH ? AS bare").run(rowsDb);
  const org = h.sqlite.prepare("SELECT id FROM organizations WHERE code = ?").pluck().get(countyCode) as number | undefined;
  if (org === undefined) throw new Error(`no organization ${countyCode} in ${dbPath}`);
  const t0 = performance.now();
  const c0 = process.cpuUsage();
  h.sqlite.exec("BEGIN");
  h.sqlite
    .prepare(
      `INSERT INTO workers (platform, id_number, name, phone, org_id, first_seen_on, last_seen_on)
       SELECT '美团', id_number, name, phone, ?, date('now'), date('now') FROM bare.s ORDER BY id_number`,
    )
    .run(org);
  h.sqlite.exec("COMMIT");
  const cpu = process.cpuUsage(c0);
  process.stdout.write(`${JSON.stringify({ seconds: (performance.now() - t0) / 1000, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`);
} finally {
  h.close();
}

// Child process of the crash test: accepts, one after another through the transfers service,
// every pending transfer addressed to the signed-in secretary's branch, and says how many it has
// done. The test SIGKILLs it part way; most of its time is spent inside accept transactions.
//
//   node --import tsx tests/cli/accept-loop.child.ts DB_PATH USER_ID TODAY

import { openDb } from "../../db/client.js";
import { acceptTransfer } from "../../server/services/transfers/transfers.service.js";
import { loadActor } from "../../server/services/admin/users.js";

const [dbPath, userId, today] = process.argv.slice(2) as [string, string, string];
const handle = openDb(dbPath);
const actor = loadActor(handle.db, Number(userId))!;
const ids = handle.sqlite
  .prepare("SELECT id FROM transfers WHERE state = 'pending' AND to_org_id = ? ORDER BY id")
  .pluck()
  .all(actor.orgId) as number[];
process.stdout.write(`pending ${ids.length}\n`);
let done = 0;
for (const id of ids) {
  acceptTransfer(handle.db, actor, id, { receiptOn: today }, today);
  done++;
  if (done % 20 === 0) process.stdout.write(`accepted ${done}\n`);
}
process.stdout.write(`finished ${done}\n`);
handle.close();

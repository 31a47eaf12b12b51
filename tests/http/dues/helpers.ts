// Shared set-up of the dues tests: the transfer tests' world (small city, an agent per account),
// a new branch under a committee, and readers of the ledger's rows.

import { addOrg } from "../../helpers/fixtures.js";
import { systemActor } from "../../../server/policy/actor.js";
import { bulkEntrySchema } from "../../../server/schemas/dues.schema.js";
import { recordMonth } from "../../../server/services/dues/dues.service.js";
import { world as transfersWorld } from "../transfers/helpers.js";

export { post } from "../transfers/helpers.js";
export type DuesWorld = Awaited<ReturnType<typeof world>>;

let seq = 0;
export async function world() {
  const w = await transfersWorld();
  const db = w.t.handle.sqlite;
  return {
    ...w,
    /** A new branch under a committee (the clerk of that committee writes it; no secretary does). */
    branch(parentId: number, code = `HZ-T-${++seq}`) {
      return addOrg(w.t.handle, { code, name: `中共测试第${seq}支部委员会`, kind: "branch", formation: "standalone", parentId });
    },
    entries: (memberId: number) =>
      db.prepare("SELECT * FROM dues_entries WHERE member_id = ? ORDER BY month, id").all(memberId) as Record<string, any>[],
    closing: (orgId: number, month: string) =>
      db.prepare("SELECT * FROM dues_month_closings WHERE org_id = ? AND month = ?").get(orgId, month) as Record<string, any> | undefined,
    count: (table: string) => (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n,
    /** Records a month through the service as of `today` (for history older than back payment allows). */
    record(orgId: number, month: string, rows: Record<string, string>, ids: number[], today: string) {
      const input = bulkEntrySchema.parse({ month, paidOn: `${month}-01`, collector: "测试", ids: ids.map(String), ...rows });
      return recordMonth(w.t.handle.db, systemActor("test"), orgId, input, today);
    },
  };
}

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { DEMO_JURISDICTION } from "../../../server/domain/reference-data.js";
import { recordAudit, remaskStoredAudit } from "../../../server/services/admin/audit.js";
import { memoryDb } from "../../helpers/db.js";

let h: DbHandle;
beforeEach(() => {
  h = memoryDb();
});
afterEach(() => h.close());

const ID = "370102199001011234";
const entries = () =>
  h.sqlite.prepare("SELECT before, after, details FROM audit_log ORDER BY id").all() as {
    before: string | null;
    after: string | null;
    details: string | null;
  }[];

/** An entry as builds before the masking wrote it: whole numbers, straight into the table. */
function oldEntry(before: unknown, after: unknown, details: unknown) {
  h.sqlite
    .prepare("INSERT INTO audit_log (action, entity, before, after, details) VALUES ('update', 'member', ?, ?, ?)")
    .run(JSON.stringify(before), JSON.stringify(after), JSON.stringify(details));
}

describe("audit entries written before the masking", () => {
  it("are masked in place once, at start; other values and newer entries stay as they are", () => {
    oldEntry(
      { phone: "13812345678", name: "张三" },
      { phone: "13900001111", secretaryPhone: "13700002222" },
      { leads: [{ idNumber: ID, note: "13812345678 in free text" }] },
    );
    recordAudit(h.db, null, { action: "create", entity: "member", after: { idNumber: ID, phone: "13812345678" } });
    const fresh = entries()[1];
    h.sqlite.prepare("DELETE FROM settings WHERE key = 'audit_remasked'").run();
    prepareDatabase(h, { jurisdiction: DEMO_JURISDICTION });
    const [old, newer] = entries();
    expect(JSON.parse(old!.before!)).toEqual({ phone: "138****5678", name: "张三" });
    expect(JSON.parse(old!.after!)).toEqual({ phone: "139****1111", secretaryPhone: "137****2222" });
    // Free text is not a number field: the log keeps what was typed there.
    expect(JSON.parse(old!.details!)).toEqual({ leads: [{ idNumber: "370102********1234", note: "13812345678 in free text" }] });
    expect(newer).toEqual(fresh);
    // Idempotent: nothing left to change.
    expect(remaskStoredAudit(h.db)).toBe(0);
  });
});

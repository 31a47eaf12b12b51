// While another process holds the write lock (an import applying a roster), a state-changing
// request waits on a timer instead of in SQLite's blocking busy wait: pages go on being served,
// and the request completes once the lock is released. Without the gate the acceptance below
// would freeze this process in busy_timeout (10 s) and then fail with 503.

import Database from "better-sqlite3";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { todayIso } from "../../../server/domain/dates.js";
import { createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { tempFileDb } from "../../helpers/db.js";
import { addMember } from "../../helpers/fixtures.js";

let t: TestApp;
let other: Database.Database | null = null;
beforeEach(async () => {
  t = await createTestApp({}, tempFileDb()); // a file: another connection can hold its lock
});
afterEach(() => {
  other?.close();
  other = null;
  t.close();
});

describe("write gate", () => {
  it("serves pages while an acceptance waits for another process's write lock, then completes it", async () => {
    const today = todayIso();
    const m = addMember(t.handle, t.city.dlBranch.id);
    const transferId = Number(
      t.handle.sqlite
        .prepare(
          `INSERT INTO transfers (member_id, kind, from_org_id, to_org_id, letter_number, issued_on, valid_days, deadline_on, dues_paid_to, state)
           VALUES (?, 'internal', ?, ?, 'GATE-1', ?, 10, '2999-12-31', ?, 'pending')`,
        )
        .run(m.id, t.city.dlBranch.id, t.city.dlJoint.id, today, today.slice(0, 7)).lastInsertRowid,
    );
    const agent = await signIn(t.app, "t-sec-joint");
    const token = await agent.csrf("/transfers");

    other = new Database(t.handle.path);
    other.exec("BEGIN IMMEDIATE"); // the import's apply transaction
    const started = Date.now();
    let acceptedAt = 0;
    const accept = agent
      .post(`/transfers/${transferId}/accept`)
      .type("form")
      .send({ receiptOn: today, _csrf: token })
      .then((r) => {
        acceptedAt = Date.now();
        return r;
      });
    // Meanwhile, pages answer at once.
    await new Promise((r) => setTimeout(r, 200));
    for (const p of ["/members", "/transfers", `/members/${t.city.dlJointMember.id}`]) {
      const res = await agent.get(p);
      expect(res.status, p).toBe(200);
    }
    const pagesDoneAt = Date.now();
    expect(acceptedAt).toBe(0); // still waiting for the lock
    await new Promise((r) => setTimeout(r, 1_000));
    expect(acceptedAt).toBe(0);
    other.exec("COMMIT");
    const res = await accept;
    expect(res.status).toBe(303);
    expect(pagesDoneAt - started).toBeLessThan(1_000 + 200 + 5_000); // not frozen behind the lock
    expect(acceptedAt).toBeGreaterThan(pagesDoneAt);
    expect(t.handle.sqlite.prepare("SELECT state FROM transfers WHERE id = ?").pluck().get(transferId)).toBe("completed");
    expect(t.handle.sqlite.prepare("SELECT org_id FROM members WHERE id = ?").pluck().get(m.id)).toBe(t.city.dlJoint.id);
  });
});

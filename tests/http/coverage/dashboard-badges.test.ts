// The dashboard's navigation badges come with its cards (counted on the counting thread when there
// is one): the badges it shows must be those every other page shows, before and after a write that
// changes them.

import { afterAll, beforeAll, expect, it } from "vitest";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";

let t: TestApp;
let admin: Agent;
beforeAll(async () => {
  t = await createTestApp();
  admin = await signIn(t.app, "t-admin");
});
afterAll(() => t.close());

/** Each badge of the page's navigation, as "label count". */
const badges = (html: string) => [...html.matchAll(/>([^<>]+)<span class="badge">(\d+)<\/span>/g)].map((m) => `${m[1]} ${m[2]}`);

it("the dashboard's navigation badges are every page's, and follow a write", async () => {
  const open = () => t.handle.sqlite.prepare("SELECT count(*) FROM leads WHERE status = 'open'").pluck().get() as number;
  t.handle.sqlite
    .prepare(
      "INSERT INTO leads (id_number, name, channel, committee_id, status, found_on) VALUES ('110101199003071234', '新线索', 'field_visit', ?, 'open', '2025-11-01')",
    )
    .run(t.city.ps.id);
  const dashboard = await admin.get("/");
  expect(dashboard.status).toBe(200);
  expect(open()).toBe(1);
  expect(badges(dashboard.text)).toContain("摸排线索 1");
  expect(badges(dashboard.text)).toEqual(badges((await admin.get("/reports")).text));
  t.handle.sqlite.prepare("UPDATE leads SET status = 'rejected', decided_on = '2025-11-02' WHERE name = '新线索'").run();
  const after = await admin.get("/");
  expect(open()).toBe(0);
  expect(badges(after.text).filter((b) => b.startsWith("摸排线索"))).toEqual([]); // no badge at zero
  expect(badges(after.text)).not.toEqual(badges(dashboard.text));
  expect(badges(after.text)).toEqual(badges((await admin.get("/reports")).text));
});

// The server counts the dashboard on the counting thread as soon as it starts (createApp's
// warmDashboard), for the root organization's supervisors and then the administrators, so that the
// first of them after a restart is served kept cards instead of waiting for every organization's part
// to be counted. What the warm-up leaves must be what a fresh count gives: each one's dashboard after
// it is the page an app that never warmed serves.
// (How long a first view takes with and without it is measured, not tested: docs/PERFORMANCE.md.)

import pino from "pino";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { createApp } from "../../../server/app.js";
import { testConfig } from "../../../server/config.js";
import { signIn } from "../../helpers/app.js";
import { waitFor } from "../../helpers/children.js";
import { tempFileDb } from "../../helpers/db.js";
import { buildSmallCity, type SmallCity } from "../../helpers/fixtures.js";

type LogLine = { level: number; msg: string; role?: string; scope?: string; ms?: number };

let h: DbHandle;
let city: SmallCity;
beforeAll(async () => {
  h = tempFileDb();
  city = await buildSmallCity(h);
});
afterAll(() => h.close());

function appWithLog(warmDashboard: boolean) {
  const lines: LogLine[] = [];
  const logger = pino({ level: "info" }, { write: (s: string) => void lines.push(JSON.parse(s) as LogLine) });
  return { app: createApp({ db: h, config: testConfig(), logger, warmDashboard }), lines };
}

/** The page without what differs between two sign-ins (the CSRF token). */
const comparable = (html: string) => html.replace(/name="_csrf" value="[^"]+"/g, "");

it("counts at start, on the counting thread, for the root's supervisors and then the administrators, and their first views are a fresh count's", async () => {
  const warmed = appWithLog(true);
  const failed = () => warmed.lines.find((l) => l.msg.startsWith("dashboard: the count ahead failed"));
  const counted = () => warmed.lines.filter((l) => l.msg === "dashboard counted at start");
  await waitFor(() => failed() ?? (counted().length === 2 ? true : undefined), "the dashboard's counts at start");
  expect(failed()).toBeUndefined();
  // The installation's whole scope both times: the root organization's.
  const root = h.sqlite.prepare("SELECT name FROM organizations WHERE parent_id IS NULL").pluck().get() as string;
  expect(counted().map((l) => [l.role, l.scope])).toEqual([
    ["supervisor", root],
    ["admin", root],
  ]);
  // Counted on the thread, not on the server's: nothing fell back.
  expect(warmed.lines.filter((l) => l.level >= 50)).toEqual([]);

  const cold = appWithLog(false);
  for (const username of [city.users.supervisor!.username, "t-admin"]) {
    const afterWarm = await (await signIn(warmed.app, username)).get("/");
    const fresh = await (await signIn(cold.app, username)).get("/");
    expect(afterWarm.status).toBe(200);
    expect(fresh.status).toBe(200);
    expect(afterWarm.text).toContain(root);
    expect(comparable(afterWarm.text), username).toBe(comparable(fresh.text));
  }
});

it("counts nothing at start unless asked (tests, and any app built without it)", async () => {
  const { app, lines } = appWithLog(false);
  // A request to be sure the app is built and serving; the warm-up would have been started in createApp.
  const res = await (await signIn(app, city.users.supervisor!.username)).get("/healthz");
  expect(res.status).toBe(200);
  expect(lines.find((l) => l.msg === "dashboard counted at start")).toBeUndefined();
});

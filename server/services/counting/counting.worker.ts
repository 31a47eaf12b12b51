// The counting thread (thread.ts): its own read-only connection to the database file (WAL: it
// reads the last commit while the server's thread writes) and its own kept parts, which follow
// data_versions like the server's; one task at a time, in the order sent.

import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { DashboardTask } from "./cards.js";

const { file } = workerData as { file: string };
// Opened before the counting modules load, so a file that cannot be read fails the thread at once.
const sqlite = new Database(file, { readonly: true, fileMustExist: true });
const [{ handleOver }, { StatsCache }, { RiskParts }, { MeetingParts }, { countDashboardCards }] = await Promise.all([
  import("../../../db/client.js"),
  import("../coverage/stats-cache.js"),
  import("../risk/parts.js"),
  import("../meetings/parts.js"),
  import("./cards.js"),
]);
const handle = handleOver(sqlite, file);
const kept = {
  stats: new StatsCache(handle.sqlite),
  riskParts: new RiskParts(handle.sqlite),
  // The instance the navigation badges' count finds on this connection too (MeetingParts.ofDb).
  meetingParts: MeetingParts.of(handle.sqlite),
};

parentPort!.on("message", ({ id, task }: { id: number; task: DashboardTask }) => {
  try {
    parentPort!.postMessage({ id, ok: true, value: countDashboardCards(handle.db, kept, task) });
  } catch (e) {
    parentPort!.postMessage({ id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});

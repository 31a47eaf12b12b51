// The member-list thread (list-thread.ts): its own read-only connection, its own caches kept under
// the server connection's version sent with each task; one page at a time, in the order sent.

import { parentPort, workerData } from "node:worker_threads";
import Database from "better-sqlite3";
import type { CacheVersion } from "../read-cache.js";
import type { MemberListTask } from "./list-page.js";
import type { loadOrgs } from "./list.js";

const { file } = workerData as { file: string };
// Opened before the modules load, so a file that cannot be read fails the thread at once.
const sqlite = new Database(file, { readonly: true, fileMustExist: true });
const [{ handleOver }, { ReadCache }, { memberListPage }] = await Promise.all([
  import("../../../db/client.js"),
  import("../read-cache.js"),
  import("./list-page.js"),
]);
const handle = handleOver(sqlite, file);
let current: CacheVersion = { own: -1, others: -1 };
const version = () => current;
// The same sizes and graces as the server's own (deps.ts), under the server's version.
const caches = {
  memberCounts: new ReadCache<number>(sqlite, { max: 500, othersMaxAgeMs: 30_000, version }),
  memberFilters: new ReadCache<ReturnType<typeof memberListPage>["options"]>(sqlite, { max: 500, othersMaxAgeMs: 30_000, version }),
  orgs: new ReadCache<ReturnType<typeof loadOrgs>>(sqlite, { max: 1, othersMaxAgeMs: 0, version }),
};
// One read transaction a page: its ids, rows and count from one snapshot.
const readPage = sqlite.transaction((task: MemberListTask) => memberListPage(handle.db, caches, task));

parentPort!.on("message", ({ id, task, version: v }: { id: number; task: MemberListTask; version: CacheVersion }) => {
  current = v;
  try {
    parentPort!.postMessage({ id, ok: true, value: readPage(task) });
  } catch (e) {
    parentPort!.postMessage({ id, ok: false, error: e instanceof Error ? (e.stack ?? e.message) : String(e) });
  }
});

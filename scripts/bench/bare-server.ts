// The bare baseline of bench:http: a plain Express app with no middleware at all (no helmet, no
// logging, no session, no passport, no CSRF, no per-request locals) serving the same member-list
// query through the same template, with the same locals the real handler passes. What the real
// app adds per request is the difference.
//
//   node --import tsx scripts/bench/bare-server.ts DB_PATH PORT USER_ID

import express from "express";
import { openDb } from "../../db/client.js";
import * as codes from "../../server/domain/codes.js";
import { todayIso } from "../../server/domain/dates.js";
import { maskIdNumber, maskPhone } from "../../server/domain/masking.js";
import { VIEW_RULES } from "../../server/middleware/locals.js";
import { VIEW_NAMES_CACHE_DIR, VIEWS_DIR } from "../../server/paths.js";
import { canUnmask, canWrite } from "../../server/policy/actor.js";
import { filtersOf } from "../../server/routes/members.handlers.js";
import { type MemberListQuery, memberListQuerySchema } from "../../server/schemas/members.schema.js";
import { listMembers, loadOrgs, memberFilterOptions } from "../../server/services/members/list.js";
import { ReadCache } from "../../server/services/read-cache.js";
import { loadActor } from "../../server/services/admin/users.js";
import { viewHelpers } from "../../server/views/helpers.js";
import { viewNames } from "../../server/views/template-names.js";

const [dbPath, port, userId] = process.argv.slice(2) as [string, string, string];
const handle = openDb(dbPath);
const actor = loadActor(handle.db, Number(userId));
if (!actor) throw new Error(`no user ${userId}`);

// The same count memo, organization list and filter-option cache as the real members router
// (ReadCaches over the same connection), so that both do the same database work per page and the
// difference is what the real app adds.
const counts = new ReadCache<number>(handle.sqlite, { max: 500, othersMaxAgeMs: 30_000 });
const countMemo = (key: string, count: () => number) => counts.get(key, count);
const filterOptions = new ReadCache<ReturnType<typeof memberFilterOptions>>(handle.sqlite, { max: 500, othersMaxAgeMs: 30_000 });
const orgsCache = new ReadCache<ReturnType<typeof loadOrgs>>(handle.sqlite, { max: 1, othersMaxAgeMs: 0 });

const app = express();
app.set("views", VIEWS_DIR);
app.set("view engine", "ejs");
app.set("view cache", true);
// The same rendering settings as the real app (server/app.ts): locals as plain variables, no EJS
// line tracking, no ETag.
app.set("view options", { _with: false, destructuredLocals: viewNames(VIEWS_DIR, VIEW_NAMES_CACHE_DIR), compileDebug: false });
app.set("etag", false);
app.locals.demo = false;
// What viewLocals computes per request in the real app, fixed once here (no navCounts queries).
const locals = {
  user: actor,
  currentPath: "/members",
  codes,
  rules: VIEW_RULES,
  h: viewHelpers,
  maskIdNumber,
  maskPhone,
  canWrite: canWrite(actor),
  canUnmask: canUnmask(actor),
  errors: {},
  values: {},
  csrfToken: "",
  takeFlash: () => [],
  navCounts: {},
};

app.get("/members", (req, res) => {
  const q = memberListQuerySchema.parse(req.query) as MemberListQuery;
  const result = listMembers(handle.db, actor, q, todayIso(), { countMemo, orgs: orgsCache.get("orgs", () => loadOrgs(handle.db)) });
  res.render("members/index", {
    ...locals,
    title: "党员",
    result,
    filters: filtersOf(q),
    query: q,
    page: result.page,
    options: filterOptions.get("bench", () => memberFilterOptions(handle.db, actor)),
    scripts: ["members.js"],
  });
});
app.get("/healthz", (_req, res) => {
  res.json({ status: "ok" });
});

app.listen(Number(port), "127.0.0.1");
process.on("SIGTERM", () => {
  handle.close();
  process.exit(0);
});

// The member list read on its own thread (its own read-only connection to the file) equals the same
// page read on the server's thread, before and after a write on the server's connection (its caches
// follow the server's version); a thread that cannot start is answered on the server's thread; an
// in-memory database is read on the server's thread.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type DbHandle, openDb } from "../../../db/client.js";
import { members } from "../../../db/schema.js";
import type { Actor } from "../../../server/policy/actor.js";
import { type MemberListQuery, memberListQuerySchema } from "../../../server/schemas/members.schema.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { type MemberListCaches, type MemberListTask, memberListPage } from "../../../server/services/members/list-page.js";
import { MemberListThread } from "../../../server/services/members/list-thread.js";
import { ReadCache } from "../../../server/services/read-cache.js";
import { addMember, type SmallCity, smallCityDb } from "../../helpers/fixtures.js";

const silent = { error: () => undefined };
const TODAY = "2026-01-15";
const cachesOver = (h: DbHandle): MemberListCaches => ({
  memberCounts: new ReadCache(h.sqlite, { max: 500, othersMaxAgeMs: 30_000 }),
  memberFilters: new ReadCache(h.sqlite, { max: 500, othersMaxAgeMs: 30_000 }),
  orgs: new ReadCache(h.sqlite, { max: 1, othersMaxAgeMs: 0 }),
});
const query = (q: Record<string, string> = {}) => memberListQuerySchema.parse(q) as MemberListQuery;

let dir: string;
let h: DbHandle;
let city: SmallCity;
let thread: MemberListThread;
let tasks: MemberListTask[];

beforeAll(async () => {
  const m = await smallCityDb();
  city = m.city;
  for (let i = 0; i < 60; i++)
    addMember(m.handle, i % 2 ? city.dlBranch.id : city.psBranch.id, { name: `党员${String(i).padStart(2, "0")}` });
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "member-list-thread-"));
  fs.writeFileSync(path.join(dir, "app.db"), m.handle.sqlite.serialize());
  m.handle.close();
  h = openDb(path.join(dir, "app.db"));
  const actor = (username: string) => {
    const id = h.sqlite.prepare("SELECT id FROM users WHERE username = ?").pluck().get(username) as number;
    return loadActor(h.db, id) as Actor;
  };
  tasks = [
    { actor: actor("t-supervisor"), q: query(), today: TODAY },
    { actor: actor("t-supervisor"), q: query({ sort: "joined", dir: "desc", committee: String(city.dl.id) }), today: TODAY },
    { actor: actor("t-clerk-dl"), q: query({ q: "党员1" }), today: TODAY },
    { actor: actor("t-sec-ps"), q: query(), today: TODAY },
  ];
  thread = new MemberListThread(h, cachesOver(h), silent);
});
afterAll(async () => {
  await thread.close();
  h.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every task's page read anew on the server's thread. */
const fresh = () => tasks.map((t) => memberListPage(h.db, cachesOver(h), t));

describe("the member-list thread", () => {
  it("reads on its own connection the pages the server's thread reads", async () => {
    expect(thread.offThread).toBe(true);
    const pages = await Promise.all(tasks.map((t) => thread.page(t)));
    expect(pages).toEqual(fresh());
    expect(pages[0]!.result.rows.length).toBe(50);
    expect(thread.counted).toEqual({ thread: tasks.length, fallback: 0 });
  });

  it("shows a write made on the server's connection on the next page, its total and its rows", async () => {
    const before = await thread.page(tasks[0]!);
    addMember(h, city.dlBranch.id, { name: "党员00甲" });
    const first = before.result.rows[0]!;
    h.db.update(members).set({ name: "丁党员" }).where(eq(members.id, first.id)).run();
    const after = await thread.page(tasks[0]!);
    expect(after.result.total).toBe(before.result.total + 1);
    expect(after.result.rows.find((r) => r.id === first.id)?.name).toBe("丁党员");
    expect(after.result.rows.map((r) => r.name)).toContain("党员00甲");
    expect(await Promise.all(tasks.map((t) => thread.page(t)))).toEqual(fresh());
  });

  it("answers on the server's thread when the thread cannot open the file", async () => {
    const broken = new MemberListThread({ ...h, path: path.join(dir, "absent.db") }, cachesOver(h), silent);
    try {
      expect(await broken.page(tasks[1]!)).toEqual(fresh()[1]);
      expect(broken.counted).toEqual({ thread: 0, fallback: 1 });
    } finally {
      await broken.close();
    }
  });

  it("reads an in-memory database on the server's thread", async () => {
    const m = await smallCityDb();
    try {
      const own = new MemberListThread(m.handle, cachesOver(m.handle), silent);
      expect(own.offThread).toBe(false);
      const page = await own.page({ ...tasks[0]!, actor: loadActor(m.handle.db, tasks[0]!.actor.id)! });
      expect(page.result.rows.length).toBeGreaterThan(0);
      expect(own.counted).toEqual({ thread: 0, fallback: 0 });
    } finally {
      m.handle.close();
    }
  });
});

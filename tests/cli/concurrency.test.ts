// Concurrency (issue 6 §6): while the import CLI applies a 200,000-row roster in a child process,
// 20 signed-in sessions of the app (in this process, over the SAME database file) browse the
// member list, member pages, the transfer list and the dashboard, and accept transfers. No request
// may fail (no 5xx, no database-busy error), every transfer accepted is completed exactly once,
// and the import counts exactly what a clean run on a fresh database counts.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Express } from "express";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../db/client.js";
import { person, writeRoster } from "../../scripts/bench/synthetic.js";
import { createApp } from "../../server/app.js";
import { testConfig } from "../../server/config.js";
import { todayIso } from "../../server/domain/dates.js";
import { type Agent, signIn } from "../helpers/app.js";
import { killChildren, spawnRosterImport, tableCounts, withDb } from "../helpers/children.js";
import { dbTemplate } from "../helpers/db.js";
import { buildSmallCity, type SmallCity } from "../helpers/fixtures.js";

const ROWS = 200_000;
const SESSIONS = 20;
const TRANSFERS = 300;
const today = todayIso();

let dir: string;
let template: Awaited<ReturnType<typeof dbTemplate>>;
let roster: string;
let city: SmallCity;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "concurrency-"));
  roster = path.join(dir, "roster.csv");
  await writeRoster(roster, ROWS);
  template = await dbTemplate(dir, async (h) => {
    city = await buildSmallCity(h);
    // Members of HZ-DL-001 with a pending transfer each to HZ-DL-002, to be accepted while the import runs.
    const s = h.sqlite;
    const insMember = s.prepare(
      `INSERT INTO members (name, gender, birth_date, id_number, id_last4, category, org_id, relation_status, joined_on, full_on)
       VALUES (?, 'male', ?, ?, ?, 'full', ?, 'local', '2010-07-01', '2011-07-01')`,
    );
    const insTransfer = s.prepare(
      `INSERT INTO transfers (member_id, kind, from_org_id, to_org_id, letter_number, issued_on, valid_days, deadline_on, dues_paid_to, state)
       VALUES (?, 'internal', ?, ?, ?, ?, 10, '2999-12-31', ?, 'pending')`,
    );
    s.transaction(() => {
      for (let i = 0; i < TRANSFERS; i++) {
        const id = person(6_000_000 + i);
        const m = insMember.run(
          `并发测试${i}`,
          `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`,
          id,
          id.slice(-4),
          city.dlBranch.id,
        );
        insTransfer.run(
          m.lastInsertRowid,
          city.dlBranch.id,
          city.dlJoint.id,
          `CONC-${String(i).padStart(4, "0")}`,
          today,
          today.slice(0, 7),
        );
      }
    })();
  });
}, 60_000);
afterEach(killChildren);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const copyOfTemplate = (name: string) => template.copy(name);

const summaryOf = (out: string) => JSON.parse(out.trim().split("\n").pop()!) as Record<string, number | string>;

describe("20 sessions while a large import runs", () => {
  it("no request fails, every acceptance completes once, and the import counts as a clean run", async () => {
    // The reference: the same import alone on a fresh copy.
    const fresh = copyOfTemplate("fresh.db");
    const ref = await spawnRosterImport(fresh, roster, "美团", "HZ-PS").exited;
    expect(ref.code, ref.stderr).toBe(0);
    // The tables the sessions write besides the import (data_versions: the counters of migrations
    // 0019/0021, a row per organization a write touched — the acceptances touch more).
    const sessionTables = [
      "imports",
      "sessions",
      "audit_log",
      "member_events",
      "transfers",
      "members",
      "rate_limits",
      "settings",
      "data_versions",
    ];
    const refCounts = tableCounts(fresh, sessionTables);

    const db = copyOfTemplate("shared.db");
    const handle = openDb(db);
    const app: Express = createApp({ db: handle, config: testConfig() });
    try {
      // 20 sessions: the receiving secretary, her committee's clerk and the admin accept; the others browse.
      const users = ["t-sec-joint", "t-clerk-dl", "t-admin", "t-supervisor", "t-clerk-ps", "t-sec-dl", "t-sec-ps"];
      const agents: { user: string; agent: Agent; token: string }[] = [];
      for (let i = 0; i < SESSIONS; i++) {
        const user = users[i % users.length]!;
        const agent = await signIn(app, user);
        agents.push({ user, agent, token: await agent.csrf("/transfers") });
      }
      const acceptors = new Set(["t-sec-joint", "t-clerk-dl", "t-admin"]);
      const transferIds = withDb(
        db,
        (s) => s.prepare("SELECT id FROM transfers WHERE letter_number LIKE 'CONC-%' ORDER BY id").pluck().all() as number[],
      );
      const memberIds = withDb(db, (s) => s.prepare("SELECT id FROM members ORDER BY id").pluck().all() as number[]);

      const imp = spawnRosterImport(db, roster, "美团", "HZ-PS");
      let importDone = false;
      const importExit = imp.exited.then((e) => {
        importDone = true;
        return e;
      });

      const failures: string[] = [];
      const statuses = new Map<number, number>();
      const accepted: number[] = [];
      let next = 0;
      let requests = 0;
      const slowest = { ms: 0, what: "" };
      const note = (what: string, status: number, ms: number) => {
        requests++;
        statuses.set(status, (statuses.get(status) ?? 0) + 1);
        if (ms > slowest.ms) Object.assign(slowest, { ms, what });
        if (status >= 500) failures.push(`${what}: HTTP ${status}`);
      };
      const session = async (k: number) => {
        const { user, agent, token } = agents[k]!;
        let round = 0;
        // Until the import has finished (and at least a few rounds), capped so the test is bounded.
        while ((!importDone || round < 3) && round < 400) {
          round++;
          const pages = [
            "/members",
            `/members?q=${encodeURIComponent("测试")}`,
            "/",
            "/transfers",
            `/members/${memberIds[(k * 7 + round) % memberIds.length]}`,
          ];
          for (const p of pages) {
            const t0 = performance.now();
            const res = await agent.get(p);
            note(`${user} GET ${p}`, res.status, performance.now() - t0);
            // Out-of-scope member pages answer 404; anything else but 200 is wrong.
            if (res.status !== 200 && !(res.status === 404 && p.startsWith("/members/")))
              failures.push(`${user} GET ${p}: HTTP ${res.status}`);
          }
          if (acceptors.has(user) && next < transferIds.length) {
            const id = transferIds[next++]!;
            const t0 = performance.now();
            const res = await agent.post(`/transfers/${id}/accept`).type("form").send({ receiptOn: today, _csrf: token });
            note(`${user} accept ${id}`, res.status, performance.now() - t0);
            if (res.status === 303) accepted.push(id);
            else failures.push(`${user} accept ${id}: HTTP ${res.status} ${res.text.slice(0, 200)}`);
          }
        }
      };
      const browsing = Promise.all(agents.map((_, k) => session(k)));
      const exit = await importExit;
      await browsing;

      expect(failures).toEqual([]);
      expect(exit.stderr).toBe("");
      expect(exit.code).toBe(0);
      // The sessions really ran alongside the import.
      expect(requests).toBeGreaterThan(SESSIONS * 5);
      expect(accepted.length).toBeGreaterThan(0);
      console.info(
        `concurrency: ${requests} requests, statuses ${JSON.stringify(Object.fromEntries(statuses))}, ${accepted.length} accepted, slowest ${slowest.ms.toFixed(0)} ms (${slowest.what})`,
      );

      // Every acceptance completed exactly once: state, member moved, one event, one audit row.
      const rows = withDb(
        db,
        (s) =>
          s
            .prepare(
              `SELECT t.id, t.state, m.org_id AS org,
                      (SELECT count(*) FROM member_events e WHERE e.member_id = t.member_id AND e.kind = 'transfer_completed') AS events,
                      (SELECT count(*) FROM audit_log a WHERE a.action = 'transfer_accept' AND a.entity_id = t.id) AS audits
               FROM transfers t JOIN members m ON m.id = t.member_id WHERE t.letter_number LIKE 'CONC-%' ORDER BY t.id`,
            )
            .all() as { id: number; state: string; org: number; events: number; audits: number }[],
      );
      const acceptedSet = new Set(accepted);
      for (const r of rows) {
        const expected = acceptedSet.has(r.id)
          ? { state: "completed", org: city.dlJoint.id, events: 1, audits: 1 }
          : { state: "pending", org: city.dlBranch.id, events: 0, audits: 0 };
        expect({ state: r.state, org: r.org, events: r.events, audits: r.audits }, `transfer ${r.id}`).toEqual(expected);
      }

      // The import counted exactly what it counts alone on a fresh database.
      expect({ ...summaryOf(exit.stdout), importId: 0 }).toEqual({ ...summaryOf(ref.stdout), importId: 0 });
      expect(tableCounts(db, sessionTables)).toEqual(refCounts);
    } finally {
      handle.close();
    }
  }, 120_000);
});

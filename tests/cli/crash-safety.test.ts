// Crash safety (issue 6 §5): processes killed with SIGKILL part way leave a database that is
// intact and holds either all of a unit of work or none of it.
//
// 1. The import CLI, killed while reading a 200,000-row roster and again while its apply
//    transaction is writing (the WAL has grown by megabytes of uncommitted pages): integrity_check
//    is ok, every table but `imports` is byte-for-byte what it was before, the killed import is
//    recorded as running with its owner gone and is marked failed at once by the next run, and the
//    re-run counts exactly what a clean run on a fresh database counts.
// 2. Transfers accepted in a loop, and over HTTP by the real server, killed mid-way: every
//    transfer is either pending with its member where they were, or completed with the member
//    moved, one completion event and one audit row; everything acknowledged before the kill is kept.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Database from "better-sqlite3";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { HttpSession } from "../../scripts/bench/http-session.js";
import { person, writeRoster } from "../../scripts/bench/synthetic.js";
import { todayIso } from "../../server/domain/dates.js";
import { ownerIsGone } from "../../server/services/import/owner-lock.js";
import {
  type Child,
  fingerprint,
  integrityCheck,
  kill9,
  killChildren,
  spawnRosterImport,
  spawnTsx,
  tableCounts,
  waitFor,
  withDb,
} from "../helpers/children.js";
import { dbTemplate } from "../helpers/db.js";
import { buildSmallCity, PASSWORD, type SmallCity } from "../helpers/fixtures.js";

const ROWS = 200_000;
const PLATFORM = "美团";
const INTERRUPTED = "导入进程意外中断，已作废；数据库未被修改。";

let dir: string;
let template: Awaited<ReturnType<typeof dbTemplate>>;
let roster: string;
let city: SmallCity;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "crash-safety-"));
  roster = path.join(dir, "roster.csv");
  await writeRoster(roster, ROWS);
  template = await dbTemplate(dir, async (h) => {
    city = await buildSmallCity(h);
  });
}, 60_000);
afterEach(killChildren);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A copy of the small city's database, under `name`. */
const copyOfTemplate = (name: string) => template.copy(name);

type ImportRow = { id: number; status: string; rows_done: number; bytes_done: number; size_bytes: number | null; error: string | null };
const importRows = (db: string) =>
  withDb(db, (s) => s.prepare("SELECT id, status, rows_done, bytes_done, size_bytes, error FROM imports ORDER BY id").all() as ImportRow[]);
const walSize = (db: string) => (fs.existsSync(`${db}-wal`) ? fs.statSync(`${db}-wal`).size : 0);
/** What lies beside the database for imports: owner locks and scratch directories (suffix dropped). */
const leftovers = (db: string) =>
  fs
    .readdirSync(`${db}-imports`)
    .map((n) => n.replace(/\.stage-.*$/, ".stage"))
    .sort();
const summaryOf = (out: string) => JSON.parse(out.trim().split("\n").pop()!) as Record<string, number | string>;

/** Polls the import record through a read-only connection (WAL readers never block the writer). */
function latestImport(db: string): ImportRow | undefined {
  const s = new Database(db, { readonly: true });
  try {
    return s.prepare("SELECT id, status, rows_done, bytes_done, size_bytes, error FROM imports ORDER BY id DESC LIMIT 1").get() as
      | ImportRow
      | undefined;
  } finally {
    s.close();
  }
}

async function mustNotExit(c: Child, what: string): Promise<never> {
  const e = await c.exited;
  throw new Error(`the import ended (${e.code ?? e.signal}) before it could be killed ${what}: ${e.stderr}`);
}

describe("an import CLI killed with SIGKILL", () => {
  let reference: { summary: Record<string, number | string>; counts: Record<string, number> };
  let db: string;
  let before: Record<string, string>;

  it("(reference) a clean run on a fresh database", async () => {
    const fresh = copyOfTemplate("fresh.db");
    const r = await spawnRosterImport(fresh, roster, PLATFORM, "HZ-PS").exited;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const summary = summaryOf(r.stdout);
    expect(summary).toMatchObject({ rows: ROWS, inserted: ROWS, rejected: 0, duplicates: 0 });
    expect(summary.leadsCreated as number).toBeGreaterThan(0);
    reference = { summary, counts: tableCounts(fresh, ["imports", "sessions"]) };
    expect(reference.counts.workers).toBe(ROWS);
  }, 120_000);

  it("while reading: nothing of it is visible, and it is known dead", async () => {
    db = copyOfTemplate("crash.db");
    before = fingerprint(db, ["imports"]);
    const c = spawnRosterImport(db, roster, PLATFORM, "HZ-PS");
    const killAt = await Promise.race([
      waitFor(() => {
        const r = latestImport(db);
        return r && r.status === "running" && r.rows_done >= 40_000 ? r : undefined;
      }, "40,000 rows read"),
      mustNotExit(c, "while reading"),
    ]);
    const exit = await kill9(c);
    expect(exit.signal).toBe("SIGKILL");

    expect(integrityCheck(db)).toBe("ok");
    expect(fingerprint(db, ["imports"])).toEqual(before);
    const [rec] = importRows(db);
    // Part way: the record shows how far it got, and stays "running" until someone looks …
    expect(rec).toMatchObject({ id: killAt.id, status: "running" });
    expect(rec!.rows_done).toBeGreaterThanOrEqual(40_000);
    expect(rec!.rows_done).toBeLessThan(ROWS);
    // … but its owner lock tells at once that its process is gone. Its scratch file is left beside it.
    expect(ownerIsGone(db, rec!.id)).toBe(true);
    expect(leftovers(db)).toEqual(["1.lock", "1.stage"]);
  }, 120_000);

  it("while its apply transaction writes: nothing of it is visible; the next run marks the first failed at once", async () => {
    const c = spawnRosterImport(db, roster, PLATFORM, "HZ-PS");
    // Reading done (every byte read) and the WAL 4 MB past where it stood then: uncommitted pages.
    let walAtApply = -1;
    await Promise.race([
      waitFor(
        () => {
          const r = latestImport(db);
          if (!r || r.id === 1 || r.status !== "running" || r.bytes_done < (r.size_bytes ?? Number.POSITIVE_INFINITY)) return undefined;
          if (walAtApply < 0) walAtApply = walSize(db);
          return walSize(db) > walAtApply + 4 * 1024 * 1024 ? r : undefined;
        },
        "the apply transaction to write 4 MB",
        60_000,
        10,
      ),
      mustNotExit(c, "while applying"),
    ]);
    const exit = await kill9(c);
    expect(exit.signal).toBe("SIGKILL");
    expect(exit.stdout).toBe(""); // no summary: it never finished

    expect(integrityCheck(db)).toBe("ok");
    expect(fingerprint(db, ["imports"])).toEqual(before);
    const recs = importRows(db);
    expect(recs.map((r) => [r.id, r.status])).toEqual([
      [1, "failed"],
      [2, "running"],
    ]);
    // Taken over by the second run without waiting for its heartbeat to go stale.
    expect(recs[0]!.error).toBe(INTERRUPTED);
    expect(ownerIsGone(db, 2)).toBe(true);
    // The first run's lock and scratch files went when it was taken over.
    expect(leftovers(db)).toEqual(["2.lock", "2.stage"]);
  }, 120_000);

  it("the re-run counts exactly what a clean run on a fresh database counts", async () => {
    const r = await spawnRosterImport(db, roster, PLATFORM, "HZ-PS").exited;
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect({ ...summaryOf(r.stdout), importId: 0 }).toEqual({ ...reference.summary, importId: 0 });
    expect(tableCounts(db, ["imports", "sessions"])).toEqual(reference.counts);
    expect(integrityCheck(db)).toBe("ok");
    expect(importRows(db).map((x) => [x.id, x.status, x.error])).toEqual([
      [1, "failed", INTERRUPTED],
      [2, "failed", INTERRUPTED],
      [3, "succeeded", null],
    ]);
    // No owner lock or scratch file is left behind.
    expect(leftovers(db)).toEqual([]);
  }, 120_000);
});

// -------------------------------------------------------------------------------------------------
// Transfers
// -------------------------------------------------------------------------------------------------

const TRANSFERS = 500;
const today = todayIso();

/** A copy of the small city with TRANSFERS members of HZ-DL-001, each with a pending transfer to HZ-DL-002. */
function withPendingTransfers(name: string): string {
  const file = copyOfTemplate(name);
  withDb(file, (s) => {
    const insMember = s.prepare(
      `INSERT INTO members (name, gender, birth_date, id_number, id_last4, phone, phone_last4, category, org_id, relation_status, joined_on, full_on)
       VALUES (?, 'male', ?, ?, ?, NULL, NULL, 'full', ?, 'local', '2010-07-01', '2011-07-01')`,
    );
    const insTransfer = s.prepare(
      `INSERT INTO transfers (member_id, kind, from_org_id, to_org_id, letter_number, issued_on, valid_days, deadline_on, dues_paid_to, state)
       VALUES (?, 'internal', ?, ?, ?, ?, 10, ?, ?, 'pending')`,
    );
    s.transaction(() => {
      for (let i = 0; i < TRANSFERS; i++) {
        const id = person(5_000_000 + i);
        const birth = `${id.slice(6, 10)}-${id.slice(10, 12)}-${id.slice(12, 14)}`;
        const m = insMember.run(`转接测试${i}`, birth, id, id.slice(-4), city.dlBranch.id);
        insTransfer.run(
          m.lastInsertRowid,
          city.dlBranch.id,
          city.dlJoint.id,
          `CRASH-${String(i).padStart(5, "0")}`,
          today,
          "2999-12-31",
          today.slice(0, 7),
        );
      }
    })();
  });
  return file;
}

type TransferState = {
  id: number;
  state: string;
  member_id: number;
  org_id: number;
  relation_status: string;
  completions: number;
  audits: number;
  decided_at: string | null;
  receipt_on: string | null;
};

/** Every fixture transfer with where its member is now and how many completion events and audit rows it has. */
function transferStates(db: string): TransferState[] {
  return withDb(
    db,
    (s) =>
      s
        .prepare(
          `SELECT t.id, t.state, t.member_id, m.org_id, m.relation_status, t.decided_at, t.receipt_on,
                  (SELECT count(*) FROM member_events e WHERE e.member_id = t.member_id AND e.kind = 'transfer_completed'
                     AND json_extract(e.details, '$.transferId') = t.id) AS completions,
                  (SELECT count(*) FROM audit_log a WHERE a.action = 'transfer_accept' AND a.entity = 'transfer' AND a.entity_id = t.id) AS audits
           FROM transfers t JOIN members m ON m.id = t.member_id
           WHERE t.letter_number LIKE 'CRASH-%' ORDER BY t.id`,
        )
        .all() as TransferState[],
  );
}

/** Never half: pending with the member still in the sending branch, or completed with them moved, once. */
function assertNeverHalf(db: string): { pending: number; completed: number } {
  const rows = transferStates(db);
  expect(rows).toHaveLength(TRANSFERS);
  let pending = 0;
  let completed = 0;
  for (const t of rows) {
    const seen = {
      state: t.state,
      org: t.org_id,
      relation: t.relation_status,
      completions: t.completions,
      audits: t.audits,
      decided: t.decided_at !== null,
      receipt: t.receipt_on,
    };
    if (t.state === "pending") {
      pending++;
      expect(seen, `transfer ${t.id}`).toEqual({
        state: "pending",
        org: city.dlBranch.id,
        relation: "local",
        completions: 0,
        audits: 0,
        decided: false,
        receipt: null,
      });
    } else {
      completed++;
      expect(seen, `transfer ${t.id}`).toEqual({
        state: "completed",
        org: city.dlJoint.id,
        relation: "local",
        completions: 1,
        audits: 1,
        decided: true,
        receipt: today,
      });
    }
  }
  return { pending, completed };
}

// A server process started under tsx compiles the whole app first: 10–25 s on a loaded 2-core machine.
describe("accepting transfers, killed with SIGKILL", { timeout: 180_000 }, () => {
  it("a loop of acceptances through the service: never half a transfer; what was reported done is kept; the rest can be accepted after", async () => {
    const db = withPendingTransfers("accept-loop.db");
    const loop = () => spawnTsx("tests/cli/accept-loop.child.ts", [db, String(city.userIds.secretaryJoint), today], {});
    const c = loop();
    const reported = await Promise.race([
      waitFor(
        () => {
          const m = /accepted (\d+)\n(?![\s\S]*accepted)/.exec(c.stdout());
          return m && Number(m[1]) >= 150 ? Number(m[1]) : undefined;
        },
        "150 acceptances",
        30_000,
        5,
      ),
      c.exited.then((e) => {
        throw new Error(`the loop ended before it could be killed: ${e.stdout}${e.stderr}`);
      }),
    ]);
    const exit = await kill9(c);
    expect(exit.signal).toBe("SIGKILL");

    expect(integrityCheck(db)).toBe("ok");
    const { pending, completed } = assertNeverHalf(db);
    expect(completed).toBeGreaterThanOrEqual(reported); // acknowledged ⇒ durable
    expect(pending).toBeGreaterThan(0); // killed part way

    // The survivors are accepted by a fresh run, each exactly once.
    const rest = await loop().exited;
    expect(rest.code).toBe(0);
    expect(rest.stdout).toContain(`finished ${pending}`);
    expect(assertNeverHalf(db)).toEqual({ pending: 0, completed: TRANSFERS });
  }, 120_000);

  it("the server killed while acceptances are in flight over HTTP: never half a transfer; every 303 answered is kept", async () => {
    const db = withPendingTransfers("accept-server.db");
    const server = spawnTsx("server/index.ts", [], {
      DATABASE_PATH: db,
      PORT: "0",
      HOST: "127.0.0.1",
      LOG_LEVEL: "info",
      NODE_ENV: "production",
    });
    const url = await Promise.race([
      waitFor(() => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(server.stdout())?.[1], "the server to listen", 90_000),
      server.exited.then((e) => {
        throw new Error(`server exited early: ${e.stdout}${e.stderr}`);
      }),
    ]);
    const session = await HttpSession.signIn(url, "t-sec-joint", PASSWORD);
    const token = await session.csrf("/transfers");
    const ids = transferStates(db).map((t) => t.id);

    // 8 connections accept transfers one after another; the server is killed after 100 answers.
    const answered: number[] = [];
    let failed = 0;
    let next = 0;
    let killed = false;
    const worker = async () => {
      while (next < ids.length) {
        const id = ids[next++]!;
        try {
          const res = await session.request("POST", `/transfers/${id}/accept`, { receiptOn: today, _csrf: token });
          await res.arrayBuffer();
          if (res.status === 303) answered.push(id);
          else if (!killed) throw new Error(`accept ${id}: HTTP ${res.status}`);
        } catch (e) {
          if (!killed) throw e;
          failed++;
        }
        if (answered.length >= 100 && !killed) {
          killed = true;
          server.proc.kill("SIGKILL");
        }
        if (killed) return;
      }
    };
    await Promise.all(Array.from({ length: 8 }, worker));
    const exit = await server.exited;
    expect(exit.signal).toBe("SIGKILL");

    expect(integrityCheck(db)).toBe("ok");
    const { pending, completed } = assertNeverHalf(db);
    const states = new Map(transferStates(db).map((t) => [t.id, t.state]));
    expect(answered.filter((id) => states.get(id) !== "completed")).toEqual([]); // answered 303 ⇒ completed
    expect(completed).toBeGreaterThanOrEqual(answered.length);
    expect(pending).toBeGreaterThan(0);
    expect(failed + answered.length).toBeGreaterThan(0);
  }, 120_000);
});

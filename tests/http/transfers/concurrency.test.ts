// Accepting is atomic: when two people act on one transfer at once, exactly one wins, the other
// gets a clear 409, and the member ends up in exactly one branch.

import { Worker } from "node:worker_threads";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { openDb } from "../../../db/client.js";
import { todayIso } from "../../../server/domain/dates.js";
import { AppError } from "../../../server/errors.js";
import { acceptTransfer, issueTransfer } from "../../../server/services/transfers/transfers.service.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { tempFileDb } from "../../helpers/db.js";
import { addMember, buildSmallCity } from "../../helpers/fixtures.js";
import type { RaceJob, RaceResult, RaceRound } from "./race.worker.js";
import { idFrom, post, type World, world } from "./helpers.js";

const today = todayIso();

describe("two people act on one transfer at once, through HTTP", () => {
  let w: World;
  beforeAll(async () => {
    w = await world();
  });
  afterAll(() => w.t.close());

  async function pending() {
    const m = w.addMember(w.city.dlBranch.id);
    const res = await post(w.secDl, "/transfers", {
      kind: "internal",
      memberId: m.id,
      toOrgId: w.city.dlJoint.id,
      issuedOn: today,
      duesPaidTo: today.slice(0, 7),
    });
    return { m, id: idFrom(res.headers.location) };
  }

  it("two acceptances: exactly one wins, the other gets 409 with a message saying so", async () => {
    const { m, id } = await pending();
    const [a, b] = await Promise.all([
      post(w.secJoint, `/transfers/${id}/accept`, { receiptOn: today }),
      post(w.clerkDl, `/transfers/${id}/accept`, { receiptOn: today }),
    ]);
    expect([a.status, b.status].sort()).toEqual([303, 409]);
    const loser = a.status === 409 ? a : b;
    expect(loser.text).toMatch(/该转接已完成|刚刚已被他人处理/);
    expect(w.transfer(id).state).toBe("completed");
    expect(w.member(m.id)).toMatchObject({ org_id: w.city.dlJoint.id, relation_status: "local" });
    expect(w.events(m.id).filter((e) => e.kind === "transfer_completed")).toHaveLength(1);
  });

  it("accept against cancel, and accept against return: one wins and the member is where the winner put them", async () => {
    for (const [other, action, body] of [
      [w.secDl, "cancel", { cancelReason: "并发撤销" }],
      [w.clerkDl, "return", { returnReason: "并发退回" }],
    ] as const) {
      const { m, id } = await pending();
      const [acc, oth] = await Promise.all([
        post(w.secJoint, `/transfers/${id}/accept`, { receiptOn: today }),
        post(other, `/transfers/${id}/${action}`, body),
      ]);
      expect([acc.status, oth.status].sort()).toEqual([303, 409]);
      const state = w.transfer(id).state;
      expect(state).toBe(acc.status === 303 ? "completed" : action === "cancel" ? "cancelled" : "returned");
      expect(w.member(m.id).org_id).toBe(state === "completed" ? w.city.dlJoint.id : w.city.dlBranch.id);
    }
  });
});

describe("two connections to one database file", () => {
  let h: ReturnType<typeof tempFileDb>;
  let city: Awaited<ReturnType<typeof buildSmallCity>>;
  beforeAll(async () => {
    h = tempFileDb();
    city = await buildSmallCity(h);
  });
  afterAll(() => h.close());

  function pendingTransfer() {
    const m = addMember(h, city.dlBranch.id);
    const t = issueTransfer(
      h.db,
      loadActor(h.db, city.userIds.secretary!)!,
      {
        kind: "internal",
        memberId: m.id,
        toOrgId: city.dlJoint.id,
        externalOrgName: null,
        letterNumber: null,
        issuedOn: today,
        validDays: null,
        duesPaidTo: today.slice(0, 7),
        reason: null,
        correctsTransferId: null,
      },
      today,
    );
    return { m, t };
  }
  const memberOrg = (id: number) => (h.sqlite.prepare("SELECT org_id FROM members WHERE id = ?").get(id) as { org_id: number }).org_id;

  it("the second connection's acceptance is refused with 409 after the first committed", () => {
    const second = openDb(h.path);
    try {
      const { m, t } = pendingTransfer();
      acceptTransfer(h.db, loadActor(h.db, city.userIds.secretaryJoint!)!, t.id, { receiptOn: today }, today);
      let err: unknown;
      try {
        acceptTransfer(second.db, loadActor(second.db, city.userIds.clerk!)!, t.id, { receiptOn: today }, today);
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(AppError);
      expect((err as AppError).status).toBe(409);
      expect(memberOrg(m.id)).toBe(city.dlJoint.id);
    } finally {
      second.close();
    }
  });

  it("two threads racing on their own connections: in every round exactly one wins and the other gets 409", async () => {
    const ROUNDS = 12;
    const transfers = Array.from({ length: ROUNDS }, () => pendingTransfer());
    // Worker A always accepts; worker B accepts in even rounds and (as a clerk above both sides) cancels in odd ones.
    const roundsA: RaceRound[] = transfers.map(({ t }) => ({ transferId: t.id, action: "accept" }));
    const roundsB: RaceRound[] = transfers.map(({ t }, i) => ({ transferId: t.id, action: i % 2 ? "cancel" : "accept" }));
    const start = new SharedArrayBuffer(4 * ROUNDS);
    const flag = new Int32Array(start);
    const spawn = (userId: number, rounds: RaceRound[]) =>
      // The worker registers tsx's loader itself, then imports the TypeScript worker module.
      new Worker(
        `import("tsx/esm/api").then((t) => { t.register(); return import(${JSON.stringify(new URL("./race.worker.ts", import.meta.url).href)}); });`,
        {
          eval: true,
          workerData: { path: h.path, userId, today, rounds, start } satisfies RaceJob,
        },
      );
    const workers = [spawn(city.userIds.secretaryJoint!, roundsA), spawn(city.userIds.clerk!, roundsB)];
    const results: RaceResult[][] = [[], []];
    const ready = Array.from({ length: ROUNDS }, () => 0);
    const finished = Promise.all(
      workers.map(
        (wk, i) =>
          new Promise<void>((resolve, reject) => {
            wk.on("message", (msg: { ready?: number; result?: RaceResult }) => {
              if (msg.ready !== undefined && ++ready[msg.ready]! === 2) {
                Atomics.store(flag, msg.ready, 1);
                Atomics.notify(flag, msg.ready);
              }
              if (msg.result) results[i]!.push(msg.result);
            });
            wk.on("error", reject);
            wk.on("exit", () => resolve());
          }),
      ),
    );
    await finished;
    expect(results[0]).toHaveLength(ROUNDS);
    expect(results[1]).toHaveLength(ROUNDS);
    for (let r = 0; r < ROUNDS; r++) {
      const a = results[0]![r]!;
      const b = results[1]![r]!;
      expect([a.ok, b.ok].filter(Boolean), `round ${r}: ${JSON.stringify([a, b])}`).toHaveLength(1);
      const loser = a.ok ? b : a;
      expect(loser.status, loser.message).toBe(409);
      const { m, t } = transfers[r]!;
      const row = h.sqlite.prepare("SELECT state FROM transfers WHERE id = ?").get(t.id) as { state: string };
      const cancelled = row.state === "cancelled";
      expect(cancelled ? !a.ok && r % 2 === 1 : row.state === "completed").toBe(true);
      expect(memberOrg(m.id)).toBe(cancelled ? city.dlBranch.id : city.dlJoint.id);
      const done = h.sqlite
        .prepare("SELECT count(*) n FROM member_events WHERE member_id = ? AND kind IN ('transfer_completed','transfer_cancelled')")
        .get(m.id) as { n: number };
      expect(done.n).toBe(1);
    }
  }, 60_000);
});

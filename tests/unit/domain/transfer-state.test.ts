import { describe, expect, it } from "vitest";
import {
  allowedActions,
  decide,
  defaultValidDays,
  formatLetterNumber,
  isOverdue,
  letterDeadline,
  letterSequence,
  maxDeadline,
  type TransferAction,
  type TransferKind,
  type TransferSide,
  type TransferState,
  validityProblem,
} from "../../../server/domain/transfer-state.js";

const KINDS: TransferKind[] = ["internal", "outgoing", "incoming"];
const STATES: TransferState[] = ["pending", "completed", "returned", "cancelled"];
const ACTIONS: TransferAction[] = ["accept", "return", "cancel"];
const SIDE_SETS: TransferSide[][] = [[], ["sender"], ["receiver"], ["sender", "receiver"]];

// The whole legal table, written out by hand: [kind, action, side that may act, resulting state].
const LEGAL: [TransferKind, TransferAction, TransferSide, TransferState][] = [
  ["internal", "accept", "receiver", "completed"],
  ["internal", "return", "receiver", "returned"],
  ["internal", "cancel", "sender", "cancelled"],
  ["outgoing", "accept", "sender", "completed"],
  ["outgoing", "return", "sender", "returned"],
  ["outgoing", "cancel", "sender", "cancelled"],
  ["incoming", "accept", "receiver", "completed"],
  ["incoming", "return", "receiver", "returned"],
];

describe("transfer state machine", () => {
  it("allows exactly the legal transitions, from pending only, to the side named in the table", () => {
    let legal = 0;
    for (const kind of KINDS)
      for (const state of STATES)
        for (const action of ACTIONS)
          for (const sides of SIDE_SETS) {
            const d = decide(kind, state, action, sides);
            const rule = LEGAL.find(([k, a]) => k === kind && a === action);
            const expectOk = state === "pending" && !!rule && sides.includes(rule[2]);
            expect(d.ok, `${kind} ${state} ${action} by [${sides}]`).toBe(expectOk);
            if (d.ok) {
              legal++;
              expect(d.to).toBe(rule![3]);
            }
          }
    // 8 rules, each legal for the 2 side sets that include the side.
    expect(legal).toBe(16);
  });

  it("answers 409 for a final state or a step the kind does not have, 403 for the wrong side", () => {
    expect(decide("internal", "completed", "accept", ["receiver"])).toMatchObject({ ok: false, status: 409 });
    expect(decide("internal", "cancelled", "return", ["receiver"])).toMatchObject({ ok: false, status: 409 });
    expect(decide("incoming", "pending", "cancel", ["receiver", "sender"])).toMatchObject({ ok: false, status: 409 });
    expect(decide("internal", "pending", "accept", ["sender"])).toMatchObject({ ok: false, status: 403 });
    expect(decide("internal", "pending", "cancel", ["receiver"])).toMatchObject({ ok: false, status: 403 });
    const d = decide("internal", "completed", "cancel", ["sender"]);
    expect(d.ok).toBe(false);
    if (!d.ok) expect(d.message).toContain("不能再撤销");
  });

  it("lists the actions a side may take", () => {
    expect(allowedActions("internal", "pending", ["sender"])).toEqual(["cancel"]);
    expect(allowedActions("internal", "pending", ["receiver"])).toEqual(["accept", "return"]);
    expect(allowedActions("internal", "pending", ["sender", "receiver"])).toEqual(["accept", "return", "cancel"]);
    expect(allowedActions("outgoing", "pending", ["sender"])).toEqual(["accept", "return", "cancel"]);
    expect(allowedActions("incoming", "pending", ["receiver"])).toEqual(["accept", "return"]);
    for (const s of ["completed", "returned", "cancelled"] as const)
      expect(allowedActions("internal", s, ["sender", "receiver"])).toEqual([]);
  });

  it("is overdue only while pending and past the deadline", () => {
    expect(isOverdue({ state: "pending", deadlineOn: "2025-03-10" }, "2025-03-11")).toBe(true);
    expect(isOverdue({ state: "pending", deadlineOn: "2025-03-10" }, "2025-03-10")).toBe(false);
    expect(isOverdue({ state: "completed", deadlineOn: "2025-03-10" }, "2025-04-01")).toBe(false);
  });
});

describe("letter validity and numbers", () => {
  it("defaults to 10 days inside the system and 30 outside", () => {
    expect(defaultValidDays("internal")).toBe(10);
    expect(defaultValidDays("outgoing")).toBe(30);
    expect(defaultValidDays("incoming")).toBe(30);
    expect(letterDeadline("2025-01-25", 10)).toBe("2025-02-04");
  });

  it("refuses more than three months, counting calendar months", () => {
    expect(maxDeadline("2025-01-01")).toBe("2025-04-01");
    expect(maxDeadline("2024-11-30")).toBe("2025-02-28");
    expect(validityProblem("2025-01-01", 90)).toBeNull(); // 2025-04-01
    expect(validityProblem("2025-01-01", 91)).toContain("3 个月");
    expect(validityProblem("2025-01-01", 0)).toContain("正整数");
  });

  it("numbers letters per organization and year", () => {
    expect(formatLetterNumber("HZ-DL-001", "2025", 7)).toBe("HZ-DL-001-2025-0007");
    expect(letterSequence("HZ-DL-001-2025-0007", "HZ-DL-001-2025-")).toBe(7);
    expect(letterSequence("HZ-DL-001-2025-12345", "HZ-DL-001-2025-")).toBe(12345);
    expect(letterSequence("HZ-DL-001-2025-X1", "HZ-DL-001-2025-")).toBeNull();
    expect(letterSequence("HZ-DL-0012-2025-0001", "HZ-DL-001-2025-")).toBeNull();
  });
});

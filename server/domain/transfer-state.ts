// The one state machine of a transfer of organizational relationship (组织关系转接). Pure: no I/O.
// Every route that changes a transfer goes through `decide`, so no other transition exists.
//
//   pending ──accept──▶ completed
//      ├─────return───▶ returned
//      └─────cancel───▶ cancelled
//
// completed, returned and cancelled are final: history is never edited; a mistake is corrected
// by a new transfer linked to the old one (corrects_transfer_id).

import type { RelationStatus } from "./codes.js";

export type TransferKind = "internal" | "outgoing" | "incoming";
export type TransferState = "pending" | "completed" | "returned" | "cancelled";
export type TransferAction = "accept" | "return" | "cancel";
/** Which side of the transfer the actor stands on (by organization scope). */
export type TransferSide = "sender" | "receiver";

export const ACTION_LABEL: Record<TransferAction, string> = { accept: "接收", return: "退回", cancel: "撤销" };
const STATE_LABEL: Record<TransferState, string> = { pending: "待接收", completed: "已完成", returned: "已退回", cancelled: "已撤销" };

export const FINAL_STATES: readonly TransferState[] = ["completed", "returned", "cancelled"];

/** Relationship statuses from which a member's relationship can be sent out of a branch here. */
export const SENDABLE_STATUSES: readonly RelationStatus[] = ["local", "mobile_out"];
/** Relationship statuses from which a member's relationship can come in from outside. */
export const RECEIVABLE_STATUSES: readonly RelationStatus[] = ["unattached", "mobile_in", "transferred_out"];

const TARGET: Record<TransferAction, TransferState> = { accept: "completed", return: "returned", cancel: "cancelled" };

/**
 * Who may take each action, per kind. Inside the system the sender issues and cancels, the
 * receiver accepts or returns. Out of the system the receiving side is outside, so the sending
 * side records the receipt (accept) or that the letter came back (return). Into the system the
 * sending side is outside: the receiving side records the letter, then accepts or returns it;
 * an outside sender cannot cancel here.
 */
export const WHO_MAY: Record<TransferKind, Partial<Record<TransferAction, TransferSide>>> = {
  internal: { accept: "receiver", return: "receiver", cancel: "sender" },
  outgoing: { accept: "sender", return: "sender", cancel: "sender" },
  incoming: { accept: "receiver", return: "receiver" },
};

export type Decision =
  | { ok: true; to: TransferState }
  /** `conflict`: the transfer is no longer pending (someone acted first) or the kind has no such step. */
  | { ok: false; status: 409 | 403; message: string };

/**
 * Decides whether `action` may be taken on a transfer of `kind` in `state` by an actor standing
 * on `sides` (an actor above both branches stands on both).
 */
export function decide(kind: TransferKind, state: TransferState, action: TransferAction, sides: readonly TransferSide[]): Decision {
  const who = WHO_MAY[kind][action];
  if (!who) {
    const hint = kind === "incoming" && action === "cancel" ? "转入系统的介绍信由系统外党组织开具，如有误请“退回”并注明原因。" : "";
    return { ok: false, status: 409, message: `${kindLabel(kind)}不能${ACTION_LABEL[action]}。${hint}` };
  }
  if (state !== "pending") {
    return {
      ok: false,
      status: 409,
      message: `该转接已${STATE_LABEL[state].replace(/^已/, "")}，不能再${ACTION_LABEL[action]}。如有错误，请新建一条更正转接。`,
    };
  }
  if (!sides.includes(who)) {
    const side = who === "sender" ? "转出方（开具介绍信的党组织）" : "接收方党组织";
    return { ok: false, status: 403, message: `只有${side}的书记或其上级党委工作人员才能${ACTION_LABEL[action]}该转接。` };
  }
  return { ok: true, to: TARGET[action] };
}

/** The actions an actor on `sides` may take now (for showing buttons). */
export function allowedActions(kind: TransferKind, state: TransferState, sides: readonly TransferSide[]): TransferAction[] {
  return (["accept", "return", "cancel"] as const).filter((a) => decide(kind, state, a, sides).ok);
}

export function isFinal(state: TransferState): boolean {
  return FINAL_STATES.includes(state);
}

/** A pending transfer whose letter has expired: the sending side stays responsible until accepted. */
export function isOverdue(t: { state: TransferState; deadlineOn: string }, today: string): boolean {
  return t.state === "pending" && t.deadlineOn < today;
}

function kindLabel(kind: TransferKind): string {
  return kind === "internal" ? "系统内转接" : kind === "outgoing" ? "转出系统的转接" : "转入系统的转接";
}

// -- Letter validity ------------------------------------------------------------------------------

/** A letter is valid for 10 days within the city, 30 days outside it, and never over 3 months. */
export const VALID_DAYS_IN_CITY = 10;
export const VALID_DAYS_OUTSIDE = 30;
export const MAX_VALID_MONTHS = 3;

/** Default validity: a transfer inside the system stays in the city; one to or from outside may not. */
export function defaultValidDays(kind: TransferKind): number {
  return kind === "internal" ? VALID_DAYS_IN_CITY : VALID_DAYS_OUTSIDE;
}

/** The last day the letter is valid: the issue date plus the days of validity. */
export function letterDeadline(issuedOn: string, validDays: number): string {
  const d = new Date(`${issuedOn}T00:00:00Z`);
  d.setUTCDate(d.getUTCDate() + validDays);
  return d.toISOString().slice(0, 10);
}

/** The latest deadline the rules allow: three calendar months after the issue date. */
export function maxDeadline(issuedOn: string): string {
  const [y, m, d] = issuedOn.split("-").map(Number) as [number, number, number];
  const target = new Date(Date.UTC(y, m - 1 + MAX_VALID_MONTHS, 1));
  const last = new Date(Date.UTC(target.getUTCFullYear(), target.getUTCMonth() + 1, 0)).getUTCDate();
  target.setUTCDate(Math.min(d, last));
  return target.toISOString().slice(0, 10);
}

/** Chinese message when the validity breaks the rules, else null. */
export function validityProblem(issuedOn: string, validDays: number): string | null {
  if (!Number.isInteger(validDays) || validDays < 1) return "有效期应为正整数（天）";
  if (letterDeadline(issuedOn, validDays) > maxDeadline(issuedOn))
    return `有效期不能超过 ${MAX_VALID_MONTHS} 个月（签发日期 ${issuedOn} 起最晚至 ${maxDeadline(issuedOn)}）`;
  return null;
}

// -- Letter numbers -------------------------------------------------------------------------------

/** Letters we issue are numbered per issuing organization and year: HZ-DL-001-2025-0007. */
export function letterNumberPrefix(orgCode: string, year: string): string {
  return `${orgCode}-${year}-`;
}

export function formatLetterNumber(orgCode: string, year: string, seq: number): string {
  return `${letterNumberPrefix(orgCode, year)}${String(seq).padStart(4, "0")}`;
}

/** The sequence part of a number made by `formatLetterNumber` with this prefix, else null. */
export function letterSequence(letterNumber: string, prefix: string): number | null {
  if (!letterNumber.startsWith(prefix)) return null;
  const rest = letterNumber.slice(prefix.length);
  return /^\d{4,}$/.test(rest) ? Number(rest) : null;
}

// Transfers of organizational relationship (组织关系转接): issuing, accepting, returning and
// cancelling, all through the one state machine in domain/transfer-state.ts. History is never
// edited: a transfer row changes only once, from pending to a final state, by a conditional UPDATE;
// a mistake is corrected by a new transfer linked to the old one.
//
// This is the area's entry: routes, the export and the member pages use what it exports.
//   issue.ts    issuing a letter (or registering one from outside the system)
//   decide.ts   accepting, returning and cancelling a pending transfer
//   queries.ts  the list, the ledger rows, one transfer, a member's transfers, the counts
//   letter.ts   the printable letter, masked, or unmasked with an audit entry

export { RECEIVABLE_STATUSES, SENDABLE_STATUSES } from "../../domain/transfer-state.js";
export { acceptTransfer, cancelTransfer, returnTransfer } from "./decide.js";
export { issueTransfer, nextLetterNumber } from "./issue.js";
export { letterView, unmaskLetter } from "./letter.js";
export {
  findMembers,
  getTransfer,
  ledgerRows,
  listTransfers,
  memberHoldingOrgs,
  pendingTransferOf,
  sidesOf,
  transferCounts,
  transferDetail,
  transfersOfMember,
} from "./queries.js";
export type { Transfer, TransferListRow } from "./queries.js";

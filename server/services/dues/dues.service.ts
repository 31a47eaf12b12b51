// The dues ledger (党费): the area's entry. See ledger.ts (a branch's month, bulk entry, closing,
// corrections), unpaid.ts (months unpaid, 党费交至), summary.ts (figures and the committee's
// summary), reductions.ts, history.ts.

export { entryForCorrection, branchMonth, closeMonth, correctEntry, recordMonth, type Entry, type MonthRow } from "./ledger.js";
export { addReduction, listReductions, reductionFor } from "./reductions.js";
export { memberDues, memberDuesGlance } from "./history.js";
export { committeeSummary, duesFigureRows, duesFigures, duesTrend, type DuesFigures } from "./summary.js";
export { lastMonthPaidInFull, monthsUnpaid, unpaidCounts, unpaidMembers } from "./unpaid.js";
export { ledgerOrg } from "./access.js";

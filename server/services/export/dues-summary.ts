// The committee's dues summary (党费收缴情况汇总表) as .xlsx: one row per branch and month of the
// year, from the same figures as the /dues page (dues/summary.ts). Money is written in yuan as numbers
// with two decimals (stored in fen); names pass the shared text-cell rule.

import type { Db } from "../../../db/client.js";
import type { ResolvedScope } from "../coverage/scope.js";
import { committeeSummary } from "../dues/summary.js";
import type { Actor } from "../../policy/actor.js";
import type { LedgerRows } from "./ledgers.js";
import type { SheetCell } from "./sheet-rows.js";

export const DUES_SUMMARY_TITLE = "党费收缴情况汇总表";

const yuan = (fen: number) => Math.round(fen) / 100;

export function duesSummaryLedger(db: Db, actor: Actor, rs: ResolvedScope, year: number, upTo: string): LedgerRows {
  const s = committeeSummary(db, actor, year, rs.rootOrg?.id ?? null, upTo);
  return {
    title: DUES_SUMMARY_TITLE,
    columns: [
      { header: "序号", text: false, min: 6 },
      { header: "党组织编号", text: true, min: 12 },
      { header: "党组织", text: true, min: 30 },
      { header: "月份", text: true, min: 8 },
      { header: "应交人数", text: false, min: 8 },
      { header: "已交足人数", text: false, min: 8 },
      { header: "缓交人数", text: false, min: 8 },
      { header: "未交人数", text: false, min: 8 },
      { header: "应交金额（元）", text: false, min: 12 },
      { header: "实交金额（元）", text: false, min: 12 },
      { header: "交纳率", text: true, min: 8 },
      { header: "是否结账", text: true, min: 8 },
    ],
    *pages() {
      const page: SheetCell[][] = s.rows.map((r, i) => [
        i + 1,
        r.code,
        r.name,
        r.month,
        r.members,
        r.paid,
        r.delayed,
        r.members - r.paid - r.delayed,
        yuan(r.dueFen),
        yuan(r.paidFen),
        r.members ? `${((r.paid / r.members) * 100).toFixed(1)}%` : "—",
        r.closed ? "已结账" : "",
      ]);
      if (page.length) yield page;
    },
  };
}

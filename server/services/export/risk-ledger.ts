// The drift-risk list (流失风险名单) as a workbook: one row per person with every signal that applies,
// in the list's order, under the list's filters. ID numbers and phones are text cells, masked unless
// the role sees them whole; export.service writes the audit entry.

import type { Db } from "../../../db/client.js";
import { maskIdNumber, maskPhone } from "../../domain/masking.js";
import { RISK_SEVERITY_LABEL, RISK_SIGNAL_LABEL } from "../../domain/risk-rules.js";
import type { Actor } from "../../policy/actor.js";
import { type RiskFilters, riskList } from "../risk/risk.service.js";
import type { LedgerRows } from "./ledgers.js";

export const RISK_LEDGER_TITLE = "流失风险名单";

export function riskLedger(db: Db, actor: Actor, filters: RiskFilters, today: string, unmask: boolean): LedgerRows {
  const { rows } = riskList(db, actor, filters, today);
  const columns = [
    { header: "序号", text: false },
    { header: "风险程度", text: false },
    { header: "姓名", text: false },
    { header: "公民身份号码", text: true, min: 20 },
    { header: "联系电话", text: true, min: 13 },
    { header: "类别", text: false },
    { header: "职业", text: false },
    { header: "管理党组织", text: false, max: 40 },
    { header: "所属党委", text: false, max: 40 },
    { header: "风险信号", text: false, max: 40 },
    { header: "最早出现", text: true },
    { header: "情况说明", text: false, max: 80 },
    { header: "应办事项", text: false, max: 40 },
  ];
  return {
    title: RISK_LEDGER_TITLE,
    columns,
    *pages() {
      yield rows.map((r, i) => [
        i + 1,
        RISK_SEVERITY_LABEL[r.severity],
        r.name,
        unmask ? r.idNumber : maskIdNumber(r.idNumber),
        unmask ? (r.phone ?? "") : maskPhone(r.phone),
        r.subject === "member" ? "党员" : "摸排线索",
        r.occupationLabel,
        r.orgName,
        r.committeeName ?? "",
        r.signals.map((s) => RISK_SIGNAL_LABEL[s.signal]).join("；"),
        r.since,
        r.signals.map((s) => s.detail).join("；"),
        [...new Set(r.signals.map((s) => s.actionLabel))].join("；"),
      ]);
    },
  };
}

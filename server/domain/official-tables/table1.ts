// Table 1 of the official statistics, 党员数量变化情况: where a period starts, what it added and took
// away, what it should end with, what it does end with, and the difference. Counted where the
// organizational relationship sits (member-rules RELATION_HERE: local and 流出; a 流入 member is his home
// organization's). Pure: the definition, and who counted where at a date, reconstructed from the
// append-only records (transfers, membership changes) so that a past date reads as it stood then.

import { RELATION_HERE } from "../member-rules.js";
import type { RelationStatus } from "../codes.js";
import type { TableDef } from "./table.js";

export const TABLE1: TableDef = {
  id: "table1",
  number: "党内统计表1",
  title: "党员数量变化情况",
  header: [[{ label: "项目" }, { label: "序号" }, { label: "人数" }]],
  columns: ["人数"],
  notes: [
    "按组织关系所在统计：本地管理和流出党员计入本单位；流入党员由其组织关系所在党组织统计。",
    "上年底总数、本年底实有数按该日期的记录计算：其后办理的组织关系转接、停止或恢复党籍按当日的状态还原。",
    "发展党员取经支部大会接收的预备党员（发展党员记录的入党日期）；恢复党籍、出党、停止党籍、死亡取上级党委已批准的党籍变动，按生效日期计；转入、转出取已接收（回执日期）的组织关系转接，本统计范围内部的转接不计。",
    "出党含自行脱党、除名、开除党籍、退党和取消预备党员资格。",
    "本年底应有数 = 上年底总数 + 本年增加 − 本年减少；差额 = 实有数 − 应有数，不为零说明记录之间不一致，其下两行列出造成差额的党员。",
  ],
};

/** Why two rows are not recorded (shown in place of a number). */
export const NOT_RECORDED = {
  rejoined: "系统未记录“重新入党”（发展党员记录不区分首次入党与重新入党），无法统计",
  wholeOrgIn: "组织关系转接记录不区分整建制转接，无法统计",
  wholeOrgOut: "组织关系转接记录不区分整建制转接，无法统计",
} as const;

/** The member's current record, as the reconstruction needs it. */
export type MemberNow = {
  id: number;
  orgId: number;
  relationStatus: RelationStatus | string;
  leftOn: string | null;
  joinedOn: string | null;
  discoveredOn: string | null;
};
/** A completed transfer (its receipt date is when the relationship moved). */
export type TransferDone = { id: number; fromOrgId: number | null; toOrgId: number | null; receiptOn: string };
/** An approved membership change (its from_standing is the standing before it took effect). */
export type ChangeDone = { id: number; fromStanding: string; effectiveOn: string };

function byDate<T extends { id: number }>(list: T[], date: (t: T) => string): T[] {
  return [...list].sort((a, b) => (date(a) < date(b) ? -1 : date(a) > date(b) ? 1 : a.id - b.id));
}

/**
 * The organization where the member's relationship sat at the end of `asOf`, or null when it did not
 * sit in this system (not yet admitted or found, 流入 or unattached, transferred out, or out of the
 * Party: suspended, left, dead). The first transfer received after `asOf` tells where the
 * relationship was before it (its sending organization; none when it came from outside); the first
 * approved change taking effect after `asOf` tells the standing then (its from_standing). Without
 * later records the current record holds.
 */
export function relationOrgAt(m: MemberNow, transfers: TransferDone[], changes: ChangeDone[], asOf: string): number | null {
  if (m.joinedOn && m.joinedOn > asOf) return null;
  if (m.discoveredOn && m.discoveredOn > asOf) return null;
  const laterChange = byDate(changes, (c) => c.effectiveOn).find((c) => c.effectiveOn > asOf);
  if (laterChange) {
    if (laterChange.fromStanding !== "active") return null;
  } else if (m.leftOn && m.leftOn <= asOf) return null;
  const laterTransfer = byDate(transfers, (t) => t.receiptOn).find((t) => t.receiptOn > asOf);
  if (laterTransfer) return laterTransfer.fromOrgId;
  return (RELATION_HERE as readonly string[]).includes(m.relationStatus) ? m.orgId : null;
}

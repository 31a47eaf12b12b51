// Table 43 of the official statistics, 失去联系党员: the members out of contact for the whole limit
// (membership-rules: six months) at the period's end, by who they are, how long and why; and those
// found again within the period. Pure: the definition and the out-of-contact spells at a date.

import { LOST_CONTACT_REASON, LOST_CONTACT_REASONS } from "../codes.js";
import { LOST_CONTACT_LIMIT_WORDS, lostContactLimitReached } from "../membership-rules.js";
import { AGE_BANDS, EDUCATION_GROUPS, EDUCATION_UNRECORDED, LOST_TIME_BANDS, PARTY_AGE_BANDS } from "./bands.js";
import type { RowSpec, TableDef } from "./table.js";

export const TABLE43: TableDef = {
  id: "table43",
  number: "党内统计表43",
  title: "失去联系党员情况",
  header: [[{ label: "项目" }, { label: "序号" }, { label: "人数" }]],
  columns: ["人数"],
  notes: [
    `失去联系党员：截至统计日期与党组织失去联系满${LOST_CONTACT_LIMIT_WORDS}、仍在册（未停止党籍）的党员，按组织关系所在统计（本地管理和流出党员）。`,
    "年龄、党龄、失联时间按统计日期计算；党龄自转为正式党员之日起算，预备党员计入“不满1年”。",
    "失去联系情形按党员记录中的七种情形；学历未登记的党员单列一行，各学历分组之和等于总数。",
    `本年内找到的：统计期内恢复联系、恢复时已失联满${LOST_CONTACT_LIMIT_WORDS}的党员（按党员记录中的“恢复联系”）。`,
  ],
};

/** An out-of-contact spell: from the current record (still open) or a restored one (member_events). */
export type LostSpell = { lostOn: string; reason: string | null; restoredOn: string | null };

/** The spell open at the end of `asOf` that has reached the limit by then, if any. */
export function lostSpellAt(spells: LostSpell[], asOf: string): LostSpell | null {
  for (const s of spells)
    if (s.lostOn <= asOf && (s.restoredOn === null || s.restoredOn > asOf) && lostContactLimitReached(s.lostOn, asOf)) return s;
  return null;
}

/** A spell ended within [from, to] that had reached the limit when it ended: a member found again. */
export function foundWithin(spells: LostSpell[], from: string, to: string): LostSpell | null {
  for (const s of spells)
    if (s.restoredOn !== null && s.restoredOn >= from && s.restoredOn <= to && lostContactLimitReached(s.lostOn, s.restoredOn)) return s;
  return null;
}

/** The rows of table 43, each one list (keys are the bands' and the reasons' keys). */
export function table43Rows(): RowSpec[] {
  let n = 0;
  const row = (label: string, list: string, indent = 0): RowSpec => ({ no: String(++n), label, indent, cells: [{ list }] });
  // A group's heading: no number of its own (its lines add up to the total).
  const heading = (label: string): RowSpec => ({ no: "", label, indent: 0, cells: [] });
  return [
    row("失去联系党员总数", "total"),
    row("其中：预备党员", "probationary", 1),
    row("女党员", "women", 1),
    row("少数民族党员", "minority", 1),
    heading("按年龄"),
    ...AGE_BANDS.map((b) => row(b.label, b.key, 1)),
    heading("按党龄"),
    ...PARTY_AGE_BANDS.map((b) => row(b.label, b.key, 1)),
    heading("按学历"),
    ...EDUCATION_GROUPS.map((g) => row(g.label, g.key, 1)),
    row(EDUCATION_UNRECORDED.label, EDUCATION_UNRECORDED.key, 1),
    heading("按失去联系时间"),
    ...LOST_TIME_BANDS.map((b) => row(b.label, b.key, 1)),
    heading("按失去联系情形"),
    ...LOST_CONTACT_REASONS.map((r) => row(LOST_CONTACT_REASON.label[r], `reason_${r}`, 1)),
    row("失去联系情形未登记", "reason_none", 1),
    row("本年内找到的失去联系党员", "found"),
  ];
}

// What is due next on an application, and what is overdue: the pipeline's hints and the secretary's
// inbox read the same list. Pure: computed from the record's dates and `today`.

import { daysBetween } from "./dates.js";
import {
  approvalLatestOn,
  approvalNormalBy,
  assessmentDueOn,
  candidateEarliestOn,
  politicalCheckValidUntil,
  probationEndsOn,
  type RecruitmentStage,
  talkDueOn,
} from "./recruitment-rules.js";

export type DueFacts = {
  stage: RecruitmentStage;
  appliedOn: string;
  talkedOn: string | null;
  activistOn: string | null;
  lastAssessedOn: string | null;
  politicalCheckOn: string | null;
  joinedOn: string | null;
  approvedOn: string | null;
  extensionMonths: number | null;
  pendingStepId: number | null;
};

export type DueKind = "talk" | "assess" | "candidateFrom" | "politicalCheck" | "approval" | "full" | "committeeCheck";

export type DueItem = { kind: DueKind; label: string; dueOn: string | null; overdue: boolean; daysLeft: number | null };

/** Items due within this many days show in the inbox (overdue ones always do). */
export const DUE_SOON_DAYS = 30;

/** The items due on one application, most urgent first. */
export function dueItems(r: DueFacts, today: string): DueItem[] {
  const out: DueItem[] = [];
  const item = (kind: DueKind, label: string, dueOn: string | null, overdue = dueOn != null && today > dueOn) =>
    out.push({ kind, label, dueOn, overdue, daysLeft: dueOn ? daysBetween(today, dueOn) : null });
  if (r.pendingStepId != null) item("committeeCheck", "待上级党委审核", null, false);
  switch (r.stage) {
    case "applicant":
      if (!r.talkedOn) item("talk", "申请后一个月内进行入党谈话", talkDueOn(r.appliedOn));
      break;
    case "activist":
      if (r.activistOn) {
        item("assess", "每半年进行一次培养考察", assessmentDueOn(r.activistOn, r.lastAssessedOn));
        item("candidateFrom", "培养满一年后可确定为发展对象", candidateEarliestOn(r.activistOn), false);
      }
      break;
    case "candidate":
    case "planned":
      if (!r.politicalCheckOn) item("politicalCheck", "进行政治审查", null, false);
      else item("politicalCheck", "政审有效期（一年）届满", politicalCheckValidUntil(r.politicalCheckOn));
      break;
    case "probationary":
      if (r.joinedOn && !r.approvedOn) {
        const late = today > approvalNormalBy(r.joinedOn);
        item(
          "approval",
          late ? `上级党委审批已超过3个月（最迟 ${approvalLatestOn(r.joinedOn)}）` : "上级党委3个月内审批",
          approvalNormalBy(r.joinedOn),
        );
      }
      if (r.joinedOn) item("full", "预备期满，讨论转正", probationEndsOn(r.joinedOn, r.extensionMonths));
      break;
  }
  return out.sort((a, b) => Number(b.overdue) - Number(a.overdue) || (a.dueOn ?? "9999").localeCompare(b.dueOn ?? "9999"));
}

/** Whether an item belongs in the inbox: overdue, due soon, or waiting for the committee. */
export function inInbox(i: DueItem): boolean {
  if (i.kind === "candidateFrom") return false;
  if (i.kind === "committeeCheck") return true;
  return i.overdue || (i.daysLeft != null && i.daysLeft <= DUE_SOON_DAYS);
}

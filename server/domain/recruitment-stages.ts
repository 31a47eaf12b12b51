// The state machine of recruitment (发展党员): which step may be taken at which stage, by whom, and
// what each step checks and changes. Pure: the service loads the record, asks `planStep`, and writes
// what it returns. Every write goes through here, so no other transition exists.
//
//   applicant ─activist─▶ activist ─candidate*─▶ candidate ─plan─▶ planned ─admit*─▶ probationary ─full*─▶ full
//       ▲   (talk)          │ ▲ (assess, training, politicalCheck)        │               │ (extend)
//       └──── sendBack ─────┘ └──────────── sendBack ─────────────────────┘               └─cancelProbation*─▶ cancelled
//   applicant, activist, candidate, planned ─remove─▶ removed
//   * the committee above checks: a branch's step is a proposal until a committee clerk approves it.

import { addMonths } from "./dates.js";
import {
  ageOn,
  approvalLatestOn,
  approvalNormalBy,
  calendarNote,
  candidateEarliestOn,
  EXTENSION_MAX_MONTHS,
  EXTENSION_MIN_MONTHS,
  MIN_AGE,
  POLITICAL_CHECK_VALID_MONTHS,
  PUBLICITY_MIN_WORKDAYS,
  probationEndsOn,
  RECRUITMENT_STAGE,
  type RecruitmentStage,
  TRAINING_MIN_DAYS,
  TRAINING_MIN_HOURS,
  talkDueOn,
  trainingSufficient,
  workdaysBetween,
} from "./recruitment-rules.js";

export const STEP_ACTION = {
  talk: "入党谈话",
  activist: "确定为入党积极分子",
  assess: "培养考察（半年考察）",
  training: "集中培训",
  politicalCheck: "政治审查",
  candidate: "确定为发展对象",
  plan: "列入发展计划",
  admit: "接收为预备党员",
  extend: "延长预备期",
  full: "预备党员转正",
  sendBack: "退回上一阶段",
  remove: "终止培养",
  cancelProbation: "取消预备党员资格",
} as const;
export type StepAction = keyof typeof STEP_ACTION;
export const STEP_ACTIONS = Object.keys(STEP_ACTION) as StepAction[];

type Rule = { from: readonly RecruitmentStage[]; to: RecruitmentStage | "back" | null; committee: boolean };

/** From which stages each step may be taken, where it leads (null: the stage stays), whether the committee checks it. */
export const STEP_RULES: Record<StepAction, Rule> = {
  talk: { from: ["applicant"], to: null, committee: false },
  activist: { from: ["applicant"], to: "activist", committee: false },
  assess: { from: ["activist", "candidate", "planned"], to: null, committee: false },
  training: { from: ["activist", "candidate", "planned"], to: null, committee: false },
  politicalCheck: { from: ["activist", "candidate", "planned"], to: null, committee: false },
  candidate: { from: ["activist"], to: "candidate", committee: true },
  plan: { from: ["candidate"], to: "planned", committee: false },
  admit: { from: ["planned"], to: "probationary", committee: true },
  extend: { from: ["probationary"], to: null, committee: false },
  full: { from: ["probationary"], to: "full", committee: true },
  sendBack: { from: ["activist", "candidate", "planned"], to: "back", committee: false },
  remove: { from: ["applicant", "activist", "candidate", "planned"], to: "removed", committee: false },
  cancelProbation: { from: ["probationary"], to: "cancelled", committee: true },
};

const PREVIOUS: Partial<Record<RecruitmentStage, RecruitmentStage>> = {
  activist: "applicant",
  candidate: "activist",
  planned: "candidate",
};

/** Who takes the step: a branch (its secretary) proposes, the committee above decides. */
export type Level = "branch" | "committee";

export type Decision = { ok: true; to: RecruitmentStage; proposal: boolean } | { ok: false; status: 403 | 409; message: string };

/** Whether `action` may be taken at `stage` by an actor at `level`; a branch's committee step becomes a proposal. */
export function decideStep(stage: RecruitmentStage, action: StepAction, level: Level, pendingProposal = false): Decision {
  const rule = STEP_RULES[action];
  if (!rule.from.includes(stage)) {
    return { ok: false, status: 409, message: `当前阶段为“${RECRUITMENT_STAGE.label[stage]}”，不能办理“${STEP_ACTION[action]}”。` };
  }
  if (pendingProposal) return { ok: false, status: 409, message: "已有一项报上级党委审核的事项，须等审核后再办理下一步。" };
  const to = rule.to === "back" ? PREVIOUS[stage]! : (rule.to ?? stage);
  return { ok: true, to, proposal: rule.committee && level === "branch" };
}

/** The steps an actor may take at a stage (for the buttons). */
export function allowedSteps(stage: RecruitmentStage, level: Level, pendingProposal = false): StepAction[] {
  return STEP_ACTIONS.filter((a) => decideStep(stage, a, level, pendingProposal).ok);
}

export function needsCommittee(action: StepAction): boolean {
  return STEP_RULES[action].committee;
}

/** The record's dates and figures that the rules read. */
export type RecruitmentFacts = {
  stage: RecruitmentStage;
  birthDate: string;
  appliedOn: string;
  talkedOn: string | null;
  activistOn: string | null;
  lastAssessedOn: string | null;
  trainingEndedOn: string | null;
  trainingHours: number | null;
  trainingDays: number | null;
  politicalCheckOn: string | null;
  candidateOn: string | null;
  plannedOn: string | null;
  joinedOn: string | null;
  extensionMonths: number | null;
  /** The member record's relationship was transferred out (it can no longer be made full here). */
  transferredOut?: boolean;
};

/** What a step's form sends (already parsed: dates ISO, numbers numbers, blanks null). */
export type StepInput = {
  on?: string | null;
  talkedBy?: string | null;
  contact1?: string | null;
  contact2?: string | null;
  assessment?: string | null;
  trainingHours?: number | null;
  trainingDays?: number | null;
  trainingName?: string | null;
  sponsor1?: string | null;
  sponsor2?: string | null;
  publicFrom?: string | null;
  publicTo?: string | null;
  volunteerBookNo?: string | null;
  /** The committee's decision date (审批日期) of a committee step. */
  approvedOn?: string | null;
  extensionMonths?: number | null;
  remark?: string | null;
};

/** The date field each step records, with its label (the form's first field). */
export const STEP_DATE_LABEL: Record<StepAction, string> = {
  talk: "谈话日期",
  activist: "确定为积极分子日期",
  assess: "考察日期",
  training: "培训结业日期",
  politicalCheck: "政审日期",
  candidate: "确定为发展对象日期",
  plan: "列入发展计划日期",
  admit: "支部大会讨论接收日期",
  extend: "延长预备期决定日期",
  full: "转正日期",
  sendBack: "退回日期",
  remove: "终止日期",
  cancelProbation: "取消资格日期",
};

/** Record columns a step sets (the service writes them as they are). */
export type RecordChanges = Partial<{
  stage: RecruitmentStage;
  talkedOn: string;
  talkedBy: string | null;
  activistOn: string | null;
  contact1: string;
  contact2: string;
  lastAssessedOn: string;
  trainingEndedOn: string;
  trainingHours: number | null;
  trainingDays: number | null;
  politicalCheckOn: string;
  candidateOn: string | null;
  candidatePublicFrom: string;
  candidatePublicTo: string;
  sponsor1: string;
  sponsor2: string;
  plannedOn: string | null;
  joinedOn: string;
  approvedOn: string;
  volunteerBookNo: string;
  extensionMonths: number;
  extendedOn: string;
  fullPublicFrom: string;
  fullPublicTo: string;
  fullOn: string;
  closedOn: string;
}>;

export type StepPlan = { ok: true; changes: RecordChanges; notes: string[] } | { ok: false; errors: Record<string, string> };

/** Checks the application itself: the applicant is at least 18 on the day of the written application. */
export function checkApplication(birthDate: string, appliedOn: string, today: string): Record<string, string> {
  const errors: Record<string, string> = {};
  if (appliedOn > today) errors.appliedOn = "入党申请书日期不能晚于今天";
  else if (ageOn(birthDate, appliedOn) < MIN_AGE)
    errors.idNumber = `按身份证号计算，提交入党申请书时（${appliedOn}）未满${MIN_AGE}周岁，不能作为入党申请人`;
  return errors;
}

function publicity(errors: Record<string, string>, notes: string[], input: StepInput, on: string, what: string) {
  const { publicFrom: from, publicTo: to } = input;
  if (!from) errors.publicFrom = `请填写${what}公示开始日期`;
  if (!to) errors.publicTo = `请填写${what}公示结束日期`;
  if (!from || !to) return;
  if (to < from) errors.publicTo = "公示结束日期不能早于开始日期";
  else if (to > on) errors.publicTo = `公示须在${what}之前结束：公示结束日期不能晚于${on}`;
  else {
    const n = workdaysBetween(from, to);
    if (n < PUBLICITY_MIN_WORKDAYS)
      errors.publicTo = `公示期（${from} 至 ${to}）只有 ${n} 个工作日，不少于 ${PUBLICITY_MIN_WORKDAYS} 个工作日（法定节假日不计，调休上班日计入）`;
    const note = calendarNote(from, to);
    if (note) notes.push(note);
  }
}

const needText = (errors: Record<string, string>, input: StepInput, field: keyof StepInput, label: string) => {
  if (!input[field]) errors[field] = `请填写${label}`;
};

/**
 * Checks one step against the rules and returns the record changes, or the field errors (Chinese,
 * naming the field). `decideStep` has already allowed the step at this stage.
 */
export function planStep(
  facts: RecruitmentFacts,
  action: StepAction,
  input: StepInput,
  today: string,
  opts: { proposal?: boolean } = {},
): StepPlan {
  const errors: Record<string, string> = {};
  const notes: string[] = [];
  const on = input.on ?? null;
  const label = STEP_DATE_LABEL[action];
  if (!on) return { ok: false, errors: { on: `请填写${label}` } };
  if (on > today) return { ok: false, errors: { on: `${label}不能晚于今天` } };
  const after = (date: string | null, what: string) => {
    if (date && on < date) errors.on = `${label}不能早于${what}（${date}）`;
  };
  const changes: RecordChanges = {};
  switch (action) {
    case "talk":
      after(facts.appliedOn, "入党申请书日期");
      if (!errors.on && on > talkDueOn(facts.appliedOn) && !input.remark)
        errors.remark = `谈话晚于申请后一个月（应在 ${talkDueOn(facts.appliedOn)} 前），请在备注中说明原因`;
      changes.talkedOn = on;
      changes.talkedBy = input.talkedBy ?? null;
      break;
    case "activist":
      if (!facts.talkedOn) errors.on = "须先记录入党谈话，才能确定为入党积极分子";
      after(facts.talkedOn, "谈话日期");
      needText(errors, input, "contact1", "第一培养联系人");
      needText(errors, input, "contact2", "第二培养联系人");
      if (input.contact1 && input.contact1 === input.contact2) errors.contact2 = "两名培养联系人不能是同一人";
      Object.assign(changes, { activistOn: on, contact1: input.contact1, contact2: input.contact2 });
      break;
    case "assess":
      after(facts.lastAssessedOn ?? facts.activistOn, facts.lastAssessedOn ? "上次考察日期" : "确定为积极分子日期");
      needText(errors, input, "assessment", "考察意见");
      changes.lastAssessedOn = on;
      break;
    case "training":
      after(facts.activistOn, "确定为积极分子日期");
      if (!trainingSufficient(input.trainingHours ?? null, input.trainingDays ?? null))
        errors.trainingHours = `集中培训不少于 ${TRAINING_MIN_HOURS} 学时或 ${TRAINING_MIN_DAYS} 天：请填写实际学时或天数`;
      Object.assign(changes, { trainingEndedOn: on, trainingHours: input.trainingHours ?? null, trainingDays: input.trainingDays ?? null });
      break;
    case "politicalCheck":
      after(facts.activistOn, "确定为积极分子日期");
      changes.politicalCheckOn = on;
      break;
    case "candidate": {
      after(facts.activistOn, "确定为积极分子日期");
      const earliest = candidateEarliestOn(facts.activistOn!);
      if (!errors.on && on < earliest)
        errors.on = `入党积极分子须经过一年以上培养考察：确定为积极分子于 ${facts.activistOn}，最早 ${earliest} 才能确定为发展对象`;
      if (!facts.trainingEndedOn || !trainingSufficient(facts.trainingHours, facts.trainingDays))
        errors.training = `须先完成不少于 ${TRAINING_MIN_HOURS} 学时或 ${TRAINING_MIN_DAYS} 天的集中培训，才能确定为发展对象`;
      else if (facts.trainingEndedOn > on) errors.training = `集中培训（${facts.trainingEndedOn} 结业）须在确定为发展对象之前完成`;
      needText(errors, input, "sponsor1", "第一入党介绍人");
      needText(errors, input, "sponsor2", "第二入党介绍人");
      if (input.sponsor1 && input.sponsor1 === input.sponsor2) errors.sponsor2 = "两名入党介绍人不能是同一人";
      publicity(errors, notes, input, on, "确定为发展对象");
      Object.assign(changes, {
        candidateOn: on,
        sponsor1: input.sponsor1,
        sponsor2: input.sponsor2,
        candidatePublicFrom: input.publicFrom,
        candidatePublicTo: input.publicTo,
      });
      break;
    }
    case "plan":
      after(facts.candidateOn, "确定为发展对象日期");
      changes.plannedOn = on;
      break;
    case "admit": {
      after(facts.plannedOn, "列入发展计划日期");
      if (!facts.politicalCheckOn) errors.politicalCheck = "须先完成政治审查，才能提交支部大会讨论";
      else if (facts.politicalCheckOn > on) errors.politicalCheck = `政治审查（${facts.politicalCheckOn}）须在支部大会之前完成`;
      else if (on > addMonths(facts.politicalCheckOn, POLITICAL_CHECK_VALID_MONTHS))
        errors.politicalCheck = `政治审查（${facts.politicalCheckOn}）已超过一年有效期，须重新政审`;
      needText(errors, input, "volunteerBookNo", "入党志愿书编号");
      changes.joinedOn = on;
      changes.volunteerBookNo = input.volunteerBookNo ?? undefined;
      approval(errors, input, on, today, changes, !opts.proposal);
      break;
    }
    case "extend": {
      after(facts.joinedOn, "入党日期");
      const m = input.extensionMonths ?? null;
      if ((facts.extensionMonths ?? 0) > 0) errors.extensionMonths = "预备期已延长过一次，不能再延长";
      else if (m == null || m < EXTENSION_MIN_MONTHS || m > EXTENSION_MAX_MONTHS)
        errors.extensionMonths = `延长预备期为 ${EXTENSION_MIN_MONTHS} 至 ${EXTENSION_MAX_MONTHS} 个月`;
      const ends = probationEndsOn(facts.joinedOn!, null);
      if (!errors.on && on > ends) errors.on = `延长预备期须在预备期满（${ends}）前决定`;
      needText(errors, input, "remark", "延长预备期的原因");
      Object.assign(changes, { extensionMonths: m ?? 0, extendedOn: on });
      break;
    }
    case "full": {
      if (facts.transferredOut) errors.on = "该预备党员的组织关系已转出本系统，应由接收方党组织办理转正";
      const ends = probationEndsOn(facts.joinedOn!, facts.extensionMonths);
      if (!errors.on && on < ends) errors.on = `预备期至 ${ends} 届满，转正日期不能早于预备期满`;
      publicity(errors, notes, input, on, "转正");
      Object.assign(changes, { fullPublicFrom: input.publicFrom, fullPublicTo: input.publicTo, fullOn: on });
      break;
    }
    case "sendBack":
      needText(errors, input, "remark", "退回原因");
      if (facts.stage === "activist") Object.assign(changes, { activistOn: null });
      if (facts.stage === "candidate") Object.assign(changes, { candidateOn: null });
      if (facts.stage === "planned") Object.assign(changes, { plannedOn: null });
      break;
    case "remove":
      needText(errors, input, "remark", "终止培养的原因");
      changes.closedOn = on;
      break;
    case "cancelProbation":
      after(facts.joinedOn, "入党日期");
      needText(errors, input, "remark", "取消预备党员资格的原因");
      changes.closedOn = on;
      break;
  }
  return Object.keys(errors).length ? { ok: false, errors } : { ok: true, changes, notes };
}

/** The committee's approval of an admission: after the branch meeting, within the limits, a reason when late. */
function approval(
  errors: Record<string, string>,
  input: StepInput,
  meetingOn: string,
  today: string,
  changes: RecordChanges,
  final: boolean,
) {
  const at = input.approvedOn;
  if (!at) {
    // A branch's proposal has no date yet: the committee gives it when it approves.
    if (final) errors.approvedOn = "请填写上级党委审批日期";
    return;
  }
  if (at > today) errors.approvedOn = "上级党委审批日期不能晚于今天";
  else if (at < meetingOn) errors.approvedOn = `上级党委审批日期不能早于支部大会日期（${meetingOn}）`;
  else if (at > approvalLatestOn(meetingOn))
    errors.approvedOn = `上级党委审批超过了最长时限：支部大会 ${meetingOn} 后最迟 ${approvalLatestOn(meetingOn)} 审批（不超过6个月）`;
  else if (at > approvalNormalBy(meetingOn) && !input.remark)
    errors.remark = `审批晚于支部大会后3个月（${approvalNormalBy(meetingOn)}），请在备注中说明原因`;
  changes.approvedOn = at;
}

// The figures of the "two coverages" statistics: key, the source of rows it counts, the flag column
// (a 0/1 SQL column of that source) that decides whether a row is counted, and its meaning in plain
// Chinese. The same flag drives the count and the "list the rows" query, so the two cannot disagree.

import { DISCOVERY_CHANNEL, DISCOVERY_CHANNELS, type DiscoveryChannel } from "../../domain/codes.js";
import { FULL_MEMBERS_TO_FORM } from "../../domain/coverage-rules.js";
import { LOST_CONTACT_SUSPEND_MONTHS } from "../../domain/membership-rules.js";
import { PERSON_ATTRIBUTION_RULE } from "../../domain/person-rules.js";
import { coverageConditions, FACT_COLUMNS, textTag } from "./sql.js";

export type SourceName = "enterprise" | "org" | "member" | "found" | "worker" | "transfer";

export type FigureDef = {
  source: SourceName;
  /** SQL expression over the source's columns; counted rows have it = 1. */
  flag: string;
  label: string;
  /** The definition, in plain Chinese: shown on list pages and in the workbook's notes sheet. */
  definition: string;
};

/** The enterprise source's flags: the coverage rules over its fact columns. */
const C = coverageConditions(textTag, FACT_COLUMNS);
const FORM = FULL_MEMBERS_TO_FORM;
const LOST = LOST_CONTACT_SUSPEND_MONTHS;

const BASE = {
  // Enterprises (table 27 rows 1–10)
  enterprises: {
    source: "enterprise",
    flag: "1",
    label: "企业数",
    definition:
      "范围内状态为“存续”的企业（含平台企业、加盟商、站点、运输企业、快递网点、MCN机构等）。企业的范围按其负责党委确定，或由范围内的党组织覆盖。",
  },
  instructorContacted: {
    source: "enterprise",
    flag: "has_instr",
    label: "党建工作指导员联系的",
    definition: "统计截止日期时有党建工作指导员或联络员在岗联系的企业（不论是否已建立党组织）。",
  },
  standalone: {
    source: "enterprise",
    flag: C.standalone,
    label: "已单独建立党组织的",
    definition: "企业自身建有党组织（党委、党总支或单独组建的党支部），且该组织在统计截止日期时存续。",
  },
  standaloneCommittee: {
    source: "enterprise",
    flag: C.standaloneCommittee,
    label: "建立党委的",
    definition: "单独建立党组织的企业中，最高一级为党委的。",
  },
  standaloneGeneralBranch: {
    source: "enterprise",
    flag: C.standaloneGeneralBranch,
    label: "建立总支部的",
    definition: "单独建立党组织的企业中，最高一级为党总支的。",
  },
  standaloneBranch: {
    source: "enterprise",
    flag: C.standaloneBranch,
    label: "建立支部的",
    definition: "单独建立党组织的企业中，最高一级为党支部的。",
  },
  joint: {
    source: "enterprise",
    flag: C.joint,
    label: "已建立联合党支部的",
    definition: "自身未单独建立党组织、由联合党支部覆盖的企业（一个联合党支部可覆盖多家企业，每家企业计一次）。",
  },
  joint3Plus: {
    source: "enterprise",
    flag: C.jointShouldForm,
    label: `其中具有${FORM}名以上正式党员的`,
    definition: `由联合党支部覆盖的企业中，有${FORM}名以上正式党员的（按党章应单独建立党组织，同时计入“应建未建”）。`,
  },
  orgCoverage: {
    source: "enterprise",
    flag: C.orgCoverage,
    label: "党的组织覆盖企业数",
    definition: "单独建立党组织的企业与联合党支部覆盖的企业之和。",
  },
  workOnly: {
    source: "enterprise",
    flag: C.workOnly,
    label: "仅党的工作覆盖企业数",
    definition: "没有党组织覆盖，但有党建工作指导员或联络员联系的企业。",
  },
  workCoverage: {
    source: "enterprise",
    flag: C.workCoverage,
    label: "党的工作覆盖企业数",
    definition: "党的组织覆盖的企业与仅党的工作覆盖的企业之和（已建党组织的企业同时视为党的工作已覆盖）。",
  },
  noOrg: {
    source: "enterprise",
    flag: C.noOrg,
    label: "未建立党组织的",
    definition: "既没有自身党组织、也没有联合党支部覆盖的企业（含仅有党建工作指导员联系的）。",
  },
  noOrgShouldForm: {
    source: "enterprise",
    flag: C.noOrgShouldForm,
    label: "应建尚未建立党组织的",
    definition: `未建立党组织的企业中，有${FORM}名以上正式党员的（预备党员不计）。`,
  },
  noOrgFewMembers: {
    source: "enterprise",
    flag: C.noOrgFewMembers,
    label: "仅有个别党员的",
    definition: `未建立党组织的企业中，有党员但正式党员不足${FORM}名的。`,
  },
  noOrgNoMembers: {
    source: "enterprise",
    flag: C.noOrgNoMembers,
    label: "没有党员的",
    definition: "未建立党组织的企业中，没有党员的。",
  },
  uncovered: {
    source: "enterprise",
    flag: C.uncovered,
    label: "未覆盖企业数",
    definition: "既没有党组织覆盖、也没有党建工作指导员或联络员联系的企业。",
  },
  shouldForm: {
    source: "enterprise",
    flag: C.shouldForm,
    label: "应建未建企业数",
    definition: `有${FORM}名以上正式党员（预备党员不计）、尚未单独建立党组织的企业，包括只由联合党支部覆盖的。`,
  },
  // Organizations
  branchesStandalone: {
    source: "org",
    flag: "(kind = 'branch' AND formation_std = 1)",
    label: "单独组建的党支部数",
    definition: "范围内统计截止日期时存续的、单独组建的党支部。",
  },
  branchesJoint: {
    source: "org",
    flag: "(is_joint = 1)",
    label: "联合党支部数",
    definition: "范围内统计截止日期时存续的联合党支部（联合组建）。",
  },
  // Members (stock)
  members: {
    source: "member",
    flag: "1",
    label: "党员数",
    definition:
      "范围内党组织管理的党员：不含已转出、已停止党籍、已出党（自行脱党、除名、开除党籍、退党）或去世的，不含统计截止日期后才摸排发现的。",
  },
  membersFull: {
    source: "member",
    flag: "is_full",
    label: "正式党员数",
    definition: "党员中统计截止日期时已转正的正式党员。",
  },
  managed: {
    source: "member",
    flag: "is_managed",
    label: "已纳管党员数",
    definition: "组织关系在本地党支部（本地管理）或持流动党员活动证在本地党支部参加组织生活（流入）的党员。",
  },
  unmanaged: {
    source: "member",
    flag: "is_unmanaged",
    label: "已发现未纳管党员数",
    definition: "已经登记但尚未由党支部纳入管理的党员（流出党员不计入）。",
  },
  mobileIn: {
    source: "member",
    flag: "(relation_status = 'mobile_in')",
    label: "流入党员数",
    definition: "组织关系在外地、持流动党员活动证在本地参加组织生活的党员。",
  },
  mobileOut: {
    source: "member",
    flag: "(relation_status = 'mobile_out')",
    label: "流出党员数",
    definition: "组织关系在本地、外出务工经商的党员。",
  },
  lostContact6m: {
    source: "member",
    flag: "is_lost",
    label: `失联${LOST}个月以上党员数`,
    definition: `统计截止日期时已失去联系满${LOST}个月的党员（按规定应停止党籍，需尽快联系）。`,
  },
  // Four finds (funnel)
  workers: {
    source: "worker",
    flag: "1",
    label: "花名册从业人员",
    definition: `平台花名册中在册的从业人员，按人计数。${PERSON_ATTRIBUTION_RULE}`,
  },
  found: {
    source: "found",
    flag: "1",
    label: "摸排发现党员",
    definition: "“四找”摸排发现的党员：摸排线索（不论核实结果），加上未经线索直接登记、注明发现渠道的党员。",
  },
  verified: {
    source: "found",
    flag: "is_verified",
    label: "已核实党员",
    definition: "摸排发现的党员中已核实为党员的（线索已核实，或直接登记的党员）。",
  },
  foundManaged: {
    source: "found",
    flag: "is_managed",
    label: "摸排后已纳管",
    definition: "已核实的党员中，统计截止日期时已由党支部纳管（本地管理或流入）的。",
  },
  // Transfers
  transfersPending: {
    source: "transfer",
    flag: "is_pending",
    label: "待接收的组织关系转接",
    definition: "统计截止日期时处于待接收状态的转接（一方在范围内即计入）。",
  },
  transfersOverdue: {
    source: "transfer",
    flag: "is_overdue",
    label: "超期未接收的转接",
    definition: "待接收且已超过介绍信有效期的转接。",
  },
  transfersCompleted: {
    source: "transfer",
    flag: "is_completed",
    label: "本期完成的转接",
    definition: "统计期内（统计截止日期所在月的第一天至截止日期）完成的转接。",
  },
} as const satisfies Record<string, FigureDef>;

export type BaseFigureKey = keyof typeof BASE;
export type ChannelFigureKey = `${"found" | "verified" | "foundManaged"}.${DiscoveryChannel}`;
export type FigureKey = BaseFigureKey | ChannelFigureKey;

function channelFigures(): Record<ChannelFigureKey, FigureDef> {
  const out = {} as Record<ChannelFigureKey, FigureDef>;
  for (const ch of DISCOVERY_CHANNELS) {
    const name = DISCOVERY_CHANNEL.label[ch];
    for (const base of ["found", "verified", "foundManaged"] as const) {
      const def = BASE[base];
      out[`${base}.${ch}`] = {
        source: "found",
        flag: `(${def.flag} AND channel = '${ch}')`,
        label: `${def.label}（${name}）`,
        definition: `${def.definition} 仅计发现渠道为“${name}”的。`,
      };
    }
  }
  return out;
}

export const FIGURES: Readonly<Record<FigureKey, FigureDef>> = Object.freeze({ ...BASE, ...channelFigures() });
export const FIGURE_KEYS = Object.keys(FIGURES) as FigureKey[];

export function isFigureKey(k: string): k is FigureKey {
  return Object.hasOwn(FIGURES, k);
}

export type Figures = Record<FigureKey, number>;

/** Rates are computed from counts when shown; never stored. */
export const RATE_DEFS = {
  orgCoverageRate: { numerator: "orgCoverage", denominator: "enterprises", label: "党的组织覆盖率" },
  workCoverageRate: { numerator: "workCoverage", denominator: "enterprises", label: "党的工作覆盖率" },
  managementRate: { numerator: "foundManaged", denominator: "verified", label: "纳管率" },
} as const satisfies Record<string, { numerator: FigureKey; denominator: FigureKey; label: string }>;
export type RateKey = keyof typeof RATE_DEFS;

export const RATE_DEFINITIONS: Record<RateKey, string> = {
  orgCoverageRate: "党的组织覆盖企业数 ÷ 企业数。企业数为0时显示“—”。",
  workCoverageRate: "党的工作覆盖企业数（组织覆盖或工作覆盖）÷ 企业数。企业数为0时显示“—”。",
  managementRate: "摸排后已纳管 ÷ 已核实党员。已核实为0时显示“—”。",
};

/** What the recruitment (发展党员) figures count (services/recruitment/queries.ts, figureCond). */
export const RECRUITMENT_NOTE =
  "发展党员：入党申请人、入党积极分子、发展对象（含列入发展计划）为统计日正在办理的人数；本年发展党员按入党日期（支部大会接收为预备党员）计，本年转正按转正日期计；均按发展党员记录所在党支部计。";

export function emptyFigures(): Figures {
  const f = {} as Figures;
  for (const k of FIGURE_KEYS) f[k] = 0;
  return f;
}

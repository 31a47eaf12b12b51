// The columns of the three onboarding files (organizations, enterprises, instructors) and the header
// texts they go by in the national member system's export, the market regulator's lists and the
// committees' own sheets. Data, like header-aliases.ts; the templates print the labels (templates.ts).
// A more specific field comes first: a header that matches no alias exactly goes to the first field
// one of whose aliases it contains (上级组织编码 before 组织编码, 书记手机号 before 书记).

import type { OnboardingKind } from "../../domain/onboarding-codes.js";
import type { FieldDef } from "./header-aliases.js";

export type OnboardingFieldKey =
  | "orgCode"
  | "orgName"
  | "shortName"
  | "orgKind"
  | "parentCode"
  | "formation"
  | "industry"
  | "region"
  | "foundedOn"
  | "secretaryName"
  | "secretaryPhone"
  | "termStartOn"
  | "termEndOn"
  | "enterpriseName"
  | "creditCode"
  | "enterpriseKind"
  | "workerCount"
  | "legalRepIsMember"
  | "legalRepIsSecretary"
  | "committee"
  | "coveredBy"
  | "address"
  | "instructorName"
  | "instructorKind"
  | "phone"
  | "workUnit"
  | "enterprise"
  | "assignedOn";

type Def = FieldDef & { key: OnboardingFieldKey };

const INDUSTRY: Def = { key: "industry", label: "行业", required: false, aliases: ["行业", "所属行业", "行业类别", "行业领域"] };
const REGION: Def = {
  key: "region",
  label: "行政区划",
  required: true,
  aliases: ["行政区划", "所在行政区划", "行政区划代码", "所在县区", "县区", "所在地区", "所属区县", "区县", "所在地"],
};

export const ONBOARDING_FIELDS: Record<OnboardingKind, readonly Def[]> = {
  organizations: [
    {
      key: "parentCode",
      label: "上级组织编码",
      required: false,
      aliases: ["上级组织编码", "上级党组织编码", "上级组织代码", "上级党组织代码", "上级编码", "上级党组织"],
    },
    { key: "orgCode", label: "组织编码", required: true, aliases: ["组织编码", "党组织编码", "组织代码", "党组织代码", "编码"] },
    { key: "shortName", label: "简称", required: false, aliases: ["简称", "党组织简称", "组织简称"] },
    { key: "orgName", label: "组织全称", required: true, aliases: ["组织全称", "党组织全称", "党组织名称", "组织名称", "名称"] },
    { key: "orgKind", label: "组织类别", required: true, aliases: ["组织类别", "党组织类别", "组织类型", "党组织类型", "类别"] },
    { key: "formation", label: "组建方式", required: false, aliases: ["组建方式", "组建形式", "建立方式"] },
    INDUSTRY,
    REGION,
    { key: "foundedOn", label: "成立日期", required: false, aliases: ["成立日期", "建立日期", "成立时间", "组建日期"] },
    {
      key: "secretaryPhone",
      label: "书记手机号",
      required: false,
      aliases: ["书记手机号", "书记联系电话", "书记电话", "书记手机"],
    },
    { key: "secretaryName", label: "书记姓名", required: false, aliases: ["书记姓名", "党组织书记", "书记"] },
    {
      key: "termStartOn",
      label: "本届开始日期",
      required: false,
      aliases: ["本届开始日期", "届次开始日期", "任期开始日期", "换届日期", "本届换届日期"],
    },
    { key: "termEndOn", label: "本届届满日期", required: false, aliases: ["本届届满日期", "届满日期", "任期届满日期", "任期结束日期"] },
  ],
  enterprises: [
    {
      key: "creditCode",
      label: "统一社会信用代码",
      required: true,
      aliases: ["统一社会信用代码", "社会信用代码", "信用代码", "统一代码"],
    },
    { key: "enterpriseName", label: "企业名称", required: true, aliases: ["企业名称", "企业全称", "单位名称", "市场主体名称", "名称"] },
    { key: "enterpriseKind", label: "企业类型", required: false, aliases: ["企业类型", "企业类别", "单位类型"] },
    INDUSTRY,
    { ...REGION, label: "所在县区" },
    {
      key: "workerCount",
      label: "从业人员数",
      required: false,
      aliases: ["从业人员数", "从业人员", "职工人数", "在岗职工数", "员工人数", "人数"],
    },
    {
      key: "legalRepIsSecretary",
      label: "法定代表人兼任党组织书记",
      required: false,
      aliases: ["法定代表人兼任党组织书记", "法定代表人是否兼任党组织书记", "兼任党组织书记", "兼任书记"],
    },
    {
      key: "legalRepIsMember",
      label: "法定代表人是党员",
      required: false,
      aliases: ["法定代表人是党员", "法定代表人是否党员", "法人是否党员", "法定代表人党员"],
    },
    {
      key: "committee",
      label: "负责党委编码",
      required: false,
      aliases: ["负责党委编码", "负责党委", "主管党委", "所属党委", "负责党委代码"],
    },
    {
      key: "coveredBy",
      label: "覆盖党组织编码",
      required: false,
      aliases: ["覆盖党组织编码", "覆盖党组织", "所在党组织编码", "党组织编码"],
    },
    { key: "address", label: "地址", required: false, aliases: ["地址", "企业地址", "住所", "经营地址"] },
  ],
  instructors: [
    { key: "instructorName", label: "姓名", required: true, aliases: ["姓名", "指导员姓名", "联络员姓名"] },
    { key: "instructorKind", label: "类别", required: false, aliases: ["类别", "人员类别", "身份"] },
    { key: "phone", label: "手机号", required: false, aliases: ["手机号", "手机号码", "联系电话", "手机", "电话"] },
    { key: "workUnit", label: "工作单位及职务", required: false, aliases: ["工作单位及职务", "工作单位", "单位及职务", "职务"] },
    { key: "committee", label: "派出党委编码", required: false, aliases: ["派出党委编码", "派出党委", "所属党委", "负责党委"] },
    {
      key: "enterprise",
      label: "联系企业",
      required: false,
      aliases: ["联系企业", "派驻企业", "联系企业统一社会信用代码", "企业统一社会信用代码", "企业名称", "统一社会信用代码"],
    },
    { key: "assignedOn", label: "派驻日期", required: false, aliases: ["派驻日期", "选派日期", "联系开始日期", "派驻时间"] },
  ],
};

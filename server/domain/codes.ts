// Code lists: the English identifiers the code and schema use, and the Chinese labels users see.
// One place, so forms, imports, exports and the database's CHECK constraints agree.

function labels<const K extends string>(map: Record<K, string>) {
  return { keys: Object.keys(map) as [K, ...K[]], label: map };
}

/**
 * Whether `code` is one of the list's own codes. Never `in` or a bare `map[code]`: those also find
 * what every object inherits (constructor, __proto__, toString), which a form or a roster can send.
 */
export function isCode(map: Readonly<Record<string, string>>, code: unknown): code is string {
  return typeof code === "string" && Object.hasOwn(map, code);
}

/** The label of one of the list's own codes; undefined for anything else (inherited keys included). */
export function labelOf(map: Readonly<Record<string, string>>, code: unknown): string | undefined {
  return isCode(map, code) ? map[code] : undefined;
}

export const ROLE = labels({
  admin: "系统管理员",
  supervisor: "监督管理(社会工作部)",
  clerk: "行业党委工作人员",
  secretary: "党支部书记",
});
export const ROLES = ROLE.keys;
export type Role = (typeof ROLES)[number];

export const ORG_KIND = labels({
  city_department: "党委社会工作部", // the jurisdiction's: 市委, 省委 or 县委 by the installation
  industry_committee: "行业党委",
  comprehensive_committee: "综合党委",
  general_branch: "党总支",
  branch: "党支部",
  group: "党小组",
});
export const ORG_KINDS = ORG_KIND.keys;
export type OrgKind = (typeof ORG_KINDS)[number];

/** Kinds that can hold members directly and be the "managing branch". */
export const MEMBER_HOLDING_KINDS: readonly OrgKind[] = ["branch", "general_branch", "industry_committee", "comprehensive_committee"];
/**
 * Kinds that act as a committee: leads, enterprises and instructors belong to one, clerks work for
 * one, and the statistics attribute everything to one (committeeInChain; the SQL in services/orgs/sql.ts).
 */
export const COMMITTEE_KINDS: readonly OrgKind[] = ["industry_committee", "comprehensive_committee"];
/** Kinds that can cover an enterprise (and so be its own organization): a group or the city department cannot. */
export const COVERING_KINDS: readonly OrgKind[] = ["branch", "general_branch", "industry_committee", "comprehensive_committee"];
/** Kinds whose members count as managed (纳管): a branch, a general branch, or a group inside a branch. */
export const MANAGING_KINDS: readonly OrgKind[] = ["branch", "general_branch", "group"];
/** Kinds the statistics are read for (scope picker, monthly snapshots): the whole tree down to branches, not groups. */
export const STATS_SCOPE_KINDS: readonly OrgKind[] = [
  "city_department",
  "industry_committee",
  "comprehensive_committee",
  "general_branch",
  "branch",
];

export function isCommitteeKind(kind: string): boolean {
  return (COMMITTEE_KINDS as readonly string[]).includes(kind);
}

/**
 * The committee an organization belongs to: the nearest committee among itself and its ancestors
 * (the longest path of a committee kind), given the organization's chain in any order; null when none.
 */
export function committeeInChain<T extends { kind: string; path: string }>(chain: readonly T[]): T | null {
  let best: T | null = null;
  for (const o of chain) if (isCommitteeKind(o.kind) && (!best || o.path.length > best.path.length)) best = o;
  return best;
}

/** National standard codes for organization kinds (党组织类别). */
export function orgKindStandardCode(kind: OrgKind, formation: OrgFormation | null): string {
  switch (kind) {
    case "city_department":
    case "industry_committee":
    case "comprehensive_committee":
      return "611";
    case "general_branch":
      return "621";
    case "branch":
      return formation === "joint" ? "632" : "631";
    case "group":
      return "641";
  }
}

export const ORG_FORMATION = labels({ standalone: "单独组建", joint: "联合组建" });
export const ORG_FORMATIONS = ORG_FORMATION.keys;
export type OrgFormation = (typeof ORG_FORMATIONS)[number];

export const INDUSTRY = labels({
  road_transport: "道路运输",
  online_delivery: "网约配送",
  express_delivery: "快递",
  live_streaming: "直播电商",
});
export type IndustryCode = keyof typeof INDUSTRY.label;

export const ENTERPRISE_KIND = labels({
  platform: "平台企业",
  franchisee: "加盟商",
  station: "站点",
  transport_company: "运输企业",
  express_outlet: "快递网点",
  mcn_agency: "MCN机构",
  other: "其他",
});
export const ENTERPRISE_KINDS = ENTERPRISE_KIND.keys;

export const INSTRUCTOR_KIND = labels({ instructor: "党建指导员", liaison: "联络员" });
export const INSTRUCTOR_KINDS = INSTRUCTOR_KIND.keys;

export const GENDER = labels({ male: "男", female: "女" });
export const GENDERS = GENDER.keys;

export const EDUCATION = labels({
  primary: "小学",
  junior_high: "初中",
  senior_high: "高中",
  vocational: "中专",
  college: "大专",
  bachelor: "大学本科",
  master: "硕士研究生",
  doctor: "博士研究生",
});
export const EDUCATION_LEVELS = EDUCATION.keys;

export const MEMBER_CATEGORY = labels({ full: "正式党员", probationary: "预备党员" });
export const MEMBER_CATEGORIES = MEMBER_CATEGORY.keys;

export const OCCUPATION = labels({
  truck_driver: "货车司机",
  ride_hailing_driver: "网约车司机",
  delivery_rider: "网约配送员",
  courier: "快递员",
  live_streamer: "网络主播",
  other: "其他",
});
export const OCCUPATIONS = OCCUPATION.keys;
export type Occupation = (typeof OCCUPATIONS)[number];

export const RELATION_STATUS = labels({
  local: "本地管理",
  mobile_in: "流入党员",
  mobile_out: "流出党员",
  unattached: "未纳管",
  transferred_out: "已转出",
});
export const RELATION_STATUSES = RELATION_STATUS.keys;
export type RelationStatus = (typeof RELATION_STATUSES)[number];

export const DISCOVERY_CHANNEL = labels({
  self_report: "办法即时找",
  data_match: "数据交互线上找",
  platform_report: "平台公司实时找",
  field_visit: "深入基层线下找",
});
export const DISCOVERY_CHANNELS = DISCOVERY_CHANNEL.keys;
export type DiscoveryChannel = (typeof DISCOVERY_CHANNELS)[number];

/** The seven official out-of-contact reasons (失去联系情形), in the statistics' order; the four older codes kept theirs. */
export const LOST_CONTACT_REASON = labels({
  migrant_work: "外出务工经商",
  enterprise_restructured: "单位改制或破产",
  graduated_unknown: "毕业后去向不明",
  employer_changed: "工作单位改变",
  abroad: "出国（境）",
  residence_changed: "居住地改变",
  other: "其他",
});
export const LOST_CONTACT_REASONS = LOST_CONTACT_REASON.keys;

/** Why `left_on` is set: a transfer out, or the ending an approved membership change recorded (domain/membership-changes.ts). */
export const LEAVE_REASON = labels({
  transferred_out: "转出",
  suspended: "停止党籍",
  self_departed: "自行脱党",
  removed: "除名",
  expelled: "开除党籍",
  withdrew: "退党",
  deceased: "去世",
  // A probation cancelled (发展党员: 取消预备党员资格): never a full member, no membership to restore.
  probation_cancelled: "取消预备党员资格",
});
export const LEAVE_REASONS = LEAVE_REASON.keys;

export const POLITICAL_STATUS = labels({
  party_member: "中共党员",
  probationary_member: "中共预备党员",
  league_member: "共青团员",
  masses: "群众",
  other: "其他",
});
export const POLITICAL_STATUSES = POLITICAL_STATUS.keys;

export const IMPORT_KIND = labels({
  roster: "从业人员花名册",
  members: "党员名单",
  organizations: "党组织",
  enterprises: "企业",
  instructors: "党建指导员及派驻",
});
export const IMPORT_KINDS = IMPORT_KIND.keys;
export type ImportKind = (typeof IMPORT_KINDS)[number];

export const IMPORT_STATUS = labels({
  pending: "等待中",
  running: "导入中",
  succeeded: "已完成",
  failed: "失败",
  dry_run: "试运行",
});
export const IMPORT_STATUSES = IMPORT_STATUS.keys;

/** How an import arrived; named where no user started it (the CLI, a platform's API key). */
export const IMPORT_SOURCE = labels({ web: "网页上传", cli: "命令行", api: "平台接口" });
export const IMPORT_SOURCES = IMPORT_SOURCE.keys;

export const LEAD_STATUS = labels({ open: "待核实", verified: "已核实", rejected: "已排除" });
export const LEAD_STATUSES = LEAD_STATUS.keys;

export const TRANSFER_KIND = labels({ internal: "系统内转接", outgoing: "转出系统", incoming: "转入系统" });
export const TRANSFER_KINDS = TRANSFER_KIND.keys;

export const TRANSFER_STATE = labels({
  pending: "待接收",
  completed: "已完成",
  returned: "已退回",
  cancelled: "已撤销",
});
export const TRANSFER_STATES = TRANSFER_STATE.keys;

/** GB 3304 ethnic groups, the most common first; the full list is long and rarely needed in forms. */
export const ETHNICITY: Record<string, string> = {
  "01": "汉族",
  "02": "蒙古族",
  "03": "回族",
  "04": "藏族",
  "05": "维吾尔族",
  "06": "苗族",
  "07": "彝族",
  "08": "壮族",
  "09": "布依族",
  "10": "朝鲜族",
  "11": "满族",
  "12": "侗族",
  "13": "瑶族",
  "14": "白族",
  "15": "土家族",
  "16": "哈尼族",
  "17": "哈萨克族",
  "18": "傣族",
  "19": "黎族",
  "20": "傈僳族",
  "21": "佤族",
  "22": "畲族",
  "23": "高山族",
  "24": "拉祜族",
  "25": "水族",
  "26": "东乡族",
  "27": "纳西族",
  "28": "景颇族",
  "29": "柯尔克孜族",
  "30": "土族",
  "31": "达斡尔族",
  "32": "仫佬族",
  "33": "羌族",
  "34": "布朗族",
  "35": "撒拉族",
  "36": "毛南族",
  "37": "仡佬族",
  "38": "锡伯族",
  "39": "阿昌族",
  "40": "普米族",
  "41": "塔吉克族",
  "42": "怒族",
  "43": "乌孜别克族",
  "44": "俄罗斯族",
  "45": "鄂温克族",
  "46": "德昂族",
  "47": "保安族",
  "48": "裕固族",
  "49": "京族",
  "50": "塔塔尔族",
  "51": "独龙族",
  "52": "鄂伦春族",
  "53": "赫哲族",
  "54": "门巴族",
  "55": "珞巴族",
  "56": "基诺族",
};

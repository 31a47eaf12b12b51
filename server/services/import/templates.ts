// The onboarding templates: one .xlsx per kind with the header row the importer reads (the labels
// of onboarding-fields.ts), an example row, and a sheet of instructions: what each column holds and
// the codes and labels it accepts, read from the installation (its regions, its industries, the
// organizations of the user's scope), never a list typed here.

import { and, eq } from "drizzle-orm";
import ExcelJS from "exceljs";
import type { Db } from "../../../db/client.js";
import { industries, organizations, regions } from "../../../db/schema.js";
import { ENTERPRISE_KIND, INSTRUCTOR_KIND, ORG_FORMATION, ORG_KIND, isCommitteeKind } from "../../domain/codes.js";
import { makeCreditCode } from "../../domain/credit-code.js";
import { COMPREHENSIVE_NAME_MARK, NATIONAL_ORG_KINDS, type OnboardingKind } from "../../domain/onboarding-codes.js";
import { type Actor, orgIdInScope } from "../../policy/actor.js";
import { BODY_FONT, BORDER, HEADER_FILL, HEADER_FONT, TEXT_FORMAT, TITLE_FONT, fitWidth } from "../export/styles.js";
import { ONBOARDING_FIELDS } from "./onboarding-fields.js";

/** The columns in the order a person fills them (the field lists are in the order headers are matched). */
const TEMPLATE_ORDER: Record<OnboardingKind, readonly string[]> = {
  organizations: [
    "orgCode",
    "orgName",
    "shortName",
    "orgKind",
    "parentCode",
    "formation",
    "industry",
    "region",
    "foundedOn",
    "secretaryName",
    "secretaryPhone",
    "termStartOn",
    "termEndOn",
  ],
  enterprises: [
    "enterpriseName",
    "creditCode",
    "enterpriseKind",
    "industry",
    "region",
    "workerCount",
    "legalRepIsMember",
    "legalRepIsSecretary",
    "committee",
    "coveredBy",
    "address",
  ],
  instructors: ["instructorName", "instructorKind", "phone", "workUnit", "committee", "enterprise", "assignedOn"],
};

export const TEMPLATE_TITLE: Record<OnboardingKind, string> = {
  organizations: "党组织导入模板",
  enterprises: "企业导入模板",
  instructors: "党建指导员及派驻导入模板",
};

/** Regions listed in full on the instruction sheet up to this many. */
const REGIONS_LISTED_MAX = 3000;

type Facts = {
  own: { code: string; name: string; kind: string };
  region: { code: string; name: string };
  industry: { code: string; name: string };
  regions: { code: string; name: string; level: string }[];
  industries: { code: string; name: string }[];
  committees: { code: string; name: string }[];
};

/** What a column holds, for the instruction sheet. */
const HELP: Record<string, string> = {
  orgCode: "本系统内唯一的组织编码（字母、数字、连字符）。再次导入同一编码时更新该组织，内容相同则不变",
  orgName: `全称，以印章为准（中共……委员会）。组织类别填 611/党委 时，名称含“${COMPREHENSIVE_NAME_MARK}”的为综合党委，其余为行业党委`,
  shortName: "可不填",
  orgKind: "填国家标准代码或名称，见下方“组织类别”表；临时党组织填 9xx（如 931 临时党支部）",
  parentCode: "上级党组织的组织编码：可以是本文件中的组织（顺序不限），也可以是系统中已有的组织",
  formation: "党支部填写：单独组建 或 联合组建（632 联合党支部可不填）",
  industry: "填行业代码或名称，见下方“行业”表",
  region: "填 6 位行政区划代码或名称，见下方“行政区划”表",
  foundedOn: "日期，如 2024-03-05",
  secretaryName: "可不填",
  secretaryPhone: "11 位手机号，可不填",
  termStartOn: "日期，可不填",
  termEndOn: "日期，应晚于本届开始日期",
  enterpriseName: "企业全称",
  creditCode: "18 位统一社会信用代码（按 GB 32100 校验）。再次导入同一代码时更新该企业",
  enterpriseKind: "见下方“企业类型”表；填其他内容（如“有限责任公司”）按“其他”导入",
  workerCount: "整数",
  legalRepIsMember: "是 / 否",
  legalRepIsSecretary: "是 / 否（填“是”时，法定代表人须是党员）",
  committee: "行业党委或综合党委的组织编码，见下方“党委”表；不填时为导入所选的党委",
  coveredBy: "覆盖该企业的党组织编码，多个用“、”分隔：单独组建的党支部只覆盖一个企业，联合党支部可覆盖多个",
  address: "可不填",
  instructorName: "姓名。同一派出党委、同一姓名和手机号为同一人：联系多个企业的，每个企业一行",
  instructorKind: "党建指导员 或 联络员，不填为党建指导员",
  phone: "11 位手机号",
  workUnit: "可不填",
  enterprise: "所联系企业的统一社会信用代码或企业全称（须已在系统中，可先导入企业），可不填",
  assignedOn: "日期，不填按导入当天",
};

function example(kind: OnboardingKind, f: Facts): Record<string, string> {
  const childCode = `${f.own.code}-001`;
  switch (kind) {
    case "organizations":
      return {
        orgCode: childCode,
        orgName: "中共某某物流有限公司支部委员会",
        shortName: "某某物流党支部",
        orgKind: "631",
        parentCode: f.own.code,
        formation: ORG_FORMATION.label.standalone,
        industry: f.industry.name,
        region: f.region.code,
        foundedOn: "2024-03-05",
        secretaryName: "张某某",
        secretaryPhone: "",
        termStartOn: "2024-03-05",
        termEndOn: "2027-03-04",
      };
    case "enterprises":
      return {
        enterpriseName: "某某物流有限公司",
        creditCode: makeCreditCode("91", f.region.code, "MA0000001"),
        enterpriseKind: ENTERPRISE_KIND.label.transport_company,
        industry: f.industry.name,
        region: f.region.name,
        workerCount: "60",
        legalRepIsMember: "是",
        legalRepIsSecretary: "否",
        committee: isCommitteeKind(f.own.kind) ? f.own.code : (f.committees[0]?.code ?? ""),
        coveredBy: childCode,
        address: "",
      };
    case "instructors":
      return {
        instructorName: "李某某",
        instructorKind: INSTRUCTOR_KIND.label.instructor,
        phone: "",
        workUnit: "某某局 科员",
        committee: isCommitteeKind(f.own.kind) ? f.own.code : (f.committees[0]?.code ?? ""),
        enterprise: makeCreditCode("91", f.region.code, "MA0000001"),
        assignedOn: "2025-03-01",
      };
  }
}

function facts(db: Db, actor: Actor): Facts {
  const own = db
    .select({ code: organizations.code, name: organizations.name, kind: organizations.kind })
    .from(organizations)
    .where(actor.orgId > 0 ? eq(organizations.id, actor.orgId) : undefined)
    .orderBy(organizations.id)
    .get() ?? { code: "", name: "", kind: "" };
  const allRegions = db.select().from(regions).orderBy(regions.code).all();
  const inds = db.select({ code: industries.code, name: industries.name }).from(industries).orderBy(industries.sortOrder).all();
  const committees = db
    .select({ code: organizations.code, name: organizations.name, kind: organizations.kind })
    .from(organizations)
    .where(and(orgIdInScope(actor, organizations.id), eq(organizations.status, "active")))
    .orderBy(organizations.path)
    .all()
    .filter((o) => isCommitteeKind(o.kind) || o.kind === "city_department");
  const county = allRegions.find((r) => r.level === "county") ?? allRegions[0] ?? { code: "000000", name: "" };
  return {
    own,
    region: county,
    industry: inds[0] ?? { code: "", name: "" },
    regions: allRegions,
    industries: inds,
    committees: committees.map((c) => ({ code: c.code, name: `${c.name}（${ORG_KIND.label[c.kind]}）` })),
  };
}

/** Builds the template of one kind for this user (their scope's codes in the instructions). */
export function buildTemplate(db: Db, actor: Actor, kind: OnboardingKind): ExcelJS.Workbook {
  const f = facts(db, actor);
  const fields = [...ONBOARDING_FIELDS[kind]].sort((a, b) => TEMPLATE_ORDER[kind].indexOf(a.key) - TEMPLATE_ORDER[kind].indexOf(b.key));
  const wb = new ExcelJS.Workbook();
  const sheet = wb.addWorksheet("填报");
  // Every column text: codes keep their leading zeros and credit codes their letters, in Excel and WPS.
  sheet.columns = fields.map((d) => ({
    header: d.required ? `${d.label}（必填）` : d.label,
    key: d.key,
    width: Math.max(12, fitWidth([d.label, example(kind, f)[d.key] ?? ""], 10, 40) + 4),
    style: { numFmt: TEXT_FORMAT, font: BODY_FONT },
  }));
  const head = sheet.getRow(1);
  head.eachCell((c) => {
    c.font = HEADER_FONT;
    c.fill = HEADER_FILL;
    c.border = BORDER;
  });
  sheet.addRow(example(kind, f));
  sheet.views = [{ state: "frozen", ySplit: 1 }];

  const help = wb.addWorksheet("填写说明");
  help.columns = [{ width: 22 }, { width: 10 }, { width: 90 }];
  help.addRow([TEMPLATE_TITLE[kind]]).font = TITLE_FONT;
  help.addRow(["第 1 行是表头，第 2 行是示例：导入前请改写或删除示例行。表头上方可以加标题或“填报单位”行，系统会自动找到表头。"]);
  help.addRow(["有任何一行不能导入时，整个文件都不导入（数据库不变），系统会列出每一行的问题（第N行）；改正后重新导入即可。"]);
  help.addRow([]);
  const th = help.addRow(["列", "必填", "说明"]);
  th.font = HEADER_FONT;
  for (const d of fields) help.addRow([d.label, d.required ? "是" : "", HELP[d.key] ?? ""]);
  const table = (title: string, rows: [string, string][]) => {
    help.addRow([]);
    help.addRow([title]).font = HEADER_FONT;
    for (const r of rows) help.addRow(r);
  };
  const keys = new Set(fields.map((d) => d.key as string));
  if (keys.has("orgKind")) {
    table("组织类别（代码 或 名称）", [
      ...NATIONAL_ORG_KINDS.map((k): [string, string] => [k.code, k.label]),
      ["9xx", "临时党组织：9 加对应代码的后两位（911 临时党委、931 临时党支部）"],
      ...Object.values(ORG_KIND.label).map((l): [string, string] => ["", l]),
    ]);
    table(
      "组建方式",
      Object.values(ORG_FORMATION.label).map((l): [string, string] => ["", l]),
    );
  }
  if (keys.has("enterpriseKind"))
    table(
      "企业类型",
      Object.values(ENTERPRISE_KIND.label).map((l): [string, string] => ["", l]),
    );
  if (keys.has("instructorKind"))
    table(
      "类别",
      Object.values(INSTRUCTOR_KIND.label).map((l): [string, string] => ["", l]),
    );
  if (keys.has("industry"))
    table(
      "行业（代码 或 名称）",
      f.industries.map((i): [string, string] => [i.code, i.name]),
    );
  if (keys.has("region")) {
    // A province's streets and townships run to tens of thousands: the sheet lists the levels above them.
    const listed =
      f.regions.length > REGIONS_LISTED_MAX ? f.regions.filter((r) => ["province", "city", "county"].includes(r.level)) : f.regions;
    table(
      "行政区划（代码 或 名称）",
      listed.map((r): [string, string] => [r.code, r.name]),
    );
  }
  if (keys.has("committee") || keys.has("parentCode"))
    table(
      "您管辖范围内的党委（组织编码 名称）",
      f.committees.map((c): [string, string] => [c.code, c.name]),
    );
  help.getColumn(1).numFmt = TEXT_FORMAT;
  return wb;
}

export function templateFileName(kind: OnboardingKind): string {
  return `${TEMPLATE_TITLE[kind]}.xlsx`;
}

// 发展党员工作台账: one row per application in scope with every stage's date and the 志愿书 number;
// with a stage, the per-stage list (花名册 of the activists, the candidates …). ID numbers are text
// cells, masked unless the role sees them whole; the export entry (export.service.ts) audits it.

import { and, asc, eq, gt, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, organizations, recruitments } from "../../../db/schema.js";
import { DISCOVERY_CHANNEL, GENDER, OCCUPATION } from "../../domain/codes.js";
import { maskIdNumber, maskPhone } from "../../domain/masking.js";
import { RECRUITMENT_STAGE, type RecruitmentStage } from "../../domain/recruitment-rules.js";
import type { LedgerRows } from "./ledgers.js";
import type { SheetCell } from "./sheet-rows.js";

export const RECRUITMENT_LEDGER_TITLE = "发展党员工作台账";

type Row = typeof recruitments.$inferSelect & { orgName: string; enterpriseName: string | null };
type Col = { header: string; width: number; text?: boolean; value: (r: Row, unmask: boolean, n: number) => SheetCell };

const label = (map: Record<string, string>, k: string | null) => (k ? (map[k] ?? "") : "");

const COLUMNS: Col[] = [
  { header: "序号", width: 6, value: (_r, _u, n) => n },
  { header: "姓名", width: 10, value: (r) => r.name },
  { header: "性别", width: 6, value: (r) => label(GENDER.label, r.gender) },
  { header: "公民身份号码", width: 21, text: true, value: (r, u) => (u ? r.idNumber : maskIdNumber(r.idNumber)) },
  { header: "出生日期", width: 11, text: true, value: (r) => r.birthDate },
  { header: "手机号码", width: 13, text: true, value: (r, u) => (u ? (r.phone ?? "") : maskPhone(r.phone)) },
  { header: "职业", width: 12, value: (r) => label(OCCUPATION.label, r.occupation) },
  { header: "所在企业", width: 24, value: (r) => r.enterpriseName ?? "" },
  { header: "党支部", width: 32, value: (r) => r.orgName },
  { header: "当前阶段", width: 12, value: (r) => RECRUITMENT_STAGE.label[r.stage] },
  { header: "发现渠道", width: 12, value: (r) => label(DISCOVERY_CHANNEL.label, r.discoveryChannel) },
  { header: "递交申请书日期", width: 11, text: true, value: (r) => r.appliedOn },
  { header: "谈话日期", width: 11, text: true, value: (r) => r.talkedOn ?? "" },
  { header: "确定积极分子日期", width: 11, text: true, value: (r) => r.activistOn ?? "" },
  { header: "培养联系人", width: 14, value: (r) => [r.contact1, r.contact2].filter(Boolean).join("、") },
  { header: "最近考察日期", width: 11, text: true, value: (r) => r.lastAssessedOn ?? "" },
  { header: "培训结业日期", width: 11, text: true, value: (r) => r.trainingEndedOn ?? "" },
  { header: "培训学时", width: 6, value: (r) => r.trainingHours ?? "" },
  { header: "培训天数", width: 6, value: (r) => r.trainingDays ?? "" },
  { header: "政审日期", width: 11, text: true, value: (r) => r.politicalCheckOn ?? "" },
  {
    header: "发展对象公示",
    width: 23,
    text: true,
    value: (r) => (r.candidatePublicFrom ? `${r.candidatePublicFrom}至${r.candidatePublicTo}` : ""),
  },
  { header: "确定发展对象日期", width: 11, text: true, value: (r) => r.candidateOn ?? "" },
  { header: "入党介绍人", width: 14, value: (r) => [r.sponsor1, r.sponsor2].filter(Boolean).join("、") },
  { header: "列入发展计划日期", width: 11, text: true, value: (r) => r.plannedOn ?? "" },
  { header: "入党志愿书编号", width: 16, text: true, value: (r) => r.volunteerBookNo ?? "" },
  { header: "支部大会（入党）日期", width: 11, text: true, value: (r) => r.joinedOn ?? "" },
  { header: "上级党委审批日期", width: 11, text: true, value: (r) => r.approvedOn ?? "" },
  { header: "延长预备期（月）", width: 6, value: (r) => r.extensionMonths || "" },
  { header: "转正公示", width: 23, text: true, value: (r) => (r.fullPublicFrom ? `${r.fullPublicFrom}至${r.fullPublicTo}` : "") },
  { header: "转正日期", width: 11, text: true, value: (r) => r.fullOn ?? "" },
  { header: "终止/取消日期", width: 11, text: true, value: (r) => r.closedOn ?? "" },
];

const PAGE = 1000;

/** The ledger's rows for the records under `orgPrefix` (optionally one stage), in id order, a page at a time. */
export function recruitmentLedger(db: Db, orgPrefix: string, stage: RecruitmentStage | null, unmask: boolean): LedgerRows {
  const page = (afterId: number) =>
    db
      .select({ r: recruitments, orgName: organizations.name, enterpriseName: enterprises.name })
      .from(recruitments)
      .innerJoin(organizations, eq(organizations.id, recruitments.orgId))
      .leftJoin(enterprises, eq(enterprises.id, recruitments.enterpriseId))
      .where(
        and(
          sql`substr(${organizations.path}, 1, ${orgPrefix.length}) = ${orgPrefix}`,
          stage ? eq(recruitments.stage, stage) : undefined,
          gt(recruitments.id, afterId),
        ),
      )
      .orderBy(asc(recruitments.id))
      .limit(PAGE)
      .all()
      .map((x) => ({ ...x.r, orgName: x.orgName, enterpriseName: x.enterpriseName }));
  return {
    title: stage ? `${RECRUITMENT_STAGE.label[stage]}名册` : RECRUITMENT_LEDGER_TITLE,
    columns: COLUMNS.map((c) => ({ header: c.header, text: !!c.text, min: c.width, max: Math.max(c.width, 40) })),
    *pages() {
      let n = 0;
      let rows = page(0);
      while (rows.length) {
        yield rows.map((r) => {
          n++;
          return COLUMNS.map((c) => c.value(r, unmask, n));
        });
        rows = page(rows[rows.length - 1]!.id);
      }
    },
  };
}

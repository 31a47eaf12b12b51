// The national member system's export (全国党员管理信息系统): its columns in its order
// (domain/national-members.ts), then the completeness score and what is missing. ID numbers and
// phones are text cells, masked unless the actor may see them whole; the export entry audits it.

import type { Db } from "../../../db/client.js";
import { EDUCATION, ETHNICITY, GENDER, labelOf, LOST_CONTACT_REASON, MEMBER_CATEGORY, OCCUPATION } from "../../domain/codes.js";
import { maskIdNumber, maskPhone } from "../../domain/masking.js";
import {
  COMPLETENESS_COLUMNS,
  completeness,
  NATIONAL_COLUMNS,
  NEW_EMPLOYMENT_GROUP,
  NEW_EMPLOYMENT_OCCUPATIONS,
} from "../../domain/national-members.js";
import type { ResolvedScope } from "../coverage/scope.js";
import { completenessInput, nationalPage, type NationalRow } from "../national/national.service.js";
import type { LedgerRows } from "./ledgers.js";
import type { SheetCell } from "./sheet-rows.js";

export const NATIONAL_EXPORT_TITLE = "全国党员管理信息系统党员信息";

const PAGE = 2000;
const lbl = (map: Readonly<Record<string, string>>, v: string | null) => (v == null ? "" : (labelOf(map, v) ?? v));

type Col = { header: string; value: (r: NationalRow) => SheetCell; text?: boolean; min?: number };

function columns(unmask: boolean, today: string): Col[] {
  const byHeader: Record<(typeof NATIONAL_COLUMNS)[number], Omit<Col, "header">> = {
    姓名: { value: (r) => r.name },
    公民身份号码: { value: (r) => (unmask ? r.id_number : maskIdNumber(r.id_number)), text: true, min: 20 },
    性别: { value: (r) => lbl(GENDER.label, r.gender) },
    出生日期: { value: (r) => r.birth_date },
    民族: { value: (r) => lbl(ETHNICITY, r.ethnicity) },
    学历: { value: (r) => lbl(EDUCATION.label, r.education) },
    入党时间: { value: (r) => r.joined_on ?? "" },
    // A probationary member has no 转正 date (member-rules refuse one).
    转正时间: { value: (r) => (r.category === "full" ? (r.full_on ?? "") : "") },
    工作岗位: { value: (r) => lbl(OCCUPATION.label, r.occupation) },
    "新的社会阶层 / 新就业群体": {
      value: (r) => ((NEW_EMPLOYMENT_OCCUPATIONS as readonly string[]).includes(r.occupation ?? "") ? NEW_EMPLOYMENT_GROUP : ""),
    },
    人员类别: { value: (r) => lbl(MEMBER_CATEGORY.label, r.category) },
    手机号码: { value: (r) => (unmask ? (r.phone ?? "") : maskPhone(r.phone)), text: true, min: 13 },
    所在党支部: { value: (r) => (r.in_branch ? r.org_name : ""), min: 16 },
    // The unit of a joint branch the member works in.
    联合支部单位名称: { value: (r) => (r.is_joint ? (r.enterprise_name ?? "") : "") },
    失去联系情形: { value: (r) => (r.lost_contact_on ? lbl(LOST_CONTACT_REASON.label, r.lost_contact_reason) : "") },
    失去联系日期: { value: (r) => r.lost_contact_on ?? "" },
  };
  const score = (r: NationalRow) => completeness(completenessInput(r), today);
  const [scoreHeader, missingHeader] = COMPLETENESS_COLUMNS;
  return [
    ...NATIONAL_COLUMNS.map((header) => ({ header, ...byHeader[header] })),
    // The streamed ledger has one style a column and no percent format: the share as a number of percent.
    { header: scoreHeader, value: (r) => Math.round(score(r).score * 1000) / 10 },
    { header: missingHeader, value: (r) => score(r).missing.join("、"), min: 16 },
  ];
}

/** The export's rows, a page at a time in id order (streamed by writeLedgerRows). */
export function nationalMembersLedger(db: Db, rs: ResolvedScope, today: string, unmask: boolean): LedgerRows {
  const cols = columns(unmask, today);
  return {
    title: NATIONAL_EXPORT_TITLE,
    columns: cols.map((c) => ({ header: c.header, text: !!c.text, min: c.min })),
    *pages() {
      let page = nationalPage(db, rs, 0, PAGE);
      while (page.length) {
        yield page.map((r) => cols.map((c) => c.value(r)));
        page = nationalPage(db, rs, page[page.length - 1]!.id, PAGE);
      }
    },
  };
}

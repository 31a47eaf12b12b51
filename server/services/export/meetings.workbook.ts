// The organizational-life workbooks: the year's meetings per branch per month by type (with what
// the rules expect and is missing, and every meeting listed), and one meeting's record with its
// attendance. Names only, no ID numbers; free text through the one text-cell rule; audited.

import type { Writable } from "node:stream";
import { finished } from "node:stream/promises";
import ExcelJS from "exceljs";
import type { Db } from "../../../db/client.js";
import { MEMBER_CATEGORY, RELATION_STATUS } from "../../domain/codes.js";
import { todayIso } from "../../domain/dates.js";
import {
  ABSENCE_REASON,
  ATTENDANCE_STATUS,
  FREQUENCY_LABEL,
  MEETING_FREQUENCY,
  MEETING_TYPE,
  MEETING_TYPES,
} from "../../domain/organizational-life-rules.js";
import type { Actor } from "../../policy/actor.js";
import { recordAudit } from "../admin/audit.js";
import { branchesUnder, exportRoot, meetingsOfYear } from "../meetings/export-rows.js";
import { getMeeting, yearGrid } from "../meetings/meetings.service.js";
import { BODY_FONT, BORDER, CENTER, HEADER_FILL, HEADER_FONT, TITLE_FONT, textCell, YES_NO } from "./styles.js";

export const MEETINGS_TITLE = "组织生活（三会一课）台账";
export const MEETING_RECORD_TITLE = "组织生活会议记录";

function headerRow(ws: ExcelJS.Worksheet, values: string[]) {
  const row = ws.addRow(values);
  row.eachCell((c) => {
    c.font = HEADER_FONT;
    c.fill = HEADER_FILL;
    c.border = BORDER;
    c.alignment = CENTER;
  });
}

function bodyRow(ws: ExcelJS.Worksheet, values: (string | number)[]) {
  const row = ws.addRow(values.map((v) => (typeof v === "string" ? textCell(v) : v)));
  row.eachCell({ includeEmpty: true }, (c) => {
    c.font = BODY_FONT;
    c.border = BORDER;
  });
}

function title(ws: ExcelJS.Worksheet, text: string, width: number) {
  ws.addRow([text]).getCell(1).font = TITLE_FONT;
  ws.mergeCells(1, 1, 1, width);
}

type YearRequest = { orgId?: number | null; year?: number | null; ip?: string | null; now?: Date };

/** Writes the year workbook for the actor's scope (or an organization in it); resolves with the meeting count. */
export async function writeMeetingsYearWorkbook(db: Db, actor: Actor, req: YearRequest, out: Writable) {
  const today = todayIso(req.now);
  const year = req.year ?? Number(today.slice(0, 4));
  const root = exportRoot(db, actor, req.orgId ?? null);
  const branches = branchesUnder(db, actor, root.path);
  const list = meetingsOfYear(db, actor, root.path, year);
  const wb = new ExcelJS.Workbook();

  const grid = wb.addWorksheet("按月统计");
  const gridHeader = [
    "党组织",
    "月份",
    ...MEETING_TYPES.map((t) => `${MEETING_TYPE.label[t]}（${FREQUENCY_LABEL[MEETING_FREQUENCY[t]]}）`),
    "应开未开",
  ];
  title(grid, `${root.name} ${year}年${MEETINGS_TITLE}`, gridHeader.length);
  headerRow(grid, gridHeader);
  grid.columns = gridHeader.map((_, i) => ({ width: i === 0 ? 36 : i === gridHeader.length - 1 ? 30 : 10 }));
  for (const b of branches) {
    const g = yearGrid(db, actor, b.id, year, today);
    for (const m of g.months) {
      const missing = m.cells.filter((c) => c.missing).map((c) => MEETING_TYPE.label[c.type]);
      bodyRow(grid, [b.name, `${year}-${String(m.month).padStart(2, "0")}`, ...m.cells.map((c) => c.held), missing.join("、")]);
    }
  }

  const ws = wb.addWorksheet("会议清单");
  const header = [
    "党组织",
    "日期",
    "类型",
    "主题",
    "地点",
    "主持人",
    "记录人",
    "应到",
    "出席",
    "请假",
    "缺席",
    "列席",
    "表决",
    "有表决权",
    "有表决权到会",
    "过半数",
  ];
  title(ws, `${root.name} ${year}年会议清单`, header.length);
  headerRow(ws, header);
  ws.columns = header.map((h) => ({ width: h === "党组织" ? 36 : h === "主题" ? 30 : 10 }));
  for (const r of list) {
    bodyRow(ws, [
      r.orgName,
      r.heldOn,
      MEETING_TYPE.label[r.type as keyof typeof MEETING_TYPE.label] ?? r.type,
      r.topic,
      r.online ? `线上${r.place && r.place !== "线上" ? `（${r.place}）` : ""}` : (r.place ?? ""),
      r.host,
      r.recorder,
      r.listed,
      r.present,
      r.excused,
      r.absent,
      r.guests,
      YES_NO(r.hasDecisions),
      r.votingMembers,
      r.votingPresent,
      r.quorumMet == null ? "" : YES_NO(r.quorumMet),
    ]);
  }
  await wb.xlsx.write(out);
  if (!out.writableEnded) out.end();
  await finished(out);
  recordAudit(db, actor, {
    action: "export",
    entity: "report",
    entityId: "meetings",
    details: { kind: "meetings", org: root.code, orgId: root.id, year, branches: branches.length, rows: list.length },
    ip: req.ip ?? null,
  });
  return { year, rootName: root.name, rows: list.length };
}

/** Writes one meeting's record (scope checked: 404 outside); audited. */
export async function writeMeetingRecordWorkbook(db: Db, actor: Actor, meetingId: number, out: Writable, ip: string | null = null) {
  const { meeting, org, attendance, guests, totals } = getMeeting(db, actor, meetingId);
  const wb = new ExcelJS.Workbook();
  const ws = wb.addWorksheet("会议记录");
  ws.columns = [{ width: 16 }, { width: 14 }, { width: 12 }, { width: 10 }, { width: 12 }];
  title(ws, `${org.name} ${MEETING_RECORD_TITLE}`, 5);
  const info: [string, string][] = [
    ["会议类型", MEETING_TYPE.label[meeting.type]],
    ["召开日期", meeting.heldOn],
    ["地点", meeting.online ? `线上${meeting.place && meeting.place !== "线上" ? `（${meeting.place}）` : ""}` : (meeting.place ?? "")],
    ["主持人", meeting.host],
    ["记录人", meeting.recorder],
    ["主题", meeting.topic],
    ["主要内容", meeting.content ?? ""],
    ["应到/出席/请假/缺席", `${totals.members}/${totals.present}/${totals.excused}/${totals.absent}`],
    ["列席人员", guests.join("、")],
  ];
  if (meeting.hasDecisions) {
    info.push([
      "有表决权党员到会",
      `${meeting.votingPresent}/${meeting.votingMembers}（${meeting.quorumMet ? "超过半数" : "未超过半数，不能作出决定"}）`,
    ]);
  }
  for (const [k, v] of info) {
    const row = ws.addRow([k, textCell(v)]);
    row.getCell(1).font = HEADER_FONT;
    row.getCell(2).font = BODY_FONT;
    ws.mergeCells(row.number, 2, row.number, 5);
  }
  ws.addRow([]);
  headerRow(ws, ["姓名", "身份", "表决权", "出席情况", "缺席原因"]);
  for (const a of attendance) {
    const who =
      a.relationStatus === "mobile_in"
        ? RELATION_STATUS.label.mobile_in
        : (MEMBER_CATEGORY.label[a.category as keyof typeof MEMBER_CATEGORY.label] ?? "");
    bodyRow(ws, [
      a.name,
      who,
      a.hasVote ? "有" : "无",
      ATTENDANCE_STATUS.label[a.status as keyof typeof ATTENDANCE_STATUS.label] ?? a.status,
      a.absenceReason ? (ABSENCE_REASON.label[a.absenceReason as keyof typeof ABSENCE_REASON.label] ?? "") : "",
    ]);
  }
  await wb.xlsx.write(out);
  if (!out.writableEnded) out.end();
  await finished(out);
  recordAudit(db, actor, {
    action: "export",
    entity: "meeting",
    entityId: meeting.id,
    details: { kind: "meeting", org: org.code, heldOn: meeting.heldOn, rows: attendance.length },
    ip,
  });
  return { meeting, org };
}

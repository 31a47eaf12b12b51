// Organizational life of the demo city: a year of meetings for every active branch with members, up
// to today. Deterministic (no randomness but the ids' arithmetic) and bulk (prepared statements in
// one transaction, as the seed's other bulk paths). Some branches lag (no 主题党日 or 支委会 in the
// last months) and some members stop coming, so the inbox and the dashboard have flags to show.

import type { DbHandle } from "../client.js";
import { addMonths } from "../../server/domain/dates.js";
import {
  hasVote,
  type MeetingType,
  PARTIAL_ATTENDANCE_TYPES,
  PARTICIPATION_LIMIT_MONTHS,
  PARTICIPATION_WARNING_MONTHS,
  QUORUM_TYPES,
  quorumMet,
} from "../../server/domain/organizational-life-rules.js";

type Roster = { id: number; category: string; fullOn: string | null; relationStatus: string; managedOn: string | null }[];

const TOPICS: Record<MeetingType, string[]> = {
  branch_assembly: ["讨论发展党员和预备党员转正", "通报支部工作，讨论年度计划", "选举出席上级党代会代表"],
  branch_committee: ["研究本月主题党日安排", "研究流动党员管理服务", "研究骑手驿站共建事项"],
  group_meeting: ["学习交流", "谈心谈话"],
  party_lecture: ["书记讲党课：新就业群体党员的先锋作用", "党课：流动不流失"],
  theme_day: ["学习党章，重温入党誓词", "志愿服务：文明交通劝导", "走访慰问困难骑手", "参观红色教育基地"],
  life_meeting: ["年度组织生活会：对照检查，开展批评和自我批评"],
  member_review: ["民主评议党员"],
};

/** Which meetings a branch holds in a month (month 1–12), before lagging is applied. */
function planned(month: number): MeetingType[] {
  const out: MeetingType[] = ["branch_committee", "theme_day"];
  if (month % 3 === 0) out.push("branch_assembly", "party_lecture");
  if (month === 1) out.push("life_meeting", "member_review");
  return out;
}

const DAY_OF: Record<MeetingType, number> = {
  branch_committee: 5,
  theme_day: 10,
  branch_assembly: 20,
  party_lecture: 22,
  group_meeting: 15,
  life_meeting: 25,
  member_review: 26,
};

export function seedDemoMeetings(handle: DbHandle, today: string): { meetings: number; attendance: number } {
  const { sqlite } = handle;
  const branches = sqlite
    .prepare(
      `SELECT o.id, o.secretary_name AS secretaryName FROM organizations o
       WHERE o.kind IN ('branch','general_branch') AND o.status = 'active'
         AND EXISTS (SELECT 1 FROM members m WHERE m.org_id = o.id) ORDER BY o.code`,
    )
    .all() as { id: number; secretaryName: string | null }[];
  const rosterOf = sqlite.prepare(
    `SELECT id, category, full_on AS fullOn, relation_status AS relationStatus, managed_on AS managedOn FROM members
     WHERE org_id = ? AND left_on IS NULL AND relation_status NOT IN ('transferred_out','unattached') ORDER BY id`,
  );
  const insertMeeting = sqlite.prepare(
    `INSERT INTO meetings (org_id, type, held_on, place, online, host, recorder, topic, content, has_decisions, voting_members, voting_present, quorum_met)
     VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
  );
  const insertAttendance = sqlite.prepare(
    "INSERT INTO meeting_attendance (meeting_id, member_id, status, absence_reason, has_vote) VALUES (?, ?, ?, ?, ?)",
  );
  const reasons = ["work", "work", "away", "illness", "family"];
  const warnFrom = addMonths(today, -PARTICIPATION_WARNING_MONTHS - 1);
  const limitFrom = addMonths(today, -PARTICIPATION_LIMIT_MONTHS - 1);
  let meetingCount = 0;
  let attendanceCount = 0;

  sqlite.transaction(() => {
    branches.forEach((b, bi) => {
      const roster = rosterOf.all(b.id) as Roster;
      if (!roster.length) return;
      // One branch in five lags: no 主题党日 or 支委会 for the last two months and this one.
      const lagging = bi % 5 === 3;
      const host = b.secretaryName ?? "支部书记";
      for (let back = 11; back >= 0; back--) {
        const first = addMonths(`${today.slice(0, 7)}-01`, -back);
        const month = Number(first.slice(5, 7));
        for (const type of planned(month)) {
          if (lagging && back <= 2 && (type === "theme_day" || type === "branch_committee")) continue;
          const heldOn = `${first.slice(0, 8)}${String(DAY_OF[type]).padStart(2, "0")}`;
          if (heldOn > today) continue;
          const partial = PARTIAL_ATTENDANCE_TYPES.includes(type);
          const people = partial ? roster.filter((m) => m.relationStatus !== "mobile_in").slice(0, 5) : roster;
          const rows = people
            .filter((m) => (m.managedOn ?? "") <= heldOn)
            .map((m, i) => {
              // Members who drift: every 11th stopped coming before the warning, every 17th before the limit;
              // one 流入 member in three has never come.
              const drifted =
                (m.id % 11 === 0 && heldOn >= warnFrom) ||
                (m.id % 17 === 0 && heldOn >= limitFrom) ||
                (m.relationStatus === "mobile_in" && m.id % 3 === 0);
              const present = !drifted && (m.id + i + month) % 9 !== 0;
              const reason = present ? null : (m.id + month) % 2 === 0 ? reasons[(m.id + month) % reasons.length]! : null;
              return { id: m.id, vote: hasVote(m, heldOn), status: present ? "present" : reason ? "excused" : "absent", reason };
            });
          if (!rows.some((r) => r.status === "present")) continue;
          const voting = rows.filter((r) => r.vote).length;
          const votingPresent = rows.filter((r) => r.vote && r.status === "present").length;
          const decides = QUORUM_TYPES.includes(type);
          const topics = TOPICS[type];
          const meeting = insertMeeting.run(
            b.id,
            type,
            heldOn,
            type === "theme_day" && month % 4 === 0 ? "线上" : "党群服务站会议室",
            type === "theme_day" && month % 4 === 0 ? 1 : 0,
            host,
            "组织委员",
            topics[(bi + month) % topics.length]!,
            null,
            decides ? 1 : 0,
            voting,
            votingPresent,
            decides ? (quorumMet(votingPresent, voting) ? 1 : 0) : null,
          );
          meetingCount++;
          for (const r of rows) {
            insertAttendance.run(meeting.lastInsertRowid, r.id, r.status, r.status === "excused" ? r.reason : null, r.vote ? 1 : 0);
            attendanceCount++;
          }
        }
      }
    });
  })();
  return { meetings: meetingCount, attendance: attendanceCount };
}

// Table 1, 党员数量变化情况 (domain/official-tables/table1.ts): the lists behind each row, from the
// members, the approved membership changes, the received transfers and the recruitment records of the
// scope organization's subtree.

import { sql } from "drizzle-orm";
import { LEAVING_PARTY_KINDS, MEMBERSHIP_CHANGE } from "../../domain/membership-changes.js";
import { RELATION_HERE } from "../../domain/member-rules.js";
import {
  NOT_RECORDED,
  relationOrgAt,
  TABLE1,
  type ChangeDone,
  type MemberNow,
  type TransferDone,
} from "../../domain/official-tables/table1.js";
import type { CrossCheck, RowRef, RowSpec } from "../../domain/official-tables/table.js";
import { memberListQuerySchema } from "../../schemas/members.schema.js";
import { listMembers } from "../members/list.js";
import { memberPresentSql } from "../members/sql.js";
import { buildFor, inScopeSql, scopeOrgIds, type TableContext, type TableModule } from "./context.js";

type Ev = { member_id: number; on: string; org_id: number | null; note: string | null; from_standing?: string };

/** The kind of a change (or 取消预备党员资格) as the rows page shows it; a transfer's note is its letter number. */
const NOTE_LABEL: Record<string, string> = { ...MEMBERSHIP_CHANGE.label, probation_cancelled: "取消预备党员资格" };

function refs(rows: Ev[]): RowRef[] {
  return rows.map((r) => ({ kind: "member", id: r.member_id, on: r.on, note: r.note ? (NOTE_LABEL[r.note] ?? r.note) : null }));
}

/** Members counted in the scope at `asOf`, given every member that could be (reconstructed per member). */
function countedAt(all: Facts, inScope: Set<number>, asOf: string): RowRef[] {
  const out: RowRef[] = [];
  for (const m of all.members) {
    const org = relationOrgAt(m, all.transfers.get(m.id) ?? [], all.changes.get(m.id) ?? [], asOf);
    if (org !== null && inScope.has(org)) out.push({ kind: "member", id: m.id, on: asOf, note: null });
  }
  return out;
}

type Facts = { members: MemberNow[]; transfers: Map<number, TransferDone[]>; changes: Map<number, ChangeDone[]> };

/**
 * Every member whose relationship could have sat in the scope at some date: held there now, or moved
 * by a transfer from or into it, or changed there. Their transfers and approved changes with them.
 */
function loadFacts(ctx: TableContext): Facts {
  const { db } = ctx;
  const inScope = (c: string) => inScopeSql(ctx, c);
  const ids = sql`SELECT id FROM members WHERE ${inScope("org_id")}
    UNION SELECT member_id FROM transfers WHERE state = 'completed' AND (${inScope("from_org_id")} OR ${inScope("to_org_id")})
    UNION SELECT member_id FROM membership_changes WHERE state = 'approved' AND ${inScope("org_id")}`;
  const members = db
    .all<{
      id: number;
      org_id: number;
      relation_status: string;
      left_on: string | null;
      joined_on: string | null;
      discovered_on: string | null;
    }>(sql`SELECT id, org_id, relation_status, left_on, joined_on, discovered_on FROM members WHERE id IN (${ids}) ORDER BY id`)
    .map((r) => ({
      id: r.id,
      orgId: r.org_id,
      relationStatus: r.relation_status,
      leftOn: r.left_on,
      joinedOn: r.joined_on,
      discoveredOn: r.discovered_on,
    }));
  const transfers = new Map<number, TransferDone[]>();
  for (const t of db.all<{ id: number; member_id: number; from_org_id: number | null; to_org_id: number | null; receipt_on: string }>(
    sql`SELECT id, member_id, from_org_id, to_org_id, receipt_on FROM transfers
      WHERE state = 'completed' AND receipt_on IS NOT NULL AND member_id IN (${ids})`,
  )) {
    const list = transfers.get(t.member_id) ?? [];
    list.push({ id: t.id, fromOrgId: t.from_org_id, toOrgId: t.to_org_id, receiptOn: t.receipt_on });
    transfers.set(t.member_id, list);
  }
  const changes = new Map<number, ChangeDone[]>();
  for (const c of db.all<{ id: number; member_id: number; from_standing: string; effective_on: string }>(
    sql`SELECT id, member_id, from_standing, effective_on FROM membership_changes WHERE state = 'approved' AND member_id IN (${ids})`,
  )) {
    const list = changes.get(c.member_id) ?? [];
    list.push({ id: c.id, fromStanding: c.from_standing, effectiveOn: c.effective_on });
    changes.set(c.member_id, list);
  }
  return { members, transfers, changes };
}

function compute(ctx: TableContext) {
  const { db, period, asOf } = ctx;
  const from = period.start;
  const inScope = (c: string) => inScopeSql(ctx, c);
  const scopeIds = scopeOrgIds(ctx);
  const facts = loadFacts(ctx);

  const changesOf = (kinds: readonly string[]) =>
    db.all<Ev>(
      sql`SELECT member_id, effective_on AS "on", org_id, kind AS note, from_standing FROM membership_changes
        WHERE state = 'approved' AND kind IN (${sql.join(
          kinds.map((k) => sql`${k}`),
          sql`, `,
        )}) AND effective_on BETWEEN ${from} AND ${asOf} AND ${inScope("org_id")} ORDER BY effective_on, id`,
    );

  const recruited = db.all<Ev>(
    sql`SELECT member_id, joined_on AS "on", org_id, NULL AS note FROM recruitments
      WHERE member_id IS NOT NULL AND joined_on BETWEEN ${from} AND ${asOf} AND ${inScope("org_id")} ORDER BY joined_on, id`,
  );
  // 取消预备党员资格 is recorded on the recruitment record (its closing date), not as a membership change.
  const cancelled = db.all<Ev>(
    sql`SELECT member_id, closed_on AS "on", org_id, 'probation_cancelled' AS note FROM recruitments
      WHERE member_id IS NOT NULL AND stage = 'cancelled' AND closed_on BETWEEN ${from} AND ${asOf} AND ${inScope("org_id")} ORDER BY closed_on, id`,
  );
  const restored = changesOf(["restoration"]);
  const restoredAfterSuspension = restored.filter((e) => e.from_standing === "suspended");
  const transfersAcross = (dir: "in" | "out") =>
    db.all<Ev>(
      dir === "in"
        ? sql`SELECT member_id, receipt_on AS "on", to_org_id AS org_id, '介绍信 ' || letter_number AS note FROM transfers
            WHERE state = 'completed' AND receipt_on BETWEEN ${from} AND ${asOf} AND ${inScope("to_org_id")}
              AND (from_org_id IS NULL OR NOT ${inScope("from_org_id")}) ORDER BY receipt_on, id`
        : sql`SELECT member_id, receipt_on AS "on", from_org_id AS org_id, '介绍信 ' || letter_number AS note FROM transfers
            WHERE state = 'completed' AND receipt_on BETWEEN ${from} AND ${asOf} AND ${inScope("from_org_id")}
              AND (to_org_id IS NULL OR NOT ${inScope("to_org_id")}) ORDER BY receipt_on, id`,
    );
  const transferredIn = transfersAcross("in");
  const transferredOut = transfersAcross("out");
  const leftParty = [...changesOf(LEAVING_PARTY_KINDS), ...cancelled].sort((a, b) => (a.on < b.on ? -1 : a.on > b.on ? 1 : 0));
  const suspended = changesOf(["suspension"]);
  const died = changesOf(["death"]);

  const start = countedAt(facts, scopeIds, period.before);
  const end = countedAt(facts, scopeIds, asOf);
  const increase = [...refs(recruited), ...refs(restored), ...refs(transferredIn)];
  const decrease = [...refs(leftParty), ...refs(suspended), ...refs(died), ...refs(transferredOut)];
  const expected = start.length + increase.length - decrease.length;

  // Who explains the difference: per member, the end count against start + increases − decreases.
  const net = new Map<number, number>();
  const bump = (id: number, d: number) => net.set(id, (net.get(id) ?? 0) + d);
  for (const r of start) bump(r.id, 1);
  for (const r of increase) bump(r.id, 1);
  for (const r of decrease) bump(r.id, -1);
  for (const r of end) bump(r.id, -1);
  const surplus: RowRef[] = [];
  const deficit: RowRef[] = [];
  for (const [id, n] of [...net.entries()].sort((a, b) => a[0] - b[0])) {
    for (let i = 0; i < -n; i++) surplus.push({ kind: "member", id, on: asOf, note: "实有数中有，增减记录不能解释" });
    for (let i = 0; i < n; i++) deficit.push({ kind: "member", id, on: asOf, note: "按增减记录应在册，实有数中没有" });
  }

  const lists: Record<string, RowRef[]> = {
    start,
    increase,
    recruited: refs(recruited),
    restored: refs(restored),
    restoredAfterSuspension: refs(restoredAfterSuspension),
    transferredIn: refs(transferredIn),
    decrease,
    leftParty: refs(leftParty),
    suspended: refs(suspended),
    died: refs(died),
    transferredOut: refs(transferredOut),
    end,
    surplus,
    deficit,
  };
  const rows: RowSpec[] = [
    { no: "1", label: "上年底总数", cells: [{ list: "start" }] },
    { no: "2", label: "本年增加党员", cells: [{ list: "increase" }] },
    { no: "3", label: "发展党员", indent: 1, cells: [{ list: "recruited" }] },
    { no: "4", label: "其中：重新入党", indent: 2, cells: [{ missing: NOT_RECORDED.rejoined }] },
    { no: "5", label: "恢复党籍", indent: 1, cells: [{ list: "restored" }] },
    { no: "6", label: "其中：停止党籍后恢复", indent: 2, cells: [{ list: "restoredAfterSuspension" }] },
    { no: "7", label: "转入组织关系", indent: 1, cells: [{ list: "transferredIn" }] },
    { no: "8", label: "其中：整建制转入", indent: 2, cells: [{ missing: NOT_RECORDED.wholeOrgIn }] },
    { no: "9", label: "本年减少党员", cells: [{ list: "decrease" }] },
    { no: "10", label: "出党", indent: 1, cells: [{ list: "leftParty" }] },
    { no: "11", label: "停止党籍", indent: 1, cells: [{ list: "suspended" }] },
    { no: "12", label: "死亡", indent: 1, cells: [{ list: "died" }] },
    { no: "13", label: "转出组织关系", indent: 1, cells: [{ list: "transferredOut" }] },
    { no: "14", label: "其中：整建制转出", indent: 2, cells: [{ missing: NOT_RECORDED.wholeOrgOut }] },
    { no: "15", label: "本年底应有数", cells: [{ formula: "1 + 2 − 9", value: expected }] },
    { no: "16", label: "本年底实有数", cells: [{ list: "end" }] },
    { no: "17", label: "差额（实有数 − 应有数）", cells: [{ formula: "16 − 15", value: end.length - expected }] },
    { no: "18", label: "其中：实有数中增减记录不能解释的", indent: 1, cells: [{ list: "surplus" }] },
    { no: "19", label: "按增减记录应有、实有数中没有的", indent: 1, cells: [{ list: "deficit" }] },
  ];
  return buildFor(ctx, TABLE1, rows, lists, [crossCheck(ctx, end.length)]);
}

/**
 * 实有数 against the members area's own count of the same date: today, the member list's count of
 * members still here with the relationship here (its link opens that list); a past date, the
 * membership rule "present at a date" over the current records.
 */
function crossCheck(ctx: TableContext, actual: number): CrossCheck {
  const { db, org, asOf, today } = ctx;
  const label = `本年底实有数 = 党员名册中截至 ${asOf} 组织关系在本单位的党员人数`;
  if (asOf === today) {
    let expected = 0;
    for (const relation of RELATION_HERE) {
      const q = memberListQuerySchema.parse({ committee: String(org.id), relation, standing: "active" });
      expected += listMembers(db, ctx.actor, q, today, { pageSize: 1 }).total;
    }
    return { label, expected, actual, ok: expected === actual, link: `/members?committee=${org.id}&standing=active` };
  }
  const r = db.get<{ n: number }>(
    sql`SELECT count(*) AS n FROM members m WHERE ${memberPresentSql("m", asOf)}
      AND m.relation_status IN (${sql.join(
        RELATION_HERE.map((s) => sql`${s}`),
        sql`, `,
      )}) AND ${inScopeSql(ctx, "m.org_id")}`,
  );
  const expected = r?.n ?? 0;
  return { label, expected, actual, ok: expected === actual, link: null };
}

export const table1: TableModule = { def: TABLE1, rowKind: "member", compute };

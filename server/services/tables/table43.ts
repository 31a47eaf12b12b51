// Table 43, 失去联系党员情况 (domain/official-tables/table43.ts): the members of the scope out of contact
// for the whole limit at the period's end, by band and reason, and those found again in the period.
// A past date reads the spells as they stood: the current record's open spell and the restored ones
// the timeline keeps (member_events "contact_restored", written by members/contact.ts).

import { sql } from "drizzle-orm";
import {
  AGE_BANDS,
  bandOf,
  educationGroupOf,
  fullYears,
  LOST_TIME_BANDS,
  PARTY_AGE_BANDS,
  partyAgeYears,
} from "../../domain/official-tables/bands.js";
import type { CrossCheck, RowRef } from "../../domain/official-tables/table.js";
import { RELATION_HERE } from "../../domain/member-rules.js";
import { LOST_CONTACT_LIMIT_WORDS } from "../../domain/membership-rules.js";
import { memberListQuerySchema } from "../../schemas/members.schema.js";
import { listMembers } from "../members/list.js";
import { relationOrgAt, type ChangeDone, type TransferDone } from "../../domain/official-tables/table1.js";
import { foundWithin, type LostSpell, lostSpellAt, TABLE43, table43Rows } from "../../domain/official-tables/table43.js";
import { buildFor, inScopeSql, scopeOrgIds, type TableContext, type TableModule } from "./context.js";

type M = {
  id: number;
  org_id: number;
  relation_status: string;
  left_on: string | null;
  joined_on: string | null;
  full_on: string | null;
  discovered_on: string | null;
  category: string;
  gender: string;
  ethnicity: string;
  birth_date: string;
  education: string | null;
  lost_contact_on: string | null;
  lost_contact_reason: string | null;
};

function compute(ctx: TableContext) {
  const { db, period, asOf } = ctx;
  const scopeIds = scopeOrgIds(ctx);
  const inScope = (c: string) => inScopeSql(ctx, c);
  // Only members who were ever out of contact matter: an open spell now, or a restored one.
  const ids = sql`SELECT id FROM members WHERE lost_contact_on IS NOT NULL
    UNION SELECT member_id FROM member_events WHERE kind = 'contact_restored'`;
  const members = db.all<M>(
    sql`SELECT id, org_id, relation_status, left_on, joined_on, full_on, discovered_on, category, gender, ethnicity, birth_date,
        education, lost_contact_on, lost_contact_reason FROM members
      WHERE id IN (${ids}) AND (${inScope("org_id")}
        OR id IN (SELECT member_id FROM transfers WHERE state = 'completed' AND (${inScope("from_org_id")} OR ${inScope("to_org_id")})))
      ORDER BY id`,
  );
  const memberIds = JSON.stringify(members.map((m) => m.id));
  const spells = new Map<number, LostSpell[]>();
  const add = (id: number, s: LostSpell) => spells.set(id, [...(spells.get(id) ?? []), s]);
  for (const m of members) if (m.lost_contact_on) add(m.id, { lostOn: m.lost_contact_on, reason: m.lost_contact_reason, restoredOn: null });
  for (const e of db.all<{ member_id: number; lost_on: string | null; reason: string | null; restored_on: string | null }>(
    sql`SELECT member_id, json_extract(details, '$.lostContactOn') AS lost_on, json_extract(details, '$.lostContactReason') AS reason,
        json_extract(details, '$.restoredOn') AS restored_on
      FROM member_events WHERE kind = 'contact_restored' AND member_id IN (SELECT value FROM json_each(${memberIds})) ORDER BY id`,
  ))
    if (e.lost_on && e.restored_on) add(e.member_id, { lostOn: e.lost_on, reason: e.reason, restoredOn: e.restored_on });
  const transfers = new Map<number, TransferDone[]>();
  for (const t of db.all<{ id: number; member_id: number; from_org_id: number | null; to_org_id: number | null; receipt_on: string }>(
    sql`SELECT id, member_id, from_org_id, to_org_id, receipt_on FROM transfers WHERE state = 'completed' AND receipt_on IS NOT NULL
      AND member_id IN (SELECT value FROM json_each(${memberIds}))`,
  ))
    transfers.set(t.member_id, [
      ...(transfers.get(t.member_id) ?? []),
      { id: t.id, fromOrgId: t.from_org_id, toOrgId: t.to_org_id, receiptOn: t.receipt_on },
    ]);
  const changes = new Map<number, ChangeDone[]>();
  for (const c of db.all<{ id: number; member_id: number; from_standing: string; effective_on: string }>(
    sql`SELECT id, member_id, from_standing, effective_on FROM membership_changes WHERE state = 'approved'
      AND member_id IN (SELECT value FROM json_each(${memberIds}))`,
  ))
    changes.set(c.member_id, [
      ...(changes.get(c.member_id) ?? []),
      { id: c.id, fromStanding: c.from_standing, effectiveOn: c.effective_on },
    ]);

  const lists: Record<string, RowRef[]> = {};
  const push = (key: string, ref: RowRef) => {
    const l = lists[key] ?? [];
    l.push(ref);
    lists[key] = l;
  };
  for (const m of members) {
    const ms = spells.get(m.id) ?? [];
    const now = {
      id: m.id,
      orgId: m.org_id,
      relationStatus: m.relation_status,
      leftOn: m.left_on,
      joinedOn: m.joined_on,
      discoveredOn: m.discovered_on,
    };
    const orgAt = (d: string) => relationOrgAt(now, transfers.get(m.id) ?? [], changes.get(m.id) ?? [], d);
    const found = foundWithin(ms, period.start, asOf);
    if (found) {
      const org = orgAt(found.restoredOn!);
      if (org !== null && scopeIds.has(org))
        push("found", { kind: "member", id: m.id, on: found.restoredOn, note: `${found.lostOn} 起失联` });
    }
    const spell = lostSpellAt(ms, asOf);
    if (!spell) continue;
    const org = orgAt(asOf);
    if (org === null || !scopeIds.has(org)) continue;
    const ref: RowRef = { kind: "member", id: m.id, on: spell.lostOn, note: null };
    push("total", ref);
    if (m.category === "probationary" || (m.full_on !== null && m.full_on > asOf)) push("probationary", ref);
    if (m.gender === "female") push("women", ref);
    if (m.ethnicity !== "01") push("minority", ref);
    push(bandOf(AGE_BANDS, fullYears(m.birth_date, asOf)).key, ref);
    push(bandOf(PARTY_AGE_BANDS, partyAgeYears({ category: m.category, joinedOn: m.joined_on, fullOn: m.full_on }, asOf)).key, ref);
    push(educationGroupOf(m.education), ref);
    push(bandOf(LOST_TIME_BANDS, fullYears(spell.lostOn, asOf)).key, ref);
    push(spell.reason ? `reason_${spell.reason}` : "reason_none", ref);
  }
  const total = lists.total?.length ?? 0;
  const checks: CrossCheck[] = GROUPS.map(([label, re]) => {
    const sum = Object.entries(lists)
      .filter(([k]) => re.test(k))
      .reduce((n, [, l]) => n + l.length, 0);
    return { label: `${label}各行之和 = 失去联系党员总数`, expected: total, actual: sum, ok: sum === total, link: null };
  });
  if (asOf === ctx.today) checks.push(memberListCheck(ctx, total));
  return buildFor(ctx, TABLE43, table43Rows(), lists, checks);
}

const GROUPS: [string, RegExp][] = [
  ["按年龄", /^age/],
  ["按党龄", /^pa\d/],
  ["按学历", /^edu/],
  ["按失去联系时间", /^lost\d/],
  ["按失去联系情形", /^reason_/],
];

/** Today's total against the member list's own count: still here, relationship here, out of contact for the limit. */
function memberListCheck(ctx: TableContext, actual: number): CrossCheck {
  let expected = 0;
  for (const relation of RELATION_HERE) {
    const q = memberListQuerySchema.parse({ committee: String(ctx.org.id), relation, standing: "active", lost: "6m" });
    expected += listMembers(ctx.db, ctx.actor, q, ctx.today, { pageSize: 1 }).total;
  }
  return {
    label: `失去联系党员总数 = 党员名册中失联满${LOST_CONTACT_LIMIT_WORDS}、组织关系在本单位的在册党员人数`,
    expected,
    actual,
    ok: expected === actual,
    link: `/members?committee=${ctx.org.id}&standing=active&lost=6m`,
  };
}

export const table43: TableModule = { def: TABLE43, rowKind: "member", compute };

// The drift-risk list (流失风险): one row per person (a member, or a lead not yet verified) with every
// signal that applies, since when, and the link that answers it; sorted by the gravest signal. The
// counts by signal (dashboard card, inbox, navigation badge) are counted from these same rows, so a
// figure always equals its list.

import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { OCCUPATION, labelOf } from "../../domain/codes.js";
import { RISK_ACTION_LABEL, RISK_SIGNAL_CODES, type RiskSeverity, type RiskSignalCode } from "../../domain/risk-rules.js";
import type { Actor } from "../../policy/actor.js";
import { committeeOfSql } from "../orgs/sql.js";
import type { RiskCounts, RiskParts } from "./parts.js";
import { RISK_SIGNALS, type RiskHit, type RiskSubject } from "./signals/index.js";

export type { RiskCounts } from "./parts.js";

export type RiskFilters = {
  signal?: RiskSignalCode | null;
  committeeId?: number | null;
  branchId?: number | null;
  occupation?: string | null;
  /** Only rows held in this organization's subtree (its materialised path), e.g. an export's --org. */
  orgPath?: string | null;
};

export type RiskSignalOnRow = RiskHit & { actionLabel: string };

export type RiskRow = {
  subject: RiskSubject;
  id: number;
  name: string;
  idNumber: string;
  phone: string | null;
  occupation: string | null;
  occupationLabel: string;
  orgId: number;
  orgName: string;
  orgPath: string;
  committeeId: number | null;
  committeeName: string | null;
  severity: RiskSeverity;
  /** The earliest since of the row's signals. */
  since: string;
  signals: RiskSignalOnRow[];
  personHref: string;
};

type SubjectInfo = Omit<RiskRow, "subject" | "id" | "severity" | "since" | "signals" | "personHref" | "occupationLabel">;

const CHUNK = 500;

function loadSubjects(db: Db, subject: RiskSubject, ids: number[]): Map<number, SubjectInfo> {
  const out = new Map<number, SubjectInfo>();
  for (let i = 0; i < ids.length; i += CHUNK) {
    const part = ids.slice(i, i + CHUNK);
    const list: SQL = sql.join(
      part.map((id) => sql`${id}`),
      sql`, `,
    );
    const rows =
      subject === "member"
        ? db.all<SubjectInfo & { id: number }>(sql`SELECT m.id AS id, m.name AS name, m.id_number AS idNumber, m.phone AS phone,
              m.occupation AS occupation, o.id AS orgId, o.name AS orgName, o.path AS orgPath,
              ${committeeOfSql("o", "id")} AS committeeId, ${committeeOfSql("o", "name")} AS committeeName
            FROM members m JOIN organizations o ON o.id = m.org_id WHERE m.id IN (${list})`)
        : db.all<SubjectInfo & { id: number }>(sql`SELECT l.id AS id, l.name AS name, l.id_number AS idNumber, l.phone AS phone,
              l.occupation AS occupation, o.id AS orgId, o.name AS orgName, o.path AS orgPath, o.id AS committeeId, o.name AS committeeName
            FROM leads l JOIN organizations o ON o.id = l.committee_id WHERE l.id IN (${list})`);
    for (const r of rows) out.set(r.id, r);
  }
  return out;
}

/** Every signal's hits in the actor's scope, by person (`member:12`, `lead:7`). */
function hitsByPerson(db: Db, actor: Actor, today: string): Map<string, RiskHit[]> {
  const byKey = new Map<string, RiskHit[]>();
  for (const s of RISK_SIGNALS) {
    for (const hit of s.hits(db, actor, today)) {
      const key = `${hit.subject}:${hit.id}`;
      const list = byKey.get(key);
      if (list) list.push(hit);
      else byKey.set(key, [hit]);
    }
  }
  return byKey;
}

/** Every signal's hits in the actor's scope, gathered into rows (unfiltered, unsorted). */
function allRows(db: Db, actor: Actor, today: string): RiskRow[] {
  const byKey = hitsByPerson(db, actor, today);
  const ids = (subject: RiskSubject) => [...byKey.keys()].filter((k) => k.startsWith(`${subject}:`)).map((k) => Number(k.split(":")[1]));
  const info = { member: loadSubjects(db, "member", ids("member")), lead: loadSubjects(db, "lead", ids("lead")) };
  const rows: RiskRow[] = [];
  for (const [key, hits] of byKey) {
    const [subject, idText] = key.split(":") as [RiskSubject, string];
    const id = Number(idText);
    const s = info[subject].get(id);
    if (!s) continue;
    const signals = hits
      .map((h) => ({ ...h, actionLabel: RISK_ACTION_LABEL[h.signal] }))
      .sort((a, b) => b.severity - a.severity || (a.since < b.since ? -1 : a.since > b.since ? 1 : 0));
    rows.push({
      subject,
      id,
      ...s,
      occupationLabel: labelOf(OCCUPATION.label, s.occupation) ?? "—",
      severity: Math.max(...signals.map((h) => h.severity)) as RiskSeverity,
      since: signals.map((h) => h.since).sort()[0]!,
      signals,
      personHref: `/people/${subject}/${id}`,
    });
  }
  return rows;
}

function matches(r: RiskRow, f: RiskFilters, signalToo: boolean): boolean {
  if (signalToo && f.signal && !r.signals.some((s) => s.signal === f.signal)) return false;
  if (f.committeeId && r.committeeId !== f.committeeId) return false;
  if (f.branchId && (r.subject !== "member" || r.orgId !== f.branchId)) return false;
  if (f.occupation && r.occupation !== f.occupation) return false;
  if (f.orgPath && !r.orgPath.startsWith(f.orgPath)) return false;
  return true;
}

/** Gravest first, then the most signals, then the longest-standing, then by name. */
function compareRows(a: RiskRow, b: RiskRow): number {
  return (
    b.severity - a.severity ||
    b.signals.length - a.signals.length ||
    (a.since < b.since ? -1 : a.since > b.since ? 1 : 0) ||
    a.name.localeCompare(b.name, "zh") ||
    a.id - b.id
  );
}

function countsOf(people: Iterable<readonly { signal: RiskSignalCode }[]>): RiskCounts {
  const counts = Object.fromEntries(RISK_SIGNAL_CODES.map((c) => [c, 0])) as RiskCounts;
  let total = 0;
  for (const signals of people) {
    total++;
    for (const code of new Set(signals.map((s) => s.signal))) counts[code]++;
  }
  counts.total = total;
  return counts;
}

/**
 * The list under `filters`, and the counts by signal under the same filters except the signal one
 * (so the card's and the filter's figures stay visible while one signal is chosen).
 */
export function riskList(db: Db, actor: Actor, filters: RiskFilters, today: string) {
  const all = allRows(db, actor, today);
  const unsignalled = all.filter((r) => matches(r, filters, false));
  const rows = unsignalled.filter((r) => matches(r, filters, true)).sort(compareRows);
  return { rows, counts: countsOf(unsignalled.map((r) => r.signals)), options: riskFilterOptions(all) };
}

/**
 * The counts by signal in the actor's scope (dashboard card, inbox, navigation badge); from the
 * parts kept per organization when given (parts.ts: after a write, only the organizations it
 * touched are counted again), else counted whole.
 */
export function riskCounts(db: Db, actor: Actor, today: string, parts?: RiskParts | null): RiskCounts {
  if (parts) return parts.counts(db, actor, today);
  // Counted from the hits alone: the same people as the list (every hit's member or lead exists),
  // without loading each one's name and organizations (80,000 rows at a city's size).
  return countsOf(hitsByPerson(db, actor, today).values());
}

/** The organizations the filters offer: committees and branches holding a row of the actor's list. */
export function riskFilterOptions(rows: RiskRow[]) {
  const committees = new Map<number, string>();
  const branches = new Map<number, string>();
  for (const r of rows) {
    if (r.committeeId != null && r.committeeName) committees.set(r.committeeId, r.committeeName);
    if (r.subject === "member") branches.set(r.orgId, r.orgName);
  }
  const sorted = (m: Map<number, string>) => [...m].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name, "zh"));
  return { committees: sorted(committees), branches: sorted(branches) };
}

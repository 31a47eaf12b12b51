// The drift-risk counts and organizational life's figures are kept per holding organization
// (org-parts.ts: risk/parts.ts, meetings/parts.ts) and counted again only for the organizations a
// write touched (migrations 0019 and 0021). For every kind of write a signal or a figure reads, the
// counts through the kept parts after the write must equal a fresh count, in every scope kept
// before the write. Each write changes what a fresh count gives (checked), so a kind of write
// that stopped invalidating leaves the kept counts behind and fails. The demo city (every signal has
// people under it) is seeded once; each write starts from a copy of it.

import type Database from "better-sqlite3";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { seedDemoMeetings } from "../../../db/seed/demo-meetings.js";
import { seedDemo } from "../../../db/seed/index.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { addDays, todayIso } from "../../../server/domain/dates.js";
import { lastOwedMonth } from "../../../server/domain/dues-rules.js";
import { duesCards } from "../../../server/services/dues/inbox.js";
import { DuesParts } from "../../../server/services/dues/parts.js";
import { DEMO_JURISDICTION } from "../../../server/domain/reference-data.js";
import type { RiskSignalCode } from "../../../server/domain/risk-rules.js";
import { type Actor, systemActor } from "../../../server/policy/actor.js";
import { meetingFigures, tookPartByChannel } from "../../../server/services/meetings/meetings.service.js";
import { MeetingParts } from "../../../server/services/meetings/parts.js";
import { RiskParts } from "../../../server/services/risk/parts.js";
import { riskCounts } from "../../../server/services/risk/risk.service.js";
import { RISK_SIGNALS } from "../../../server/services/risk/signals/index.js";
import { navCounts, startNavWarmTimer, warmNavCounts } from "../../../server/services/nav.service.js";
import { memoryDb } from "../../helpers/db.js";
import { restoreMemoryDb } from "../../helpers/snapshot.js";

const today = todayIso();
let image: Buffer;
let scopes: Actor[];

beforeAll(async () => {
  const h = memoryDb();
  prepareDatabase(h, { jurisdiction: DEMO_JURISDICTION });
  await seedDemo(h, { today, members: 600, extras: (handle) => void seedDemoMeetings(handle, today) });
  image = h.sqlite.serialize();
  // The city, each committee, and one branch holding members.
  const orgs = h.sqlite.prepare("SELECT id, path, depth FROM organizations ORDER BY id").all() as {
    id: number;
    path: string;
    depth: number;
  }[];
  const branch = h.sqlite.prepare("SELECT org_id FROM members GROUP BY org_id ORDER BY count(*) DESC LIMIT 1").pluck().get() as number;
  const as = (role: Actor["role"], o: { id: number; path: string }): Actor => ({
    id: 1,
    username: `u${o.id}`,
    displayName: "u",
    role,
    orgId: o.id,
    orgPath: o.path,
    orgName: "o",
  });
  scopes = [
    systemActor(),
    ...orgs.filter((o) => o.depth === 1).map((o) => as("clerk", o)),
    as("secretary", orgs.find((o) => o.id === branch)!),
  ];
  h.close();
}, 120_000);

/** Drops migration 0021's triggers: kept counts then miss the writes they followed. */
function dropRiskTriggers(s: Database.Database): void {
  for (const name of s
    .prepare("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'risk\\_%' ESCAPE '\\'")
    .pluck()
    .all() as string[])
    s.exec(`DROP TRIGGER ${name}`);
}

/** The first person a signal names today: [member or lead id, its holder]. */
function hitOf(s: Database.Database, code: RiskSignalCode, nth = 0): number {
  const h = restoreHits(s, code);
  const id = h[nth];
  if (id == null) throw new Error(`no ${code} hit`);
  return id;
}
function restoreHits(s: Database.Database, code: RiskSignalCode): number[] {
  const db = handles.get(s)!.db;
  return RISK_SIGNALS.find((x) => x.code === code)!
    .hits(db, systemActor(), today)
    .map((x) => x.id);
}
const handles = new Map<Database.Database, DbHandle>();

/** A member no signal names, managed, still here (one the writes can put under a signal). */
function quietMember(s: Database.Database): number {
  const named = new Set(RISK_SIGNALS.flatMap((x) => x.hits(handles.get(s)!.db, systemActor(), today)).map((x) => `${x.subject}:${x.id}`));
  const ids = s
    .prepare("SELECT id FROM members WHERE left_on IS NULL AND relation_status = 'local' AND lost_contact_on IS NULL ORDER BY id")
    .pluck()
    .all() as number[];
  return ids.find((id) => !named.has(`member:${id}`))!;
}

type Write = (s: Database.Database) => void;
type Case = [string, Write, Write?];

/** A member named by no_org_life present at a meeting of the member's branch today (so the writes below can undo it). */
function attendedToday(s: Database.Database): void {
  const id = hitOf(s, "no_org_life");
  const org = s.prepare("SELECT org_id FROM members WHERE id = ?").pluck().get(id);
  const meeting = s
    .prepare(
      "INSERT INTO meetings (org_id, type, held_on, host, recorder, topic) SELECT ?, type, ?, host, recorder, topic FROM meetings LIMIT 1",
    )
    .run(org, today).lastInsertRowid;
  s.prepare("INSERT INTO meeting_attendance (meeting_id, member_id, status) VALUES (?, ?, 'present')").run(meeting, id);
}
const LAST_PRESENT = "(SELECT max(id) FROM meeting_attendance WHERE status = 'present' AND member_id IS NOT NULL)";
const old = addDays(today, -400);

/** [kind of write, the rows it writes], each as its service writes them. */
const WRITES: Case[] = [
  // lead_unverified (leads: 0019's counters)
  [
    "lead verified: the lead decided and its member filed",
    (s) => {
      const id = hitOf(s, "lead_unverified");
      const lead = s.prepare("SELECT id_number, name, committee_id FROM leads WHERE id = ?").get(id) as Record<string, string>;
      s.prepare("UPDATE leads SET status = 'verified', decided_on = ? WHERE id = ?").run(today, id);
      const org = s.prepare("SELECT id FROM organizations WHERE kind = 'branch' ORDER BY id LIMIT 1").pluck().get();
      s.prepare(
        `INSERT INTO members (name, gender, birth_date, id_number, id_last4, category, org_id, relation_status, verified_on)
         VALUES (?, 'male', '1990-01-01', ?, ?, 'full', ?, 'local', ?)`,
      ).run(lead.name, lead.id_number, lead.id_number!.slice(-4), org, today);
    },
  ],
  [
    "lead rejected",
    (s) => s.prepare("UPDATE leads SET status = 'rejected', decided_on = ? WHERE id = ?").run(today, hitOf(s, "lead_unverified")),
  ],
  [
    "lead found long ago (a new lead)",
    (s) =>
      s
        .prepare(
          `INSERT INTO leads (id_number, name, channel, committee_id, status, found_on)
           SELECT '11010119900307' || substr('0000' || (id % 1000), -3) || 'X', '新线索', channel, committee_id, 'open', ? FROM leads WHERE id = ?`,
        )
        .run(old, hitOf(s, "lead_unverified")),
  ],
  [
    "lead handed to another committee",
    (s) =>
      s
        .prepare("UPDATE leads SET committee_id = (SELECT min(id) FROM organizations WHERE depth = 1 AND id <> committee_id) WHERE id = ?")
        .run(hitOf(s, "lead_unverified")),
  ],
  ["lead deleted", (s) => s.prepare("DELETE FROM leads WHERE id = ?").run(hitOf(s, "lead_unverified"))],
  // lost_contact, and every member signal's "still here"
  ["member out of contact", (s) => s.prepare("UPDATE members SET lost_contact_on = ? WHERE id = ?").run(old, quietMember(s))],
  ["member back in contact", (s) => s.prepare("UPDATE members SET lost_contact_on = NULL WHERE id = ?").run(hitOf(s, "lost_contact"))],
  ["member left (left_on)", (s) => s.prepare("UPDATE members SET left_on = ? WHERE id = ?").run(today, hitOf(s, "no_org_life"))],
  [
    "member transferred out (relation status)",
    (s) => s.prepare("UPDATE members SET relation_status = 'transferred_out' WHERE id = ?").run(hitOf(s, "dues_unpaid")),
  ],
  [
    "member moved to another committee's branch",
    (s) => {
      const id = hitOf(s, "no_org_life");
      const committee = s
        .prepare(
          "SELECT c.path FROM organizations c JOIN organizations o ON substr(o.path, 1, length(c.path)) = c.path JOIN members m ON m.org_id = o.id WHERE m.id = ? AND c.depth = 1",
        )
        .pluck()
        .get(id) as string;
      s.prepare(
        "UPDATE members SET org_id = (SELECT id FROM organizations WHERE kind = 'branch' AND substr(path, 1, length(?)) <> ? ORDER BY id LIMIT 1) WHERE id = ?",
      ).run(committee, committee, id);
    },
  ],
  [
    "member deleted (filed in error)",
    (s) => s.prepare("DELETE FROM members WHERE id = (SELECT max(id) FROM members)").run(),
    (s) =>
      s
        .prepare(
          `INSERT INTO members (name, gender, birth_date, id_number, id_last4, category, org_id, relation_status, lost_contact_on)
           SELECT '误录', 'male', '1990-01-01', '110101199003071234', '1234', 'full', org_id, 'local', ? FROM members WHERE id = ?`,
        )
        .run(old, hitOf(s, "no_org_life")),
  ],
  // no_org_life
  ["member managed from today", (s) => s.prepare("UPDATE members SET managed_on = ? WHERE id = ?").run(today, hitOf(s, "no_org_life"))],
  ["meeting recorded with the member present", attendedToday],
  [
    "meeting's date moved back",
    (s) =>
      s
        .prepare(`UPDATE meetings SET held_on = ? WHERE id = (SELECT meeting_id FROM meeting_attendance WHERE id = ${LAST_PRESENT})`)
        .run(old),
    attendedToday,
  ],
  [
    "attendance corrected to absent",
    (s) => s.prepare(`UPDATE meeting_attendance SET status = 'absent', absence_reason = 'illness' WHERE id = ${LAST_PRESENT}`).run(),
    attendedToday,
  ],
  ["attendance deleted", (s) => s.prepare(`DELETE FROM meeting_attendance WHERE id = ${LAST_PRESENT}`).run(), attendedToday],
  [
    "meeting deleted (with its attendance)",
    (s) => {
      const meeting = s.prepare(`SELECT meeting_id FROM meeting_attendance WHERE id = ${LAST_PRESENT}`).pluck().get();
      s.prepare("DELETE FROM meeting_attendance WHERE meeting_id = ?").run(meeting);
      s.prepare("DELETE FROM meetings WHERE id = ?").run(meeting);
    },
    attendedToday,
  ],
  [
    "organization's kind changed (a branch no longer managing)",
    (s) =>
      s
        .prepare(
          "UPDATE organizations SET kind = 'industry_committee', formation = NULL WHERE id = (SELECT org_id FROM members WHERE id = ?)",
        )
        .run(hitOf(s, "no_org_life")),
  ],
  [
    "organization moved under another committee",
    (s) => {
      const id = hitOf(s, "no_org_life");
      const o = s.prepare("SELECT o.id, o.path FROM organizations o JOIN members m ON m.org_id = o.id WHERE m.id = ?").get(id) as {
        id: number;
        path: string;
      };
      const to = s
        .prepare("SELECT id, path FROM organizations WHERE depth = 1 AND ? NOT LIKE path || '%' ORDER BY id LIMIT 1")
        .get(o.path) as { id: number; path: string };
      s.prepare("UPDATE organizations SET parent_id = ?, path = ? || id || '/' WHERE id = ?").run(to.id, to.path, o.id);
    },
  ],
  [
    "member's discovery channel recorded (the funnel's took-part counts)",
    (s) =>
      s
        .prepare(
          "UPDATE members SET discovery_channel = CASE discovery_channel WHEN 'field_visit' THEN 'data_match' ELSE 'field_visit' END WHERE id = (SELECT max(member_id) FROM meeting_attendance WHERE status = 'present')",
        )
        .run(),
    attendedToday,
  ],
  [
    "a branch's monthly meetings recorded (主题党日, 支委会)",
    (s) => {
      const branch = s
        .prepare("SELECT id FROM organizations WHERE kind = 'branch' AND status = 'active' ORDER BY id DESC LIMIT 1")
        .pluck()
        .get();
      for (const type of ["theme_day", "branch_committee"])
        s.prepare(
          "INSERT INTO meetings (org_id, type, held_on, host, recorder, topic) SELECT ?, ?, ?, host, recorder, topic FROM meetings LIMIT 1",
        ).run(branch, type, today);
    },
  ],
  [
    "organization dissolved",
    (s) =>
      s
        .prepare("UPDATE organizations SET status = 'dissolved', dissolved_on = ? WHERE id = (SELECT org_id FROM members WHERE id = ?)")
        .run(today, hitOf(s, "no_org_life")),
  ],
  // dues_unpaid
  ["member's joining date cleared", (s) => s.prepare("UPDATE members SET joined_on = NULL WHERE id = ?").run(hitOf(s, "dues_unpaid"))],
  [
    "dues paid: the last month owed settled (a new entry, or a correcting one)",
    (s) => {
      const id = hitOf(s, "dues_unpaid");
      const month = lastOwedMonth(today);
      const entry = s
        .prepare(
          "SELECT id FROM dues_entries e WHERE member_id = ? AND month = ? AND NOT EXISTS (SELECT 1 FROM dues_entries c WHERE c.corrects_entry_id = e.id)",
        )
        .pluck()
        .get(id, month);
      if (entry)
        s.prepare(
          `INSERT INTO dues_entries (member_id, org_id, month, basis, due_fen, paid_fen, paid_on, corrects_entry_id)
           SELECT member_id, org_id, month, basis, due_fen, due_fen, ?, id FROM dues_entries WHERE id = ?`,
        ).run(today, entry);
      else
        s.prepare(
          `INSERT INTO dues_entries (member_id, org_id, month, basis, due_fen, paid_fen, paid_on)
           SELECT id, org_id, ?, 'regular', 100, 100, ? FROM members WHERE id = ?`,
        ).run(month, today, id);
    },
  ],
  // transfer_overdue
  [
    "transfer completed",
    (s) =>
      s.prepare("UPDATE transfers SET state = 'completed' WHERE member_id = ? AND state = 'pending'").run(hitOf(s, "transfer_overdue")),
  ],
  [
    "transfer letter issued long ago (a new pending transfer)",
    (s) =>
      s
        .prepare(
          `INSERT INTO transfers (member_id, kind, from_org_id, to_org_id, letter_number, issued_on, valid_days, deadline_on, state)
           SELECT ?, kind, from_org_id, to_org_id, letter_number || '-9', issued_on, valid_days, deadline_on, 'pending' FROM transfers WHERE member_id = ? LIMIT 1`,
        )
        .run(quietMember(s), hitOf(s, "transfer_overdue")),
  ],
  ["transfer deleted", (s) => s.prepare("DELETE FROM transfers WHERE member_id = ?").run(hitOf(s, "transfer_overdue"))],
  // mobile_expired
  [
    "mobile spell ended",
    (s) =>
      s.prepare("UPDATE mobile_spells SET ended_on = ? WHERE member_id = ? AND ended_on IS NULL").run(today, hitOf(s, "mobile_expired")),
  ],
  [
    "mobile spell recorded (a certificate already expired)",
    (s) =>
      s
        .prepare(
          `INSERT INTO mobile_spells (member_id, direction, org_id, started_on, certificate_valid_until, expected_return_on)
           SELECT ?, direction, org_id, started_on, certificate_valid_until, expected_return_on FROM mobile_spells WHERE member_id = ? AND ended_on IS NULL LIMIT 1`,
        )
        .run(quietMember(s), hitOf(s, "mobile_expired")),
  ],
  ["mobile spell deleted", (s) => s.prepare("DELETE FROM mobile_spells WHERE member_id = ?").run(hitOf(s, "mobile_expired"))],
  // left_platforms (the workers, followed whole)
  [
    "a departed member seen on a roster again",
    (s) =>
      s
        .prepare(
          "UPDATE workers SET left_on = NULL WHERE id = (SELECT max(w.id) FROM workers w JOIN members m ON m.id_number = w.id_number WHERE m.id = ?)",
        )
        .run(hitOf(s, "left_platforms")),
  ],
  [
    "a member's roster rows marked departed",
    (s) =>
      s
        .prepare("UPDATE workers SET left_on = ? WHERE left_on IS NULL AND id_number = (SELECT id_number FROM members WHERE id = ?)")
        .run(
          addDays(today, -30),
          s
            .prepare(
              "SELECT m.id FROM members m JOIN workers w ON w.id_number = m.id_number WHERE w.left_on IS NULL AND m.left_on IS NULL AND m.relation_status <> 'transferred_out' ORDER BY m.id LIMIT 1",
            )
            .pluck()
            .get(),
        ),
  ],
  [
    "a roster row's ID number corrected",
    (s) =>
      s
        .prepare("UPDATE workers SET id_number = '110101199003070000' WHERE id_number = (SELECT id_number FROM members WHERE id = ?)")
        .run(hitOf(s, "left_platforms")),
  ],
];

describe("drift-risk counts after a write equal a fresh count", () => {
  const count = (h: DbHandle, parts: RiskParts | null, day = today) => scopes.map((a) => riskCounts(h.db, a, day, parts));
  /** Organizational life's card and the funnel's took-part counts, from kept parts or counted anew. */
  const life = (h: DbHandle, parts: MeetingParts | null) =>
    scopes.map((a) =>
      parts
        ? [parts.figures(h.db, a, today), parts.tookPartByChannel(h.db, a, today)]
        : [meetingFigures(h.db, a, today), tookPartByChannel(h.db, a, today)],
    );
  /** The dashboard's dues cards (collection, members unpaid), from kept parts or counted anew. */
  const dues = (h: DbHandle, parts: DuesParts | null) => scopes.map((a) => duesCards(h.db, a, today, parts));
  let h: DbHandle;
  afterAll(() => h?.close());
  /** A fresh copy of the demo city in `h` (the previous one closed). */
  const restore = () => {
    h?.close();
    h = restoreMemoryDb(image);
    handles.set(h.sqlite, h);
  };

  it.each(WRITES)("%s", (_kind, write, setup) => {
    restore();
    setup?.(h.sqlite);
    const parts = new RiskParts(h.sqlite);
    const lifeParts = new MeetingParts(h.sqlite);
    const duesParts = new DuesParts(h.sqlite);
    const before = count(h, parts);
    const lifeBefore = life(h, lifeParts);
    expect(before).toEqual(count(h, null));
    expect(lifeBefore).toEqual(life(h, null));
    expect(dues(h, duesParts)).toEqual(dues(h, null));
    const counted = parts.orgsCounted;
    expect(count(h, parts)).toEqual(before);
    expect(parts.orgsCounted).toBe(counted);
    write(h.sqlite);
    const fresh = count(h, null);
    const lifeFresh = life(h, null);
    // The write changes the counts: a kept part it failed to invalidate would show the old ones.
    expect([fresh, lifeFresh]).not.toEqual([before, lifeBefore]);
    expect(count(h, parts)).toEqual(fresh);
    expect(life(h, lifeParts)).toEqual(lifeFresh);
    expect(dues(h, duesParts)).toEqual(dues(h, null));
  });

  it("a write counts again only the organizations it touched; a new day counts everything again", () => {
    restore();
    const parts = new RiskParts(h.sqlite);
    count(h, parts);
    const all = parts.orgsCounted;
    expect(all).toBe(h.sqlite.prepare("SELECT count(*) FROM organizations").pluck().get());
    h.sqlite.prepare("UPDATE members SET lost_contact_on = ? WHERE id = ?").run(old, quietMember(h.sqlite));
    count(h, parts);
    // The member's branch, and the holders 0019 bumps with it (its enterprise's committee, a lead's).
    expect(parts.orgsCounted - all).toBeGreaterThanOrEqual(1);
    expect(parts.orgsCounted - all).toBeLessThanOrEqual(3);
    const counted = parts.orgsCounted;
    const tomorrow = addDays(today, 200);
    expect(count(h, parts, tomorrow)).toEqual(count(h, null, tomorrow));
    expect(parts.orgsCounted).toBe(counted + all);
  });

  it("a narrow scope counts only its own organizations' parts; a wider scope then counts the rest", () => {
    restore();
    const parts = new RiskParts(h.sqlite);
    const lifeParts = new MeetingParts(h.sqlite);
    const secretary = scopes.at(-1)!;
    const clerk = scopes.find((a) => a.role === "clerk" && secretary.orgPath.startsWith(a.orgPath))!;
    const under = (prefix: string) =>
      h.sqlite.prepare("SELECT count(*) FROM organizations WHERE substr(path, 1, length(?)) = ?").pluck().get(prefix, prefix) as number;
    const all = h.sqlite.prepare("SELECT count(*) FROM organizations").pluck().get() as number;
    expect(riskCounts(h.db, secretary, today, parts)).toEqual(riskCounts(h.db, secretary, today, null));
    expect(parts.orgsCounted).toBe(under(secretary.orgPath));
    expect(lifeParts.figures(h.db, secretary, today)).toEqual(meetingFigures(h.db, secretary, today));
    expect(lifeParts.orgsCounted).toBe(under(secretary.orgPath));
    expect(riskCounts(h.db, clerk, today, parts)).toEqual(riskCounts(h.db, clerk, today, null));
    expect(parts.orgsCounted).toBe(under(clerk.orgPath));
    expect(under(clerk.orgPath)).toBeLessThan(all);
    expect(count(h, parts)).toEqual(count(h, null));
    expect(parts.orgsCounted).toBe(all);
  });

  it("warming the badges (at start, at a new day) counts every organization's kept part once; a user's badges then count none", () => {
    restore();
    const life = MeetingParts.of(h.sqlite);
    const duesKept = DuesParts.of(h.sqlite);
    const all = h.sqlite.prepare("SELECT count(*) FROM organizations").pluck().get() as number;
    warmNavCounts(h.db);
    expect(life.orgsCounted).toBe(all);
    expect(duesKept.orgsCounted).toBe(all);
    const clerk = scopes.find((a) => a.role === "clerk")!;
    const badges = navCounts(h.db, clerk);
    expect(life.orgsCounted).toBe(all);
    expect(duesKept.orgsCounted).toBe(all);
    expect(badges.meetings).toBe((({ branchesMissing, lapsedLimit }) => branchesMissing + lapsedLimit)(meetingFigures(h.db, clerk, today)));
    expect(badges.duesUnpaid).toBe(duesCards(h.db, clerk, today, null).counts.flag);
  });

  it("the warm-up timer counts the badges at once, and again only once the day has changed", async () => {
    restore();
    const life = MeetingParts.of(h.sqlite);
    const all = h.sqlite.prepare("SELECT count(*) FROM organizations").pluck().get() as number;
    vi.useFakeTimers({ now: new Date(`${today}T02:00:00Z`) });
    try {
      const stop = startNavWarmTimer(h.db);
      expect(life.orgsCounted).toBe(all);
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      expect(life.orgsCounted).toBe(all); // the same day: nothing counted again
      vi.setSystemTime(new Date(`${addDays(today, 1)}T02:00:00Z`));
      await vi.advanceTimersByTimeAsync(10 * 60_000);
      expect(life.orgsCounted).toBe(2 * all); // a new day: every part counted for it
      stop();
    } finally {
      vi.useRealTimers();
    }
  });

  it("the kept dues cards follow a dues payment, and would not without the triggers", () => {
    const pay = WRITES.find(([kind]) => kind.startsWith("dues paid"))![1];
    restore();
    let parts = new DuesParts(h.sqlite);
    const before = dues(h, parts);
    pay(h.sqlite);
    expect(dues(h, null)).not.toEqual(before);
    expect(dues(h, parts)).toEqual(dues(h, null));

    restore();
    parts = new DuesParts(h.sqlite);
    expect(dues(h, parts)).toEqual(before);
    dropRiskTriggers(h.sqlite);
    pay(h.sqlite);
    expect(dues(h, parts)).toEqual(before);
    expect(dues(h, null)).not.toEqual(before);
  });

  it("a signal counted without building its hits (countByOrg) counts its hits per organization; each hit is about its signal's subject", () => {
    restore();
    const counted = RISK_SIGNALS.filter((x) => x.countByOrg);
    expect(counted.map((x) => x.code)).toContain("lead_unverified");
    for (const signal of RISK_SIGNALS) {
      const hits = signal.hits(h.db, systemActor(), today);
      expect(hits.length).toBeGreaterThan(0);
      expect(new Set(hits.map((x) => x.subject))).toEqual(new Set([signal.subject]));
      if (!signal.countByOrg) continue;
      const byOrg = new Map<number, number>();
      for (const x of hits) byOrg.set(x.orgId, (byOrg.get(x.orgId) ?? 0) + 1);
      expect(signal.countByOrg(h.db, today, null)).toEqual(byOrg);
      const [one] = [...byOrg.keys()];
      expect(signal.countByOrg(h.db, today, [one!])).toEqual(new Map([[one!, byOrg.get(one!)]]));
    }
  });

  it("the comparison catches kept counts a write did not invalidate (the triggers dropped)", () => {
    restore();
    const parts = new RiskParts(h.sqlite);
    const lifeParts = new MeetingParts(h.sqlite);
    const before = count(h, parts);
    const lifeBefore = life(h, lifeParts);
    dropRiskTriggers(h.sqlite);
    h.sqlite
      .prepare("UPDATE transfers SET state = 'completed' WHERE member_id = ? AND state = 'pending'")
      .run(hitOf(h.sqlite, "transfer_overdue"));
    expect(count(h, parts)).toEqual(before);
    expect(count(h, null)).not.toEqual(before);
    attendedToday(h.sqlite);
    expect(life(h, lifeParts)).toEqual(lifeBefore);
    expect(life(h, null)).not.toEqual(lifeBefore);
  });
});

// One person across platforms: two platforms' rosters sharing people give person-level counts (each
// person once, on the row of domain/person-rules.ts's rule) and one lead per person; the SQL form of
// the rule answers as the pure one does; the figure equals its list.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { addDays, todayIso } from "../../../server/domain/dates.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { type RosterRowFacts, attributedRow, leftEveryPlatformOn } from "../../../server/domain/person-rules.js";
import type { Actor } from "../../../server/policy/actor.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { computeFigures, computeFiguresAndBreakdowns, listFigureRows } from "../../../server/services/coverage/coverage.service.js";
import { onRollSql, peopleGroupsSql, personCountedSql } from "../../../server/services/identity/sql.js";
import { runImport } from "../../../server/services/import/import.service.js";
import { memoryDb } from "../../helpers/db.js";
import { buildSmallCity, type SmallCity } from "../../helpers/fixtures.js";

const row = (id: number, firstSeenOn: string, lastSeenOn: string, leftOn: string | null = null): RosterRowFacts => ({
  id,
  firstSeenOn,
  lastSeenOn,
  leftOn,
});

describe("the attribution rule (pure)", () => {
  it("the row seen most recently; ties by the earliest first seen, then the older row", () => {
    const a = row(1, "2024-01-01", "2024-05-01");
    const b = row(2, "2024-02-01", "2024-06-01");
    expect(attributedRow([a, b], "2024-07-01")).toBe(b);
    // As of a date before b's last sighting, both were seen by then: the earlier first seen wins.
    expect(attributedRow([a, b], "2024-04-01")).toBe(a);
    expect(attributedRow([row(5, "2024-01-01", "2024-03-01"), row(4, "2024-01-01", "2024-03-01")], "2024-04-01")?.id).toBe(4);
  });

  it("only rows on the roll at the date count; none gives null", () => {
    const gone = row(1, "2024-01-01", "2024-09-01", "2024-06-01");
    const later = row(2, "2024-08-01", "2024-08-01");
    expect(attributedRow([gone, later], "2024-07-01")).toBeNull();
    expect(attributedRow([gone, later], "2024-05-01")).toBe(gone);
    expect(attributedRow([gone, later], "2024-08-01")).toBe(later);
  });

  it("left every platform: only when every row has left, at the latest departure", () => {
    expect(leftEveryPlatformOn([])).toBeNull();
    expect(leftEveryPlatformOn([{ leftOn: "2024-01-01" }, { leftOn: null }])).toBeNull();
    expect(leftEveryPlatformOn([{ leftOn: "2024-01-01" }, { leftOn: "2024-03-01" }])).toBe("2024-03-01");
  });
});

describe("rosters of two platforms sharing people", () => {
  let h: DbHandle;
  let city: SmallCity;
  let clerkDl: Actor;
  let clerkPs: Actor;
  let admin: Actor;
  const today = todayIso();
  const person = (n: number) => makeIdNumber("371702", "1990-03-03", 500 + n);
  const csv = (rows: [number, string, string][]) =>
    `姓名,身份证号,手机号,政治面貌\n${rows.map(([n, name, status]) => `${name},${person(n)},1390000${String(n).padStart(4, "0")},${status}`).join("\n")}\n`;

  beforeAll(async () => {
    h = memoryDb();
    city = await buildSmallCity(h);
    clerkDl = loadActor(h.db, city.userIds.clerk!)!;
    clerkPs = loadActor(h.db, city.userIds.clerkPs!)!;
    admin = loadActor(h.db, city.userIds.admin!)!;
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-identity-"));
    const write = (name: string, text: string) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      return f;
    };
    // Platform A (HZ-DL): people 1–4; platform B (HZ-PS): people 3–6. 3 and 4 are on both;
    // 4 and 6 are Party members (4 on both rosters).
    const a = write(
      "a.csv",
      csv([
        [1, "甲一", "群众"],
        [2, "甲二", "群众"],
        [3, "共三", "群众"],
        [4, "共四", "中共党员"],
      ]),
    );
    const b = write(
      "b.csv",
      csv([
        [3, "共三", "群众"],
        [4, "共四", "中共党员"],
        [5, "乙五", "群众"],
        [6, "乙六", "中共预备党员"],
      ]),
    );
    await runImport(h, clerkDl, { kind: "roster", file: a, originalName: "a.csv", platform: "甲平台", orgId: city.dl.id, source: "cli" });
    await runImport(h, clerkPs, { kind: "roster", file: b, originalName: "b.csv", platform: "乙平台", orgId: city.ps.id, source: "cli" });
    fs.rmSync(dir, { recursive: true, force: true });
  });
  afterAll(() => h.close());

  it("eight roster rows are six people: the city counts six, each committee its attributed people", () => {
    expect(h.sqlite.prepare("SELECT count(*) FROM workers").pluck().get()).toBe(8);
    expect(h.sqlite.prepare("SELECT count(*) FROM workers WHERE multi_platform = 1").pluck().get()).toBe(4);
    expect(computeFigures(h.db, admin).figures.workers).toBe(6);
    // Seen the same day, first seen the same day: the older row (platform A, imported first) counts.
    const byCommittee = computeFiguresAndBreakdowns(h.db, admin, {}).byCommittee;
    const of = (id: number) => byCommittee.find((r) => r.key === `committee:${id}`)?.figures.workers;
    expect([of(city.dl.id), of(city.ps.id)]).toEqual([4, 2]);
    expect(computeFigures(h.db, clerkDl).figures.workers).toBe(4);
    expect(computeFigures(h.db, clerkPs).figures.workers).toBe(2);
  });

  it("seen more recently on platform B: the shared people move to HZ-PS; the city still counts six", () => {
    h.sqlite.prepare("UPDATE workers SET last_seen_on = ? WHERE platform = '乙平台'").run(addDays(today, 1));
    h.sqlite.prepare("UPDATE workers SET last_seen_on = ? WHERE platform = '甲平台'").run(addDays(today, -1));
    try {
      expect(computeFigures(h.db, admin).figures.workers).toBe(6);
      expect(computeFigures(h.db, clerkDl).figures.workers).toBe(2);
      expect(computeFigures(h.db, clerkPs).figures.workers).toBe(4);
    } finally {
      h.sqlite.prepare("UPDATE workers SET last_seen_on = ?").run(today);
    }
  });

  it("a person who left platform A is counted on B alone; one who left both is not counted", () => {
    h.sqlite.prepare("UPDATE workers SET left_on = ? WHERE platform = '甲平台' AND id_number = ?").run(today, person(3));
    h.sqlite.prepare("UPDATE workers SET left_on = ? WHERE id_number = ?").run(today, person(4));
    try {
      expect(computeFigures(h.db, admin).figures.workers).toBe(5);
      expect(computeFigures(h.db, clerkPs).figures.workers).toBe(3);
    } finally {
      h.sqlite.prepare("UPDATE workers SET left_on = NULL").run();
    }
  });

  it("the figure equals its list: one row per person", () => {
    const list = listFigureRows(h.db, admin, {}, "workers", { pageSize: null });
    expect(list.total).toBe(6);
    expect(list.rows).toHaveLength(6);
    expect(new Set((list.rows as { name: string }[]).map((r) => r.name)).size).toBe(6);
    expect(list.definition).toContain("只计一人");
  });

  it("one lead per person: the member on both rosters raised one lead", () => {
    const leads = h.sqlite.prepare("SELECT id_number, committee_id FROM leads ORDER BY id").all() as {
      id_number: string;
      committee_id: number;
    }[];
    expect(leads.map((l) => l.id_number).sort()).toEqual([person(4), person(6)].sort());
    expect(computeFigures(h.db, admin).figures.found).toBe(2);
  });

  it("the SQL rule answers as the pure rule for every person and date", () => {
    // Rows with different sightings and departures, for the same few people on three platforms.
    const ins = h.sqlite.prepare(
      "INSERT INTO workers (platform, id_number, name, org_id, first_seen_on, last_seen_on, left_on) VALUES (?, ?, 'x', ?, ?, ?, ?)",
    );
    const dates = ["2024-01-01", "2024-02-01", "2024-03-01", "2024-04-01"];
    let seed = 7;
    const rnd = (n: number) => {
      seed = (seed * 1103515245 + 12345) % 2147483648;
      return seed % n;
    };
    for (let p = 0; p < 40; p++) {
      for (const platform of ["丙", "丁", "戊"]) {
        if (rnd(3) === 0) continue;
        const first = dates[rnd(3)]!;
        const last = dates.filter((d) => d >= first)[rnd(2)] ?? first;
        const left = rnd(3) === 0 ? (dates.find((d) => d > first) ?? null) : null;
        // Rows under either committee: a person may count outside a scope they have a row in.
        ins.run(platform, makeIdNumber("371702", "1970-01-01", 900 + p), rnd(2) ? city.ps.id : city.dl.id, first, last, left);
      }
    }
    // Seen last the same day on two platforms under different committees: the one first seen earlier counts.
    ins.run("丙", makeIdNumber("371702", "1970-01-01", 990), city.ps.id, "2024-01-01", "2024-03-01", null);
    ins.run("丁", makeIdNumber("371702", "1970-01-01", 990), city.dl.id, "2024-02-01", "2024-03-01", null);
    for (const asOf of [...dates, "2024-02-15", today]) {
      const all = h.db.all<RosterRowFacts & { orgId: number; idNumber: string; counted: number }>(
        sql`SELECT w.id, w.org_id AS orgId, w.id_number AS idNumber, w.first_seen_on AS firstSeenOn, w.last_seen_on AS lastSeenOn, w.left_on AS leftOn,
          (${onRollSql("w", asOf)} AND ${personCountedSql("w", asOf)}) AS counted FROM workers w`,
      );
      const byPerson = new Map<string, typeof all>();
      for (const r of all) byPerson.set(r.idNumber, [...(byPerson.get(r.idNumber) ?? []), r]);
      const expected = [...byPerson.values()].map((rows) => attributedRow(rows, asOf)?.id).filter((id) => id != null);
      expect(
        all
          .filter((r) => r.counted)
          .map((r) => r.id)
          .sort(),
        asOf,
      ).toEqual(expected.sort());
      expect(computeFigures(h.db, admin, {}, { asOf }).figures.workers).toBe(expected.length);
      // The grouped twin (the statistics' counting), whole and scoped to each committee's organizations.
      const orgOf = new Map(all.map((r) => [r.id, r.orgId]));
      for (const org of [null, city.dl.id, city.ps.id]) {
        const groups = h.db.all<{ org_id: number; n: number }>(
          peopleGroupsSql(asOf, (col) => (org == null ? null : sql`${sql.raw(col)} = ${org}`)),
        );
        const want = expected.filter((id) => org == null || orgOf.get(id!) === org).length;
        expect(
          groups.reduce((sum, g) => sum + g.n, 0),
          `${asOf} org ${org}`,
        ).toBe(want);
      }
    }
  });
});

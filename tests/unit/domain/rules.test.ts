// Each domain rule's value, pinned where it is defined, and its SQL form held to the same answers as
// its TypeScript form (the SQL is evaluated by SQLite over rows given as values).

import { type SQL, sql } from "drizzle-orm";
import { afterAll, describe, expect, it } from "vitest";
import { COMMITTEE_KINDS, COVERING_KINDS, committeeInChain, MANAGING_KINDS, STATS_SCOPE_KINDS } from "../../../server/domain/codes.js";
import { classifyEnterprise, FULL_MEMBERS_TO_FORM, noOrgSubclass, shouldFormButHasNot } from "../../../server/domain/coverage-rules.js";
import { addDays } from "../../../server/domain/dates.js";
import {
  CERTIFICATE_WARNING_DAYS,
  certificateWarningUntil,
  isMemberPresentAt,
  isStillMember,
  LOST_CONTACT_LIMIT_WORDS,
  LOST_CONTACT_SUSPEND_MONTHS,
  lostContactCutoff,
  lostContactLimitDate,
  lostContactLimitReached,
} from "../../../server/domain/membership-rules.js";
import { MEMBERSHIP_VIEW_RULES } from "../../../server/domain/membership-changes.js";
import { DUES_BASIS, PAYMENT_METHOD, REDUCTION_KIND } from "../../../server/domain/dues-rules.js";
import * as life from "../../../server/domain/organizational-life-rules.js";
import { RECRUITMENT_VIEW_RULES } from "../../../server/domain/recruitment-rules.js";
import { MOBILE_UNIT_KIND } from "../../../server/domain/mobile-members.js";
import { VIEW_RULES } from "../../../server/middleware/locals.js";
import { type CoverageFacts, coverageConditions, FACT_COLUMNS, ownOrgLevelOf, textTag } from "../../../server/services/coverage/sql.js";
import { lostContactLimitSql, memberPresentSql, memberStillHereSql } from "../../../server/services/members/sql.js";
import { committeeOfSql } from "../../../server/services/orgs/sql.js";
import { memoryDb } from "../../helpers/db.js";

const h = memoryDb();
afterAll(() => h.close());
const value = (q: SQL) => h.db.get<{ v: unknown }>(sql`SELECT ${q} AS v`)!.v;

describe("the rules' values, where they are defined", () => {
  it("应建未建 from three full members; six months out of contact; certificates flagged 30 days ahead", () => {
    expect(FULL_MEMBERS_TO_FORM).toBe(3);
    expect(LOST_CONTACT_SUSPEND_MONTHS).toBe(6);
    expect(LOST_CONTACT_LIMIT_WORDS).toBe("六个月");
    expect(CERTIFICATE_WARNING_DAYS).toBe(30);
    expect(certificateWarningUntil("2025-06-15")).toBe("2025-07-15");
  });

  it("the kinds that count as committees, cover enterprises, manage members and get statistics", () => {
    expect(COMMITTEE_KINDS).toEqual(["industry_committee", "comprehensive_committee"]);
    expect(COVERING_KINDS).toEqual(["branch", "general_branch", "industry_committee", "comprehensive_committee"]);
    expect(MANAGING_KINDS).toEqual(["branch", "general_branch", "group"]);
    expect(STATS_SCOPE_KINDS).toEqual(["city_department", "industry_committee", "comprehensive_committee", "general_branch", "branch"]);
  });

  it("views print the same values (res.locals.rules)", () => {
    expect(VIEW_RULES).toEqual({
      fullMembersToForm: 3,
      lostContactMonths: 6,
      lostContactLimitWords: "六个月",
      certificateWarningDays: 30,
      leadUnverifiedDays: 30,
      transferLapseMonths: 6,
      membership: MEMBERSHIP_VIEW_RULES,
      mobileUnitKind: MOBILE_UNIT_KIND.label,
      duesUnpaidFlagMonths: 6,
      duesUnpaidWarningMonths: 3,
      duesBackPaymentMonths: 6,
      duesBasisLabels: DUES_BASIS.label,
      paymentMethodLabels: PAYMENT_METHOD.label,
      reductionKindLabels: REDUCTION_KIND.label,
      recruitment: RECRUITMENT_VIEW_RULES,
      meetingType: life.MEETING_TYPE.label,
      meetingFrequency: Object.fromEntries(life.MEETING_TYPES.map((t) => [t, life.FREQUENCY_LABEL[life.MEETING_FREQUENCY[t]]])),
      attendanceStatus: life.ATTENDANCE_STATUS.label,
      absenceReason: life.ABSENCE_REASON.label,
      participationWarningMonths: 3,
      participationLimitMonths: 6,
      pageSizes: [20, 50, 100],
    });
  });
});

describe("the committee an organization belongs to", () => {
  const chain = [
    { id: 1, kind: "city_department", path: "/1/" },
    { id: 2, kind: "industry_committee", path: "/1/2/" },
    { id: 3, kind: "industry_committee", path: "/1/2/3/" },
    { id: 4, kind: "general_branch", path: "/1/2/3/4/" },
    { id: 5, kind: "branch", path: "/1/2/3/4/5/" },
  ];

  it("is the nearest committee among itself and its ancestors, in any order; none above a city department", () => {
    expect(committeeInChain(chain)?.id).toBe(3);
    expect(committeeInChain([...chain].reverse())?.id).toBe(3);
    expect(committeeInChain(chain.slice(0, 2))?.id).toBe(2);
    expect(committeeInChain(chain.slice(0, 1))).toBeNull();
  });

  it("in SQL, gives the same committee for every organization of the chain", () => {
    const rows = sql.join(
      chain.map((o) => sql`SELECT ${o.id} AS id, ${o.kind} AS kind, ${o.path} AS path`),
      sql` UNION ALL `,
    );
    const got = h.db.all<{ id: number; c: number | null }>(
      sql`WITH organizations AS (${rows}) SELECT o.id, ${committeeOfSql("o", "id")} AS c FROM organizations o ORDER BY o.id`,
    );
    expect(got).toEqual(chain.map((o) => ({ id: o.id, c: committeeInChain(chain.filter((a) => o.path.startsWith(a.path)))?.id ?? null })));
  });
});

describe("six months out of contact", () => {
  it("are complete on the day six months on, clamped at a month's end", () => {
    expect(lostContactLimitDate("2024-08-31")).toBe("2025-02-28");
    expect(lostContactLimitReached("2024-08-31", "2025-02-27")).toBe(false);
    expect(lostContactLimitReached("2024-08-31", "2025-02-28")).toBe(true);
    expect(lostContactLimitReached("2025-07-01", "2025-12-31")).toBe(false);
    expect(lostContactCutoff("2025-02-28")).toBe("2024-08-31");
    expect(lostContactCutoff("2025-12-31")).toBe("2025-06-30");
  });

  it("the cutoff (and so the SQL) agrees with the rule on every day of two years, for every date out of contact", () => {
    for (let asOf = "2024-01-01"; asOf <= "2025-12-31"; asOf = addDays(asOf, 1)) {
      const cutoff = lostContactCutoff(asOf);
      expect(lostContactLimitReached(cutoff, asOf), asOf).toBe(true);
      expect(lostContactLimitReached(addDays(cutoff, 1), asOf), asOf).toBe(false);
    }
    for (const [lost, asOf] of [
      ["2024-08-31", "2025-02-28"],
      ["2024-08-28", "2025-02-28"],
      ["2025-07-01", "2025-12-31"],
      ["2025-06-30", "2025-12-31"],
      [null, "2025-12-31"],
    ] as const) {
      const row = sql`(SELECT ${lost} AS lost_contact_on) m`;
      const got = h.db.get<{ v: number }>(sql`SELECT ${lostContactLimitSql("m", asOf)} AS v FROM ${row}`)!.v;
      expect(got === 1, `${lost} at ${asOf}`).toBe(lost != null && lostContactLimitReached(lost, asOf));
    }
  });
});

describe("a member present at a date", () => {
  const AS_OF = "2025-06-30";
  const cases = [
    { leftOn: null, relationStatus: "local", discoveredOn: null },
    { leftOn: null, relationStatus: "transferred_out", discoveredOn: null },
    { leftOn: "2025-06-30", relationStatus: "local", discoveredOn: null },
    { leftOn: "2025-07-01", relationStatus: "local", discoveredOn: null },
    { leftOn: "2025-07-01", relationStatus: "transferred_out", discoveredOn: "2025-01-01" },
    { leftOn: "2025-05-01", relationStatus: "transferred_out", discoveredOn: null },
    { leftOn: null, relationStatus: "mobile_in", discoveredOn: "2025-06-30" },
    { leftOn: null, relationStatus: "unattached", discoveredOn: "2025-07-01" },
  ];

  it("is still a member or left only after the date, and already found by then: the SQL says the same", () => {
    expect(cases.map((m) => isMemberPresentAt(m, AS_OF))).toEqual([true, false, false, true, true, false, true, false]);
    for (const m of cases) {
      const row = sql`(SELECT ${m.leftOn} AS left_on, ${m.relationStatus} AS relation_status, ${m.discoveredOn} AS discovered_on) m`;
      const got = h.db.get<{ present: number; here: number }>(
        sql`SELECT ${memberPresentSql("m", AS_OF)} AS present, ${memberStillHereSql("m")} AS here FROM ${row}`,
      )!;
      expect({ present: got.present === 1, here: got.here === 1 }, JSON.stringify(m)).toEqual({
        present: isMemberPresentAt(m, AS_OF),
        here: isStillMember(m),
      });
    }
  });
});

describe("应建未建 and the coverage classes in SQL", () => {
  const RANKS = [null, 1, 2, 3];
  const combos = RANKS.flatMap((ownLevel) =>
    [0, 1].flatMap((inJoint) =>
      [0, 1].flatMap((hasInstr) =>
        [0, 2, 3, 4].flatMap((fullM) => [fullM, fullM + 1].map((allM) => ({ ownLevel, inJoint, hasInstr, fullM, allM }))),
      ),
    ),
  );

  it("the figures' flags and the enterprise list's filters agree with the pure rules for every combination of facts", () => {
    const text = coverageConditions(textTag, FACT_COLUMNS);
    for (const c of combos) {
      const facts = {
        ownOrgLevel: ownOrgLevelOf(c.ownLevel),
        inJointBranch: c.inJoint === 1,
        hasInstructor: c.hasInstr === 1,
        fullMembers: c.fullM,
        members: c.allM,
      };
      const cls = classifyEnterprise(facts);
      const expected = {
        standalone: cls === "standalone",
        joint: cls === "joint",
        workOnly: cls === "work",
        uncovered: cls === "uncovered",
        shouldForm: shouldFormButHasNot(facts),
        noOrgShouldForm: cls !== "standalone" && cls !== "joint" && noOrgSubclass(facts) === "should_form",
        noOrgFewMembers: cls !== "standalone" && cls !== "joint" && noOrgSubclass(facts) === "few_members",
        noOrgNoMembers: cls !== "standalone" && cls !== "joint" && noOrgSubclass(facts) === "no_members",
      };
      const row = sql`(SELECT ${c.ownLevel} AS own_level, ${c.inJoint} AS in_joint, ${c.hasInstr} AS has_instr, ${c.fullM} AS full_m, ${c.allM} AS all_m) s`;
      const bound: CoverageFacts<SQL> = {
        ownLevel: sql`${c.ownLevel}`,
        inJoint: sql`${c.inJoint}`,
        hasInstr: sql`${c.hasInstr}`,
        fullM: sql`${c.fullM}`,
        allM: sql`${c.allM}`,
      };
      const viaSql = coverageConditions(sql, bound);
      for (const k of Object.keys(expected) as (keyof typeof expected)[]) {
        const flag = h.db.get<{ v: number }>(sql`SELECT ${sql.raw(text[k])} AS v FROM ${row}`)!.v;
        expect(flag === 1, `${k} flag ${JSON.stringify(c)}`).toBe(expected[k]);
        expect(value(viaSql[k]) === 1, `${k} filter ${JSON.stringify(c)}`).toBe(expected[k]);
      }
    }
  });
});

// The completeness score of the national member system on a hand-built fixture: the answers are
// worked out by hand below; the SQL twin (services/national/sql.ts) must give the pure rule's answer.
//
// today 2026-03-15 → a probation counts as overdue for members joined before 2026-03-15 − 13 months = 2025-02-15.
//
//   | member | org            | relation   | category | what is missing                                   | score  |
//   | A      | 3 branch       | local      | full     | —                                                 | 12/12  |
//   | B      | 3 branch       | local      | prob.    | 学历, 手机号码 (joined 2025-12-01: no 转正 due)    | 9/11   |
//   | C      | 4 joint branch | local      | prob.    | 转正时间 (joined 2025-01-10: overdue)              | 11/12  |
//   | D      | 2 committee    | mobile_out | full     | 入党时间, 转正时间, 工作岗位, 所在党支部, 失去联系情形 | 8/13   |
//   | H      | 3 branch       | local      | prob.    | — (joined 2025-02-15: exactly 13 months, not over)  | 11/11  |
//   | E      | 3 branch       | mobile_in  |          | not in the national system's set                  |        |
//   | F      | 5 other committee's branch | local |   | outside committee 2                               |        |
//   | G      | 3 branch       | local, left |         | not a member any more                             |        |

import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { completeness, formatScore, probationOverdueCutoff } from "../../../server/domain/national-members.js";
import type { Actor } from "../../../server/policy/actor.js";
import { completenessInput, completenessList, type NationalRow } from "../../../server/services/national/national.service.js";
import { completenessSql, IN_BRANCH_SQL } from "../../../server/services/national/sql.js";
import { memoryDb } from "../../helpers/db.js";
import { fakeId } from "../coverage/fixture.js";

const TODAY = "2026-03-15";

function buildNationalFixture(h: DbHandle): Record<string, number> {
  const run = (q: string, ...p: unknown[]) => h.sqlite.prepare(q).run(...p);
  run(`INSERT INTO regions (code, name, parent_code, level) VALUES ('370000','山东省',NULL,'province'),('371700','菏泽市','370000','city'),
       ('371702','牡丹区','371700','county')`);
  run(`INSERT INTO industries (code, name, sort_order) VALUES ('road_transport','道路运输',1)`);
  const org = (id: number, name: string, kind: string, formation: string | null, parent: number | null, path: string) =>
    run(
      `INSERT INTO organizations (id, code, name, kind, formation, parent_id, path, depth, region_code, status) VALUES (?,?,?,?,?,?,?,?,?,?)`,
      id,
      `N-${id}`,
      name,
      kind,
      formation,
      parent,
      path,
      path.split("/").filter(Boolean).length - 1,
      "371702",
      "active",
    );
  org(1, "市委社会工作部", "city_department", null, null, "/1/");
  org(2, "道路运输行业党委", "industry_committee", null, 1, "/1/2/");
  org(3, "某物流公司党支部", "branch", "standalone", 2, "/1/2/3/");
  org(4, "货运联合党支部", "branch", "joint", 2, "/1/2/4/");
  org(5, "网约配送行业党委", "industry_committee", null, 1, "/1/5/");
  const e = run(
    `INSERT INTO enterprises (name, credit_code, kind, industry_code, region_code, committee_id) VALUES ('某货运站','91371700MA00000001','station','road_transport','371702',2)`,
  );
  const ids: Record<string, number> = {};
  const member = (key: string, o: Record<string, unknown>) => {
    const id = fakeId();
    const v: Record<string, unknown> = {
      gender: "male",
      birth_date: "1990-01-01",
      ethnicity: "01",
      education: "college",
      category: "full",
      joined_on: "2015-07-01",
      full_on: "2016-07-01",
      occupation: "courier",
      phone: "13800000000",
      relation_status: "local",
      enterprise_id: null,
      lost_contact_on: null,
      lost_contact_reason: null,
      left_on: null,
      ...o,
    };
    const r = run(
      `INSERT INTO members (name, gender, birth_date, ethnicity, id_number, id_last4, education, category, joined_on, full_on, occupation, phone,
         org_id, relation_status, enterprise_id, lost_contact_on, lost_contact_reason, left_on) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)`,
      `党员${key}`,
      v.gender,
      v.birth_date,
      v.ethnicity,
      id,
      id.slice(-4),
      v.education,
      v.category,
      v.joined_on,
      v.full_on,
      v.occupation,
      v.phone,
      v.org,
      v.relation_status,
      v.enterprise_id,
      v.lost_contact_on,
      v.lost_contact_reason,
      v.left_on,
    );
    ids[key] = Number(r.lastInsertRowid);
  };
  member("A", { org: 3 });
  member("B", { org: 3, category: "probationary", joined_on: "2025-12-01", full_on: null, education: null, phone: null });
  member("C", { org: 4, category: "probationary", joined_on: "2025-01-10", full_on: null, enterprise_id: Number(e.lastInsertRowid) });
  member("D", {
    org: 2,
    relation_status: "mobile_out",
    joined_on: null,
    full_on: null,
    occupation: null,
    lost_contact_on: "2025-06-01",
  });
  member("H", { org: 3, category: "probationary", joined_on: "2025-02-15", full_on: null });
  member("E", { org: 3, relation_status: "mobile_in" });
  member("F", { org: 5 });
  member("G", { org: 3, left_on: "2025-01-01", relation_status: "local" });
  return ids;
}

const clerk: Actor = { id: 1, username: "c", displayName: "c", role: "clerk", orgId: 2, orgPath: "/1/2/", orgName: "道路运输行业党委" };

describe("information completeness (national member system)", () => {
  let h: DbHandle;
  let ids: Record<string, number>;
  beforeAll(() => {
    h = memoryDb();
    ids = buildNationalFixture(h);
  });
  afterAll(() => h.close());

  it("the 13 months end on the cutoff date", () => {
    expect(probationOverdueCutoff(TODAY)).toBe("2025-02-15");
  });

  it("scores each member by the hand-worked table", () => {
    const list = completenessList(h.db, clerk, { orgId: null, page: 1, pageSize: 50, today: TODAY });
    expect(list.rows.map((r) => [r.name, r.score, r.missing])).toEqual([
      ["党员D", 8 / 13, ["入党时间", "转正时间", "工作岗位", "所在党支部", "失去联系情形"]],
      ["党员B", 9 / 11, ["学历", "手机号码"]],
      ["党员C", 11 / 12, ["转正时间"]],
      ["党员A", 1, []],
      ["党员H", 1, []],
    ]);
    expect(list.total).toBe(5);
    expect(list.complete).toBe(2);
    expect(list.meanScore).toBeCloseTo((8 / 13 + 9 / 11 + 11 / 12 + 1 + 1) / 5, 12);
    expect(formatScore(8 / 13)).toBe("61.5%");
  });

  it("pages the list and narrows it to an organization", () => {
    const p2 = completenessList(h.db, clerk, { orgId: null, page: 2, pageSize: 2, today: TODAY });
    expect(p2.rows.map((r) => r.name)).toEqual(["党员C", "党员A"]);
    const branch = completenessList(h.db, clerk, { orgId: 3, page: 1, pageSize: 50, today: TODAY });
    expect(branch.rows.map((r) => r.name)).toEqual(["党员B", "党员A", "党员H"]);
    expect(branch.scope.name).toBe("某物流公司党支部");
  });

  it("refuses an organization outside the actor's scope as not found", () => {
    expect(() => completenessList(h.db, clerk, { orgId: 5, page: 1, pageSize: 50, today: TODAY })).toThrow(
      expect.objectContaining({ status: 404 }),
    );
  });

  it("the SQL twin counts what the pure rule counts, for every member", () => {
    const c = completenessSql(TODAY);
    const rows = h.db.all<NationalRow & { req: number; miss: number }>(sql`SELECT m.*, o.name AS org_name, ${IN_BRANCH_SQL} AS in_branch,
        (o.formation = 'joint') AS is_joint, NULL AS enterprise_name, ${c.required} AS req, ${c.missing} AS miss
      FROM members m JOIN organizations o ON o.id = m.org_id`);
    expect(rows.length).toBe(Object.keys(ids).length);
    for (const r of rows) {
      const pure = completeness(completenessInput(r), TODAY);
      expect([r.name, r.req, r.miss]).toEqual([r.name, pure.required, pure.missing.length]);
    }
  });
});

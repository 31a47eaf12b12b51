// The data migration of mobile spells recorded as free text: run at start (prepareDatabase) on a
// database holding old rows, it maps each text that names a division and marks the rest 不掌握流向,
// once.

import { afterAll, describe, expect, it } from "vitest";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { DEMO_JURISDICTION } from "../../../server/domain/reference-data.js";
import { migrateMobileRegions } from "../../../server/services/members/mobile-regions.js";
import { memoryDb } from "../../helpers/db.js";
import { addMember, addOrg } from "../../helpers/fixtures.js";

const h = memoryDb();
afterAll(() => h.close());

describe("old free text → the official shape", () => {
  it("maps what names a division, marks the rest unknown, keeps the old text, and runs once", () => {
    prepareDatabase(h, { jurisdiction: DEMO_JURISDICTION });
    const root = h.sqlite.prepare("SELECT id FROM organizations WHERE parent_id IS NULL").get() as { id: number };
    const branch = addOrg(h, { code: "T-B1", name: "测试支部", kind: "branch", parentId: root.id });
    const old = (direction: "in" | "out", text: string) => {
      const m = addMember(h, branch.id, { relationStatus: direction === "out" ? "mobile_out" : "mobile_in" });
      // As rows were stored before the migration: free text, none of the new columns.
      h.sqlite
        .prepare(
          `INSERT INTO mobile_spells (member_id, direction, org_id, destination, home_org_name, certificate_number, started_on)
           VALUES (?, ?, ?, ?, ?, ?, '2025-01-01')`,
        )
        .run(
          m.id,
          direction,
          branch.id,
          direction === "out" ? text : null,
          direction === "in" ? text : null,
          direction === "in" ? "LD-1" : null,
        );
      return m.id;
    };
    const ids = {
      hangzhou: old("out", "浙江省杭州市"),
      shenzhen: old("out", "广东深圳南山区"),
      away: old("out", "外地"),
      homeKnown: old("in", "中共河南省商丘市某村支部委员会"),
      homeUnknown: old("in", "某村党支部"),
    };
    const spell = (memberId: number) =>
      h.sqlite
        .prepare(
          "SELECT destination, destination_code, unit_kind, certificate_held, home_region_code, home_org_name FROM mobile_spells WHERE member_id = ?",
        )
        .get(memberId);

    prepareDatabase(h, { jurisdiction: DEMO_JURISDICTION }); // the start of a server after the upgrade
    expect(spell(ids.hangzhou)).toMatchObject({ destination: "浙江省杭州市", destination_code: "330100", unit_kind: null });
    expect(spell(ids.shenzhen)).toMatchObject({ destination_code: "440305", unit_kind: null });
    expect(spell(ids.away)).toMatchObject({ destination: "外地", destination_code: null, unit_kind: "unknown_destination" });
    expect(spell(ids.homeKnown)).toMatchObject({ home_region_code: "411400", certificate_held: 1 });
    expect(spell(ids.homeUnknown)).toMatchObject({ home_region_code: null, certificate_held: 1, home_org_name: "某村党支部" });

    // Once: a second run finds nothing left to map and changes nothing.
    const before = h.sqlite.prepare("SELECT * FROM mobile_spells ORDER BY id").all();
    expect(migrateMobileRegions(h.db)).toEqual({ out: 0, outMapped: 0, outUnknown: 0, in: 0, inMapped: 0 });
    expect(h.sqlite.prepare("SELECT * FROM mobile_spells ORDER BY id").all()).toEqual(before);
  });

  it("the database refuses a unit kind outside the official list", () => {
    expect(() => h.sqlite.prepare("UPDATE mobile_spells SET unit_kind = 'factory' WHERE id = 1").run()).toThrow(/CHECK constraint failed/);
  });
});

import path from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import type { Actor } from "../../../server/policy/actor.js";
import { runImport } from "../../../server/services/import/import.service.js";
import {
  bulkVerifyLeads,
  getLead,
  leadCounts,
  listLeads,
  listPlatformDepartures,
  rejectLead,
  verifyLead,
} from "../../../server/services/finds/leads.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { fixtureId } from "../../fixtures/rosters/people.js";
import { tempFileDb } from "../../helpers/db.js";
import { buildSmallCity, type SmallCity } from "../../helpers/fixtures.js";
import { ROSTERS_DIR } from "../../helpers/paths.js";

const FIX = ROSTERS_DIR;
const TODAY = "2025-06-01";

let h: DbHandle & { dir: string };
let city: SmallCity;
let clerkPs: Actor;
let clerkDl: Actor;
beforeEach(async () => {
  h = tempFileDb();
  city = await buildSmallCity(h);
  clerkPs = loadActor(h.db, city.userIds.clerkPs!)!;
  clerkDl = loadActor(h.db, city.userIds.clerk!)!;
  // 张伟 (中共党员) and 陈静 (中共预备党员) become platform_report leads of HZ-PS.
  await runImport(h, clerkPs, { kind: "roster", file: path.join(FIX, "gbk-crlf.csv"), platform: "某外卖平台", orgId: city.ps.id });
});
afterEach(() => h.close());

const leadId = (id: string) => h.sqlite.prepare("SELECT id FROM leads WHERE id_number = ?").pluck().get(id) as number;

describe("leads", () => {
  it("lists and filters in scope only", () => {
    expect(listLeads(h.db, clerkPs, {}).rows.map((l) => l.idNumber)).toEqual([fixtureId(4), fixtureId(0)]);
    expect(listLeads(h.db, clerkPs, { channel: "data_match" }).total).toBe(0);
    expect(listLeads(h.db, clerkPs, { platform: "某外卖平台", status: "open" }).total).toBe(2);
    expect(listLeads(h.db, clerkPs, { q: "陈静" }).rows.map((l) => l.name)).toEqual(["陈静"]);
    expect(listLeads(h.db, clerkPs, { q: fixtureId(0).slice(-4) }).rows.map((l) => l.name)).toEqual(["张伟"]);
    expect(listLeads(h.db, clerkDl, {}).total).toBe(0);
    expect(() => getLead(h.db, clerkDl, leadId(fixtureId(0)))).toThrow(/找不到/);
  });

  it("verify with a branch creates a managed member with the find's channel and date", () => {
    const r = verifyLead(h.db, clerkPs, leadId(fixtureId(4)), { branchId: city.psBranch.id }, TODAY);
    expect(r).toMatchObject({ created: true, filed: true });
    const m = h.sqlite
      .prepare(
        "SELECT org_id AS org, relation_status AS rel, category, discovery_channel AS ch, verified_on AS v, managed_on AS managed FROM members WHERE id = ?",
      )
      .get(r.memberId);
    expect(m).toEqual({ org: city.psBranch.id, rel: "local", category: "probationary", ch: "platform_report", v: TODAY, managed: TODAY });
    expect(h.sqlite.prepare("SELECT kind FROM member_events WHERE member_id = ? ORDER BY id").pluck().all(r.memberId)).toEqual([
      "created",
      "verified",
      "filed",
    ]);
    expect(h.sqlite.prepare("SELECT member_id FROM workers WHERE id_number = ?").pluck().get(fixtureId(4))).toBe(r.memberId);
    expect(getLead(h.db, clerkPs, leadId(fixtureId(4)))).toMatchObject({ status: "verified", memberId: r.memberId, decidedBy: clerkPs.id });
    expect(leadCounts(h.db, clerkPs)).toEqual({ open: 1, verified: 1, rejected: 0 });
    expect(() => verifyLead(h.db, clerkPs, leadId(fixtureId(4)), {}, TODAY)).toThrow(/已核实/);
  });

  it("verify without a branch leaves the member unattached under the committee", () => {
    const r = verifyLead(h.db, clerkPs, leadId(fixtureId(0)), {}, TODAY);
    expect(h.sqlite.prepare("SELECT org_id AS org, relation_status AS rel, category FROM members WHERE id = ?").get(r.memberId)).toEqual({
      org: city.ps.id,
      rel: "unattached",
      category: "full",
    });
  });

  it("refuses a branch outside the clerk's scope, changing nothing", () => {
    const before = h.sqlite.prepare("SELECT count(*) FROM members").pluck().get();
    expect(() => verifyLead(h.db, clerkPs, leadId(fixtureId(0)), { branchId: city.dlBranch.id }, TODAY)).toThrow(/提交的内容有误/);
    expect(h.sqlite.prepare("SELECT count(*) FROM members").pluck().get()).toBe(before);
    expect(getLead(h.db, clerkPs, leadId(fixtureId(0))).status).toBe("open");
  });

  it("reject needs a reason and is final", () => {
    expect(() => rejectLead(h.db, clerkPs, leadId(fixtureId(0)), "  ", TODAY)).toThrow(/提交的内容有误/);
    rejectLead(h.db, clerkPs, leadId(fixtureId(0)), "本人为群众，平台填报有误", TODAY);
    expect(getLead(h.db, clerkPs, leadId(fixtureId(0)))).toMatchObject({ status: "rejected", rejectReason: "本人为群众，平台填报有误" });
    expect(() => verifyLead(h.db, clerkPs, leadId(fixtureId(0)), {}, TODAY)).toThrow(/已排除/);
  });

  it("bulk verify is all or none", () => {
    rejectLead(h.db, clerkPs, leadId(fixtureId(0)), "重复", TODAY);
    const members = h.sqlite.prepare("SELECT count(*) FROM members").pluck().get();
    expect(() => bulkVerifyLeads(h.db, clerkPs, [leadId(fixtureId(4)), leadId(fixtureId(0))], {}, TODAY)).toThrow(/已排除/);
    expect(h.sqlite.prepare("SELECT count(*) FROM members").pluck().get()).toBe(members);
    expect(getLead(h.db, clerkPs, leadId(fixtureId(4))).status).toBe("open");
    const ok = bulkVerifyLeads(h.db, clerkPs, [leadId(fixtureId(4))], { branchId: city.psBranch.id }, TODAY);
    expect(ok).toHaveLength(1);
  });

  it("a supervisor cannot verify", () => {
    const sup = loadActor(h.db, city.userIds.supervisor!)!;
    expect(() => verifyLead(h.db, sup, leadId(fixtureId(0)), {}, TODAY)).toThrow(/只能查看/);
  });

  it("lists members who left a platform (流失风险)", async () => {
    verifyLead(h.db, clerkPs, leadId(fixtureId(0)), {}, TODAY);
    await runImport(h, clerkPs, {
      kind: "roster",
      file: path.join(FIX, "excel-scientific-ids.csv"),
      platform: "某外卖平台",
      orgId: city.ps.id,
      today: "2030-01-01",
    });
    const list = listPlatformDepartures(h.db, clerkPs).rows;
    expect(list.map((r) => [r.name, r.platform, r.leftOn])).toEqual([["张伟", "某外卖平台", "2030-01-01"]]);
    expect(listPlatformDepartures(h.db, clerkDl).rows).toEqual([]);
  });
});

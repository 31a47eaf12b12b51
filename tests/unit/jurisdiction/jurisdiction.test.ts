// The jurisdiction's pure rules (domain/jurisdiction.ts), and a database made before jurisdictions
// (Heze's root, Heze's ten counties) taking its root's region as its jurisdiction at migration 0013.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { migrate } from "drizzle-orm/better-sqlite3/migrator";
import { describe, expect, it } from "vitest";
import { openDb } from "../../../db/client.js";
import { MIGRATIONS_FOLDER } from "../../../db/migrate.js";
import { prepareDatabase } from "../../../server/bootstrap.js";
import { division } from "../../../server/domain/divisions.js";
import { breakdownLevels, isPlaceholderDivision, rootOrgName, rootOrgShortName } from "../../../server/domain/jurisdiction.js";
import { readJurisdiction } from "../../../server/services/jurisdiction/jurisdiction.service.js";

describe("the root organization's name", () => {
  it.each([
    ["210300", "中共鞍山市委社会工作部", "市委社会工作部"],
    ["370000", "中共山东省委社会工作部", "省委社会工作部"],
    ["110000", "中共北京市委社会工作部", "市委社会工作部"],
    ["150000", "中共内蒙古自治区党委社会工作部", "自治区党委社会工作部"],
    ["210381", "中共海城市委社会工作部", "市委社会工作部"],
    ["371702", "中共牡丹区委社会工作部", "区委社会工作部"],
    ["371721", "中共曹县县委社会工作部", "县委社会工作部"],
    ["371726", "中共鄄城县委社会工作部", "县委社会工作部"],
  ])("%s → %s (%s)", (code, name, short) => {
    const d = division(code)!;
    expect(rootOrgName(d)).toBe(name);
    expect(rootOrgShortName(d)).toBe(short);
  });
});

describe("breakdowns and placeholders", () => {
  it("breaks a province down by city and county, a city by county, a county by town", () => {
    expect(breakdownLevels("province")).toEqual(["city", "county"]);
    expect(breakdownLevels("city")).toEqual(["county"]);
    expect(breakdownLevels("county")).toEqual(["town"]);
  });
  it("knows the standard's groupings that are no place", () => {
    expect(isPlaceholderDivision(division("210301")!)).toBe(true);
    expect(isPlaceholderDivision(division("210302")!)).toBe(false);
  });
});

describe("a database made before jurisdictions", () => {
  it("takes its root's region as its jurisdiction, and gains the streets and townships at the next start", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-legacy-"));
    try {
      // The migrations up to 0012, as such a database has them.
      const old = path.join(dir, "migrations");
      fs.cpSync(MIGRATIONS_FOLDER, old, { recursive: true });
      const journalFile = path.join(old, "meta", "_journal.json");
      const journal = JSON.parse(fs.readFileSync(journalFile, "utf8")) as { entries: { idx: number }[] };
      journal.entries = journal.entries.filter((e) => e.idx <= 12);
      fs.writeFileSync(journalFile, JSON.stringify(journal));
      const h = openDb(path.join(dir, "app.db"));
      try {
        migrate(h.db, { migrationsFolder: old });
        h.sqlite.exec(`INSERT INTO regions (code, name, parent_code, level) VALUES ('370000','山东省',NULL,'province'),
          ('371700','菏泽市','370000','city'), ('371702','牡丹区','371700','county');
          INSERT INTO organizations (id, code, name, kind, path, depth, region_code) VALUES (1,'HZ','中共菏泽市委社会工作部','city_department','/1/',0,'371700');`);
        prepareDatabase(h);
        const j = readJurisdiction(h.db)!;
        expect(j).toMatchObject({ regionCode: "371700", level: "city", name: "菏泽市", rootOrg: { id: 1, code: "HZ" } });
        const towns = h.sqlite.prepare("SELECT count(*) AS n FROM regions WHERE level = 'town' AND code LIKE '3717%'").get();
        expect(towns).toEqual({ n: 167 });
        expect(h.sqlite.prepare("SELECT division_source FROM jurisdiction").get()).not.toEqual({ division_source: "before 0013" });
      } finally {
        h.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

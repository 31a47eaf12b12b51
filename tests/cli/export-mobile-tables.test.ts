// `npm run export -- table33|table34 --out FILE.xlsx [--org CODE] [--period …]`, run as a user runs it:
// a child process over a database file, the workbook read back.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { mobileSpells } from "../../db/schema.js";
import { closedDbFile } from "../helpers/db.js";
import { addMember, buildSmallCity } from "../helpers/fixtures.js";

let dir: string;
let dbPath: string;

beforeAll(async () => {
  ({ dir, path: dbPath } = await closedDbFile(async (h) => {
    const city = await buildSmallCity(h);
    const out = addMember(h, city.dlBranch.id, { occupation: "courier", relationStatus: "mobile_out" });
    h.db
      .insert(mobileSpells)
      .values({
        memberId: out.id,
        orgId: city.dlBranch.id,
        direction: "out",
        destinationCode: "440305",
        unitKind: "private_enterprise",
        certificateHeld: true,
        startedOn: "2025-03-01",
      })
      .run();
    const inn = addMember(h, city.psBranch.id, { occupation: "delivery_rider", relationStatus: "mobile_in" });
    h.db
      .insert(mobileSpells)
      .values({
        memberId: inn.id,
        orgId: city.psBranch.id,
        direction: "in",
        homeRegionCode: "370102",
        homeOrgName: "济南某支部",
        certificateHeld: true,
        startedOn: "2025-06-01",
      })
      .run();
  }));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

function run(args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join("scripts", "export.ts"), ...args], {
    env: { ...process.env, DATABASE_PATH: dbPath, NODE_ENV: "test", LOG_LEVEL: "silent" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

async function sheet(file: string) {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.readFile(file);
  return wb.worksheets[0]!;
}

describe("npm run export -- table33|table34", () => {
  it("writes a committee's table 33 for a period in the official layout", async () => {
    const out = path.join(dir, "t33.xlsx");
    const r = run(["table33", "--out", out, "--org", "HZ-DL", "--period", "2025-H1"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wrote .*t33\.xlsx: table33, 8 rows, \d+ bytes, \d+ ms$/);
    const ws = await sheet(out);
    expect(ws.getCell(1, 1).value).toBe("流出党员情况");
    expect(ws.getCell(3, 1).value).toBe("填报单位：中共菏泽市道路运输行业委员会");
    // Row 8: 总计 — one member, cross-province, with the certificate, at a non-public enterprise.
    expect([
      ws.getCell(8, 1).value,
      ws.getCell(8, 3).value,
      ws.getCell(8, 4).value,
      ws.getCell(8, 6).value,
      ws.getCell(8, 11).value,
    ]).toEqual(["总计", 1, 1, 1, 1]);
  });

  it("writes the whole city's table 34 (this year by default)", async () => {
    const out = path.join(dir, "t34.xlsx");
    const r = run(["table34", "--out", out]);
    expect(r.code).toBe(0);
    const ws = await sheet(out);
    expect(ws.getCell(1, 1).value).toBe("流入党员情况");
    // Row 7: 总计 — one member from another city of the province, holding the certificate, one receiving branch.
    expect([1, 3, 4, 5, 6, 7].map((c) => ws.getCell(7, c).value)).toEqual(["总计", 1, 0, 1, 1, 1]);
  });
});

// `npm run export -- meetings`, run as a user runs it: a child process over a database file.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { todayIso } from "../../server/domain/dates.js";
import { systemActor } from "../../server/policy/actor.js";
import { meetingSchema } from "../../server/schemas/meetings.schema.js";
import { recordMeeting } from "../../server/services/meetings/record.js";
import { closedDbFile } from "../helpers/db.js";
import { buildSmallCity } from "../helpers/fixtures.js";

let dir: string;
let dbPath: string;
const today = todayIso();
const year = today.slice(0, 4);

beforeAll(async () => {
  ({ dir, path: dbPath } = await closedDbFile(async (h) => {
    const city = await buildSmallCity(h);
    const meet = (orgId: number, memberId: number) =>
      recordMeeting(
        h.db,
        systemActor("test"),
        orgId,
        meetingSchema.parse({
          type: "theme_day",
          heldOn: today,
          place: "会议室",
          host: "书记",
          recorder: "委员",
          topic: "主题党日",
          present: String(memberId),
        }),
        today,
      );
    meet(city.dlBranch.id, city.dlMember.id);
    meet(city.psBranch.id, city.psMember.id);
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

describe("npm run export -- meetings", () => {
  it("writes a committee's year of organizational life, audited", async () => {
    const out = path.join(dir, "meetings.xlsx");
    const r = run(["meetings", "--out", out, "--org", "HZ-DL", "--year", year]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(new RegExp(`^wrote .*meetings\\.xlsx: meetings ${year}, 1 meetings, \\d+ bytes, \\d+ ms$`));
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const list = wb.getWorksheet("会议清单")!;
    expect(list.getCell("A3").value).toBe("中共菏泽某物流有限公司支部委员会");
    expect(list.rowCount).toBe(3); // title, header, the one HZ-DL meeting (HZ-PS's is outside --org)
    // Two HZ-DL branches × twelve months.
    expect(wb.getWorksheet("按月统计")!.rowCount).toBe(2 + 24);
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it.each([
    [["meetings", "--out", "x.xlsx", "--year", "25"], /^error: --year must be a year YYYY, got "25"$/],
    [["members", "--out", "x.xlsx", "--year", "2025"], /^error: --year applies to the dues summary and meetings only/],
    [["meetings", "--out", "x.xlsx", "--org", "NOPE"], /^error: no organization with code "NOPE"$/],
  ])("refuses %j", (args, message) => {
    const r = run(args);
    expect(r.code).not.toBe(0);
    expect(r.err).toMatch(message);
  });
});

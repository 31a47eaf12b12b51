// The export and snapshot CLIs, run as a user runs them: a child process over a database file.
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import Database from "better-sqlite3";
import ExcelJS from "exceljs";
import { LOST_CONTACT_REASON } from "../../server/domain/codes.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { closedDbFile } from "../helpers/db.js";
import { buildSmallCity } from "../helpers/fixtures.js";

let dir: string;
let dbPath: string;
let cleanup: () => void;

beforeAll(async () => {
  ({ dir, path: dbPath } = await closedDbFile(buildSmallCity));
  cleanup = () => fs.rmSync(dir, { recursive: true, force: true });
});
afterAll(() => cleanup());

function run(script: string, args: string[]) {
  const r = spawnSync(process.execPath, ["--import", "tsx", path.join("scripts", script), ...args], {
    env: { ...process.env, DATABASE_PATH: dbPath, NODE_ENV: "test", LOG_LEVEL: "silent" },
    encoding: "utf8",
    timeout: 60_000,
  });
  return { code: r.status, out: r.stdout.trim(), err: r.stderr.trim() };
}

describe("npm run export", () => {
  it("writes a committee's member roster to the file named by --out", async () => {
    const out = path.join(dir, "members.xlsx");
    const r = run("export.ts", ["members", "--out", out, "--org", "HZ-DL"]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wrote .*members\.xlsx: members, 2 rows, \d+ bytes, \d+ ms$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.worksheets[0]!;
    expect([ws.getCell("A2").value, ws.getCell("A3").value]).toEqual(["张道路", "李联合"]);
    expect(ws.getCell("E2").value).toMatch(/^\d{17}[\dX]$/); // the CLI runs as the system: whole ID numbers
    expect(fs.readdirSync(dir).filter((f) => f.endsWith(".tmp"))).toEqual([]);
  });

  it("writes the coverage workbook and takes the month's snapshot", async () => {
    const out = path.join(dir, "coverage.xlsx");
    const r = run("export.ts", ["coverage", "--out", out]);
    expect(r.code).toBe(0);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    expect(wb.getWorksheet("两个覆盖统计表")!.getCell("A1").value).toBe("菏泽市新就业群体党建“两个覆盖”情况统计表");
  });

  it("writes the dues summary of a committee's branches for a year, one row per branch and month", async () => {
    const out = path.join(dir, "dues.xlsx");
    const year = String(new Date().getUTCFullYear() - 1);
    const r = run("export.ts", ["dues", "--out", out, "--org", "HZ-DL", "--year", year]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wrote .*dues\.xlsx: dues, 24 rows, \d+ bytes, \d+ ms$/); // 2 branches × 12 months
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.getWorksheet("党费收缴情况汇总表")!;
    expect(ws.getRow(1).values).toContain("实交金额（元）");
    expect([ws.getCell("B2").value, ws.getCell("D2").value]).toEqual(["HZ-DL-001", `${year}-01`]);
  });

  it("writes the drift-risk list, narrowed by --org, whole numbers (the system), audited", async () => {
    const db = new Database(dbPath);
    const m = db
      .prepare("UPDATE members SET lost_contact_on = '2020-01-01', lost_contact_reason = ? WHERE name = '张道路' RETURNING id_number")
      .get(Object.keys(LOST_CONTACT_REASON.label)[0]) as { id_number: string };
    db.close();
    const out = path.join(dir, "risk.xlsx");
    const r = run("export.ts", ["risk", "--out", out, "--org", "HZ-DL"]);
    expect(r.err).toBe("");
    expect(r.out).toMatch(/^wrote .*risk\.xlsx: risk, 1 rows, \d+ bytes, \d+ ms$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.getWorksheet("流失风险名单")!;
    expect([ws.getCell("C2").value, ws.getCell("D2").value, ws.getCell("J2").value]).toEqual(["张道路", m.id_number, "失去联系"]);
    const other = run("export.ts", ["risk", "--out", path.join(dir, "risk-ps.xlsx"), "--org", "HZ-PS"]);
    expect(other.out).toMatch(/: risk, 0 rows,/);
    const check = new Database(dbPath, { readonly: true });
    const audits = check.prepare("SELECT details FROM audit_log WHERE action = 'export' AND details LIKE '%\"kind\":\"risk\"%'").all();
    check.close();
    expect(audits).toHaveLength(2);
  });

  it("writes the national member system's export and table 27 for a committee", async () => {
    const nat = path.join(dir, "national.xlsx");
    const r = run("export.ts", ["national-members", "--out", nat, "--org", "HZ-DL"]);
    expect(r.err).toBe("");
    expect(r.out).toMatch(/^wrote .*national\.xlsx: national-members, 2 rows, \d+ bytes, \d+ ms$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(nat);
    expect((wb.worksheets[0]!.getRow(1).values as unknown[]).slice(1, 3)).toEqual(["姓名", "公民身份号码"]);
    const t27 = path.join(dir, "table27.xlsx");
    const r27 = run("export.ts", ["table27", "--out", t27, "--org", "HZ-DL"]);
    expect(r27.err).toBe("");
    expect(r27.code).toBe(0);
    const wb27 = new ExcelJS.Workbook();
    await wb27.xlsx.readFile(t27);
    expect(String(wb27.worksheets[0]!.getCell("A1").value)).toBe("非公有制经济控制企业法人单位建立党的基层组织情况");
    expect(wb27.worksheets[0]!.getCell("A3").value).toBe("填报单位：中共菏泽市道路运输行业委员会");
    // Two child processes: each takes 10–20 s when the machine is loaded.
  }, 90_000);

  it("writes an official table (table 1) for a committee and a period, audited as the CLI", async () => {
    const out = path.join(dir, "table1.xlsx");
    const year = String(new Date().getUTCFullYear());
    const r = run("export.ts", ["table1", "--out", out, "--org", "HZ-DL", "--period", `${year}-H1`]);
    expect(r.err).toBe("");
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/^wrote .*table1\.xlsx: table1, 19 rows, \d+ bytes, \d+ ms$/);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.readFile(out);
    const ws = wb.worksheets[0]!;
    expect(ws.getCell("A1").value).toBe("党员数量变化情况");
    expect(ws.getCell("A3").value).toBe("填报单位：中共菏泽市道路运输行业委员会");
    expect(String(ws.getCell("B3").value)).toContain(`统计期：${year}年上半年`);
    const check = new Database(dbPath, { readonly: true });
    const audit = check.prepare("SELECT username, details FROM audit_log WHERE action = 'export' AND entity_id = 'table1'").get() as {
      username: string;
      details: string;
    };
    check.close();
    expect(audit.username).toBe("cli");
    expect(JSON.parse(audit.details)).toMatchObject({ org: "HZ-DL", period: `${year}-H1`, completed: true });
  });

  it.each([
    [["members"], /^error: --out FILE\.xlsx is required; usage: npm run export -- /],
    [
      ["bogus", "--out", "x.xlsx"],
      /^error: unknown report kind "bogus": expected one of coverage, members, enterprises, leads, transfers, workers, recruitment, risk, dues, national-members, meetings, table1(, table\d+)*$/,
    ],
    [["members", "--out", "x.csv"], /^error: --out must name an \.xlsx file, got "x\.csv"$/],
    [["coverage", "--out", "x.xlsx", "--as-of", "2025-02-30"], /^error: --as-of must be a real date YYYY-MM-DD, got "2025-02-30"$/],
    [["coverage", "--out", "x.xlsx", "--as-of", "2999-01-01"], /^error: --as-of 2999-01-01 is in the future$/],
    [["members", "--out", "x.xlsx", "--org", "NOPE"], /^error: no organization with code "NOPE"$/],
    [["members", "--out", "x.xlsx", "--wat"], /^error: Unknown option '--wat'/],
    [["dues", "--out", "x.xlsx", "--year", "2999"], /^error: --year 2999 is in the future$/],
    [["dues", "--out", "x.xlsx", "--year", "25"], /^error: --year must be a year YYYY, got "25"$/],
    [["members", "--out", "x.xlsx", "--year", "2025"], /^error: --year applies to the dues summary and meetings only/],
    [["table1", "--out", "x.xlsx", "--period", "2026-H3"], /^error: --period must be YYYY or YYYY-H1, got "2026-H3"$/],
    [["members", "--out", "x.xlsx", "--period", "2025"], /^error: --period applies to the official tables/],
    [["table43", "--out", "x.xlsx", "--as-of", "2025-01-01"], /^error: the official tables take --period, not --as-of or --year/],
  ])("refuses %j with one English line and a non-zero exit", (args, message) => {
    const r = run("export.ts", args as string[]);
    expect(r.code).toBe(1);
    expect(r.err.split("\n")).toHaveLength(1);
    expect(r.err).toMatch(message);
    expect(fs.existsSync("x.xlsx")).toBe(false);
  });
});

describe("npm run snapshot", () => {
  it("snapshots every organization for the month, idempotently", () => {
    const first = run("snapshot.ts", []);
    expect(first.code).toBe(0);
    // The small city: root, two committees, three branches.
    expect(first.out.split("\n").at(-1)).toMatch(/^snapshot \d{4}-\d{2} as of \d{4}-\d{2}-\d{2}: 6 scopes written, 0 final kept/);
    const again = run("snapshot.ts", []);
    expect(again.out.split("\n").at(-1)).toMatch(/: 6 scopes written, 0 final kept/);
    expect(run("snapshot.ts", ["--backfill", "0"]).err).toMatch(/^error: --backfill must be a number of months from 1 to 120/);
  });
});

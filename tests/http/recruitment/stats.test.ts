// The statistics: the dashboard's 发展党员 cards and the statistics page each equal the list of
// people behind them; the monthly snapshot keeps them; the ledger exports them (text cells, masked by
// role, audited), from the web and from `npm run export -- recruitment`.

import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ExcelJS from "exceljs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { systemActor } from "../../../server/policy/actor.js";
import { resolveScope } from "../../../server/services/coverage/scope.js";
import { readSnapshot, takeSnapshot } from "../../../server/services/coverage/snapshots.js";
import { recruitmentFigures } from "../../../server/services/recruitment/recruitment.service.js";
import { addDays, BOOK, post, type RWorld, rworld, type Signed, today } from "./helpers.js";

const FIGURES = ["applicants", "activists", "candidates", "recruited", "madeFull"];

describe("recruitment statistics equal the lists behind them", () => {
  let w: RWorld;
  beforeAll(async () => {
    w = await rworld();
    w.at(w.city.dlBranch.id, "applicant");
    w.at(w.city.dlBranch.id, "activist");
    w.at(w.city.dlJoint.id, "activist");
    w.at(w.city.dlBranch.id, "candidate");
    w.at(w.city.dlJoint.id, "planned");
    w.at(w.city.psBranch.id, "activist");
    const made = w.at(w.city.dlBranch.id, "probationary");
    const fullOn = addDays(BOOK.admit, 400);
    expect(
      (
        await post(w.clerkDl, `/recruitment/${made}/steps/full`, {
          on: fullOn,
          publicFrom: addDays(fullOn, -20),
          publicTo: addDays(fullOn, -1),
        })
      ).status,
    ).toBe(303);
    // One admitted this year (the dates by the book lie in earlier years): its joining date moved into this year.
    const thisYear = w.at(w.city.dlJoint.id, "probationary");
    const jan = `${today.slice(0, 4)}-01-01`;
    w.t.handle.sqlite.prepare("UPDATE recruitments SET joined_on = ? WHERE id = ?").run(jan, thisYear);
  });
  afterAll(() => w.t.close());

  async function cardsOf(a: Signed) {
    const page = await a.get("/");
    expect(page.status).toBe(200);
    const cards: Record<string, { n: number; href: string }> = {};
    for (const m of page.text.matchAll(
      /<a class="figure" href="(\/recruitment\/people\?figure=(\w+)[^"]*)"[^>]*>\s*<span class="n">([\d,]+)<\/span>/g,
    ))
      cards[m[2]!] = { n: Number(m[3]!.replace(/,/g, "")), href: m[1]!.replace(/&amp;/g, "&") };
    return cards;
  }

  it("the dashboard's cards, for the city and for one committee, each equal its list", async () => {
    for (const a of [w.admin, w.clerkDl]) {
      const cards = await cardsOf(a);
      expect(Object.keys(cards).sort()).toEqual([...FIGURES].sort());
      for (const [k, c] of Object.entries(cards)) {
        const list = await a.get(c.href);
        expect(list.status).toBe(200);
        expect((list.text.match(/data-recruitment="/g) ?? []).length, k).toBe(c.n);
      }
    }
    const city = await cardsOf(w.admin);
    expect(Object.fromEntries(Object.entries(city).map(([k, c]) => [k, c.n]))).toEqual({
      applicants: 1,
      activists: 3,
      candidates: 2,
      recruited: 1,
      madeFull: 1,
    });
    expect((await cardsOf(w.clerkDl)).activists!.n).toBe(2);
  });

  it("the statistics page per organization and per occupation: each number equals its list", async () => {
    const page = await w.clerkDl.get("/recruitment/stats");
    expect(page.status).toBe(200);
    const links = [...page.text.matchAll(/<td class="num"[^>]*><a href="([^"]+)">([\d,]+)<\/a>/g)];
    expect(links.length).toBeGreaterThan(10);
    for (const [, href, n] of links) {
      const list = await w.clerkDl.get(href!.replace(/&amp;/g, "&"));
      expect((list.text.match(/data-recruitment="/g) ?? []).length, href).toBe(Number(n));
    }
  });

  it("the monthly snapshot keeps the figures", () => {
    const { report } = takeSnapshot(w.t.handle.db, w.city.dl.id);
    const live = recruitmentFigures(w.t.handle.db, resolveScope(w.t.handle.db, systemActor(), { orgId: w.city.dl.id }), today);
    expect(report.recruitment).toEqual(live);
    expect(readSnapshot(w.t.handle.db, w.city.dl.id, today.slice(0, 7))!.recruitment).toEqual(live);
    expect(live.activists).toBe(2);
  });

  async function workbook(a: Signed, qs = "") {
    const res = await a
      .get(`/recruitment/export.xlsx${qs}`)
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => cb(null, Buffer.concat(chunks)));
      });
    expect(res.status).toBe(200);
    const wb = new ExcelJS.Workbook();
    await wb.xlsx.load(res.body as ArrayBuffer);
    return wb.worksheets[0]!;
  }

  it("the ledger: one row per person, ID numbers as text, whole for a clerk, masked for a secretary; audited", async () => {
    const before = w.audit("export").length;
    const ws = await workbook(w.clerkDl);
    expect(ws.name).toBe("发展党员工作台账");
    expect(ws.rowCount - 1).toBe(7);
    const header = (ws.getRow(1).values as string[]).slice(1);
    const idCol = header.indexOf("公民身份号码") + 1;
    expect(header).toContain("入党志愿书编号");
    expect(ws.getCell(2, idCol).value).toMatch(/^\d{17}[\dX]$/);
    expect(ws.getCell(2, idCol).numFmt).toBe("@");
    const sec = await workbook(w.secDl, "?stage=activist");
    expect(sec.name).toBe("入党积极分子名册");
    expect(sec.rowCount - 1).toBe(1);
    expect(String(sec.getCell(2, idCol).value)).toContain("*");
    const audits = w.audit("export").slice(before);
    expect(audits).toHaveLength(2);
    expect(JSON.parse(audits[0]!.details)).toMatchObject({ kind: "recruitment", rows: 7, unmasked: true });
  });

  it("npm run export -- recruitment --out FILE.xlsx --org CODE", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rec-export-"));
    try {
      const dbPath = path.join(dir, "db.sqlite");
      await w.t.handle.sqlite.backup(dbPath);
      const out = path.join(dir, "r.xlsx");
      const r = spawnSync(
        process.execPath,
        ["--import", "tsx", path.join("scripts", "export.ts"), "recruitment", "--out", out, "--org", "HZ-PS"],
        {
          env: { ...process.env, DATABASE_PATH: dbPath, NODE_ENV: "test", LOG_LEVEL: "silent" },
          encoding: "utf8",
          timeout: 60_000,
        },
      );
      expect(r.stderr.trim()).toBe("");
      expect(r.stdout.trim()).toMatch(/^wrote .*r\.xlsx: recruitment, 1 rows, \d+ bytes, \d+ ms$/);
      const wb = new ExcelJS.Workbook();
      await wb.xlsx.readFile(out);
      expect(wb.worksheets[0]!.getCell("B2").value).toMatch(/^测试申请人/);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000); // a child process under tsx: slow on a busy machine
});

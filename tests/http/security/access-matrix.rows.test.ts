// The access matrix's body- and file-borne cases: rows an import names by content — ID numbers in
// an uploaded file or in a platform's batch — not by an id in the URL. The world is the matrix's
// (matrix-fixtures.ts): HZ-PS holds workers on its platform and on HZ-DL's, members, leads and a
// reference list; t-clerk-dl and HZ-DL's API key try to reach them the way an attacker would,
// over HTTP, each case on a fresh copy of the same database. What an import may do to a row held
// outside the importer's scope (docs/ARCHITECTURE.md, "Imports and rows held by others"): never
// move it, overwrite it, or show its stored values; the file's row is listed as not imported.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type express from "express";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { fixtureId } from "../../fixtures/rosters/people.js";
import { buildMatrixWorld, type Caller, DL_PLATFORM, type MatrixWorld, PS_PLATFORM, type Session } from "../../helpers/matrix-fixtures.js";

const scratch = fs.mkdtempSync(path.join(os.tmpdir(), "pc-matrix-rows-"));
let w: MatrixWorld;
beforeAll(async () => {
  w = await buildMatrixWorld(path.join(scratch, "uploads"));
}, 60_000);
afterAll(() => fs.rmSync(scratch, { recursive: true, force: true }));

const HELD_WORKER = "该人员在本平台的花名册中已由其他党组织登记，本行未导入";
const HELD_MEMBER = "该身份证号已由其他党组织登记为党员，本行未导入";
/** Someone nobody holds anywhere: the answer every probe must be indistinguishable from. */
const STRANGER = makeIdNumber("371702", "1996-06-06", 61);

async function onFresh<T>(fn: (app: express.Express, h: DbHandle) => Promise<T>): Promise<T> {
  const { app, handle } = w.fresh();
  try {
    return await fn(app, handle);
  } finally {
    handle.close();
  }
}

let fileSeq = 0;
/** The mapping the preview page chose (its selected options), as the form would post it back. */
function mappingOf(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<select name="(map_\w+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const chosen = /<option value="([^"]*)" selected>/.exec(m[2]!);
    if (chosen) out[m[1]!] = chosen[1]!;
  }
  return out;
}

/** Uploads a file through the import form, runs it, waits for it; returns its id and summary. */
async function webImport(app: express.Express, s: Session, fields: Record<string, string>, text: string, mode: "run" | "dry" = "run") {
  const file = path.join(scratch, `upload-${++fileSeq}.csv`);
  fs.writeFileSync(file, text);
  let up = request(app)
    .post(`/imports/new?_csrf=${encodeURIComponent(s.csrf)}`)
    .set("Cookie", s.cookie);
  for (const [k, v] of Object.entries(fields)) up = up.field(k, v);
  const preview = await up.attach("file", file);
  expect(preview.status, preview.text.slice(0, 300)).toBe(200);
  const upload = /name="upload" value="([a-f0-9]{32})"/.exec(preview.text)![1]!;
  const start = await request(app)
    .post("/imports/start")
    .set("Cookie", s.cookie)
    .type("form")
    .send({ _csrf: s.csrf, upload, ...fields, mode, ...mappingOf(preview.text) });
  expect(start.status).toBe(303);
  const id = Number(/\/imports\/(\d+)$/.exec(start.headers.location ?? "")![1]);
  for (let i = 0; i < 200; i++) {
    const p = await request(app).get(`/imports/${id}/progress`).set("Cookie", s.cookie);
    expect(p.status).toBe(200);
    if (p.body.phase === "done") {
      expect(p.body.status, p.body.error).toBe(mode === "run" ? "succeeded" : "dry_run");
      return { id, summary: p.body.summary as Record<string, number> };
    }
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("import did not finish");
}

const batchUrl = (platform = DL_PLATFORM) => `/api/v1/rosters/${encodeURIComponent(platform)}/batches`;

/** A JSON batch with HZ-DL's key; the answer without its import id (the only field that must differ). */
async function batch(app: express.Express, workers: Record<string, string>[], complete = false) {
  const res = await request(app)
    .post(batchUrl())
    .set("Authorization", `Bearer ${w.fx.keyDl.key}`)
    .send({ batchId: `b-${++fileSeq}`, complete, workers });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  const { importId: _id, ...answer } = res.body as Record<string, unknown>;
  return answer;
}

const rowOf = (h: DbHandle, sql: string, ...args: unknown[]) => h.sqlite.prepare(sql).get(...args) as Record<string, unknown> | undefined;
const allOf = (h: DbHandle, sql: string, ...args: unknown[]) => h.sqlite.prepare(sql).all(...args) as Record<string, unknown>[];

// -- A roster naming a worker of the platform that another committee holds --------------------------

describe("file-borne: a roster names a worker another committee holds on that platform", () => {
  // HZ-PS holds 张伟 on its platform (impPs: phone 13800000001, hired 2024-03-05, a lead of HZ-PS's).
  const target = fixtureId(0);
  const attack = `身份证号,姓名\n${target},张伟\n`;

  const cases: { name: string; caller: Caller; orgId: () => number; held: boolean }[] = [
    {
      name: "t-clerk-dl into HZ-DL: outside the clerk's scope — not imported, untouched",
      caller: "clerk",
      orgId: () => w.fx.dl.id,
      held: true,
    },
    {
      name: "an administrator into HZ-DL: inside the administrator's scope — moved, as any in-scope row",
      caller: "admin",
      orgId: () => w.fx.dl.id,
      held: false,
    },
  ];
  for (const c of cases) {
    it(c.name, () =>
      onFresh(async (app, h) => {
        const workersOfPs = () => allOf(h, "SELECT * FROM workers WHERE platform = ? ORDER BY id", PS_PLATFORM);
        const before = workersOfPs();
        const leadsBefore = allOf(h, "SELECT * FROM leads ORDER BY id");
        const { id, summary } = await webImport(
          app,
          w.sessions[c.caller],
          { kind: "roster", platform: PS_PLATFORM, orgId: String(c.orgId()) },
          attack,
        );
        const page = await request(app).get(`/imports/${id}`).set("Cookie", w.sessions[c.caller].cookie);
        expect(page.status).toBe(200);
        if (c.held) {
          expect(summary).toMatchObject({
            rows: 1,
            inserted: 0,
            updated: 0,
            unchanged: 0,
            rejected: 1,
            departed: 0,
            membersMatched: 0,
            leadsCreated: 0,
          });
          // Not moved, not overwritten (the blank phone erased nothing, the row kept its import and dates), nobody departed.
          expect(workersOfPs()).toEqual(before);
          expect(allOf(h, "SELECT * FROM leads ORDER BY id")).toEqual(leadsBefore);
          // The page says why, naming neither the holder nor anything it stored.
          expect(page.text).toContain(HELD_WORKER);
          for (const stored of ["13800000001", "138****0001", "2024-03-05", w.fx.ps.name, "牡丹区东站"])
            expect(page.text, stored).not.toContain(stored);
          // Nothing of the row reaches HZ-DL: no worker of that platform.
          expect(rowOf(h, "SELECT count(*) AS n FROM workers WHERE platform = ? AND org_id = ?", PS_PLATFORM, w.fx.dl.id)).toEqual({
            n: 0,
          });
        } else {
          expect(summary).toMatchObject({ rows: 1, updated: 1, rejected: 0 });
          expect(rowOf(h, "SELECT org_id AS org, phone FROM workers WHERE platform = ? AND id_number = ?", PS_PLATFORM, target)).toEqual({
            org: w.fx.dl.id,
            phone: "13800000001",
          });
        }
      }),
    );
  }

  it("a dry run by t-clerk-dl answers the same and lists the same row, and changes nothing", () =>
    onFresh(async (app, h) => {
      const before = allOf(h, "SELECT * FROM workers ORDER BY id");
      const { id, summary } = await webImport(
        app,
        w.sessions.clerk,
        { kind: "roster", platform: PS_PLATFORM, orgId: String(w.fx.dl.id) },
        attack,
        "dry",
      );
      expect(summary).toMatchObject({ rows: 1, inserted: 0, updated: 0, unchanged: 0, rejected: 1 });
      expect(allOf(h, "SELECT row_number AS row, outcome, reason FROM import_issues WHERE import_id = ?", id)).toEqual([
        { row: 2, outcome: "rejected", reason: expect.stringContaining(HELD_WORKER) },
      ]);
      expect(allOf(h, "SELECT * FROM workers ORDER BY id")).toEqual(before);
    }));

  it("the control: t-clerk-dl naming a worker HZ-DL holds updates it, and a blank phone erases nothing", () =>
    onFresh(async (app, h) => {
      const { summary } = await webImport(
        app,
        w.sessions.clerk,
        { kind: "roster", platform: DL_PLATFORM, orgId: String(w.fx.dl.id) },
        `身份证号,姓名\n${target},张伟\n`,
      );
      expect(summary).toMatchObject({ rows: 1, rejected: 0, unchanged: 1 });
      expect(rowOf(h, "SELECT org_id AS org, phone FROM workers WHERE platform = ? AND id_number = ?", DL_PLATFORM, target)).toEqual({
        org: w.fx.dl.id,
        phone: "13800000001",
      });
    }));
});

// -- The platform API: a batch naming a worker another committee holds on the key's platform ---------

describe("body-borne: HZ-DL's API key names a worker HZ-PS holds on HZ-DL's platform", () => {
  it("the worker is not imported, not moved, not overwritten, not departed; HZ-DL's own roster is judged alone", () =>
    onFresh(async (app, h) => {
      const held = w.fx.psWorkerOnDl;
      const psRow = () => rowOf(h, "SELECT * FROM workers WHERE platform = ? AND id_number = ?", DL_PLATFORM, held.idNumber);
      const before = psRow();
      expect(before).toMatchObject({ org_id: w.fx.ps.id, phone: held.phone, hired_on: held.hiredOn, left_on: null });
      const ownBefore = rowOf(
        h,
        "SELECT count(*) AS n FROM workers WHERE platform = ? AND org_id = ? AND left_on IS NULL",
        DL_PLATFORM,
        w.fx.dl.id,
      )!.n as number;
      expect(ownBefore).toBeGreaterThan(0);
      // The whole roster, by HZ-DL's key: the held worker with a blank phone and another name, and one new hire.
      const answer = await batch(
        app,
        [
          { idNumber: held.idNumber, name: "改名字" },
          { idNumber: STRANGER, name: "新骑手" },
        ],
        true,
      );
      expect(answer).toMatchObject({ rows: 2, inserted: 1, updated: 0, unchanged: 0, rejected: 1, departed: ownBefore });
      expect(psRow()).toEqual(before);
      // Its reason is on the import's page for HZ-DL's clerk, without HZ-PS's stored values.
      const id = rowOf(h, "SELECT max(id) AS id FROM imports")!.id as number;
      const page = await request(app).get(`/imports/${id}`).set("Cookie", w.sessions.clerk.cookie);
      expect(page.text).toContain(HELD_WORKER);
      for (const stored of [held.phone, "137****4141", held.hiredOn, held.name, w.fx.ps.name])
        expect(page.text, stored).not.toContain(stored);
    }));
});

// -- The platform API: no answer tells whether an ID number is a member or a lead anywhere else -----------

describe("body-borne: HZ-DL's API key probes ID numbers; the answers do not depend on records outside its committee", () => {
  const probes = () => ({
    "a member HZ-PS holds": w.fx.psMember.idNumber,
    "a person HZ-PS has as a lead": makeIdNumber("371702", "1991-04-05", 903),
    "a person on HZ-PS's reference list": w.fx.psReference.idNumber,
  });

  for (const politicalStatus of ["中共党员", "群众", null]) {
    it(`政治面貌 ${politicalStatus ?? "absent"}: each probe is answered exactly as a stranger is — partial, whole, and the same whole batch again today`, async () => {
      const ask = (id: string) =>
        onFresh(async (app, h) => {
          const worker = { idNumber: id, name: "试探", ...(politicalStatus ? { politicalStatus } : {}) };
          const partial = await batch(app, [worker]);
          const whole = await batch(app, [worker], true);
          // The same whole batch again the same day takes the import's shortcut (applyRosterRepeat).
          const again = await batch(app, [worker], true);
          const last = rowOf(h, "SELECT summary FROM imports ORDER BY id DESC LIMIT 1")!.summary as string;
          expect(JSON.parse(last)).toHaveProperty("sameAsImportId");
          return { partial, whole, again };
        });
      const stranger = await ask(STRANGER);
      expect(stranger.partial).toMatchObject({
        rows: 1,
        inserted: 1,
        membersMatched: 0,
        leadsCreated: politicalStatus === "中共党员" ? 1 : 0,
      });
      expect(stranger.whole).toMatchObject({ rows: 1, inserted: 0, unchanged: 1, membersMatched: 0, leadsCreated: 0 });
      expect(stranger.again).toMatchObject({ rows: 1, inserted: 0, unchanged: 1, membersMatched: 0, leadsCreated: 0, departed: 0 });
      for (const [what, id] of Object.entries(probes())) expect(await ask(id), what).toEqual(stranger);
    });
  }

  it("a CSV batch answers the same way", async () => {
    const ask = (id: string) =>
      onFresh(async (app) => {
        const res = await request(app)
          .post(`${batchUrl()}?batchId=csv-1&complete=false`)
          .set("Authorization", `Bearer ${w.fx.keyDl.key}`)
          .set("Content-Type", "text/csv")
          .send(`身份证号,姓名,政治面貌\n${id},试探,中共党员\n`);
        expect(res.status).toBe(200);
        const { importId: _id, ...answer } = res.body as Record<string, unknown>;
        return answer;
      });
    const stranger = await ask(STRANGER);
    for (const [what, id] of Object.entries(probes())) expect(await ask(id), what).toEqual(stranger);
  });

  it("the control: a member of HZ-DL's own scope is matched, and no lead is counted for a member", () =>
    onFresh(async (app, h) => {
      const answer = await batch(app, [{ idNumber: w.fx.dlMember.idNumber, name: w.fx.dlMember.name, politicalStatus: "中共党员" }]);
      expect(answer).toMatchObject({ rows: 1, inserted: 1, membersMatched: 1, leadsCreated: 0 });
      // The import's own record (the clerk's page) keeps its own counts.
      const id = rowOf(h, "SELECT max(id) AS id FROM imports")!.id as number;
      expect(JSON.parse(rowOf(h, "SELECT summary FROM imports WHERE id = ?", id)!.summary as string)).toMatchObject({
        membersMatched: 1,
        leadsCreated: 0,
      });
    }));

  it("the real counts stay on the committee's import page: a member held elsewhere raises no lead there", () =>
    onFresh(async (app, h) => {
      const answer = await batch(app, [{ idNumber: w.fx.psMember.idNumber, name: "试探", politicalStatus: "中共党员" }]);
      expect(answer).toMatchObject({ leadsCreated: 1 });
      expect(rowOf(h, "SELECT count(*) AS n FROM leads WHERE id_number = ?", w.fx.psMember.idNumber)).toEqual({ n: 0 });
      const id = rowOf(h, "SELECT max(id) AS id FROM imports")!.id as number;
      expect(JSON.parse(rowOf(h, "SELECT summary FROM imports WHERE id = ?", id)!.summary as string)).toMatchObject({ leadsCreated: 0 });
    }));
});

// -- Reference lists ---------------------------------------------------------------------------------------------

describe("file-borne: a reference list names a person on another committee's list", () => {
  it("t-clerk-dl's list gets its own row; HZ-PS's row is untouched; the answer is a stranger's", () =>
    onFresh(async (app, h) => {
      const ref = w.fx.psReference;
      const psRow = () => rowOf(h, "SELECT * FROM reference_members WHERE org_id = ? AND id_number = ?", w.fx.ps.id, ref.idNumber);
      const before = psRow();
      expect(before).toMatchObject({ name: ref.name, home_org_name: ref.homeOrgName });
      const fields = { kind: "members", reference: "1", orgId: String(w.fx.dl.id) };
      const probe = await webImport(app, w.sessions.clerk, fields, `姓名,身份证号,组织关系所在党组织\n改名字,${ref.idNumber},别的党支部\n`);
      const stranger = await webImport(app, w.sessions.clerk, fields, `姓名,身份证号,组织关系所在党组织\n陌生人,${STRANGER},别的党支部\n`);
      const { importId: _a, ...probeCounts } = probe.summary;
      const { importId: _b, ...strangerCounts } = stranger.summary;
      expect(probeCounts).toEqual(strangerCounts);
      expect(probeCounts).toMatchObject({ rows: 1, inserted: 1, updated: 0 });
      expect(psRow()).toEqual(before);
      expect(
        rowOf(h, "SELECT name, home_org_name AS home FROM reference_members WHERE org_id = ? AND id_number = ?", w.fx.dl.id, ref.idNumber),
      ).toEqual({ name: "改名字", home: "别的党支部" });
    }));

  it("HZ-PS's list is never matched against HZ-DL's roster: no lead carrying its home organization", () =>
    onFresh(async (app, h) => {
      const { summary } = await webImport(
        app,
        w.sessions.clerk,
        { kind: "roster", platform: DL_PLATFORM, orgId: String(w.fx.dl.id) },
        `身份证号,姓名\n${w.fx.psReference.idNumber},吕参考\n`,
      );
      expect(summary).toMatchObject({ rows: 1, inserted: 1, leadsCreated: 0 });
      expect(allOf(h, "SELECT * FROM leads WHERE id_number = ?", w.fx.psReference.idNumber)).toEqual([]);
    }));
});

// -- Member lists ---------------------------------------------------------------------------------------------------

describe("file-borne: a member list names another committee's member and its workers", () => {
  it("HZ-PS's member is not imported nor changed; only workers in the clerk's scope are linked and counted", () =>
    onFresh(async (app, h) => {
      const ps = w.fx.psMember;
      const memberRow = () => rowOf(h, "SELECT * FROM members WHERE id = ?", ps.id);
      const before = memberRow();
      // 王芳 (fixtureId(1)) works on both committees' platforms; 刘洋 (fixtureId(3)) only on HZ-PS's.
      const list = [
        "姓名,公民身份号码,人员类别,入党日期,联系电话",
        `改名字,${ps.idNumber},正式党员,2010-07-01,13912345678`,
        `王芳,${fixtureId(1)},正式党员,2015-07-01,`,
        `刘洋,${fixtureId(3)},正式党员,2016-07-01,`,
      ].join("\n");
      const { id, summary } = await webImport(app, w.sessions.clerk, { kind: "members", orgId: String(w.fx.dlBranch.id) }, `${list}\n`);
      expect(summary).toMatchObject({ rows: 3, inserted: 2, updated: 0, unchanged: 0, rejected: 1, membersMatched: 1 });
      expect(memberRow()).toEqual(before);
      const page = await request(app).get(`/imports/${id}`).set("Cookie", w.sessions.clerk.cookie);
      expect(page.text).toContain(HELD_MEMBER);
      for (const stored of [ps.name, w.fx.psBranch.name]) expect(page.text, stored).not.toContain(stored);
      // HZ-PS's workers stay unlinked (its own imports link them); HZ-DL's is linked.
      const linked = (platform: string, id: string) =>
        rowOf(h, "SELECT member_id IS NOT NULL AS linked FROM workers WHERE platform = ? AND id_number = ?", platform, id)!.linked;
      expect(linked(PS_PLATFORM, fixtureId(1))).toBe(0);
      expect(linked(PS_PLATFORM, fixtureId(3))).toBe(0);
      expect(linked(DL_PLATFORM, fixtureId(1))).toBe(1);
      // The new member's timeline does not tell that HZ-PS has them on its platform's roster.
      const liu = rowOf(h, "SELECT id FROM members WHERE id_number = ?", fixtureId(3))!.id as number;
      const timeline = await request(app).get(`/members/${liu}`).set("Cookie", w.sessions.clerk.cookie);
      expect(timeline.status).toBe(200);
      expect(timeline.text).not.toContain(PS_PLATFORM);
    }));
});

// -- The import page: no whole phone or ID number in it, for anyone ---------------------------------------------

describe("the import page shows no whole phone or ID number to any role", () => {
  const WHOLE = ["13800000001", "13800000003", fixtureId(0), fixtureId(1), fixtureId(2)];

  it("an import whose phones and ID numbers were corrected, opened by every caller", () =>
    onFresh(async (app, h) => {
      // And an issue stored by an import made before reasons were masked (its reason holds the phone whole).
      h.sqlite
        .prepare(
          `INSERT INTO import_issues (import_id, row_number, outcome, "column", value, reason) VALUES (?, 9, 'corrected', '手机号', '139 1234 5678', '手机号已规范为 13912345678')`,
        )
        .run(w.fx.impDl);
      const expected: Record<Caller, number> = { anon: 303, admin: 200, supervisor: 200, clerk: 200, secretary: 403 };
      for (const caller of Object.keys(expected) as Caller[]) {
        const page = await request(app).get(`/imports/${w.fx.impDl}`).set("Cookie", w.sessions[caller].cookie);
        expect(page.status, caller).toBe(expected[caller]);
        for (const n of [...WHOLE, "13912345678"]) expect(page.text.includes(n), `${caller} sees ${n.slice(0, 3)}…`).toBe(false);
        if (page.status !== 200) continue;
        // The corrections are still there to read, masked.
        expect(page.text).toContain("手机号已规范为 138****0001");
        expect(page.text).toContain("手机号已规范为 138****0003");
        expect(page.text).toContain("手机号已规范为 139****5678");
        expect(page.text).toContain("全角字符已转为半角");
      }
    }));
});

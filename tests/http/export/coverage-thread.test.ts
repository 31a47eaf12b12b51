// The coverage workbook over a database file is counted and written on a thread of its own
// (coverage.thread.ts), over an in-memory one on the server's thread. Through real HTTP against a
// temp-file database: the download is the workbook the server's thread writes (every cell, style
// and merge), audited as before; another committee's scope is refused before any thread starts.
// (How long the server's thread stays silent meanwhile is measured, not tested: docs/PERFORMANCE.md.)

import http from "node:http";
import type request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadActor } from "../../../server/services/admin/users.js";
import { prepareExport } from "../../../server/services/export/export.service.js";
import { HttpSession } from "../../../scripts/bench/http-session.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { waitFor } from "../../helpers/children.js";
import { tempFileDb } from "../../helpers/db.js";
import { PASSWORD } from "../../helpers/fixtures.js";
import { restoreMemoryDb } from "../../helpers/snapshot.js";
import { readWorkbook, toBuffer, workbookFacts } from "../../unit/export/xlsx-helpers.js";

/** Past sheet 4's first chunks (2,000 rows, then 500 at a time). */
const UNMANAGED = 2_600;

let t: TestApp;
let supervisor: Agent;
let clerkPs: Agent;
beforeAll(async () => {
  t = await createTestApp({}, tempFileDb());
  const m = t.city.dlMember;
  // Members found and not yet managed, each with its own ID number.
  t.handle.sqlite
    .prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < ?)
       INSERT INTO members (name, gender, birth_date, id_number, id_last4, phone, phone_last4, category, org_id, relation_status, joined_on, full_on, discovery_channel, discovered_on)
       SELECT '未纳管' || i, 'male', '1990-01-01', printf('37170219900101%04d', i), printf('%04d', i), printf('139%08d', i), printf('%04d', i),
         'full', ?, 'unattached', '2015-07-01', '2016-07-01', 'platform_report', '2025-06-01' FROM n`,
    )
    .run(UNMANAGED, m.orgId);
  supervisor = await signIn(t.app, t.city.users.supervisor!.username);
  clerkPs = await signIn(t.app, t.city.users.clerkPs!.username);
});
afterAll(() => t?.close());

function binary(res: request.Test) {
  return res.buffer(true).parse((r, cb) => {
    const chunks: Buffer[] = [];
    r.on("data", (c: Buffer) => chunks.push(c));
    r.on("end", () => cb(null, Buffer.concat(chunks)));
  });
}

/** An in-memory copy of the file (its header says WAL, which a memory database cannot be: rollback). */
function memoryCopy() {
  const image = t.handle.sqlite.serialize();
  image[18] = 1;
  image[19] = 1;
  return restoreMemoryDb(image);
}

/** The generation time is the report's own (seconds apart between two exports). */
const timeless = (facts: string[]) => facts.map((f) => f.replace(/生成于 \d{4}-\d\d-\d\d \d\d:\d\d:\d\d/, "生成于 …"));

describe("the coverage workbook on its thread", () => {
  it("downloads the workbook the server's thread writes, cell for cell, and audits it", async () => {
    const res = await binary(supervisor.get("/reports/download?kind=coverage"));
    expect(res.status).toBe(200);
    expect(res.headers["content-disposition"]).toContain(`filename*=UTF-8''${encodeURIComponent("两个覆盖统计表_")}`);
    const downloaded = res.body as Buffer;

    // The same export on an in-memory copy of the file: counted and written on this thread.
    const copy = memoryCopy();
    try {
      const actor = loadActor(copy.db, t.city.userIds.supervisor!)!;
      const p = prepareExport(copy.db, actor, { kind: "coverage" });
      const inProcess = await toBuffer((out) => p.run(out));
      expect(timeless(await workbookFacts(downloaded))).toEqual(timeless(await workbookFacts(inProcess)));
    } finally {
      copy.close();
    }

    const s4 = (await readWorkbook(downloaded)).getWorksheet("未纳管党员")!;
    expect(s4.rowCount).toBeGreaterThan(UNMANAGED);
    const ids = new Set<unknown>();
    for (let r = 2; r <= s4.rowCount; r++) ids.add(s4.getCell(r, 3).value);
    expect(ids.size).toBe(s4.rowCount - 1); // every member's own ID number, none repeated from a chunk

    const audit = t.handle.sqlite
      .prepare("SELECT username, details FROM audit_log WHERE action = 'export' AND entity_id = 'coverage' ORDER BY id DESC LIMIT 1")
      .get() as { username: string; details: string };
    expect(audit.username).toBe(t.city.users.supervisor!.username);
    expect(JSON.parse(audit.details)).toMatchObject({ kind: "coverage", completed: true, unmasked: true, unmanaged: s4.rowCount - 1 });
  });

  it("a reader that goes away mid-download ends the export, audited as not completed; the next download is whole", async () => {
    const server = t.app.listen(0, "127.0.0.1");
    await new Promise((r) => server.once("listening", r));
    try {
      const addr = server.address();
      const port = typeof addr === "object" && addr ? addr.port : 0;
      const session = await HttpSession.signIn(`http://127.0.0.1:${port}`, t.city.users.supervisor!.username, PASSWORD);
      const cookie = session.cookieHeader();
      const before = t.handle.sqlite.prepare("SELECT max(id) FROM audit_log").pluck().get() as number;
      // Read the headers and the first bytes, then close the connection.
      await new Promise<void>((resolve, reject) => {
        const req = http.get({ port, host: "127.0.0.1", path: "/reports/download?kind=coverage", headers: { cookie } }, (res) => {
          if (res.statusCode !== 200) reject(new Error(`HTTP ${res.statusCode}`));
          res.once("data", () => {
            req.destroy();
            resolve();
          });
        });
        req.on("error", (e) => ((e as NodeJS.ErrnoException).code === "ECONNRESET" ? resolve() : reject(e)));
      });
      const entry = await waitFor(
        () =>
          t.handle.sqlite
            .prepare("SELECT details FROM audit_log WHERE id > ? AND action = 'export' AND entity_id = 'coverage'")
            .pluck()
            .get(before) as string | undefined,
        "the aborted export's audit entry",
        10_000,
      );
      expect(JSON.parse(entry)).toMatchObject({ kind: "coverage", completed: false });
    } finally {
      await new Promise((r) => server.close(r));
    }
    const again = await binary(supervisor.get("/reports/download?kind=coverage"));
    expect(again.status).toBe(200);
    expect((await readWorkbook(again.body as Buffer)).getWorksheet("未纳管党员")!.rowCount).toBeGreaterThan(UNMANAGED);
  });

  it("refuses another committee's organization with a page, not a file", async () => {
    const res = await clerkPs.get(`/reports/download?kind=coverage&org=${t.city.dl.id}`);
    expect(res.status).toBe(404);
    expect(res.headers["content-type"]).toMatch(/text\/html/);
  });
});

// The list and its filters, the ledger export, the printable letter, and the guarantee that no
// route edits or deletes history.

import ExcelJS from "exceljs";
import type { Response } from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addDays, todayIso } from "../../../server/domain/dates.js";
import { maskIdNumber } from "../../../server/domain/masking.js";
import type { Deps } from "../../../server/deps.js";
import { membersRouter } from "../../../server/routes/members.routes.js";
import { transfersRouter } from "../../../server/routes/transfers.routes.js";
import { transferCounts } from "../../../server/services/transfers/transfers.service.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { idFrom, post, type Signed, type World, world } from "./helpers.js";

let w: World;
const today = todayIso();
const ids: Record<string, number> = {};
const names: Record<string, string> = {};

beforeAll(async () => {
  w = await world();
  const issue = async (a: Signed, key: string, orgId: number, body: Record<string, string | number>) => {
    const m = w.addMember(orgId, { name: `台账${key}` });
    names[key] = m.name;
    const res = await post(a, "/transfers", { memberId: m.id, issuedOn: today, duesPaidTo: today.slice(0, 7), ...body });
    if (res.status !== 303) throw new Error(`${key}: ${res.status} ${res.text.slice(0, 500)}`);
    ids[key] = idFrom(res.headers.location);
  };
  await issue(w.secDl, "dlInternal", w.city.dlBranch.id, {
    kind: "internal",
    toOrgId: w.city.dlJoint.id,
    reason: '=HYPERLINK("http://evil","x")',
  });
  await issue(w.secDl, "dlOutgoing", w.city.dlBranch.id, {
    kind: "outgoing",
    externalOrgName: "+中共外地某支部",
    issuedOn: addDays(today, -50),
  });
  await issue(w.secPs, "psInternal", w.city.psBranch.id, { kind: "internal", toOrgId: w.city.dlBranch.id });
  await issue(w.secPs, "psOnly", w.city.psBranch.id, { kind: "outgoing", externalOrgName: "外地某党委" });
  await post(w.secDl, `/transfers/${ids.psInternal}/accept`, { receiptOn: today });
});
afterAll(() => w.t.close());

const linked = (res: Response, key: string) => res.text.includes(`href="/transfers/${ids[key]}"`);

type RouteLayer = { route?: { path: string; methods: Record<string, boolean> } };
/** The routes of the routers that write history: transfers, and a member's record with its mobile spells, contact and leaving. */
const historyRoutes = () => {
  const deps = { db: w.t.handle.db } as Deps;
  return [transfersRouter(deps), membersRouter(deps)].flatMap((router) =>
    (router.stack as RouteLayer[]).filter((l) => l.route).map((l) => l.route!),
  );
};
/** A member's status changes (the members router), which append to the timeline like a transfer does. */
const MEMBER_STATUS = /^\/members\/:id\/(mobile|contact|leave)/;

describe("the transfer list", () => {
  it("shows each side what it sent and what was addressed to it, and nothing else", async () => {
    const ps = await w.secPs.get("/transfers");
    expect(ps.status).toBe(200);
    expect(linked(ps, "psInternal") && linked(ps, "psOnly")).toBe(true);
    expect(linked(ps, "dlInternal") || linked(ps, "dlOutgoing")).toBe(false);
    const joint = await w.secJoint.get("/transfers");
    expect(linked(joint, "dlInternal")).toBe(true); // addressed to it
    expect(linked(joint, "dlOutgoing") || linked(joint, "psOnly")).toBe(false);
    expect((await w.secJoint.get(`/transfers/${ids.psOnly}`)).status).toBe(404);
    const sup = await w.supervisor.get("/transfers");
    for (const k of Object.keys(ids)) expect(linked(sup, k), k).toBe(true);
  });

  it("filters by kind, state, period, organization, overdue and name", async () => {
    const check = async (qs: string, expected: string[]) => {
      const res = await w.admin.get(`/transfers?${qs}`);
      expect(res.status, qs).toBe(200);
      expect(
        Object.keys(ids)
          .filter((k) => linked(res, k))
          .sort(),
        qs,
      ).toEqual([...expected].sort());
    };
    await check("kind=outgoing", ["dlOutgoing", "psOnly"]);
    await check("state=completed", ["psInternal"]);
    await check("state=pending&kind=internal", ["dlInternal"]);
    await check(`from=${addDays(today, -60)}&to=${addDays(today, -40)}`, ["dlOutgoing"]);
    await check(`org=${w.city.dlJoint.id}`, ["dlInternal"]);
    await check(`org=${w.city.ps.id}`, ["psInternal", "psOnly"]);
    await check("overdue=1", ["dlOutgoing"]);
    await check(`q=${encodeURIComponent(names.psOnly!)}`, ["psOnly"]);
    expect((await w.admin.get("/transfers?state=bogus")).status).toBe(400);
  });

  it("counts pending and overdue transfers per scope for the dashboards", () => {
    const actor = (username: string) =>
      loadActor(w.t.handle.db, (w.t.handle.sqlite.prepare("SELECT id FROM users WHERE username = ?").get(username) as { id: number }).id)!;
    expect(transferCounts(w.t.handle.db, actor("t-admin"), today)).toEqual({ pending: 3, overdue: 1 });
    expect(transferCounts(w.t.handle.db, actor("t-sec-joint"), today)).toEqual({ pending: 1, overdue: 0 });
    expect(transferCounts(w.t.handle.db, actor("t-clerk-ps"), today)).toEqual({ pending: 1, overdue: 0 });
  });
});

async function workbook(agent: Signed, qs = ""): Promise<ExcelJS.Worksheet> {
  const res = await agent
    .get(`/transfers/export.xlsx${qs}`)
    .buffer(true)
    .parse((r, cb) => {
      const chunks: Buffer[] = [];
      r.on("data", (c: Buffer) => chunks.push(c));
      r.on("end", () => cb(null, Buffer.concat(chunks)));
    });
  expect(res.status).toBe(200);
  expect(res.headers["content-type"]).toContain("spreadsheetml");
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(res.body as unknown as ArrayBuffer);
  return wb.worksheets[0]!;
}

const rowsOf = (ws: ExcelJS.Worksheet) => {
  const header = (ws.getRow(1).values as unknown[]).slice(1).map(String);
  const out: Record<string, unknown>[] = [];
  ws.eachRow((row, n) => {
    if (n <= 1) return;
    const v = (row.values as unknown[]).slice(1);
    out.push(Object.fromEntries(header.map((h, i) => [h, v[i]])));
  });
  return out;
};

describe("the ledger export", () => {
  it("exports the rows in scope with whole ID numbers as text for a clerk, neutralises formulas, and audits it", async () => {
    const ws = await workbook(w.clerkDl);
    const rows = rowsOf(ws);
    expect(rows.map((r) => r.姓名).sort()).toEqual([names.dlInternal, names.dlOutgoing, names.psInternal].sort());
    const internal = rows.find((r) => r.姓名 === names.dlInternal)!;
    const idNumber = (
      w.t.handle.sqlite.prepare("SELECT id_number FROM members WHERE name = ?").get(names.dlInternal) as { id_number: string }
    ).id_number;
    expect(internal.公民身份号码).toBe(idNumber);
    expect(typeof internal.公民身份号码).toBe("string");
    expect(internal.转接原因).toBe(`'=HYPERLINK("http://evil","x")`);
    expect(internal.状态).toBe("待接收");
    const outgoing = rows.find((r) => r.姓名 === names.dlOutgoing)!;
    expect(outgoing.转入党组织).toBe("'+中共外地某支部（系统外）");
    expect(outgoing.是否逾期).toBe("逾期");
    const audit = w.audit("export").filter((a) => a.entity === "transfer_ledger");
    expect(JSON.parse(audit.at(-1)!.details)).toMatchObject({ rows: 3, unmasked: true });
  });

  it("masks ID numbers for a secretary and honours the filters, recording them in the audit", async () => {
    const ws = await workbook(w.secDl, "?kind=internal");
    const rows = rowsOf(ws);
    expect(rows.map((r) => r.姓名).sort()).toEqual([names.dlInternal, names.psInternal].sort());
    const idNumber = (
      w.t.handle.sqlite.prepare("SELECT id_number FROM members WHERE name = ?").get(names.dlInternal) as { id_number: string }
    ).id_number;
    expect(rows.find((r) => r.姓名 === names.dlInternal)!.公民身份号码).toBe(maskIdNumber(idNumber));
    const details = JSON.parse(w.audit("export").at(-1)!.details);
    expect(details).toMatchObject({ rows: 2, unmasked: false, filters: { kind: "internal" } });
  });
});

describe("the printable letter", () => {
  it("prints stub, letter and receipt for the sending side with a masked ID number; a clerk may unmask, audited", async () => {
    const res = await w.secDl.get(`/transfers/${ids.dlInternal}/letter`);
    expect(res.status).toBe(200);
    for (const part of ["（存根）", "中国共产党党员组织关系介绍信", "回执", w.city.dlJoint.name, "党费交到"])
      expect(res.text).toContain(part);
    const idNumber = (
      w.t.handle.sqlite.prepare("SELECT id_number FROM members WHERE name = ?").get(names.dlInternal) as { id_number: string }
    ).id_number;
    expect(res.text).toContain(maskIdNumber(idNumber));
    expect(res.text).not.toContain(idNumber);
    const before = w.audit("unmask").length;
    // Asking in the query string (a link, a prefetch, an image tag elsewhere) unmasks nothing and writes nothing.
    for (const a of [w.secDl, w.clerkDl, w.admin, w.supervisor]) {
      const asked = await a.get(`/transfers/${ids.dlInternal}/letter?unmask=1`);
      expect(asked.status).toBe(200);
      expect(asked.text).not.toContain(idNumber);
      expect(asked.text).toContain(maskIdNumber(idNumber));
    }
    expect(w.audit("unmask").length).toBe(before);
    // The page offers the clerk a form (POST, with the CSRF token), and the secretary nothing.
    const page = await w.clerkDl.get(`/transfers/${ids.dlInternal}/letter`);
    expect(page.text).toMatch(
      new RegExp(`<form method="post" action="/transfers/${ids.dlInternal}/letter/unmask">\\s*<input type="hidden" name="_csrf"`),
    );
    expect(res.text).not.toContain("/letter/unmask");
    // A secretary may not, whatever she posts; a clerk may, audited with the letter it was for.
    expect((await post(w.secDl, `/transfers/${ids.dlInternal}/letter/unmask`)).status).toBe(403);
    expect(w.audit("unmask").length).toBe(before);
    const clerk = await post(w.clerkDl, `/transfers/${ids.dlInternal}/letter/unmask`);
    expect(clerk.status).toBe(200);
    expect(clerk.text).toContain(idNumber);
    expect(clerk.text).not.toContain("/letter/unmask");
    const audit = w.audit("unmask");
    expect(audit.length).toBe(before + 1);
    expect(JSON.parse(audit.at(-1)!.details)).toMatchObject({ via: "transfer_letter", transferId: ids.dlInternal });
    // Without the token: refused, nothing written.
    const forged = await w.clerkDl.post(`/transfers/${ids.dlInternal}/letter/unmask`).type("form").send({});
    expect(forged.status).toBe(403);
    expect(w.audit("unmask").length).toBe(before + 1);
  });
});

describe("history is never edited or deleted", () => {
  it("the router has no DELETE, PUT or PATCH route and no edit form", async () => {
    const routes = historyRoutes().filter((r) => r.path.startsWith("/transfers") || MEMBER_STATUS.test(r.path));
    expect(routes.length).toBeGreaterThan(10);
    for (const r of routes) {
      const methods = Object.keys(r.methods);
      expect(
        methods.every((m) => m === "get" || m === "post"),
        `${r.path} ${methods}`,
      ).toBe(true);
      expect(r.path).not.toMatch(/edit|delete|remove/);
    }
    expect((await w.admin.get(`/transfers/${ids.psInternal}/edit`)).status).toBe(404);
    expect((await w.admin.delete(`/transfers/${ids.psInternal}`).set("x-csrf-token", w.admin.token)).status).toBe(404);
  });

  it("no route changes a decided transfer or any timeline entry: every POST route runs against them with the database refusing such writes", async () => {
    const db = w.t.handle.sqlite;
    // The database itself refuses what must never happen; a route that tried would answer 500.
    db.exec(`
      CREATE TEMP TRIGGER guard_events_update BEFORE UPDATE ON member_events BEGIN SELECT RAISE(ABORT, 'member_events edited'); END;
      CREATE TEMP TRIGGER guard_events_delete BEFORE DELETE ON member_events BEGIN SELECT RAISE(ABORT, 'member_events deleted'); END;
      CREATE TEMP TRIGGER guard_transfers_delete BEFORE DELETE ON transfers BEGIN SELECT RAISE(ABORT, 'transfer deleted'); END;
      CREATE TEMP TRIGGER guard_transfers_final BEFORE UPDATE ON transfers WHEN OLD.state != 'pending' BEGIN SELECT RAISE(ABORT, 'decided transfer edited'); END;
      CREATE TEMP TRIGGER guard_members_delete BEFORE DELETE ON members BEGIN SELECT RAISE(ABORT, 'member deleted'); END;
      CREATE TEMP TRIGGER guard_spells_delete BEFORE DELETE ON mobile_spells BEGIN SELECT RAISE(ABORT, 'spell deleted'); END;
      CREATE TEMP TRIGGER guard_spells_ended BEFORE UPDATE ON mobile_spells WHEN OLD.ended_on IS NOT NULL BEGIN SELECT RAISE(ABORT, 'ended spell edited'); END;
    `);
    try {
      // A member with a decided transfer, an ended spell and a full timeline.
      const m = w.addMember(w.city.dlBranch.id);
      await post(w.secDl, `/members/${m.id}/mobile/out`, { destination: "外地", unitKind: "unknown_destination", outStartedOn: today });
      await post(w.secDl, `/members/${m.id}/mobile/end`, { endedOn: today });
      const done = idFrom(
        (
          await post(w.secDl, "/transfers", {
            kind: "internal",
            memberId: m.id,
            toOrgId: w.city.dlJoint.id,
            issuedOn: today,
            duesPaidTo: today.slice(0, 7),
          })
        ).headers.location,
      );
      await post(w.secJoint, `/transfers/${done}/accept`, { receiptOn: today });
      const transferBefore = w.transfer(done);
      const eventsBefore = w.events(m.id);
      expect(eventsBefore.length).toBeGreaterThanOrEqual(4);
      // The guards are live on the app's connection.
      expect(() => db.prepare("UPDATE member_events SET summary = summary WHERE id = ?").run(eventsBefore[0]!.id)).toThrow(
        "member_events edited",
      );
      expect(() => db.prepare("UPDATE transfers SET reason = 'x' WHERE id = ?").run(done)).toThrow("decided transfer edited");

      // Plausible input for every POST route of the router; a new route without an entry fails here.
      const bodies: Record<string, Record<string, string | number>> = {
        "/transfers": { kind: "internal", memberId: m.id, toOrgId: w.city.dlBranch.id, issuedOn: today, duesPaidTo: today.slice(0, 7) },
        "/transfers/:id/accept": { receiptOn: today },
        "/transfers/:id/return": { returnReason: "试图修改" },
        "/transfers/:id/cancel": { cancelReason: "试图修改" },
        "/transfers/:id/letter/unmask": {},
        "/members/:id/mobile/in": {
          orgId: w.city.dlJoint.id,
          homeOrgName: "x",
          certificateNumber: "x",
          certificateValidUntil: today,
          startedOn: today,
        },
        "/members/:id/mobile/out": { destination: "外地", unitKind: "unknown_destination", outStartedOn: today },
        "/members/:id/mobile/end": { endedOn: today },
        "/members/:id/mobile/renew": { newValidUntil: addDays(today, 30) },
        "/members/:id/contact/lost": { lostContactOn: today, lostContactReason: "other" },
        "/members/:id/contact/restore": { restoredOn: today },
        "/members/search": { number: "13800138000" },
        "/members": { name: "试图修改", orgId: w.city.dlBranch.id },
        "/members/:id": { name: "试图修改" },
        "/members/:id/unmask": {},
      };
      const posts = historyRoutes()
        .filter((r) => r.methods.post)
        .map((r) => r.path);
      expect(posts.sort()).toEqual(Object.keys(bodies).sort());
      for (const agent of [w.secJoint, w.secDl, w.clerkDl, w.admin]) {
        for (const path of posts) {
          const url = path.replace(":id", String(path.startsWith("/transfers") ? done : m.id));
          const res = await post(agent, url, bodies[path]!);
          expect(res.status, `${agent === w.admin ? "admin" : ""} POST ${url}: ${res.text.slice(0, 200)}`).not.toBe(500);
        }
      }
      expect(w.transfer(done)).toEqual(transferBefore);
      // Earlier entries are exactly as they were; later ones were only appended.
      expect(w.events(m.id).slice(0, eventsBefore.length)).toEqual(eventsBefore);
    } finally {
      db.exec(
        "DROP TRIGGER temp.guard_events_update; DROP TRIGGER temp.guard_events_delete; DROP TRIGGER temp.guard_transfers_delete; DROP TRIGGER temp.guard_transfers_final; DROP TRIGGER temp.guard_members_delete; DROP TRIGGER temp.guard_spells_delete; DROP TRIGGER temp.guard_spells_ended;",
      );
    }
  });
});

describe("paging", () => {
  it("carries the filters as typed to the next page", async () => {
    for (let i = 0; i < 31; i++) {
      const m = w.addMember(w.city.psBranch.id);
      await post(w.clerkPs, "/transfers", {
        kind: "outgoing",
        memberId: m.id,
        externalOrgName: `外地某支部${i}`,
        issuedOn: today,
        duesPaidTo: today.slice(0, 7),
      });
    }
    const first = await w.clerkPs.get("/transfers?kind=outgoing&overdue=");
    expect(first.status).toBe(200);
    expect(first.text.match(/<tr>\s*<td class="key nw" data-label="介绍信编号">/g)).toHaveLength(30);
    const next = /href="(\?[^"]*page=2[^"]*)"/.exec(first.text)?.[1]?.replace(/&amp;/g, "&");
    expect(next).toBeDefined();
    expect(next).toContain("kind=outgoing");
    expect(next).not.toContain("false");
    const second = await w.clerkPs.get(`/transfers${next}`);
    expect(second.status).toBe(200);
    // 31 new ones plus psOnly, in the clerk's scope.
    expect(second.text.match(/<tr>\s*<td class="key nw" data-label="介绍信编号">/g)).toHaveLength(2);
  });
});

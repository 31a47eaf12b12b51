// Code lists refuse the keys every JavaScript object inherits (issue 10, item 11). A check written
// as `code in LIST` or `LIST[code]` accepts `constructor`, `__proto__` or `toString` as a code: the
// member form stored "constructor" as an ethnicity, and the pages then printed the source of
// Object(). Every code a form or a roster sends is looked up among the list's own keys only.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import request from "supertest";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { issueApiKey } from "../../../server/services/admin/api-keys.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { type Agent, createTestApp, csrfFrom, signIn, type TestApp } from "../../helpers/app.js";
import { addMember } from "../../helpers/fixtures.js";
import { zipEntries } from "../../unit/export/xlsx-helpers.js";

/** Keys found by `in` on any object, and by a bare index on a plain one. */
const INHERITED = ["constructor", "__proto__", "toString", "hasOwnProperty", "valueOf", "isPrototypeOf", "__defineGetter__"] as const;
/** What a page or a workbook shows when an inherited member reached it. */
const LEAKED = /\[native code\]|function Object|function toString|\[object Object\]/;

let t: TestApp;
let dir: string;
let secretary: Agent;
let clerk: Agent;
let token: string;
let seq = 0;
const sqlite = () => t.handle.sqlite;
const count = (table: string) => sqlite().prepare(`SELECT count(*) FROM ${table}`).pluck().get() as number;

beforeAll(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-codes-"));
  t = await createTestApp({ uploadDir: dir });
  secretary = await signIn(t.app, "t-sec-dl");
  clerk = await signIn(t.app, "t-clerk-ps");
  token = await secretary.csrf("/members/new");
}, 60_000);
afterAll(() => {
  t?.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function memberBody(over: Record<string, string> = {}) {
  seq++;
  return {
    name: `民族测试${seq}`,
    idNumber: makeIdNumber("371702", "1990-05-06", 600 + seq),
    category: "full",
    joinedOn: "2015-07-01",
    fullOn: "2016-07-01",
    orgId: String(t.city.dlBranch.id),
    relationStatus: "local",
    ...over,
  };
}

describe("the member form", () => {
  it("refuses an inherited key as an ethnicity, with a field error, and stores nothing", async () => {
    const before = count("members");
    for (const key of INHERITED) {
      const res = await secretary
        .post("/members")
        .type("form")
        .send({ ...memberBody({ ethnicity: key }), _csrf: token });
      expect(res.status, key).toBe(422);
      expect(res.text, key).toContain("请选择民族");
      expect(res.text, key).not.toMatch(LEAKED);
    }
    expect(count("members")).toBe(before);
    // The control: a real code is stored.
    const ok = await secretary
      .post("/members")
      .type("form")
      .send({ ...memberBody({ ethnicity: "03" }), _csrf: token });
    expect(ok.status).toBe(303);
    const id = Number(ok.headers.location!.split("/").pop());
    expect(sqlite().prepare("SELECT ethnicity FROM members WHERE id = ?").pluck().get(id)).toBe("03");
  });

  it("refuses an inherited key in every code field, on create and on edit", async () => {
    const fields = ["ethnicity", "gender", "education", "category", "occupation", "relationStatus", "discoveryChannel"];
    const m = t.city.dlMember;
    const before = JSON.stringify(sqlite().prepare("SELECT * FROM members ORDER BY id").all());
    for (const field of fields) {
      for (const key of INHERITED) {
        const created = await secretary
          .post("/members")
          .type("form")
          .send({ ...memberBody({ [field]: key }), _csrf: token });
        expect(created.status, `create, ${field}=${key}`).toBe(422);
        const edited = await secretary
          .post(`/members/${m.id}`)
          .type("form")
          .send({ ...memberBody({ name: m.name, idNumber: m.idNumber, [field]: key }), _csrf: token });
        expect(edited.status, `edit, ${field}=${key}`).toBe(422);
      }
    }
    expect(JSON.stringify(sqlite().prepare("SELECT * FROM members ORDER BY id").all())).toBe(before);
  });

  it("pages and workbooks never print an inherited member for a stored value (data from before the fix)", async () => {
    const m = addMember(t.handle, t.city.dlBranch.id, { name: "旧数据" });
    sqlite().prepare("UPDATE members SET ethnicity = 'constructor' WHERE id = ?").run(m.id);
    const page = await secretary.get(`/members/${m.id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toMatch(LEAKED);
    const book = await secretary
      .get("/reports/download?kind=members")
      .buffer(true)
      .parse((r, cb) => {
        const chunks: Buffer[] = [];
        r.on("data", (c: Buffer) => chunks.push(c));
        r.on("end", () => cb(null, Buffer.concat(chunks)));
      });
    expect(book.status).toBe(200);
    const xml = [...(await zipEntries(book.body as Buffer)).values()].join("\n");
    expect(xml).toContain("旧数据");
    expect(xml).not.toMatch(LEAKED);
  });
});

describe("the imports", () => {
  it("a member list with inherited keys for ethnicity, education and category: never stored as codes", async () => {
    const header = "身份证号,姓名,民族,学历,人员类别";
    const rows = INHERITED.map((k, i) =>
      [makeIdNumber("371702", "1988-02-02", 700 + i), `导入${i}`, k, k, i % 2 ? "正式党员" : k].join(","),
    );
    const file = path.join(dir, "members.csv");
    fs.writeFileSync(file, [header, ...rows].join("\r\n"));
    const page = await clerk.get("/imports/new");
    const csrf = csrfFrom(page.text);
    const preview = await clerk
      .post(`/imports/new?_csrf=${encodeURIComponent(csrf)}`)
      .field("kind", "members")
      .field("orgId", String(t.city.psBranch.id))
      .attach("file", file);
    expect(preview.status, preview.text.slice(0, 300)).toBe(200);
    const upload = /name="upload" value="([a-f0-9]{32})"/.exec(preview.text)![1]!;
    const start = await clerk
      .post("/imports/start")
      .type("form")
      .send({
        _csrf: csrf,
        upload,
        kind: "members",
        orgId: String(t.city.psBranch.id),
        mode: "run",
        map_idNumber: "身份证号",
        map_name: "姓名",
        map_ethnicity: "民族",
        map_education: "学历",
        map_category: "人员类别",
      });
    expect(start.status).toBe(303);
    const id = start.headers.location!.split("/").pop()!;
    for (let i = 0; i < 100; i++) {
      const p = await clerk.get(`/imports/${id}/progress`).set("Accept", "application/json");
      if (p.body.phase === "done") break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const stored = sqlite()
      .prepare("SELECT name, ethnicity, education, category FROM members WHERE name LIKE '导入%' ORDER BY name")
      .all() as {
      ethnicity: string;
      education: string | null;
      category: string;
    }[];
    // Rows whose category was an inherited key are refused; the others come in with the codes ignored.
    expect(stored.length).toBe(INHERITED.filter((_k, i) => i % 2).length);
    for (const r of stored) {
      expect(r.ethnicity).toBe("01");
      expect(r.education).toBeNull();
      expect(r.category).toBe("full");
    }
    const show = await clerk.get(`/imports/${id}`);
    expect(show.status).toBe(200);
    expect(show.text).not.toMatch(LEAKED);
  });

  it("a platform roster with inherited keys for political status raises no lead", async () => {
    const key = issueApiKey(t.handle.db, loadActor(t.handle.db, t.city.userIds.admin!)!, {
      label: "推送",
      platform: "某货运平台",
      committeeId: t.city.dl.id,
    }).key;
    const leads = count("leads");
    const res = await request(t.app)
      .post(`/api/v1/rosters/${encodeURIComponent("某货运平台")}/batches`)
      .set("Authorization", `Bearer ${key}`)
      .send({
        batchId: "codes-1",
        complete: true,
        workers: INHERITED.map((k, i) => ({
          idNumber: makeIdNumber("371702", "1993-03-03", 800 + i),
          name: `骑手${i}`,
          politicalStatus: k,
          occupation: k,
        })),
      });
    expect(res.status, res.text).toBe(200);
    expect(count("leads")).toBe(leads);
    const statuses = sqlite().prepare("SELECT DISTINCT political_status FROM workers WHERE platform = '某货运平台'").pluck().all();
    expect(statuses).toEqual(["other"]);
    const occupations = sqlite().prepare("SELECT DISTINCT occupation FROM workers WHERE platform = '某货运平台'").pluck().all();
    for (const o of occupations) expect(INHERITED as readonly unknown[]).not.toContain(o);
  });
});

describe("other lists keyed by code", () => {
  it("a figure key or an export kind that is an inherited key is refused", async () => {
    for (const key of INHERITED) {
      expect((await secretary.get(`/reports/figures/${key}`)).status, key).toBe(404);
      expect((await secretary.get(`/reports/download?kind=${key}`)).status, key).toBe(400);
    }
  });
});

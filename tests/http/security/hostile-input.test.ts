// Hostile input: markup, template syntax, quotes, SQL fragments, emoji and rare CJK characters in
// names, addresses, reasons and notes are stored exactly and shown escaped; search and filter
// parameters carrying SQL or LIKE wildcards return normal results; over-long and malformed input
// gets a field error or a 4xx refusal, never a 500.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCreditCode } from "../../../server/domain/credit-code.js";
import { todayIso } from "../../../server/domain/dates.js";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { esc, PAYLOADS } from "../../helpers/hostile.js";

const LONG = "长".repeat(10_000);

function unesc(s: string): string {
  return s.replace(/&(amp|lt|gt|#34|#39);/g, (_m, e: string) => ({ amp: "&", lt: "<", gt: ">", "#34": '"', "#39": "'" })[e]!);
}

/** The page shows `value` escaped, and nothing of it runs as markup. */
function expectShown(html: string, value: string, where: string) {
  expect(html, `${where} shows ${JSON.stringify(value)}`).toContain(esc(value));
  expect(html, where).not.toMatch(/<script>alert\(1\)|<img src=x/);
}

let t: TestApp;
let admin: Agent;
let clerk: Agent;
let secretary: Agent;
const tokens = new Map<Agent, string>();
const today = todayIso();
let seq = 0;

async function post(agent: Agent, path: string, body: Record<string, string | string[]>) {
  if (!tokens.has(agent)) tokens.set(agent, await agent.csrf("/account/password"));
  return agent
    .post(path)
    .type("form")
    .send({ ...body, _csrf: tokens.get(agent)! });
}
const sqlite = () => t.handle.sqlite;
const one = <T>(q: string, ...args: unknown[]) =>
  sqlite()
    .prepare(q)
    .get(...args) as T;
/** Counts of every data table: a refused request must leave them as they were. */
function counts(): Record<string, number> {
  const tables = sqlite()
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT IN ('sessions', 'rate_limits', 'audit_log')",
    )
    .pluck()
    .all() as string[];
  return Object.fromEntries(tables.map((n) => [n, sqlite().prepare(`SELECT count(*) FROM "${n}"`).pluck().get() as number]));
}

let uploadDir: string;
beforeAll(async () => {
  uploadDir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-hostile-uploads-"));
  t = await createTestApp({ uploadDir });
  admin = await signIn(t.app, "t-admin");
  clerk = await signIn(t.app, "t-clerk-dl");
  secretary = await signIn(t.app, "t-sec-dl");
}, 60_000);
afterAll(() => {
  t?.close();
  fs.rmSync(uploadDir, { recursive: true, force: true });
});

function memberBody(name: string, over: Record<string, string> = {}) {
  seq++;
  return {
    name,
    idNumber: makeIdNumber("371702", "1990-05-06", 300 + seq),
    category: "full",
    joinedOn: "2015-07-01",
    fullOn: "2016-07-01",
    orgId: String(t.city.dlBranch.id),
    relationStatus: "local",
    ...over,
  };
}

describe("hostile text is stored exactly and shown escaped", () => {
  const memberIds = new Map<string, number>();

  it("member names: detail, list, search, edit form, transfer pages, audit log", async () => {
    for (const [key, name] of Object.entries(PAYLOADS)) {
      const res = await post(secretary, "/members", memberBody(name));
      expect(res.status, `${key}: ${res.text.slice(0, 300)}`).toBe(303);
      const id = Number(/\/members\/(\d+)$/.exec(res.headers.location!)![1]);
      memberIds.set(key, id);
      expect(one<{ name: string }>("SELECT name FROM members WHERE id = ?", id).name).toBe(name);
      expectShown((await secretary.get(`/members/${id}`)).text, name, `member page (${key})`);
      expectShown((await secretary.get(`/members/${id}/edit`)).text, name, `edit form (${key})`);
      const found = await secretary.get("/members").query({ q: name });
      expect(found.status).toBe(200);
      expectShown(found.text, name, `list searched by name (${key})`);
    }
    expectShown((await clerk.get("/members")).text, PAYLOADS.script, "member list");
    const audit = await admin.get("/audit");
    expect(audit.status).toBe(200);
    expect(audit.text).not.toMatch(/<script>alert\(1\)|<img src=x/);
    // The table is still there.
    expect(one<{ n: number }>("SELECT count(*) AS n FROM members").n).toBeGreaterThan(3);
  });

  it("transfer reasons, return and cancel reasons: detail, letter, list, inbox", async () => {
    let i = 0;
    for (const [key, text] of Object.entries(PAYLOADS)) {
      const memberId = memberIds.get(key)!;
      const issued = await post(secretary, "/transfers", {
        kind: "internal",
        memberId: String(memberId),
        toOrgId: String(t.city.dlJoint.id),
        issuedOn: today,
        duesPaidTo: today.slice(0, 7),
        reason: text,
      });
      expect(issued.status, `${key}: ${issued.text.slice(0, 300)}`).toBe(303);
      const id = Number(/\/transfers\/(\d+)$/.exec(issued.headers.location!)![1]);
      expect(one<{ reason: string }>("SELECT reason FROM transfers WHERE id = ?", id).reason).toBe(text);
      expectShown((await secretary.get(`/transfers/${id}`)).text, text, `transfer (${key})`);
      expectShown((await secretary.get(`/transfers/${id}/letter`)).text, PAYLOADS[key as keyof typeof PAYLOADS], `letter (${key})`);
      // Half are returned by the receiving side, half cancelled by the sender, each with the text as reason.
      const done =
        i++ % 2 === 0
          ? await post(clerk, `/transfers/${id}/return`, { returnReason: text })
          : await post(secretary, `/transfers/${id}/cancel`, { cancelReason: text });
      expect(done.status).toBe(303);
      expect(one<{ r: string }>("SELECT return_reason AS r FROM transfers WHERE id = ?", id).r).toBe(text);
      expectShown((await secretary.get(`/transfers/${id}`)).text, text, `returned/cancelled transfer (${key})`);
      expectShown((await secretary.get(`/members/${memberId}`)).text, text, `member timeline (${key})`);
    }
    expectShown((await secretary.get("/transfers")).text, PAYLOADS.img, "transfer list");
  });

  it("enterprise names and addresses, organization fields, instructors, links, mobile members and leaving notes", async () => {
    for (const [key, text] of Object.entries(PAYLOADS)) {
      seq++;
      const name = `${text}公司`;
      const e = await post(clerk, "/enterprises", {
        name,
        creditCode: makeCreditCode("91", "371702", `HX${String(seq).padStart(7, "0")}`),
        kind: "transport_company",
        industryCode: "road_transport",
        regionCode: "371702",
        committeeId: String(t.city.dl.id),
        address: `${text} 路 1 号`,
        workerCount: "3",
        status: "active",
      });
      expect(e.status, `${key}: ${e.text.slice(0, 300)}`).toBe(303);
      const eid = Number(/\/enterprises\/(\d+)$/.exec(e.headers.location!)![1]);
      expect(one<{ name: string; address: string }>("SELECT name, address FROM enterprises WHERE id = ?", eid)).toEqual({
        name,
        address: `${text} 路 1 号`,
      });
      const page = (await clerk.get(`/enterprises/${eid}`)).text;
      expectShown(page, name, `enterprise (${key})`);
      expectShown(page, `${text} 路 1 号`, `enterprise address (${key})`);
      expectShown((await clerk.get(`/enterprises/${eid}/edit`)).text, name, `enterprise form (${key})`);
    }
    expectShown((await clerk.get("/enterprises")).text, `${PAYLOADS.script}公司`, "enterprise list");
    expect((await clerk.get("/").query({ scope: `org:${t.city.dl.id}` })).status).toBe(200);
    expectShown((await clerk.get("/reports/figures/enterprises")).text, `${PAYLOADS.img}公司`, "figure list");

    // The branch's secretary and term fields, edited by its secretary.
    const b = t.city.dlBranch;
    const org = await post(secretary, `/orgs/${b.id}`, {
      code: b.code,
      name: b.name,
      shortName: PAYLOADS.ejs,
      kind: b.kind,
      formation: b.formation!,
      parentId: String(b.parentId),
      industryCode: b.industryCode!,
      regionCode: b.regionCode,
      secretaryName: PAYLOADS.script,
    });
    expect(org.status).toBe(303);
    const orgPage = (await secretary.get(`/orgs/${b.id}`)).text;
    expectShown(orgPage, PAYLOADS.script, "org page");
    expectShown((await secretary.get("/orgs")).text, b.name, "org tree");

    // An instructor's work unit and name.
    const ins = await post(clerk, "/instructors", {
      name: PAYLOADS.rareCjk,
      kind: "instructor",
      workUnit: `${PAYLOADS.img}${PAYLOADS.emoji}`,
      committeeId: String(t.city.dl.id),
      status: "active",
    });
    expect(ins.status).toBe(303);
    const insPage = (await clerk.get(ins.headers.location!)).text;
    expectShown(insPage, PAYLOADS.rareCjk, "instructor");
    expectShown(insPage, `${PAYLOADS.img}${PAYLOADS.emoji}`, "instructor work unit");

    // A self-report link's label: the clerk's pages and the public form.
    const link = await post(clerk, "/finds/links", { label: PAYLOADS.img, committeeId: String(t.city.dl.id), expiresOn: today });
    expect(link.status).toBe(303);
    const linkPage = (await clerk.get(link.headers.location!)).text;
    expectShown(linkPage, PAYLOADS.img, "link page");
    expectShown((await clerk.get(`${link.headers.location}/poster`)).text, PAYLOADS.img, "poster");
    const token = one<{ token: string }>("SELECT token FROM self_report_links ORDER BY id DESC").token;
    expectShown((await admin.get(`/r/${token}`)).text, PAYLOADS.img, "public form");

    // Mobile-out destination and the reason of a death proposed.
    const m = memberIds.get("sql")!;
    const out = await post(secretary, `/members/${m}/mobile/out`, {
      destination: PAYLOADS.script,
      unitKind: "unknown_destination",
      contactPerson: PAYLOADS.quotes,
      outStartedOn: today,
    });
    expect(out.status).toBe(303);
    const mobilePage = (await secretary.get(`/members/${m}/mobile`)).text;
    expectShown(mobilePage, PAYLOADS.script, "mobile page");
    expectShown(mobilePage, PAYLOADS.quotes, "mobile contact");
    const m2 = memberIds.get("emoji")!;
    const left = await post(secretary, `/members/${m2}/membership`, {
      kind: "death",
      effectiveOn: today,
      reason: `${PAYLOADS.ejs}${PAYLOADS.mustache}`,
    });
    expect(left.status).toBe(303);
    expectShown((await secretary.get(`/members/${m2}`)).text, `${PAYLOADS.ejs}${PAYLOADS.mustache}`, "member timeline after leaving");
  });

  it("field-visit names and notes, lead reject reasons", async () => {
    const visit = await post(clerk, "/finds/visit", {
      name: PAYLOADS.img,
      idNumber: makeIdNumber("371702", "1992-01-01", 701),
      phone: "13600000701",
      committeeId: String(t.city.dl.id),
      place: PAYLOADS.sql,
      note: `${PAYLOADS.script}${PAYLOADS.quotes}`,
      visitedOn: today,
    });
    expect(visit.status).toBe(303);
    const lead = one<{ id: number; name: string; note: string }>("SELECT id, name, note FROM leads ORDER BY id DESC");
    expect(lead.name).toBe(PAYLOADS.img);
    expect(lead.note).toContain(`${PAYLOADS.script}${PAYLOADS.quotes}`);
    const page = (await clerk.get(`/leads/${lead.id}`)).text;
    expectShown(page, PAYLOADS.img, "lead");
    expectShown(page, `${PAYLOADS.script}${PAYLOADS.quotes}`, "lead note");
    expectShown((await clerk.get("/leads")).text, PAYLOADS.img, "lead list");
    const rejected = await post(clerk, `/leads/${lead.id}/reject`, { reason: PAYLOADS.ejs });
    expect(rejected.status).toBe(303);
    expectShown((await clerk.get(`/leads/${lead.id}`)).text, PAYLOADS.ejs, "reject reason");
  });

  it("account names in the account list and the audit log", async () => {
    const res = await post(admin, "/admin/users", {
      username: "hostile-1",
      displayName: PAYLOADS.script,
      role: "clerk",
      orgId: String(t.city.dl.id),
      password: "Hostile-Passw0rd-1",
    });
    expect(res.status).toBe(303);
    expectShown((await admin.get("/admin/users")).text, PAYLOADS.script, "account list");
    const audit = (await admin.get("/audit")).text;
    expect(audit).not.toMatch(/<script>alert\(1\)|<img src=x/);
  });
});

describe("hostile rosters: file names, platform names and cells", () => {
  it("are stored as given, shown escaped on the preview, the import, the history and the leads, and never touch a path", async () => {
    const id1 = makeIdNumber("371702", "1991-02-03", 811);
    const id2 = makeIdNumber("371702", "1991-02-03", 812);
    const csv = [
      "姓名,身份证号,政治面貌,所属站点",
      `"${PAYLOADS.img.replace(/"/g, '""')}",${id1},中共党员,${PAYLOADS.script}`,
      `${PAYLOADS.rareCjk},${id2},中共党员,"=HYPERLINK(""http://x"")"`,
    ].join("\n");
    const fileName = `../../${PAYLOADS.img}.csv`;
    const page = await clerk.get("/imports/new");
    const token = tokens.get(clerk) ?? (await clerk.csrf("/account/password"));
    expect(page.status).toBe(200);
    const preview = await clerk
      .post(`/imports/new?_csrf=${encodeURIComponent(token)}`)
      .field("kind", "roster")
      .field("platform", PAYLOADS.ejs)
      .field("orgId", String(t.city.dl.id))
      .attach("file", Buffer.from(csv), fileName);
    expect(preview.status, preview.text.slice(0, 300)).toBe(200);
    expectShown(preview.text, PAYLOADS.img, "preview sample");
    expect(preview.text).not.toContain("<script>alert(1)</script>");
    // Only server-made names in the upload directory, nothing outside it.
    expect(fs.readdirSync(uploadDir).every((n) => /^[a-f0-9]{32}$/.test(n))).toBe(true);
    const upload = /name="upload" value="([a-f0-9]{32})"/.exec(preview.text)![1]!;
    const start = await post(clerk, "/imports/start", {
      upload,
      kind: "roster",
      platform: PAYLOADS.ejs,
      orgId: String(t.city.dl.id),
      mode: "run",
      map_name: "姓名",
      map_idNumber: "身份证号",
      map_politicalStatus: "政治面貌",
      map_station: "所属站点",
    });
    expect(start.status, start.text.slice(0, 300)).toBe(303);
    const id = Number(/\/imports\/(\d+)$/.exec(start.headers.location!)![1]);
    for (let i = 0; i < 100 && one<{ s: string }>("SELECT status AS s FROM imports WHERE id = ?", id).s === "running"; i++)
      await new Promise((r) => setTimeout(r, 30));
    const imp = one<{ status: string; original_name: string; platform: string }>(
      "SELECT status, original_name, platform FROM imports WHERE id = ?",
      id,
    );
    expect(imp.status).toBe("succeeded");
    expect(imp.platform).toBe(PAYLOADS.ejs);
    // The client's path is dropped; the name is kept as typed and only ever shown.
    expect(imp.original_name).toBe(`${PAYLOADS.img}.csv`);
    const show = (await clerk.get(`/imports/${id}`)).text;
    expectShown(show, `${PAYLOADS.img}.csv`, "import page (file name)");
    expectShown((await clerk.get("/imports")).text, `${PAYLOADS.img}.csv`, "import history (file name)");
    expectShown((await clerk.get("/imports")).text, PAYLOADS.ejs, "import history (platform)");
    const workers = sqlite().prepare("SELECT name, station FROM workers WHERE id_number IN (?, ?) ORDER BY id_number").all(id1, id2) as {
      name: string;
      station: string;
    }[];
    expect(workers).toEqual([
      { name: PAYLOADS.img, station: PAYLOADS.script },
      { name: PAYLOADS.rareCjk, station: '=HYPERLINK("http://x")' },
    ]);
    const leads = await clerk.get("/leads").query({ platform: PAYLOADS.ejs });
    expect(leads.status).toBe(200);
    expectShown(leads.text, PAYLOADS.img, "leads from the roster");
    expectShown(leads.text, PAYLOADS.rareCjk, "leads from the roster");
  });
});

describe("search and filter parameters carrying SQL or wildcards", () => {
  const FRAGMENTS = [
    "' OR '1'='1",
    "' OR 1=1 --",
    '" OR ""="',
    "1; DROP TABLE members",
    "%",
    "_",
    "%%",
    "\\",
    "*",
    "' UNION SELECT id_number FROM members--",
  ];

  it("free-text searches answer 200 and list nothing that does not contain the text", async () => {
    // The leads page's filter offers the self-report links by name (one is named with a payload):
    // there, only the table's rows are the list.
    const listed = (url: string, html: string) => (url === "/leads" ? (/<tbody>([\s\S]*?)<\/tbody>/.exec(html)?.[1] ?? "") : html);
    // Each list with a row that a matching search would show, and the text that proves it is there.
    const lists: { url: string; q: string; agent: Agent; shows: string }[] = [
      { url: "/members", q: "q", agent: clerk, shows: "张道路" },
      { url: "/enterprises", q: "q", agent: clerk, shows: "菏泽某物流有限公司" },
      { url: "/instructors", q: "q", agent: clerk, shows: PAYLOADS.rareCjk },
      { url: "/transfers", q: "q", agent: clerk, shows: "TRANSFER-ROW" },
      { url: "/leads", q: "q", agent: clerk, shows: PAYLOADS.img },
      { url: "/leads", q: "platform", agent: clerk, shows: PAYLOADS.img },
      { url: "/transfers/new", q: "q", agent: clerk, shows: "张道路" },
      { url: "/audit", q: "username", agent: admin, shows: "t-admin" },
      { url: "/audit", q: "action", agent: admin, shows: "t-admin" },
      { url: "/audit", q: "entity", agent: admin, shows: "t-admin" },
    ];
    for (const l of lists) {
      for (const f of FRAGMENTS) {
        const res = await l.agent.get(l.url).query({ [l.q]: f });
        expect(res.status, `${l.url}?${l.q}=${f}: ${res.text.slice(0, 200)}`).toBe(200);
        if (l.shows !== "TRANSFER-ROW") expect(listed(l.url, res.text), `${l.url}?${l.q}=${f} lists rows`).not.toContain(esc(l.shows));
        else {
          // Transfer rows: each listed one must contain the text, literally, in its member's name or letter number.
          for (const row of res.text.match(/<tr>\s*<td class="key nw" data-label="介绍信编号">[\s\S]*?<\/tr>/g) ?? []) {
            const letter = unesc(/<a href="\/transfers\/\d+">([^<]*)<\/a>/.exec(row)?.[1] ?? "");
            const member = unesc(/<td class="key" data-label="党员">([^<]*)<\/td>/.exec(row)?.[1] ?? "");
            expect(`${letter} ${member}`, `${l.url}?${l.q}=${f}`).toContain(f);
          }
        }
      }
    }
    // The controls: without the fragment the rows are there (the assertions above can fail).
    expect(listed("/leads", (await clerk.get("/leads")).text)).toContain(esc(PAYLOADS.img));
    expect((await clerk.get("/members").query({ q: "张道" })).text).toContain("张道路");
    expect((await clerk.get("/enterprises").query({ q: "物流" })).text).toContain("菏泽某物流有限公司");
    expect((await clerk.get("/transfers")).text).toMatch(/href="\/transfers\/\d+"/);
    expect((await admin.get("/audit")).text).toContain("t-admin");
    expect((await clerk.get("/transfers/new").query({ q: "张道" })).text).toContain("张道路");
    // And the database is whole.
    expect(one<{ n: number }>("SELECT count(*) AS n FROM members").n).toBeGreaterThan(3);
  });

  it("typed filters refuse SQL with 400 (a message, not a 500) and never widen the list", async () => {
    const cases: [Agent, string, Record<string, string>][] = [
      [clerk, "/members", { org: "1 OR 1=1" }],
      [clerk, "/members", { committee: `${t.city.ps.id} OR 1=1` }],
      [clerk, "/members", { sort: "name; DROP TABLE members" }],
      [clerk, "/members", { dir: "asc, (SELECT 1)" }],
      [clerk, "/enterprises", { committee: "2) OR (1=1" }],
      [clerk, "/enterprises", { county: "371702' OR '1'='1" }],
      [clerk, "/transfers", { org: "1 OR 1=1" }],
      [clerk, "/transfers", { state: "pending' OR '1'='1" }],
      [clerk, "/leads", { status: "open' --" }],
      [clerk, "/", { scope: "org:1 OR 1=1" }],
      [clerk, "/reports/figures/enterprises", { scope: `committee:${t.city.ps.id}) OR (1=1` }],
      [clerk, "/reports/download", { kind: "members' --" }],
      [admin, "/audit", { from: "2020-01-01' OR '1'='1" }],
    ];
    for (const [agent, url, query] of cases) {
      const res = await agent.get(url).query(query);
      expect(res.status, `${url}?${new URLSearchParams(query)}`).toBe(400);
      expect(res.text).not.toContain("王配送");
    }
    // A page number that is not one falls back to page 1 (members) or is refused: never an error page of the server.
    for (const url of ["/members", "/enterprises", "/transfers", "/leads", "/imports", "/instructors", "/audit"]) {
      const res = await (url === "/audit" ? admin : clerk).get(url).query({ page: "1; DROP TABLE members" });
      expect([200, 400], `${url}?page=…`).toContain(res.status);
    }
  });

  it("an out-of-scope name typed into the search finds nothing", async () => {
    const res = await clerk.get("/members").query({ q: "王配送" });
    expect(res.status).toBe(200);
    expect(res.text).not.toContain("王配送</a>");
  });
});

describe("over-long and malformed input", () => {
  it("a 10,000-character value in every kind of text field is a field error (422), nothing is written", async () => {
    const m = t.city.dlMember;
    const forms: [Agent, string, Record<string, string>, string][] = [
      [secretary, "/members", memberBody(LONG), "name"],
      [
        clerk,
        "/enterprises",
        {
          name: LONG,
          creditCode: makeCreditCode("91", "371702", "LX0000001"),
          kind: "transport_company",
          industryCode: "road_transport",
          regionCode: "371702",
          committeeId: String(t.city.dl.id),
          status: "active",
        },
        "name",
      ],
      [
        clerk,
        "/enterprises",
        {
          name: "长地址公司",
          address: LONG,
          creditCode: makeCreditCode("91", "371702", "LX0000002"),
          kind: "transport_company",
          industryCode: "road_transport",
          regionCode: "371702",
          committeeId: String(t.city.dl.id),
          status: "active",
        },
        "address",
      ],
      [
        secretary,
        "/transfers",
        { kind: "outgoing", memberId: String(m.id), externalOrgName: LONG, issuedOn: today, duesPaidTo: today.slice(0, 7) },
        "externalOrgName",
      ],
      [
        secretary,
        "/transfers",
        {
          kind: "outgoing",
          memberId: String(m.id),
          externalOrgName: "外单位",
          reason: LONG,
          issuedOn: today,
          duesPaidTo: today.slice(0, 7),
        },
        "reason",
      ],
      [
        clerk,
        "/finds/visit",
        {
          name: "长备注",
          idNumber: makeIdNumber("371702", "1992-01-01", 702),
          committeeId: String(t.city.dl.id),
          note: LONG,
          visitedOn: today,
        },
        "note",
      ],
      [clerk, "/finds/links", { label: LONG, committeeId: String(t.city.dl.id), expiresOn: today }, "label"],
      [
        clerk,
        "/instructors",
        { name: "长单位", kind: "instructor", workUnit: LONG, committeeId: String(t.city.dl.id), status: "active" },
        "workUnit",
      ],
      [
        secretary,
        `/members/${m.id}/mobile/out`,
        { destination: LONG, unitKind: "unknown_destination", outStartedOn: today },
        "destination",
      ],
      [secretary, `/members/${m.id}/membership`, { kind: "death", effectiveOn: today, reason: LONG }, "reason"],
      [
        admin,
        "/admin/users",
        { username: LONG, displayName: "长", role: "clerk", orgId: String(t.city.dl.id), password: "Hostile-Passw0rd-2" },
        "username",
      ],
      [
        admin,
        "/admin/users",
        { username: "long-name", displayName: LONG, role: "clerk", orgId: String(t.city.dl.id), password: "Hostile-Passw0rd-2" },
        "displayName",
      ],
      [
        admin,
        "/admin/users",
        { username: "long-pass", displayName: "长密码", role: "clerk", orgId: String(t.city.dl.id), password: LONG },
        "password",
      ],
      [clerk, "/members/search", { number: LONG }, "number"],
      [admin, "/admin/api-keys", { label: LONG, platform: "某平台", committeeId: String(t.city.dl.id) }, "label"],
    ];
    for (const [agent, url, body, field] of forms) {
      const before = counts();
      const res = await post(agent, url, body);
      expect(res.status, `${url} ${field}: ${res.text.slice(0, 200)}`).toBe(422);
      // The form comes back with the field marked.
      expect(res.text, `${url} ${field}`).toMatch(new RegExp(`name="${field}"[^>]*aria-invalid="true"`));
      expect(counts(), `${url} ${field}`).toEqual(before);
    }
  });

  it("over-long search text is refused or cut, never a 500", async () => {
    for (const url of ["/members", "/enterprises", "/instructors", "/transfers", "/leads", "/transfers/new"]) {
      const res = await clerk.get(url).query({ q: LONG.slice(0, 1000) });
      expect([200, 400], url).toContain(res.status);
    }
  });

  it("length limits count characters, not UTF-16 code units (rare CJK and emoji take two)", async () => {
    // 40 characters, 80 code units: a name of rare characters at the limit is accepted.
    const name = "𠮷".repeat(40);
    const res = await post(secretary, "/members", memberBody(name));
    expect(res.status, res.text.slice(0, 300)).toBe(303);
    expect(one<{ name: string }>("SELECT name FROM members ORDER BY id DESC").name).toBe(name);
    // 41 characters is over.
    expect((await post(secretary, "/members", memberBody("𠮷".repeat(41)))).status).toBe(422);
  });

  it("malformed requests are 4xx: too many fields, a huge body, an unsupported charset, JSON where a form is expected", async () => {
    const token = tokens.get(clerk) ?? (await clerk.csrf("/account/password"));
    const many = new URLSearchParams([
      ["_csrf", token],
      ...Array.from({ length: 3000 }, (_, i): [string, string] => [`f${i}`, "x"]),
    ]).toString();
    const tooMany = await clerk.post("/members/search").type("form").send(many);
    expect(tooMany.status, "too many fields").toBe(413);
    const huge = await clerk
      .post("/members/search")
      .type("form")
      .send(`_csrf=${token}&number=${"1".repeat(300_000)}`);
    expect(huge.status).toBe(413);
    const charset = await clerk
      .post("/members/search")
      .set("Content-Type", "application/x-www-form-urlencoded; charset=utf-7")
      .send(`_csrf=${token}&number=1`);
    expect(charset.status, "charset").toBe(415);
    // The pages take forms, not JSON: a JSON body is not read (the form asks for the number again).
    const json = await clerk.post("/members/search").set("Content-Type", "application/json").set("X-CSRF-Token", token).send('{"number": ');
    expect(json.status).toBe(422);
    const typed = await clerk
      .post("/members/search")
      .set("Content-Type", "application/json")
      .set("X-CSRF-Token", token)
      .send('{"number": {"toString": 1}}');
    expect(typed.status).toBe(422);
    const gz = await clerk
      .post("/members/search")
      .set("Content-Type", "application/x-www-form-urlencoded")
      .set("Content-Encoding", "br-nonsense")
      .send(`_csrf=${token}&number=1`);
    expect(gz.status, "content-encoding").toBe(415);
    // Odd paths and ids.
    for (const url of [
      "/members/1e3",
      "/members/-1",
      "/members/0x10",
      "/members/%00",
      "/members/1%2F..%2F2",
      "/transfers/99999999999999999999",
      "/orgs/NaN",
      "/r/..%2F..%2Fetc%2Fpasswd",
      "/reports/figures/__proto__",
      "/reports/figures/constructor",
    ]) {
      const res = await clerk.get(url);
      expect(res.status, url).toBe(404);
    }
  });
});

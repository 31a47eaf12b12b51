import { afterEach, beforeEach, describe, expect, it } from "vitest";
import type { members } from "../../../db/schema.js";
import { makeIdNumber, parseIdNumber } from "../../../server/domain/id-number.js";
import { maskIdNumber, maskPhone } from "../../../server/domain/masking.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { addMember } from "../../helpers/fixtures.js";

type Member = typeof members.$inferSelect;

let t: TestApp;
afterEach(() => t?.close());

/** An 18-character ID number anywhere in a header value or URL. */
const WHOLE_ID = /\d{17}[\dX]/;

/** The edit form's body for a stored member: masked numbers sent back unchanged, blanks filled from the ID number. */
function updateBody(m: Member, over: Record<string, string> = {}): Record<string, string> {
  return {
    name: m.name,
    idNumber: maskIdNumber(m.idNumber),
    phone: maskPhone(m.phone),
    gender: "",
    birthDate: "",
    ethnicity: m.ethnicity,
    education: m.education ?? "",
    category: m.category,
    joinedOn: m.joinedOn ?? "",
    fullOn: m.fullOn ?? "",
    occupation: m.occupation ?? "",
    enterpriseId: m.enterpriseId == null ? "" : String(m.enterpriseId),
    orgId: String(m.orgId),
    relationStatus: m.relationStatus,
    relationOrgName: m.relationOrgName ?? "",
    discoveryChannel: m.discoveryChannel ?? "",
    discoveredOn: m.discoveredOn ?? "",
    verifiedOn: m.verifiedOn ?? "",
    managedOn: m.managedOn ?? "",
    ...over,
  };
}

/** A new member's form body: a valid, unused ID number (1990-03-01, male). */
function createBody(orgId: number, over: Record<string, string> = {}): Record<string, string> {
  return {
    name: "赵新登",
    idNumber: makeIdNumber("371721", "1990-03-01", 871),
    gender: "male",
    birthDate: "1990-03-01",
    ethnicity: "01",
    phone: "13912345678",
    education: "college",
    category: "full",
    joinedOn: "2015-07-01",
    fullOn: "2016-07-01",
    occupation: "truck_driver",
    enterpriseId: "",
    orgId: String(orgId),
    relationStatus: "local",
    relationOrgName: "",
    discoveryChannel: "field_visit",
    discoveredOn: "2024-03-01",
    verifiedOn: "2024-03-10",
    managedOn: "2024-04-01",
    ...over,
  };
}

async function post(agent: Agent, path: string, body: Record<string, string>) {
  const _csrf = await agent.csrf("/members");
  return agent
    .post(path)
    .type("form")
    .send({ ...body, _csrf });
}

function auditRows(handle: TestApp["handle"], action: string) {
  return handle.sqlite.prepare("SELECT * FROM audit_log WHERE action = ? AND entity = 'member' ORDER BY id").all(action) as {
    username: string;
    entity_id: string;
    before: string | null;
    after: string | null;
    details: string | null;
  }[];
}

// ---------------------------------------------------------------------------------------------
// Scope: every role, every member, by direct URL
// ---------------------------------------------------------------------------------------------

type Who = "admin" | "supervisor" | "clerk" | "clerkPs" | "secretary" | "secretaryJoint" | "secretaryPs";
type Target = "dlMember" | "dlJointMember" | "psMember";
const USERNAME: Record<Who, string> = {
  admin: "t-admin",
  supervisor: "t-supervisor",
  clerk: "t-clerk-dl",
  clerkPs: "t-clerk-ps",
  secretary: "t-sec-dl",
  secretaryJoint: "t-sec-joint",
  secretaryPs: "t-sec-ps",
};
const TARGETS: Target[] = ["dlMember", "dlJointMember", "psMember"];
/** Which members each role's scope holds (DOMAIN.md: a clerk the committee's subtree, a secretary the branch). */
const SCOPE: Record<Who, Target[]> = {
  admin: TARGETS,
  supervisor: TARGETS,
  clerk: ["dlMember", "dlJointMember"],
  clerkPs: ["psMember"],
  secretary: ["dlMember"],
  secretaryJoint: ["dlJointMember"],
  secretaryPs: ["psMember"],
};
const WRITES: Record<Who, boolean> = {
  admin: true,
  supervisor: false,
  clerk: true,
  clerkPs: true,
  secretary: true,
  secretaryJoint: true,
  secretaryPs: true,
};
const UNMASKS: Record<Who, boolean> = {
  admin: true,
  supervisor: true,
  clerk: true,
  clerkPs: true,
  secretary: false,
  secretaryJoint: false,
  secretaryPs: false,
};

const cases = (Object.keys(USERNAME) as Who[]).flatMap((who) =>
  TARGETS.map((target) => {
    const inScope = SCOPE[who].includes(target);
    return {
      who,
      target,
      inScope,
      read: inScope ? 200 : 404,
      change: !WRITES[who] ? 403 : inScope ? 303 : 404,
      unmask: !UNMASKS[who] ? 403 : inScope ? 200 : 404,
    };
  }),
);

describe("member scope by direct URL", () => {
  it.each(cases)("$who → $target: read $read, change $change, unmask $unmask", async ({ who, target, read, change, unmask, inScope }) => {
    t = await createTestApp();
    const agent = await signIn(t.app, USERNAME[who]);
    const m = t.city[target];

    const page = await agent.get(`/members/${m.id}`);
    expect(page.status).toBe(read);
    if (read === 200) expect(page.text).toContain(m.name);
    else expect(page.text).not.toContain(m.name);

    const edit = await agent.get(`/members/${m.id}/edit`);
    expect(edit.status).toBe(change === 303 ? 200 : change);

    const list = await agent.get(`/members?org=${m.orgId}`);
    expect(list.status).toBe(200);
    expect(list.text.includes(m.name)).toBe(inScope);

    const changed = await post(agent, `/members/${m.id}`, updateBody(m, { education: "bachelor" }));
    expect(changed.status).toBe(change);
    const education = t.handle.sqlite.prepare("SELECT education FROM members WHERE id = ?").pluck().get(m.id);
    expect(education).toBe(change === 303 ? "bachelor" : m.education);
    if (change === 303) expect(changed.headers.location).toBe(`/members/${m.id}`);

    const shown = await post(agent, `/members/${m.id}/unmask`, {});
    expect(shown.status).toBe(unmask);
    expect(shown.text.includes(m.idNumber)).toBe(unmask === 200);
    expect(auditRows(t.handle, "unmask").length).toBe(unmask === 200 ? 1 : 0);
  });

  it("the list shows exactly the members in scope, whatever the filters ask for", async () => {
    t = await createTestApp();
    const names = (target: Target) => t.city[target].name;
    for (const who of Object.keys(USERNAME) as Who[]) {
      const agent = await signIn(t.app, USERNAME[who]);
      const all = await agent.get("/members");
      expect(all.status).toBe(200);
      for (const target of TARGETS) expect(all.text.includes(names(target)), `${who} sees ${target}`).toBe(SCOPE[who].includes(target));
      // Asking for another committee, another branch or a last-4 outside the scope finds nothing.
      const ps = await agent.get(`/members?committee=${t.city.ps.id}`);
      const psBranch = await agent.get(`/members?org=${t.city.psBranch.id}`);
      const last4 = await agent.get(`/members?q=${t.city.psMember.idNumber.slice(-4)}`);
      for (const res of [ps, psBranch, last4]) expect(res.text.includes(names("psMember")), `${who}`).toBe(SCOPE[who].includes("psMember"));
    }
  });

  it("an out-of-scope member id used as a page cursor is ignored", async () => {
    t = await createTestApp();
    for (let i = 0; i < 60; i++) addMember(t.handle, t.city.dlBranch.id, { name: `分页${String(i).padStart(2, "0")}` });
    const agent = await signIn(t.app, "t-clerk-dl");
    const first = await agent.get("/members");
    const probe = await agent.get(`/members?after=${t.city.psMember.id}`);
    expect(probe.status).toBe(200);
    const namesOf = (html: string) => [...html.matchAll(/<a href="\/members\/(\d+)">/g)].map((x) => x[1]);
    expect(namesOf(probe.text)).toEqual(namesOf(first.text));
  });
});

// ---------------------------------------------------------------------------------------------
// The list: search, filters, keyset pages
// ---------------------------------------------------------------------------------------------

describe("member list", () => {
  beforeEach(async () => {
    t = await createTestApp();
  });

  it("searches by name (contains) and by the last four characters of the ID number or phone", async () => {
    const a = addMember(t.handle, t.city.dlBranch.id, { name: "欧阳秀英", phone: "13700001234", phoneLast4: "1234" });
    addMember(t.handle, t.city.dlBranch.id, { name: "王建国" });
    const agent = await signIn(t.app, "t-clerk-dl");
    const byName = await agent.get(`/members?q=${encodeURIComponent("秀英")}`);
    expect(byName.text).toContain("欧阳秀英");
    expect(byName.text).not.toContain("王建国");
    const byPhone = await agent.get("/members?q=1234");
    expect(byPhone.text).toContain("欧阳秀英");
    expect(byPhone.text).not.toContain("王建国");
    const byId = await agent.get(`/members?q=${a.idNumber.slice(-4)}`);
    expect(byId.text).toContain("欧阳秀英");
    // Masked in the list: never the whole number.
    expect(byId.text).toContain(maskIdNumber(a.idNumber));
    expect(byId.text).not.toContain(a.idNumber);
    expect(byPhone.text).not.toContain("13700001234");
    // Other digit strings match nothing and say what to type instead.
    const partial = await agent.get("/members?q=12345");
    expect(partial.text).toContain("数字请输入身份证号或手机号的后四位");
    expect(partial.text).not.toContain("欧阳秀英");
  });

  it("filters by occupation, category, relationship, channel, enterprise and lost contact, and hides those who left unless asked", async () => {
    addMember(t.handle, t.city.dlBranch.id, { name: "货车甲", occupation: "truck_driver", discoveryChannel: "data_match" });
    addMember(t.handle, t.city.dlBranch.id, {
      name: "预备乙",
      category: "probationary",
      fullOn: null,
      relationStatus: "mobile_in",
      relationOrgName: "某村党支部",
    });
    addMember(t.handle, t.city.dlBranch.id, { name: "失联丙", lostContactOn: "2020-01-01", lostContactReason: "migrant_work" });
    addMember(t.handle, t.city.dlBranch.id, {
      name: "失联丁",
      lostContactOn: new Date(Date.now() - 20 * 86_400_000).toISOString().slice(0, 10),
    });
    addMember(t.handle, t.city.dlBranch.id, {
      name: "转出戊",
      relationStatus: "transferred_out",
      leftOn: "2024-01-01",
      leftReason: "transferred_out",
    });
    const agent = await signIn(t.app, "t-clerk-dl");
    const rowsOf = async (qs: string) => {
      const res = await agent.get(`/members?${qs}`);
      expect(res.status).toBe(200);
      return [...res.text.matchAll(/<a href="\/members\/\d+">([^<]+)<\/a>/g)].map((x) => x[1]);
    };
    expect(await rowsOf("occupation=truck_driver")).toEqual(["货车甲"]);
    expect(await rowsOf("channel=data_match")).toEqual(["货车甲"]);
    expect(await rowsOf("category=probationary")).toEqual(["预备乙"]);
    expect(await rowsOf("relation=mobile_in")).toEqual(["预备乙"]);
    expect(await rowsOf(`enterprise=${t.city.dlEnterprise.id}`)).toEqual(["张道路"]);
    expect((await rowsOf("lost=any")).sort()).toEqual(["失联丁", "失联丙"]);
    expect(await rowsOf("lost=6m")).toEqual(["失联丙"]);
    expect(await rowsOf("")).not.toContain("转出戊");
    expect(await rowsOf("left=1")).toContain("转出戊");
    expect(await rowsOf("relation=transferred_out")).toEqual(["转出戊"]);
    const bad = await agent.get("/members?occupation=pilot");
    expect(bad.status).toBe(400);
  });

  it("pages forward and back with keysets in every sort order without losing or repeating a member", async () => {
    for (let i = 0; i < 123; i++) {
      addMember(t.handle, t.city.dlJoint.id, {
        name: `成员${String((i * 37) % 123).padStart(3, "0")}`,
        joinedOn: i % 10 === 0 ? null : `20${String(10 + (i % 9)).padStart(2, "0")}-0${1 + (i % 8)}-15`,
      });
    }
    const agent = await signIn(t.app, "t-sec-joint");
    const expected =
      (t.handle.sqlite.prepare("SELECT count(*) FROM members WHERE org_id = ?").pluck().get(t.city.dlJoint.id) as number) - 0;
    for (const [sort, dir] of [
      ["name", "asc"],
      ["joined", "desc"],
      ["joined", "asc"],
      ["id", "desc"],
    ] as const) {
      const seen: string[] = [];
      const pages: string[][] = [];
      let url: string | null = `/members?sort=${sort}&dir=${dir}`;
      while (url) {
        const res = await agent.get(url);
        expect(res.status).toBe(200);
        expect(res.text).toContain(`（${expected} 名）`);
        const ids = [...res.text.matchAll(/<a href="\/members\/(\d+)">/g)].map((x) => x[1]!);
        pages.push(ids);
        seen.push(...ids);
        const next = /href="(\/members\?[^"]*after=[^"]*)">下一页/.exec(res.text);
        url = next ? next[1]!.replaceAll("&amp;", "&") : null;
      }
      expect(seen.length).toBe(expected);
      expect(new Set(seen).size).toBe(expected);
      // The order the database gives for the same sort.
      const key = sort === "name" ? "name" : sort === "joined" ? "coalesce(joined_on, '')" : "id";
      const order = (
        t.handle.sqlite
          .prepare(`SELECT id FROM members WHERE org_id = ? ORDER BY ${key} ${dir}, id ${dir}`)
          .pluck()
          .all(t.city.dlJoint.id) as number[]
      ).map(String);
      expect(seen).toEqual(order);
      // And back from the last page: the previous page is the one before.
      const last = await agent.get(`/members?sort=${sort}&dir=${dir}&after=${pages[pages.length - 2]!.at(-1)}&page=3`);
      const prev = /href="(\/members\?[^"]*before=[^"]*)">上一页/.exec(last.text);
      const back = await agent.get(prev![1]!.replaceAll("&amp;", "&"));
      expect([...back.text.matchAll(/<a href="\/members\/(\d+)">/g)].map((x) => x[1])).toEqual(pages[pages.length - 2]);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Whole numbers never in a URL; secretaries never see them
// ---------------------------------------------------------------------------------------------

describe("personal numbers", () => {
  beforeEach(async () => {
    t = await createTestApp();
  });

  it("finds by whole ID number with a POST and redirects to the member without the number in the URL", async () => {
    const agent = await signIn(t.app, "t-clerk-dl");
    const m = t.city.dlMember;
    const found = await post(agent, "/members/search", { number: m.idNumber });
    expect(found.status).toBe(303);
    expect(found.headers.location).toBe(`/members/${m.id}`);
    // Lower-case x, spaces and full-width digits are the same number.
    const spaced = await post(agent, "/members/search", { number: ` ${m.idNumber.slice(0, 6)} ${m.idNumber.slice(6)} ` });
    expect(spaced.headers.location).toBe(`/members/${m.id}`);
    const byPhone = await post(agent, "/members/search", { number: m.phone! });
    expect(byPhone.headers.location).toBe(`/members/${m.id}`);
  });

  it("answers “not found” for a member outside the scope, exactly as for a number nobody has", async () => {
    const agent = await signIn(t.app, "t-clerk-dl");
    const outside = await post(agent, "/members/search", { number: t.city.psMember.idNumber });
    const nobody = await post(agent, "/members/search", { number: "11010519491231002X" });
    for (const res of [outside, nobody]) {
      expect(res.status).toBe(200);
      expect(res.text).toContain("您的管辖范围内没有该身份证号的党员");
      expect(res.text).not.toContain(t.city.psMember.name);
    }
    const bad = await post(agent, "/members/search", { number: "110105194912310021" });
    expect(bad.status).toBe(422);
    expect(bad.text).toContain("身份证号校验位不正确");
  });

  it("redirects a whole ID number or phone typed into the list's GET search away from the URL", async () => {
    const agent = await signIn(t.app, "t-clerk-dl");
    for (const q of [t.city.dlMember.idNumber, t.city.dlMember.phone!]) {
      const res = await agent.get(`/members?q=${q}&occupation=truck_driver`);
      expect(res.status).toBe(303);
      expect(res.headers.location).toBe("/members?occupation=truck_driver");
      expect(res.headers.location).not.toContain(q);
    }
  });

  it("a secretary sees masked numbers on every member page and cannot unmask", async () => {
    const agent = await signIn(t.app, "t-sec-dl");
    const m = t.city.dlMember;
    for (const path of ["/members", `/members/${m.id}`, `/members/${m.id}/edit`, `/members?q=${m.idNumber.slice(-4)}`]) {
      const res = await agent.get(path);
      expect(res.status, path).toBe(200);
      expect(res.text, path).not.toContain(m.idNumber);
      expect(res.text, path).not.toContain(m.phone!);
      expect(res.text, path).toContain(maskIdNumber(m.idNumber));
      expect(res.text, path).not.toContain("查看完整号码");
    }
    const denied = await post(agent, `/members/${m.id}/unmask`, {});
    expect(denied.status).toBe(403);
    expect(denied.text).not.toContain(m.idNumber);
    // Saving the edit form as shown (masked) keeps the stored numbers.
    const saved = await post(agent, `/members/${m.id}`, updateBody(m, { name: "张道路新" }));
    expect(saved.status).toBe(303);
    const row = t.handle.sqlite.prepare("SELECT name, id_number, phone FROM members WHERE id = ?").get(m.id);
    expect(row).toEqual({ name: "张道路新", id_number: m.idNumber, phone: m.phone });
  });

  it("no response of the member pages carries a whole ID number in a Location header", async () => {
    const agent = await signIn(t.app, "t-admin");
    const m = t.city.dlMember;
    const responses = [
      await post(agent, "/members/search", { number: m.idNumber }),
      await post(agent, "/members", createBody(t.city.dlBranch.id)),
      await post(agent, `/members/${m.id}`, updateBody(m, { idNumber: makeIdNumber("371722", "1985-06-15", 771), birthDate: "" })),
      await agent.get(`/members?q=${m.idNumber}`),
    ];
    for (const res of responses) {
      expect(res.status).toBe(303);
      expect(String(res.headers.location)).not.toMatch(WHOLE_ID);
    }
  });
});

// ---------------------------------------------------------------------------------------------
// Forms: validation in Chinese per field, with what was typed kept
// ---------------------------------------------------------------------------------------------

describe("member forms", () => {
  beforeEach(async () => {
    t = await createTestApp();
  });

  const invalid: [string, Record<string, string>, string, string, string][] = [
    ["a bad ID check digit", { idNumber: "110105194912310021" }, "idNumber", "身份证号校验位不正确", "110105194912310021"],
    [
      "a birth date that disagrees with the ID number",
      { birthDate: "1990-03-02" },
      "birthDate",
      "出生日期与身份证号中的出生日期（1990-03-01）不一致",
      "1990-03-02",
    ],
    ["a gender that disagrees with the ID number", { gender: "female" }, "gender", "性别与身份证号不一致", "female"],
    ["a bad phone", { phone: "1380013" }, "phone", "手机号码应为 11 位，实际为 7 位", "1380013"],
    ["a phone that is not mobile", { phone: "02112345678" }, "phone", "手机号码应以 13–19 开头", "02112345678"],
    ["a missing name", { name: "  " }, "name", "请填写姓名", ""],
    ["a join date before eighteen", { joinedOn: "2005-01-01", fullOn: "2006-01-01" }, "joinedOn", "入党时应年满十八周岁", "2005-01-01"],
    [
      "a probationary member with a full date",
      { category: "probationary" },
      "fullOn",
      "预备党员还没有转正，不应填写转正日期",
      "2016-07-01",
    ],
    ["a full date before joining", { fullOn: "2014-01-01" }, "fullOn", "转正日期应晚于入党日期", "2014-01-01"],
    ["an impossible date", { discoveredOn: "2024-02-30" }, "discoveredOn", "发现日期不是有效日期", "2024-02-30"],
    ["a future date", { managedOn: "2999-01-01" }, "managedOn", "纳管日期不能晚于今天", "2999-01-01"],
    [
      "a mobile status typed into the form",
      { relationStatus: "mobile_in" },
      "relationStatus",
      "流入、流出党员请在党员页面的“流动、失联与离开”中登记",
      "mobile_in",
    ],
    ["a transfer typed into the form", { relationStatus: "transferred_out" }, "relationStatus", "由组织关系转接办理", "transferred_out"],
  ];

  const SELECTS = ["gender", "category", "relationStatus", "occupation", "orgId"];
  /** The field's input carries the value, or its select has the option selected. */
  const keptPattern = (field: string, value: string) =>
    SELECTS.includes(field)
      ? new RegExp(`id="f-${field}" name="${field}"(?:(?!</select>)[\\s\\S])*<option value="${value}" selected>`)
      : new RegExp(`id="f-${field}" name="${field}" type="[a-z]+" value="${value}"`);

  it.each(invalid)(
    "re-renders the new-member form for %s, with the field error and the typed value",
    async (_label, over, field, message, kept) => {
      const agent = await signIn(t.app, "t-clerk-dl");
      const body = createBody(t.city.dlBranch.id, over);
      const res = await post(agent, "/members", body);
      expect(res.status).toBe(422);
      expect(res.text).toContain(message);
      // The error sits in the field's block, the typed value in its input or selected option.
      const block = res.text.slice(res.text.indexOf(`id="f-${field}"`));
      expect(block.slice(0, block.indexOf('<div class="field'))).toContain(message);
      if (kept) expect(res.text).toMatch(keptPattern(field, kept));
      // Everything else typed is kept too.
      for (const f of ["name", "phone", "joinedOn", "discoveredOn"].filter((f) => f !== field))
        expect(res.text).toMatch(keptPattern(f, body[f]!));
      expect(res.text).toMatch(keptPattern("occupation", "truck_driver"));
      expect(t.handle.sqlite.prepare("SELECT count(*) FROM members WHERE name = ?").pluck().get(body.name)).toBe(0);
    },
  );

  it("refuses a duplicate ID number with a field error, naming the member only when in scope", async () => {
    const clerk = await signIn(t.app, "t-clerk-dl");
    const dup = await post(
      clerk,
      "/members",
      createBody(t.city.dlBranch.id, { idNumber: t.city.dlMember.idNumber.toLowerCase(), birthDate: "", gender: "" }),
    );
    expect(dup.status).toBe(422);
    expect(dup.text).toContain(`该身份证号已登记为党员“${t.city.dlMember.name}”`);
    expect(dup.text).toContain(`value="${t.city.dlMember.idNumber.toLowerCase()}"`);
    const other = await post(
      clerk,
      "/members",
      createBody(t.city.dlBranch.id, { idNumber: t.city.psMember.idNumber, birthDate: "", gender: "" }),
    );
    expect(other.status).toBe(422);
    expect(other.text).toContain("该身份证号已由其他党组织登记");
    expect(other.text).not.toContain(t.city.psMember.name);
    // On edit too: changing a member's number to another member's.
    const edit = await post(
      clerk,
      `/members/${t.city.dlJointMember.id}`,
      updateBody(t.city.dlJointMember, { idNumber: t.city.dlMember.idNumber }),
    );
    expect(edit.status).toBe(422);
    expect(edit.text).toContain("该身份证号已登记为党员");
  });

  it("offers and accepts only organizations and enterprises inside the scope", async () => {
    const clerk = await signIn(t.app, "t-clerk-dl");
    const form = await clerk.get("/members/new");
    expect(form.text).toContain(t.city.dlBranch.name);
    expect(form.text).not.toContain(t.city.psBranch.name);
    expect(form.text).not.toContain(t.city.psEnterprise.name);
    const outside = await post(clerk, "/members", createBody(t.city.psBranch.id));
    expect(outside.status).toBe(422);
    expect(outside.text).toContain("请选择您管辖范围内的党组织");
    const ent = await post(clerk, "/members", createBody(t.city.dlBranch.id, { enterpriseId: String(t.city.psEnterprise.id) }));
    expect(ent.status).toBe(422);
    expect(ent.text).toContain("请选择您管辖范围内、仍在经营的企业");

    // A secretary files only into their own branch, and may pick the enterprises it covers.
    const sec = await signIn(t.app, "t-sec-dl");
    const secForm = await sec.get("/members/new");
    expect(secForm.text).toContain(t.city.dlEnterprise.name);
    expect(secForm.text).not.toContain(t.city.dlJoint.name);
    const other = await post(sec, "/members", createBody(t.city.dlJoint.id));
    expect(other.status).toBe(422);
    expect(other.text).toContain("请选择您管辖范围内的党组织");
    const own = await post(sec, "/members", createBody(t.city.dlBranch.id, { enterpriseId: String(t.city.dlEnterprise.id) }));
    expect(own.status).toBe(303);

    // Supervisors read only.
    const sup = await signIn(t.app, "t-supervisor");
    expect((await sup.get("/members/new")).status).toBe(403);
    expect((await post(sup, "/members", createBody(t.city.dlBranch.id))).status).toBe(403);
  });

  it("creates a member, filling birth date and gender from the ID number, with a timeline event and an audit entry", async () => {
    const agent = await signIn(t.app, "t-clerk-dl");
    const body = createBody(t.city.dlBranch.id, {
      birthDate: "",
      gender: "",
      idNumber: ` ${makeIdNumber("371721", "1990-03-01", 871).toLowerCase()} `,
    });
    const res = await post(agent, "/members", body);
    expect(res.status).toBe(303);
    const row = t.handle.sqlite.prepare("SELECT * FROM members WHERE name = '赵新登'").get() as Record<string, unknown>;
    expect(res.headers.location).toBe(`/members/${row.id}`);
    expect(row).toMatchObject({
      birth_date: "1990-03-01",
      gender: "male",
      id_number: makeIdNumber("371721", "1990-03-01", 871),
      id_last4: makeIdNumber("371721", "1990-03-01", 871).slice(-4),
      phone_last4: "5678",
    });
    const events = t.handle.sqlite.prepare("SELECT kind, summary, user_id FROM member_events WHERE member_id = ?").all(row.id);
    expect(events).toEqual([{ kind: "created", summary: `登记党员信息，编入“${t.city.dlBranch.name}”`, user_id: t.city.userIds.clerk }]);
    const [audit] = auditRows(t.handle, "create");
    expect(audit).toMatchObject({ username: "t-clerk-dl", entity_id: String(row.id) });
    expect(audit!.after).toContain(maskIdNumber(String(row.id_number)));
    expect(audit!.after).not.toContain(String(row.id_number));
    const page = await agent.get(`/members/${row.id}`);
    expect(page.text).toContain("登记党员信息");
  });

  it("updates a member: the timeline says what changed in Chinese and the audit keeps before and after, masked", async () => {
    const agent = await signIn(t.app, "t-clerk-dl");
    // The fixture stores every member as male; make the record agree with its ID number first.
    const parsed = parseIdNumber(t.city.dlMember.idNumber);
    const gender = parsed.ok ? parsed.gender : "male";
    t.handle.sqlite.prepare("UPDATE members SET gender = ? WHERE id = ?").run(gender, t.city.dlMember.id);
    const m = { ...t.city.dlMember, gender } as Member;
    const res = await post(
      agent,
      `/members/${m.id}`,
      updateBody(m, { gender, phone: "13698765432", orgId: String(t.city.dlJoint.id), occupation: "ride_hailing_driver" }),
    );
    expect(res.status).toBe(303);
    const row = t.handle.sqlite.prepare("SELECT phone, phone_last4, org_id, occupation FROM members WHERE id = ?").get(m.id);
    expect(row).toEqual({ phone: "13698765432", phone_last4: "5432", org_id: t.city.dlJoint.id, occupation: "ride_hailing_driver" });
    const event = t.handle.sqlite.prepare("SELECT kind, summary FROM member_events WHERE member_id = ? ORDER BY id DESC").get(m.id) as {
      kind: string;
      summary: string;
    };
    expect(event.kind).toBe("updated");
    expect(event.summary).toContain(`手机号（${maskPhone(m.phone)} → 136****5432）`);
    expect(event.summary).toContain(`管理党组织（${t.city.dlBranch.name} → ${t.city.dlJoint.name}）`);
    expect(event.summary).toContain("职业（空 → 网约车司机）");
    const [audit] = auditRows(t.handle, "update");
    expect(JSON.parse(audit!.before!)).toEqual({ phone: maskPhone(m.phone), orgId: t.city.dlBranch.id, occupation: null });
    expect(JSON.parse(audit!.after!)).toEqual({ phone: "136****5432", orgId: t.city.dlJoint.id, occupation: "ride_hailing_driver" });
    // Saving again without changes writes nothing.
    const again = await post(
      agent,
      `/members/${m.id}`,
      updateBody({ ...m, phone: "13698765432", orgId: t.city.dlJoint.id, occupation: "ride_hailing_driver" }, { gender }),
    );
    expect(again.status).toBe(303);
    expect(auditRows(t.handle, "update")).toHaveLength(1);
    const page = await agent.get(`/members/${m.id}`);
    expect(page.text).toContain("修改了手机号");
  });

  it("leaves transfers and mobile spells to their procedures: no status change or move while one is open", async () => {
    const agent = await signIn(t.app, "t-clerk-dl");
    const m = t.city.dlMember;
    // Filing and unfiling (未纳管 ↔ 本地管理) is what the form does.
    expect(
      (await post(agent, `/members/${m.id}`, updateBody(m, { relationStatus: "unattached", relationOrgName: "某村党支部" }))).status,
    ).toBe(303);
    const unattached = { ...m, relationStatus: "unattached", relationOrgName: "某村党支部" } as Member;
    expect((await post(agent, `/members/${m.id}`, updateBody(unattached, { relationStatus: "local" }))).status).toBe(303);
    // A member managed as mobile keeps that status here and cannot be moved.
    t.handle.sqlite.prepare("UPDATE members SET relation_status = 'mobile_out' WHERE id = ?").run(m.id);
    t.handle.sqlite
      .prepare(
        "INSERT INTO mobile_spells (member_id, direction, org_id, started_on, destination) VALUES (?, 'out', ?, '2024-01-01', '外地')",
      )
      .run(m.id, m.orgId);
    const mobile = { ...m, relationStatus: "mobile_out" } as Member;
    const form = await agent.get(`/members/${m.id}/edit`);
    expect(form.text).toMatch(/<option value="mobile_out" selected>/);
    const back = await post(agent, `/members/${m.id}`, updateBody(mobile, { relationStatus: "local" }));
    expect(back.status).toBe(422);
    expect(back.text).toContain("流动党员的状态请在“流动、失联与离开”中结束");
    const moved = await post(agent, `/members/${m.id}`, updateBody(mobile, { orgId: String(t.city.dlJoint.id) }));
    expect(moved.status).toBe(422);
    expect(moved.text).toContain("请先结束流动登记再调整管理党组织");
    expect((await post(agent, `/members/${m.id}`, updateBody(mobile, { occupation: "courier" }))).status).toBe(303);
    // A pending transfer: the receiving side takes the member; no moving meanwhile.
    const j = t.city.dlJointMember;
    t.handle.sqlite
      .prepare(
        "INSERT INTO transfers (member_id, kind, from_org_id, to_org_id, letter_number, issued_on, valid_days, deadline_on) VALUES (?, 'internal', ?, ?, 'T-1', '2025-01-01', 10, '2025-01-11')",
      )
      .run(j.id, j.orgId, t.city.dlBranch.id);
    const during = await post(agent, `/members/${j.id}`, updateBody(j, { orgId: String(t.city.dlBranch.id) }));
    expect(during.status).toBe(422);
    expect(during.text).toContain("该党员有待接收的组织关系转接");
    expect(t.handle.sqlite.prepare("SELECT org_id FROM members WHERE id = ?").pluck().get(j.id)).toBe(j.orgId);
  });

  it("refuses a partly edited masked number instead of silently keeping the old one", async () => {
    const agent = await signIn(t.app, "t-clerk-dl");
    const m = t.city.dlMember;
    const masked = maskIdNumber(m.idNumber);
    const res = await post(agent, `/members/${m.id}`, updateBody(m, { idNumber: `${masked.slice(0, -1)}9` }));
    expect(res.status).toBe(422);
    expect(res.text).toContain("请完整输入新的身份证号");
  });

  it("records an unmasking in the audit log and shows the whole numbers only in that response", async () => {
    const agent = await signIn(t.app, "t-supervisor");
    const m = t.city.psMember;
    const before = await agent.get(`/members/${m.id}`);
    expect(before.text).not.toContain(m.idNumber);
    const res = await post(agent, `/members/${m.id}/unmask`, {});
    expect(res.status).toBe(200);
    expect(res.text).toContain(m.idNumber);
    expect(res.text).toContain(m.phone!);
    expect(res.text).toContain("本次查看已记入审计日志");
    const [audit] = auditRows(t.handle, "unmask");
    expect(audit).toMatchObject({ username: "t-supervisor", entity_id: String(m.id) });
    expect((await agent.get(`/members/${m.id}`)).text).not.toContain(m.idNumber);
  });

  it("shows the status fields: out of contact for six months warns that membership is suspended", async () => {
    const lost = addMember(t.handle, t.city.dlBranch.id, {
      name: "失联者",
      lostContactOn: "2020-05-01",
      lostContactReason: "employer_changed",
      relationStatus: "mobile_out",
    });
    const agent = await signIn(t.app, "t-clerk-dl");
    const page = await agent.get(`/members/${lost.id}`);
    expect(page.text).toContain("已满六个月。按规定，失去联系满六个月的党员应停止党籍");
    expect(page.text).toContain("工作单位改变");
    expect(page.text).toContain("流出党员：组织关系在本系统");
  });

  it("has no way to delete a member", async () => {
    const agent = await signIn(t.app, "t-admin");
    const _csrf = await agent.csrf("/members");
    const del = await agent.delete(`/members/${t.city.dlMember.id}`).set("x-csrf-token", _csrf);
    expect(del.status).toBe(404);
    const viaPost = await post(agent, `/members/${t.city.dlMember.id}/delete`, {});
    expect(viaPost.status).toBe(404);
    expect(t.handle.sqlite.prepare("SELECT count(*) FROM members WHERE id = ?").pluck().get(t.city.dlMember.id)).toBe(1);
  });
});

import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { instructorAssignments, instructors } from "../../../db/schema.js";
import { makeCreditCode } from "../../../server/domain/credit-code.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { addEnterprise, addMember, addOrg, cover } from "../../helpers/fixtures.js";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t?.close());

/** The table row (<tr>…</tr>) that names `name`, or "" when the page has none. */
function rowOf(html: string, name: string): string {
  for (const m of html.matchAll(/<tr>([\s\S]*?)<\/tr>/g)) if (m[1]!.includes(`>${name}</a>`)) return m[1]!;
  return "";
}
const tags = (row: string) => [...row.matchAll(/<span class="tag[^"]*"[^>]*>([^<]+)<\/span>/g)].map((m) => m[1]);

function addInstructor(committeeId: number, name = "赵指导") {
  return t.handle.db.insert(instructors).values({ name, committeeId, phone: "13912345678" }).returning().get();
}
function assign(instructorId: number, enterpriseId: number, endedOn: string | null = null) {
  t.handle.db.insert(instructorAssignments).values({ instructorId, enterpriseId, assignedOn: "2024-01-01", endedOn }).run();
}
const audit = (entity: string) =>
  t.handle.sqlite
    .prepare("SELECT action, entity_id AS entityId, before, after, username FROM audit_log WHERE entity = ? ORDER BY id")
    .all(entity) as {
    action: string;
    entityId: string;
    before: string | null;
    after: string | null;
    username: string;
  }[];

/** A valid form body for an enterprise of HZ-DL. */
function body(over: Record<string, string> = {}) {
  return {
    name: "菏泽新登记运输有限公司",
    creditCode: makeCreditCode("91", "371702", "MA7000001"),
    kind: "transport_company",
    industryCode: "road_transport",
    regionCode: "371702",
    committeeId: String(t.city.dl.id),
    workerCount: "25",
    status: "active",
    ...over,
  };
}

async function post(agent: Agent, path: string, data: Record<string, string>, csrfPage = "/enterprises") {
  return agent
    .post(path)
    .type("form")
    .send({ ...data, _csrf: await agent.csrf(csrfPage) });
}

describe("enterprise list: coverage status and 应建未建", () => {
  it("shows standalone / joint / work-only / uncovered, and flags exactly three full members but not two full + one probationary", async () => {
    const { dl, dlJoint, dlBranch } = t.city;
    const joint = addEnterprise(t.handle, dl.id, { name: "联建甲公司" });
    cover(t.handle, dlJoint.id, joint.id);
    const work = addEnterprise(t.handle, dl.id, { name: "指导员联系公司" });
    assign(addInstructor(dl.id).id, work.id);
    const endedWork = addEnterprise(t.handle, dl.id, { name: "指导员已撤回公司" });
    assign(addInstructor(dl.id, "钱指导").id, endedWork.id, "2024-06-01");
    const none = addEnterprise(t.handle, dl.id, { name: "无人覆盖公司" });
    const three = addEnterprise(t.handle, dl.id, { name: "三名正式党员公司" });
    for (let i = 0; i < 3; i++) addMember(t.handle, dlBranch.id, { enterpriseId: three.id });
    const twoPlusOne = addEnterprise(t.handle, dl.id, { name: "二正一预公司" });
    addMember(t.handle, dlBranch.id, { enterpriseId: twoPlusOne.id });
    addMember(t.handle, dlBranch.id, { enterpriseId: twoPlusOne.id });
    addMember(t.handle, dlBranch.id, { enterpriseId: twoPlusOne.id, category: "probationary", fullOn: null });
    const gone = addEnterprise(t.handle, dl.id, { name: "一人已转出公司" });
    addMember(t.handle, dlBranch.id, { enterpriseId: gone.id });
    addMember(t.handle, dlBranch.id, { enterpriseId: gone.id });
    addMember(t.handle, dlBranch.id, {
      enterpriseId: gone.id,
      relationStatus: "transferred_out",
      leftOn: "2024-05-01",
      leftReason: "transferred_out",
    });
    const jointThree = addEnterprise(t.handle, dl.id, { name: "联建但有三名党员公司" });
    cover(t.handle, dlJoint.id, jointThree.id);
    for (let i = 0; i < 3; i++) addMember(t.handle, dlJoint.id, { enterpriseId: jointThree.id });

    const clerk = await signIn(t.app, "t-clerk-dl");
    const res = await clerk.get("/enterprises");
    expect(res.status).toBe(200);
    expect(tags(rowOf(res.text, "菏泽某物流有限公司"))).toEqual(["单独建立党组织"]);
    expect(tags(rowOf(res.text, "联建甲公司"))).toEqual(["联合党支部覆盖"]);
    expect(tags(rowOf(res.text, "指导员联系公司"))).toEqual(["仅工作覆盖"]);
    expect(tags(rowOf(res.text, "指导员已撤回公司"))).toEqual(["未覆盖"]);
    expect(tags(rowOf(res.text, "无人覆盖公司"))).toEqual(["未覆盖"]);
    expect(tags(rowOf(res.text, "三名正式党员公司"))).toEqual(["未覆盖", "应建未建"]);
    expect(tags(rowOf(res.text, "二正一预公司"))).toEqual(["未覆盖"]);
    expect(tags(rowOf(res.text, "一人已转出公司"))).toEqual(["未覆盖"]);
    expect(tags(rowOf(res.text, "联建但有三名党员公司"))).toEqual(["联合党支部覆盖", "应建未建"]);
    // Member counts: full / probationary
    expect(rowOf(res.text, "二正一预公司")).toMatch(/data-label="正式党员" class="num">2<[\s\S]*data-label="预备党员" class="num">1</);

    const names = (html: string) => [...html.matchAll(/<a href="\/enterprises\/\d+">([^<]+)<\/a>/g)].map((m) => m[1]).sort();
    expect(names((await clerk.get("/enterprises?shouldForm=1")).text)).toEqual(["三名正式党员公司", "联建但有三名党员公司"]);
    expect(names((await clerk.get("/enterprises?coverage=work")).text)).toEqual(["指导员联系公司"]);
    expect(names((await clerk.get("/enterprises?coverage=joint")).text)).toEqual(["联建但有三名党员公司", "联建甲公司"]);
    expect(names((await clerk.get("/enterprises?coverage=standalone")).text)).toEqual(["菏泽某物流有限公司"]);
    expect(names((await clerk.get("/enterprises?coverage=uncovered")).text)).toEqual([
      "一人已转出公司",
      "三名正式党员公司",
      "二正一预公司",
      "指导员已撤回公司",
      "无人覆盖公司",
    ]);
    expect(names((await clerk.get("/enterprises?coverage=uncovered&shouldForm=1")).text)).toEqual(["三名正式党员公司"]);

    const detail = await clerk.get(`/enterprises/${three.id}`);
    expect(detail.text).toContain("应建未建：本企业有正式党员 3 名");
    const ok = await clerk.get(`/enterprises/${twoPlusOne.id}`);
    expect(ok.text).not.toContain("应建未建：");
    expect(ok.text).toContain("正式党员 2 名，预备党员 1 名");
    expect((await clerk.get(`/enterprises/${work.id}`)).text).toContain("由党建工作指导员（联络员）“赵指导”联系");
    expect((await clerk.get(`/enterprises/${none.id}`)).text).toContain("既没有党组织覆盖，也没有党建工作指导员（联络员）联系");
  });

  it("filters by committee, county, industry, kind and status, searches name and credit code, and pages", async () => {
    const { dl, ps } = t.city;
    for (let i = 1; i <= 55; i++)
      addEnterprise(t.handle, dl.id, { name: `批量企业${String(i).padStart(2, "0")}`, regionCode: i <= 5 ? "371721" : "371702" });
    const closed = addEnterprise(t.handle, dl.id, { name: "已注销物流公司", status: "closed" });
    addEnterprise(t.handle, dl.id, { name: "快递网点甲", kind: "express_outlet", industryCode: "express_delivery" });
    const admin = await signIn(t.app, "t-admin");
    const count = (html: string) => Number(/共 ([\d,]+) 家企业/.exec(html)![1]!.replace(/,/g, ""));
    const all = await admin.get("/enterprises");
    expect(count(all.text)).toBe(2 + 55 + 1); // closed ones are hidden by default
    expect(all.text).toContain("下一页");
    const page2 = await admin.get("/enterprises?page=2");
    expect(page2.status).toBe(200);
    expect(page2.text).toContain("上一页");
    expect((page2.text.match(/<tr>/g) ?? []).length - 1).toBe(58 - 50);
    expect(count((await admin.get(`/enterprises?committee=${ps.id}`)).text)).toBe(1);
    expect(count((await admin.get("/enterprises?county=371721")).text)).toBe(5);
    expect(count((await admin.get("/enterprises?industry=express_delivery")).text)).toBe(1);
    expect(count((await admin.get("/enterprises?kind=express_outlet")).text)).toBe(1);
    expect(count((await admin.get("/enterprises?status=closed")).text)).toBe(1);
    expect(count((await admin.get("/enterprises?status=all")).text)).toBe(59);
    expect(count((await admin.get(`/enterprises?q=${encodeURIComponent("批量企业0")}`)).text)).toBe(9);
    const byCode = await admin.get(`/enterprises?status=all&q=${closed.creditCode.slice(0, 17).toLowerCase()}`);
    expect(byCode.text).toContain("已注销物流公司");
    expect(byCode.text).not.toContain("快递网点甲");
    expect(count((await admin.get("/enterprises?q=%25")).text)).toBe(0); // LIKE wildcards are literal
    expect((await admin.get("/enterprises?coverage=bogus")).status).toBe(400);
  });
});

describe("enterprise forms", () => {
  it("re-renders with field errors and what the user typed: bad check character, duplicate code, negative worker count, missing fields", async () => {
    const clerk = await signIn(t.app, "t-clerk-dl");
    const good = body().creditCode;
    const wrongCheck = good.slice(0, 17) + (good[17] === "0" ? "1" : "0");
    let res = await post(clerk, "/enterprises", body({ creditCode: wrongCheck, name: "我输入的名称" }));
    expect(res.status).toBe(422);
    expect(res.text).toContain("统一社会信用代码校验位不正确");
    expect(res.text).toContain('value="我输入的名称"');
    expect(res.text).toContain(`value="${wrongCheck}"`);

    res = await post(clerk, "/enterprises", body({ creditCode: t.city.dlEnterprise.creditCode }));
    expect(res.status).toBe(422);
    expect(res.text).toContain("已登记为企业“菏泽某物流有限公司”");

    // A code registered outside the clerk's scope is refused without naming the enterprise.
    res = await post(clerk, "/enterprises", body({ creditCode: t.city.psEnterprise.creditCode }));
    expect(res.status).toBe(422);
    expect(res.text).toContain("已被其他党委登记的企业使用");
    expect(res.text).not.toContain("菏泽某配送站");

    res = await post(clerk, "/enterprises", body({ workerCount: "-5" }));
    expect(res.status).toBe(422);
    expect(res.text).toContain("从业人员数不能为负数");
    expect(res.text).toContain('value="-5"');

    res = await post(clerk, "/enterprises", body({ name: "  ", kind: "", regionCode: "", committeeId: "" }));
    expect(res.status).toBe(422);
    expect(res.text).toContain("请填写企业名称");
    expect(res.text).toContain("请选择企业类型");
    expect(res.text).toContain("请选择所在县区");
    expect(res.text).toContain("请选择负责党委");

    res = await post(clerk, "/enterprises", body({ committeeId: String(t.city.ps.id) }));
    expect(res.status).toBe(422);
    expect(res.text).toContain("请选择您管辖范围内的行业党委或综合党委");

    res = await post(clerk, "/enterprises", body({ regionCode: "371700" }));
    expect(res.status).toBe(422);
    expect(res.text).toContain("请选择企业所在的县（区）或乡镇（街道）");

    res = await post(clerk, "/enterprises", body({ legalRepIsSecretary: "1" }));
    expect(res.status).toBe(422);
    expect(res.text).toContain("兼任企业党组织书记的法定代表人必须是党员");

    expect(t.handle.sqlite.prepare("SELECT count(*) AS n FROM enterprises").get()).toEqual({ n: 2 });
    expect(audit("enterprise")).toEqual([]);
  });

  it("creates and edits an enterprise, normalising the credit code, and audits before and after", async () => {
    const clerk = await signIn(t.app, "t-clerk-dl");
    const code = body().creditCode;
    const res = await post(clerk, "/enterprises", body({ creditCode: ` ${code.toLowerCase()} `, legalRepIsMember: "1" }));
    expect(res.status).toBe(303);
    const id = Number(/\/enterprises\/(\d+)$/.exec(String(res.headers.location))![1]);
    const row = t.handle.sqlite.prepare("SELECT credit_code, worker_count, legal_rep_is_member FROM enterprises WHERE id = ?").get(id);
    expect(row).toEqual({ credit_code: code, worker_count: 25, legal_rep_is_member: 1 });
    const page = await clerk.get(`/enterprises/${id}`);
    expect(page.text).toContain("已新增企业");
    expect(page.text).toContain("未覆盖");

    const edit = await clerk.get(`/enterprises/${id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).toContain(`value="${code}"`);
    const upd = await post(clerk, `/enterprises/${id}`, body({ workerCount: "120", status: "closed" }));
    expect(upd.status).toBe(303);
    // Saving the same credit code on itself is not a duplicate.
    expect(t.handle.sqlite.prepare("SELECT worker_count, status FROM enterprises WHERE id = ?").get(id)).toEqual({
      worker_count: 120,
      status: "closed",
    });

    const entries = audit("enterprise");
    expect(entries.map((e) => [e.action, e.entityId, e.username])).toEqual([
      ["create", String(id), "t-clerk-dl"],
      ["update", String(id), "t-clerk-dl"],
    ]);
    expect(JSON.parse(entries[1]!.before!)).toMatchObject({ workerCount: 25, status: "active" });
    expect(JSON.parse(entries[1]!.after!)).toMatchObject({ workerCount: 120, status: "closed" });
  });
});

describe("which organization covers which enterprise", () => {
  it("refuses a standalone branch that already covers another enterprise, warns past five units of a joint branch, and removes links", async () => {
    const { dl, dlBranch, dlJoint } = t.city;
    const clerk = await signIn(t.app, "t-clerk-dl");
    const e1 = addEnterprise(t.handle, dl.id, { name: "待覆盖公司" });
    let res = await post(clerk, `/enterprises/${e1.id}/coverage`, { organizationId: String(dlBranch.id) }, `/enterprises/${e1.id}`);
    expect(res.status).toBe(422);
    expect(res.text).toContain("是单独组建的党支部，已覆盖企业“菏泽某物流有限公司”");
    expect(res.text).toContain("待覆盖公司"); // the detail page, re-rendered

    res = await post(clerk, `/enterprises/${e1.id}/coverage`, { organizationId: "" }, `/enterprises/${e1.id}`);
    expect(res.status).toBe(422);
    expect(res.text).toContain("请选择党组织");

    // An organization outside the clerk's scope cannot be attached.
    res = await post(clerk, `/enterprises/${e1.id}/coverage`, { organizationId: String(t.city.psBranch.id) }, `/enterprises/${e1.id}`);
    expect(res.status).toBe(422);
    expect(res.text).toContain("不在您的管辖范围内");

    const units = [e1, ...[2, 3, 4, 5, 6].map((i) => addEnterprise(t.handle, dl.id, { name: `联建单位${i}` }))];
    for (const [i, e] of units.entries()) {
      res = await post(
        clerk,
        `/enterprises/${e.id}/coverage`,
        { organizationId: String(dlJoint.id), since: "2025-01-01" },
        `/enterprises/${e.id}`,
      );
      expect(res.status).toBe(303);
      const page = await clerk.get(`/enterprises/${e.id}`);
      expect(page.text).toContain("联合党支部覆盖");
      if (i < 5) expect(page.text).not.toContain("个单位，一般不超过 5 个");
      else {
        expect(page.text).toContain("现覆盖 6 个单位，一般不超过 5 个"); // the flash
        expect(page.text).toContain("覆盖 6 个单位，一般不超过 5 个。"); // the standing warning
      }
    }
    res = await post(clerk, `/enterprises/${e1.id}/coverage`, { organizationId: String(dlJoint.id) }, `/enterprises/${e1.id}`);
    expect(res.status).toBe(422);
    expect(res.text).toContain("该党组织已覆盖本企业");

    res = await post(clerk, `/enterprises/${e1.id}/coverage/${dlJoint.id}/remove`, {}, `/enterprises/${e1.id}`);
    expect(res.status).toBe(303);
    expect(t.handle.sqlite.prepare("SELECT count(*) AS n FROM organization_enterprises WHERE enterprise_id = ?").get(e1.id)).toEqual({
      n: 0,
    });
    expect((await clerk.get(`/enterprises/${e1.id}`)).text).toContain("未覆盖");
    res = await post(clerk, `/enterprises/${e1.id}/coverage/${dlJoint.id}/remove`, {}, `/enterprises/${e1.id}`);
    expect(res.status).toBe(404);

    const entries = audit("enterprise_coverage");
    expect(entries.filter((e) => e.action === "create")).toHaveLength(6);
    const removed = entries.at(-1)!;
    expect(removed.action).toBe("delete");
    expect(JSON.parse(removed.before!)).toMatchObject({ enterpriseId: e1.id, organizationId: dlJoint.id, since: "2025-01-01" });
  });

  it("lets a new standalone branch cover an enterprise and classifies it as standalone", async () => {
    const { dl } = t.city;
    const branch = addOrg(t.handle, {
      code: "HZ-DL-009",
      name: "中共某新公司支部委员会",
      kind: "branch",
      formation: "standalone",
      parentId: dl.id,
    });
    const e = addEnterprise(t.handle, dl.id, { name: "新建支部公司" });
    const clerk = await signIn(t.app, "t-clerk-dl");
    const res = await post(clerk, `/enterprises/${e.id}/coverage`, { organizationId: String(branch.id) }, `/enterprises/${e.id}`);
    expect(res.status).toBe(303);
    const page = await clerk.get(`/enterprises/${e.id}`);
    expect(page.text).toContain("单独建立党组织");
    expect(page.text).toContain("本企业单独建立了党组织（“中共某新公司支部委员会”）");
  });
});

describe("enterprise scope by role and direct URL", () => {
  // in = the HZ-DL enterprise (covered by HZ-DL-001), out = the HZ-PS enterprise.
  const table: { user: string; read: [number, number]; write: [number, number] }[] = [
    { user: "t-admin", read: [200, 200], write: [303, 303] },
    { user: "t-supervisor", read: [200, 200], write: [403, 403] },
    { user: "t-clerk-dl", read: [200, 404], write: [303, 404] },
    { user: "t-clerk-ps", read: [404, 200], write: [404, 303] },
    { user: "t-sec-dl", read: [200, 404], write: [403, 403] },
    { user: "t-sec-joint", read: [404, 404], write: [403, 403] },
    { user: "t-sec-ps", read: [404, 200], write: [403, 403] },
  ];
  for (const row of table) {
    it(`${row.user}: reads ${row.read.join("/")}, changes ${row.write.join("/")}`, async () => {
      const agent = await signIn(t.app, row.user);
      const { dlEnterprise, psEnterprise, dl, ps } = t.city;
      const targets = [
        { e: dlEnterprise, committee: dl.id, industry: "road_transport", kind: "transport_company" },
        { e: psEnterprise, committee: ps.id, industry: "online_delivery", kind: "station" },
      ];
      for (const [i, { e, committee, industry, kind }] of targets.entries()) {
        const read = await agent.get(`/enterprises/${e.id}`);
        expect(read.status, `read ${e.name}`).toBe(row.read[i]);
        if (read.status === 404) expect(read.text).not.toContain(e.name);
        const write = await post(
          agent,
          `/enterprises/${e.id}`,
          {
            name: `${e.name}（改）`,
            creditCode: e.creditCode,
            kind,
            industryCode: industry,
            regionCode: "371702",
            committeeId: String(committee),
            workerCount: "11",
            status: "active",
          },
          "/",
        );
        expect(write.status, `write ${e.name}`).toBe(row.write[i]);
        const stored = t.handle.sqlite.prepare("SELECT name FROM enterprises WHERE id = ?").get(e.id) as { name: string };
        expect(stored.name.endsWith("（改）")).toBe(row.write[i] === 303);
        const list = await agent.get("/enterprises");
        expect(list.text.includes(`/enterprises/${e.id}"`), `list ${e.name}`).toBe(row.read[i] === 200);
      }
    });
  }

  it("a clerk reads an enterprise another committee is responsible for when their branch covers it, but cannot change it", async () => {
    const { ps, dlJoint } = t.city;
    const e = addEnterprise(t.handle, ps.id, { name: "跨党委联建公司", industryCode: "online_delivery" });
    cover(t.handle, dlJoint.id, e.id);
    const clerk = await signIn(t.app, "t-clerk-dl");
    const page = await clerk.get(`/enterprises/${e.id}`);
    expect(page.status).toBe(200);
    expect(page.text).not.toContain(`/enterprises/${e.id}/edit`);
    expect((await clerk.get(`/enterprises/${e.id}/edit`)).status).toBe(403);
    const res = await post(clerk, `/enterprises/${e.id}/coverage/${dlJoint.id}/remove`, {}, `/enterprises/${e.id}`);
    expect(res.status).toBe(403);
    const sec = await signIn(t.app, "t-sec-joint");
    expect((await sec.get(`/enterprises/${e.id}`)).status).toBe(200);
    expect((await sec.get("/enterprises/new")).status).toBe(403);
  });

  it("shows members working there masked, only those in the reader's scope, and counts the others", async () => {
    const { dlEnterprise, psBranch } = t.city;
    const other = addMember(t.handle, psBranch.id, { enterpriseId: dlEnterprise.id, name: "外党委党员" });
    const sec = await signIn(t.app, "t-sec-dl");
    const page = await sec.get(`/enterprises/${dlEnterprise.id}`);
    expect(page.text).toContain("张道路");
    expect(page.text).not.toContain(t.city.dlMember.idNumber);
    expect(page.text).toContain(`${t.city.dlMember.idNumber.slice(0, 6)}********${t.city.dlMember.idNumber.slice(-4)}`);
    expect(page.text).not.toContain(t.city.dlMember.phone!);
    expect(page.text).not.toContain(other.name);
    expect(page.text).toContain("另有 1 名在本企业工作的党员由您管辖范围以外的党组织管理");
    expect(page.text).toContain(`href="/members/${t.city.dlMember.id}"`);
  });
});

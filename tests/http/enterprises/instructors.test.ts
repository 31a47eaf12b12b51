import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { instructorAssignments, instructors } from "../../../db/schema.js";
import { todayIso } from "../../../server/domain/dates.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { addEnterprise } from "../../helpers/fixtures.js";

let t: TestApp;
beforeEach(async () => {
  t = await createTestApp();
});
afterEach(() => t?.close());

const PHONE = "13912345678";
const MASKED = "139****5678";

function addInstructor(committeeId: number, name: string, phone: string | null = PHONE) {
  return t.handle.db.insert(instructors).values({ name, committeeId, phone, workUnit: "市交通运输局 科员" }).returning().get();
}
function assign(instructorId: number, enterpriseId: number, assignedOn = "2024-01-01") {
  return t.handle.db.insert(instructorAssignments).values({ instructorId, enterpriseId, assignedOn }).returning().get();
}
const audit = (entity: string) =>
  t.handle.sqlite
    .prepare("SELECT action, entity_id AS entityId, before, after FROM audit_log WHERE entity = ? ORDER BY id")
    .all(entity) as {
    action: string;
    entityId: string;
    before: string | null;
    after: string | null;
  }[];

async function post(agent: Agent, path: string, data: Record<string, string>, csrfPage = "/instructors") {
  return agent
    .post(path)
    .type("form")
    .send({ ...data, _csrf: await agent.csrf(csrfPage) });
}

const form = (over: Record<string, string> = {}) => ({
  name: "孙指导",
  kind: "instructor",
  phone: PHONE,
  workUnit: "区委组织部",
  committeeId: String(t.city.dl.id),
  status: "active",
  ...over,
});

describe("instructor forms", () => {
  it("re-renders with field errors and the typed values: missing name, bad phone, committee outside scope", async () => {
    const clerk = await signIn(t.app, "t-clerk-dl");
    let res = await post(clerk, "/instructors", form({ name: "", phone: "1391234", workUnit: "我填的单位" }));
    expect(res.status).toBe(422);
    expect(res.text).toContain("请填写姓名");
    expect(res.text).toMatch(/手机号[^<]*(位|有误|无效|不正确)/);
    expect(res.text).toContain('value="1391234"');
    expect(res.text).toContain('value="我填的单位"');

    res = await post(clerk, "/instructors", form({ committeeId: "" }));
    expect(res.status).toBe(422);
    expect(res.text).toContain("请选择派出党委");

    res = await post(clerk, "/instructors", form({ committeeId: String(t.city.ps.id) }));
    expect(res.status).toBe(422);
    expect(res.text).toContain("请选择您管辖范围内的行业党委或综合党委");

    res = await post(clerk, "/instructors", form({ committeeId: String(t.city.dlBranch.id) }));
    expect(res.status).toBe(422);

    res = await post(clerk, "/instructors", form({ kind: "boss" }));
    expect(res.status).toBe(422);
    expect(res.text).toContain("请选择类别");

    expect(t.handle.sqlite.prepare("SELECT count(*) AS n FROM instructors").get()).toEqual({ n: 0 });
    expect(audit("instructor")).toEqual([]);
  });

  it("creates an instructor, shows the phone masked everywhere, keeps it on an edit that leaves it blank, clears it on request, and audits", async () => {
    const clerk = await signIn(t.app, "t-clerk-dl");
    const res = await post(clerk, "/instructors", form());
    expect(res.status).toBe(303);
    const id = Number(/\/instructors\/(\d+)$/.exec(String(res.headers.location))![1]);
    const detail = await clerk.get(`/instructors/${id}`);
    expect(detail.text).toContain("孙指导");
    expect(detail.text).toContain(MASKED);
    expect(detail.text).not.toContain(PHONE);
    const list = await clerk.get("/instructors");
    expect(list.text).toContain(MASKED);
    expect(list.text).not.toContain(PHONE);
    const edit = await clerk.get(`/instructors/${id}/edit`);
    expect(edit.status).toBe(200);
    expect(edit.text).not.toContain(PHONE);
    expect(edit.text).toContain(MASKED);

    let upd = await post(clerk, `/instructors/${id}`, form({ phone: "", kind: "liaison" }));
    expect(upd.status).toBe(303);
    expect(t.handle.sqlite.prepare("SELECT phone, kind FROM instructors WHERE id = ?").get(id)).toEqual({ phone: PHONE, kind: "liaison" });
    upd = await post(clerk, `/instructors/${id}`, form({ phone: "", clearPhone: "1" }));
    expect(upd.status).toBe(303);
    expect(t.handle.sqlite.prepare("SELECT phone FROM instructors WHERE id = ?").get(id)).toEqual({ phone: null });

    const entries = audit("instructor");
    expect(entries.map((e) => e.action)).toEqual(["create", "update", "update"]);
    expect(JSON.parse(entries[1]!.before!)).toMatchObject({ kind: "instructor" });
    expect(JSON.parse(entries[1]!.after!)).toMatchObject({ kind: "liaison" });
  });
});

describe("assignments to enterprises", () => {
  it("assigns by credit code or name, makes the enterprise work-covered, ends with a date and keeps the history", async () => {
    const { dl } = t.city;
    const e = addEnterprise(t.handle, dl.id, { name: "待联系运输公司" });
    const i = addInstructor(dl.id, "周指导");
    const clerk = await signIn(t.app, "t-clerk-dl");
    const page = `/instructors/${i.id}`;
    expect((await clerk.get(`/enterprises/${e.id}`)).text).toContain('class="tag red">未覆盖');

    let res = await post(clerk, `${page}/assignments`, { enterprise: e.creditCode.toLowerCase(), assignedOn: "2025-03-01" }, page);
    expect(res.status).toBe(303);
    expect((await clerk.get(`/enterprises/${e.id}`)).text).toContain('class="tag yellow">仅工作覆盖');

    res = await post(clerk, `${page}/assignments`, { enterprise: "待联系运输公司", assignedOn: "2025-03-02" }, page);
    expect(res.status).toBe(422);
    expect(res.text).toContain("该指导员已在联系企业“待联系运输公司”");
    expect(res.text).toContain('value="待联系运输公司"');

    res = await post(clerk, `${page}/assignments`, { enterprise: t.city.psEnterprise.creditCode, assignedOn: "2025-03-01" }, page);
    expect(res.status).toBe(422);
    expect(res.text).toContain("未找到该企业，或该企业不在您的管辖范围内");

    res = await post(clerk, `${page}/assignments`, { enterprise: "", assignedOn: "not a date" }, page);
    expect(res.status).toBe(422);
    expect(res.text).toContain("请填写企业");
    expect(res.text).toContain("派驻日期不是有效日期");

    res = await post(clerk, `${page}/assignments`, { enterprise: t.city.dlEnterprise.name, assignedOn: "2999-01-01" }, page);
    expect(res.status).toBe(422);
    expect(res.text).toContain("派驻日期不能晚于今天");

    const a = t.handle.sqlite.prepare("SELECT id FROM instructor_assignments WHERE instructor_id = ?").get(i.id) as { id: number };
    res = await post(clerk, `${page}/assignments/${a.id}/end`, { endedOn: "2025-02-01" }, page);
    expect(res.status).toBe(422);
    expect(res.text).toContain("结束日期不能早于派驻日期 2025-03-01");
    expect(res.text).toContain('value="2025-02-01"');

    // An instructor still in post elsewhere cannot be set inactive.
    res = await post(clerk, `/instructors/${i.id}`, form({ name: "周指导", status: "inactive" }), page);
    expect(res.status).toBe(422);
    expect(res.text).toContain("该指导员还在联系 1 个企业");

    res = await post(clerk, `${page}/assignments/${a.id}/end`, { endedOn: todayIso() }, page);
    expect(res.status).toBe(303);
    expect(t.handle.sqlite.prepare("SELECT assigned_on, ended_on FROM instructor_assignments WHERE id = ?").get(a.id)).toEqual({
      assigned_on: "2025-03-01",
      ended_on: todayIso(),
    });
    expect((await clerk.get(`/enterprises/${e.id}`)).text).toContain('class="tag red">未覆盖');
    const history = await clerk.get(page);
    expect(history.text).toContain("待联系运输公司");
    expect(history.text).toContain("已结束");

    res = await post(clerk, `${page}/assignments/${a.id}/end`, { endedOn: todayIso() }, page);
    expect(res.status).toBe(422);
    expect(res.text).toContain("该派驻已于");

    // Another instructor's assignment cannot be ended through this one's URL.
    const other = addInstructor(dl.id, "吴指导");
    const b = assign(other.id, e.id);
    res = await post(clerk, `${page}/assignments/${b.id}/end`, { endedOn: todayIso() }, page);
    expect(res.status).toBe(404);

    // Reassigning after the end starts a new row; the old one stays.
    res = await post(clerk, `${page}/assignments`, { enterprise: e.creditCode, assignedOn: todayIso() }, page);
    expect(res.status).toBe(303);
    expect(t.handle.sqlite.prepare("SELECT count(*) AS n FROM instructor_assignments WHERE instructor_id = ?").get(i.id)).toEqual({ n: 2 });

    const entries = audit("instructor_assignment");
    expect(entries.map((x) => x.action)).toEqual(["create", "update", "create"]);
    expect(JSON.parse(entries[1]!.before!)).toMatchObject({ endedOn: null });
    expect(JSON.parse(entries[1]!.after!)).toMatchObject({ endedOn: todayIso() });
  });

  it("shows the assigned instructors with dates on the enterprise page", async () => {
    const i = addInstructor(t.city.dl.id, "郑联络");
    assign(i.id, t.city.dlEnterprise.id, "2024-04-01");
    const sec = await signIn(t.app, "t-sec-dl");
    const page = await sec.get(`/enterprises/${t.city.dlEnterprise.id}`);
    expect(page.text).toContain("郑联络");
    expect(page.text).toContain("2024-04-01");
    expect(page.text).toContain(MASKED);
    expect(page.text).not.toContain(PHONE);
  });
});

describe("instructor scope by role and direct URL", () => {
  // in = an HZ-DL instructor assigned to the HZ-DL enterprise (which HZ-DL-001 covers); out = an HZ-PS instructor.
  const table: { user: string; read: [number, number]; write: [number, number] }[] = [
    { user: "t-admin", read: [200, 200], write: [303, 303] },
    { user: "t-supervisor", read: [200, 200], write: [403, 403] },
    { user: "t-clerk-dl", read: [200, 404], write: [303, 404] },
    { user: "t-clerk-ps", read: [404, 200], write: [404, 303] },
    { user: "t-sec-dl", read: [200, 404], write: [403, 403] },
    { user: "t-sec-joint", read: [404, 404], write: [403, 403] },
    { user: "t-sec-ps", read: [404, 404], write: [403, 403] },
  ];
  for (const row of table) {
    it(`${row.user}: reads ${row.read.join("/")}, changes ${row.write.join("/")}`, async () => {
      const inside = addInstructor(t.city.dl.id, "道路指导员");
      assign(inside.id, t.city.dlEnterprise.id);
      const outside = addInstructor(t.city.ps.id, "配送指导员");
      const agent = await signIn(t.app, row.user);
      for (const [k, [i, committee]] of (
        [
          [inside, t.city.dl.id],
          [outside, t.city.ps.id],
        ] as const
      ).entries()) {
        const read = await agent.get(`/instructors/${i.id}`);
        expect(read.status, `read ${i.name}`).toBe(row.read[k]);
        if (read.status === 404) expect(read.text).not.toContain(i.name);
        const list = await agent.get("/instructors");
        expect(list.text.includes(`/instructors/${i.id}"`), `list ${i.name}`).toBe(row.read[k] === 200);
        const write = await post(agent, `/instructors/${i.id}`, form({ name: `${i.name}改`, committeeId: String(committee) }), "/");
        expect(write.status, `write ${i.name}`).toBe(row.write[k]);
        const assignRes = await post(
          agent,
          `/instructors/${i.id}/assignments`,
          { enterprise: "不存在的企业", assignedOn: "2025-01-01" },
          "/",
        );
        expect(assignRes.status, `assign ${i.name}`).toBe(row.write[k] === 303 ? 422 : row.write[k]);
        const stored = t.handle.sqlite.prepare("SELECT name FROM instructors WHERE id = ?").get(i.id) as { name: string };
        expect(stored.name.endsWith("改")).toBe(row.write[k] === 303);
      }
    });
  }
});

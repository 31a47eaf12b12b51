import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addMonths, todayIso } from "../../../server/domain/dates.js";
import type { Actor } from "../../../server/policy/actor.js";
import { meetingSchema } from "../../../server/schemas/meetings.schema.js";
import { loadActor } from "../../../server/services/admin/users.js";
import { readSnapshot, takeSnapshot } from "../../../server/services/coverage/snapshots.js";
import { FIGURE_KEYS, lastParticipation, meetingFigures, recordMeeting } from "../../../server/services/meetings/meetings.service.js";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { addMember } from "../../helpers/fixtures.js";

// The flags (branches without this month's 主题党日 or 支委会; members without organizational life for
// 3 and 6 months) and the figures, each equal to the rows it opens.

let t: TestApp;
let sec: Agent;
let clerk: Agent;
const today = todayIso();
let secActor: Actor;
const ids: Record<string, number> = {};

const meet = (type: string, heldOn: string, present: number[], orgId = t.city.dlBranch.id, actor = secActor) =>
  recordMeeting(
    t.handle.db,
    actor,
    orgId,
    meetingSchema.parse({ type, heldOn, place: "站点", host: "书记", recorder: "委员", topic: "学习", present: present.map(String) }),
    today,
  );

beforeAll(async () => {
  t = await createTestApp();
  const b = t.city.dlBranch.id;
  // Managed seven months ago, never attended: at the rule's threshold.
  ids.never = addMember(t.handle, b, { name: "甲从未", managedOn: addMonths(today, -7) }).id;
  // Last attended four months ago: the warning.
  ids.four = addMember(t.handle, b, {
    name: "乙四月",
    managedOn: addMonths(today, -12),
    discoveryChannel: "data_match",
    discoveredOn: addMonths(today, -13),
  }).id;
  // A 流入 member who attended last month.
  ids.recent = addMember(t.handle, b, {
    name: "丙流入",
    relationStatus: "mobile_in",
    managedOn: addMonths(today, -12),
    discoveryChannel: "field_visit",
    discoveredOn: addMonths(today, -13),
  }).id;
  // Found but not managed: never flagged.
  ids.unattached = addMember(t.handle, t.city.dl.id, { name: "丁未纳", relationStatus: "unattached", managedOn: null }).id;
  secActor = loadActor(t.handle.db, t.city.userIds.secretary!)!;
  meet("theme_day", addMonths(today, -4), [ids.four!]);
  meet("theme_day", addMonths(today, -1), [ids.recent!]);
  sec = await signIn(t.app, "t-sec-dl");
  clerk = await signIn(t.app, "t-clerk-dl");
});
afterAll(() => t?.close());

function section(html: string, id: string): string {
  const start = html.indexOf(`id="${id}"`);
  if (start < 0) return "";
  const end = html.indexOf("</section>", start);
  return html.slice(start, end);
}

function figuresOf(html: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const m of html.matchAll(/data-meeting-figure="(\w+)"><span class="n">([\d,]+)</g)) out[m[1]!] = Number(m[2]!.replace(/,/g, ""));
  return out;
}

describe("flags", () => {
  it("flags the branch without this month's 主题党日 or 支委会 until both are held", async () => {
    let inbox = (await sec.get("/inbox")).text;
    expect(section(inbox, "meetings-missing")).toContain(t.city.dlBranch.name);
    // The clerk sees the committee's branches; another committee's branch is not listed.
    const clerkInbox = (await clerk.get("/inbox")).text;
    expect(section(clerkInbox, "meetings-missing")).toContain(t.city.dlJoint.name);
    expect(section(clerkInbox, "meetings-missing")).not.toContain(t.city.psBranch.name);
    meet("theme_day", today, [t.city.dlMember.id]);
    inbox = (await sec.get("/inbox")).text;
    expect(section(inbox, "meetings-missing")).toContain("支部委员会");
    meet("branch_committee", today, [t.city.dlMember.id]);
    inbox = (await sec.get("/inbox")).text;
    expect(section(inbox, "meetings-missing")).not.toContain(t.city.dlBranch.name);
  });

  it("flags members without organizational life for 3 and for 6 months, counted from being managed when they never attended", async () => {
    const inbox = (await sec.get("/inbox")).text;
    const limit = section(inbox, "participation-limit");
    const warning = section(inbox, "participation-warning");
    expect(limit).toContain("甲从未");
    expect(warning).toContain("乙四月");
    expect(warning).not.toContain("甲从未"); // six months has its own flag
    for (const s of [limit, warning]) {
      expect(s).not.toContain("丙流入");
      expect(s).not.toContain("丁未纳");
      expect(s).not.toContain(t.city.dlMember.name); // attended this month
    }
    // Another committee's secretary sees none of them.
    const other = await signIn(t.app, "t-sec-ps");
    expect((await other.get("/inbox")).text).not.toContain("甲从未");
  });

  it("gives other areas the last participation and the months since", () => {
    const m = lastParticipation(t.handle.db, [ids.four!, ids.recent!, ids.never!], today);
    expect(m.get(ids.four!)).toMatchObject({ lastOn: addMonths(today, -4), monthsSince: 4 });
    expect(m.get(ids.recent!)).toMatchObject({ lastOn: addMonths(today, -1), monthsSince: 1 });
    expect(m.get(ids.never!)).toMatchObject({ lastOn: null, monthsSince: null });
  });
});

describe("figures equal their lists", () => {
  it("for every figure, on /meetings and the dashboard, for a clerk and a secretary", async () => {
    for (const agent of [clerk, sec]) {
      const page = figuresOf((await agent.get("/meetings")).text);
      const dash = figuresOf((await agent.get("/")).text);
      expect(Object.keys(page).sort()).toEqual(FIGURE_KEYS.filter((k) => k !== "branches").sort());
      for (const [key, value] of Object.entries(page)) {
        expect(dash[key], key).toBe(value);
        const list = (await agent.get(`/meetings/figures/${key}`)).text;
        expect(Number(/data-count>([\d,]+)</.exec(list)![1]!.replace(/,/g, "")), key).toBe(value);
        const rows = [...list.matchAll(/<tr data-(member|org)="/g)].length;
        expect(rows, key).toBe(value);
      }
    }
  });

  it("counts what the rules say for the clerk's committee", async () => {
    const page = figuresOf((await clerk.get("/meetings")).text);
    // Branches: HZ-DL-001 held both this month, the joint branch none.
    expect(page.branchesMeeting).toBe(1);
    expect(page.branchesMissing).toBe(1);
    // Took part within 3 months: 张道路 (this month), 丙流入 (last month); within 6: also 乙四月.
    expect(page.tookPart3).toBe(2);
    expect(page.tookPart6).toBe(3);
    expect(page.lapsedLimit).toBe(1);
    expect(page.lapsedWarning).toBe(1);
  });

  it("stand beside 纳管 in the four-finds funnel, per channel, each opening its list", async () => {
    const dash = (await clerk.get("/")).text;
    const cells = [...dash.matchAll(/data-took-part="(\w+)">([\d,]+)</g)].map((m) => [m[1]!, Number(m[2]!.replace(/,/g, ""))] as const);
    expect(cells.length).toBeGreaterThan(3);
    expect(Object.fromEntries(cells)).toMatchObject({ data_match: 1, field_visit: 1 });
    for (const [channel, value] of cells) {
      const list = (await clerk.get(`/meetings/figures/tookPart6?channel=${channel}`)).text;
      expect(Number(/data-count>([\d,]+)</.exec(list)![1]!.replace(/,/g, "")), channel).toBe(value);
      expect([...list.matchAll(/<tr data-member="/g)].length, channel).toBe(value);
    }
    expect((await clerk.get("/meetings/figures/tookPart6?channel=constructor")).status).toBe(400);
  });

  it("are kept in the month's snapshot, as the live figures of that scope", () => {
    const { report } = takeSnapshot(t.handle.db, t.city.dl.id, { asOf: today });
    const stored = readSnapshot(t.handle.db, t.city.dl.id, today.slice(0, 7))!;
    const clerkActor = loadActor(t.handle.db, t.city.userIds.clerk!)!;
    expect(stored.meetings).toEqual(report.meetings);
    expect(stored.meetings).toEqual(meetingFigures(t.handle.db, clerkActor, today));
    expect(stored.meetings!.tookPart6).toBe(3);
  });

  it("refuses an unknown figure with 404", async () => {
    expect((await clerk.get("/meetings/figures/constructor")).status).toBe(404);
  });
});

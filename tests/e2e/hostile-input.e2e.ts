import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeCreditCode } from "../../server/domain/credit-code.js";
import { todayIso } from "../../server/domain/dates.js";
import { makeIdNumber } from "../../server/domain/id-number.js";
import type { Actor } from "../../server/policy/actor.js";
import { enterpriseInputSchema } from "../../server/schemas/enterprises.schema.js";
import { fieldVisitSchema } from "../../server/schemas/finds.schema.js";
import { memberCreateSchema } from "../../server/schemas/members.schema.js";
import { transferInputSchema } from "../../server/schemas/transfers.schema.js";
import { createEnterprise } from "../../server/services/enterprises/enterprises.service.js";
import { recordFieldVisit } from "../../server/services/finds/field-visit.js";
import { createMember } from "../../server/services/members/members.service.js";
import { issueTransfer } from "../../server/services/transfers/transfers.service.js";
import { findUserByUsername, loadActor } from "../../server/services/admin/users.js";
import { PAYLOADS } from "../helpers/hostile.js";
import { DESKTOP, watchErrors } from "./helpers-browser.js";
import { launchBrowser, signInPage, startDemoServer, step } from "./harness.js";

// Hostile text in a real browser: names, addresses, reasons and notes carrying markup, template
// syntax, quotes, SQL, emoji and rare CJK are shown exactly as typed on every page that shows
// them, and nothing in them runs: no dialog opens, no injected element exists in the DOM, and the
// browser reports no CSP violation (which would mean markup got through and only the policy
// stopped it).

let server: Awaited<ReturnType<typeof startDemoServer>>;
let browser: Browser;
const today = todayIso();
const made = { members: new Map<string, number>(), transfers: [] as number[], enterprise: 0, lead: 0 };

beforeAll(async () => {
  server = await startDemoServer({ members: 300 });
  browser = await launchBrowser();
  // Rows through the services, as the clerk and the branch secretary would make them.
  const db = server.handle.db;
  const actor = (u: string): Actor => loadActor(db, findUserByUsername(db, u)!.id)!;
  const clerk = actor("clerk");
  const secretary = actor("secretary");
  const orgId = (code: string) => server.handle.sqlite.prepare("SELECT id FROM organizations WHERE code = ?").pluck().get(code) as number;
  const branch = orgId("HZ-DL-001");
  let seq = 0;
  for (const [key, name] of Object.entries(PAYLOADS)) {
    seq++;
    const m = createMember(
      db,
      secretary,
      memberCreateSchema.parse({
        name,
        idNumber: makeIdNumber("371702", "1989-08-08", 600 + seq),
        category: "full",
        joinedOn: "2014-07-01",
        fullOn: "2015-07-01",
        orgId: String(branch),
        relationStatus: "local",
      }),
      today,
    );
    made.members.set(key, m.id);
    const t = issueTransfer(
      db,
      secretary,
      transferInputSchema.parse({
        kind: "outgoing",
        memberId: String(m.id),
        externalOrgName: `${name}党支部`,
        issuedOn: today,
        duesPaidTo: today.slice(0, 7),
        reason: name,
      }),
      today,
    );
    made.transfers.push(t.id);
  }
  made.enterprise = createEnterprise(
    db,
    clerk,
    enterpriseInputSchema.parse({
      name: `${PAYLOADS.script}${PAYLOADS.rareCjk}物流`,
      creditCode: makeCreditCode("91", "371702", "EH0000001"),
      kind: "transport_company",
      industryCode: "road_transport",
      regionCode: "371702",
      committeeId: String(orgId("HZ-DL")),
      address: `${PAYLOADS.img}${PAYLOADS.quotes}`,
      workerCount: "9",
      status: "active",
    }),
  ).id;
  made.lead = recordFieldVisit(
    db,
    clerk,
    fieldVisitSchema.parse({
      name: PAYLOADS.img,
      idNumber: makeIdNumber("371702", "1993-03-03", 991),
      committeeId: String(orgId("HZ-DL")),
      place: PAYLOADS.mustache,
      note: `${PAYLOADS.ejs}${PAYLOADS.sql}${PAYLOADS.emoji}`,
      visitedOn: today,
    }),
    today,
  ).leadId!;
}, 180_000);
afterAll(async () => {
  await browser?.close();
  await server?.close();
});

/** Everything that would show that hostile text ran or became markup. */
function guard(page: Page) {
  const dialogs: string[] = [];
  page.on("dialog", (d) => {
    dialogs.push(`${d.type()} "${d.message()}" on ${page.url()}`);
    void d.dismiss();
  });
  const errors = watchErrors(page);
  return {
    dialogs,
    async check(where: string) {
      expect(dialogs, where).toEqual([]);
      // Injected elements: an <img src=x>, a <script> with alert, any inline event handler.
      const injected = await page.evaluate<number>(
        "document.querySelectorAll('img[src=\"x\"], [onerror], [onload], [onclick]').length + [...document.scripts].filter((s) => /alert/.test(s.textContent) || (s.src && !s.src.startsWith(location.origin))).length",
      );
      expect(injected, `${where}: injected elements`).toBe(0);
      errors.assertClean(where);
    },
  };
}

/** The page's visible text, for "shown exactly as typed". */
const visibleText = (page: Page) => page.evaluate<string>("document.body.innerText");

async function open(page: Page, g: ReturnType<typeof guard>, url: string, shows: string[]) {
  await step(page, `hostile-${url.replace(/\W+/g, "-")}`, async () => {
    const res = await page.goto(`${server.url}${url}`);
    expect(res?.status(), url).toBe(200);
    await page.waitForLoadState("load");
    const text = await visibleText(page);
    for (const s of shows) expect(text, `${url} shows ${JSON.stringify(s)}`).toContain(s);
    await g.check(url);
  });
}

describe("hostile text in the browser", () => {
  const contexts: BrowserContext[] = [];
  afterAll(async () => {
    for (const c of contexts) await c.close();
  });
  const signedIn = async (username: string) => {
    const context = await browser.newContext(DESKTOP);
    contexts.push(context);
    return signInPage(context, server.url, username);
  };

  it("typed into the member form, it comes back as typed and nothing runs", async () => {
    const page = await signedIn("secretary");
    const g = guard(page);
    const name = `${PAYLOADS.img}𠮷`;
    await step(page, "hostile-member-form", async () => {
      await page.goto(`${server.url}/members/new`);
      await page.fill("#f-name", name);
      await page.fill("#f-idNumber", makeIdNumber("371702", "1990-10-10", 888));
      await page.fill("#f-joinedOn", "2016-07-01");
      await page.fill("#f-fullOn", "2017-07-01");
      await Promise.all([page.waitForURL(/\/members\/\d+$/), page.click("main form button[type=submit]")]);
      // The heading starts with the name, exactly (a status tag may follow it).
      expect((await page.textContent("h1"))?.trim().startsWith(name)).toBe(true);
      await g.check("member created through the form");
    });
    const id = Number(/\/members\/(\d+)$/.exec(page.url())![1]);
    expect(server.handle.sqlite.prepare("SELECT name FROM members WHERE id = ?").pluck().get(id)).toBe(name);
    await open(page, g, `/members/${id}/edit`, []);
    expect(await page.inputValue("#f-name")).toBe(name);
    await g.check("edit form");
  });

  it("stored by the services, it is shown exactly on every page that shows it, and nothing runs", async () => {
    const page = await signedIn("clerk");
    const g = guard(page);
    for (const [key, name] of Object.entries(PAYLOADS)) {
      const id = made.members.get(key)!;
      await open(page, g, `/members/${id}`, [name]);
      await open(page, g, `/members?q=${encodeURIComponent(name)}`, [name]);
      await open(page, g, `/members/${id}/mobile`, [name]);
    }
    for (const [i, id] of made.transfers.entries()) {
      const text = Object.values(PAYLOADS)[i]!;
      await open(page, g, `/transfers/${id}`, [text, `${text}党支部`]);
      await open(page, g, `/transfers/${id}/letter`, [text]);
    }
    await open(page, g, "/transfers", [PAYLOADS.script, PAYLOADS.rareCjk]);
    await open(page, g, "/inbox", []);
    await open(page, g, `/enterprises/${made.enterprise}`, [
      `${PAYLOADS.script}${PAYLOADS.rareCjk}物流`,
      `${PAYLOADS.img}${PAYLOADS.quotes}`,
    ]);
    await open(page, g, `/enterprises?q=${encodeURIComponent("物流")}`, [`${PAYLOADS.script}${PAYLOADS.rareCjk}物流`]);
    await open(page, g, `/enterprises/${made.enterprise}/edit`, []);
    expect(await page.inputValue("#f-address")).toBe(`${PAYLOADS.img}${PAYLOADS.quotes}`);
    await open(page, g, `/leads/${made.lead}`, [PAYLOADS.img, `${PAYLOADS.ejs}${PAYLOADS.sql}${PAYLOADS.emoji}`]);
    await open(page, g, "/leads", [PAYLOADS.img]);
    await open(page, g, "/", []);
    // The search box with SQL in it: a normal page.
    await open(page, g, `/members?q=${encodeURIComponent("' OR '1'='1")}`, []);
  });

  it("the audit log shows the recorded values without running them", async () => {
    const page = await signedIn("admin");
    const g = guard(page);
    await open(page, g, "/audit", []);
    await open(page, g, "/admin/users", []);
  });
});

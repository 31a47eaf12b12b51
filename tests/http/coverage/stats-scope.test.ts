// The statistics scope names organizations (org:ID, committee:ID) in the query string: whatever it
// names must be the caller's to see, or the answer is "not found" and the organization's name is
// never rendered. Tried as the attacker would: a clerk or a secretary types another committee's id.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Agent, createTestApp, signIn, type TestApp } from "../../helpers/app.js";
import { cover } from "../../helpers/fixtures.js";

let t: TestApp;
const agents: Record<string, Agent> = {};
beforeAll(async () => {
  t = await createTestApp();
  // An enterprise of HZ-PS's covered by HZ-DL's joint branch: HZ-DL's figures count it, under HZ-PS.
  cover(t.handle, t.city.dlJoint.id, t.city.psEnterprise.id);
  for (const u of ["t-admin", "t-clerk-dl", "t-sec-dl"]) agents[u] = await signIn(t.app, u);
});
afterAll(() => t.close());

const PAGES = ["/", "/breakdowns/committee", "/breakdowns/county", "/reports/figures/enterprises", "/reports/figures/members"];

describe("committee:ID in a statistics scope", () => {
  type Org = "dl" | "ps" | "dlJoint";
  /** "@ps" stands for the HZ-PS committee's id, and so on. */
  type Case = [username: string, scope: string, status: 200 | 404, org: Org];
  const cases: Case[] = [
    ["t-clerk-dl", "committee:@ps", 404, "ps"],
    ["t-clerk-dl", "org:@dl,committee:@ps", 404, "ps"],
    ["t-clerk-dl", "committee:@ps,county:371702", 404, "ps"],
    ["t-sec-dl", "committee:@ps", 404, "ps"],
    // A sibling of the secretary's branch is in the clerk's scope, not hers.
    ["t-sec-dl", "committee:@dlJoint", 404, "dlJoint"],
    // The controls: one's own committee (for the secretary, the one above her branch), and the administrator.
    ["t-clerk-dl", "committee:@dl", 200, "dl"],
    ["t-sec-dl", "committee:@dl", 200, "dl"],
    ["t-admin", "committee:@ps", 200, "ps"],
  ];
  for (const [username, scope, status, org] of cases) {
    for (const page of PAGES) {
      it(`${username} on ${page} with ${scope}: ${status}`, async () => {
        const res = await agents[username]!.get(page).query({
          scope: scope.replace(/@(\w+)/g, (_m, k: string) => String(t.city[k as Org].id)),
        });
        expect(res.status).toBe(status);
        if (status === 404) expect(res.text).not.toContain(t.city[org].name);
        else expect(res.text).toContain(t.city[org].name);
      });
    }
  }

  it("the clerk's committee breakdown links no row to another committee's scope", async () => {
    const res = await agents["t-clerk-dl"]!.get("/");
    expect(res.status).toBe(200);
    expect(res.text).toMatch(new RegExp(`scope=committee%3A${t.city.dl.id}"`));
    expect(res.text).not.toMatch(new RegExp(`scope=committee%3A${t.city.ps.id}"`));
  });
});

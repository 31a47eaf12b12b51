// Cancelling a probation (取消预备党员资格): proposed by the branch, approved by the committee, the
// member record ends with its reason, so every count reading isStillMember leaves the person out, the
// member page says why, and no membership change (restoration included) is offered.

import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { LEAVE_REASON } from "../../../server/domain/codes.js";
import { isStillMember } from "../../../server/domain/membership-rules.js";
import { post, type RWorld, rworld, today } from "./helpers.js";

describe("cancelling a probation", () => {
  let w: RWorld;
  beforeAll(async () => {
    w = await rworld();
  });
  afterAll(() => w.t.close());

  it("ends the member with the reason 取消预备党员资格, shown on the member page and kept out of the counts", async () => {
    const id = w.at(w.city.dlBranch.id, "probationary");
    const memberId = w.record(id).member_id as number;
    const active = async () => (await w.clerkDl.get("/members?standing=active")).text.includes(`/members/${memberId}"`);
    expect(await active()).toBe(true);
    const proposed = await post(w.secDl, `/recruitment/${id}/steps/cancelProbation`, { on: today, remark: "预备期间不履行党员义务" });
    expect(proposed.status).toBe(303);
    expect(w.member(memberId).left_on).toBeNull();
    expect((await post(w.clerkDl, `/recruitment/${id}/decision`, { decision: "approve", approvedOn: today })).status).toBe(303);
    const m = w.member(memberId);
    expect(m).toMatchObject({ left_on: today, left_reason: "probation_cancelled" });
    expect(isStillMember({ leftOn: m.left_on, relationStatus: m.relation_status })).toBe(false);
    expect(await active()).toBe(false);
    const page = await w.clerkDl.get(`/members/${memberId}`);
    expect(page.status).toBe(200);
    expect(page.text).toContain(`${today} ${LEAVE_REASON.label.probation_cancelled}`);
    // Not a removal to be restored: one re-applies.
    expect(page.text).not.toContain(`/members/${memberId}/membership?kind=`);
    const audit = w.audit("update").find((a) => a.entity === "member" && Number(a.entity_id) === memberId);
    expect(JSON.parse(audit!.after)).toMatchObject({ leftOn: today, leftReason: "probation_cancelled" });
  });
});

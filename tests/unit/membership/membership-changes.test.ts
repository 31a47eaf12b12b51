// The membership change rules: every change from every standing, legal or refused, and the six months
// out of contact before a suspension (with a search recorded).

import { describe, expect, it } from "vitest";
import { addDays, addMonths } from "../../../server/domain/dates.js";
import {
  type ChangeFacts,
  changesAllowedFrom,
  MEMBERSHIP_CHANGE_KINDS,
  type MembershipChangeKind,
  refuseChange,
  type Standing,
  STANDING_LABEL,
  standingAfter,
  standingOf,
} from "../../../server/domain/membership-changes.js";
import { LOST_CONTACT_REASON } from "../../../server/domain/codes.js";

const today = "2026-06-30";
const STANDINGS = Object.keys(STANDING_LABEL) as Standing[];
const facts = (standing: Standing, over: Partial<ChangeFacts> = {}): ChangeFacts => ({
  standing,
  lostContactOn: "2025-06-01",
  joinedOn: "2010-07-01",
  leftOn: standing === "active" ? null : "2026-01-10",
  ...over,
});
const search = { searchedOn: "2026-05-01", searchNote: "多方查找未果" };

describe("which change may follow which standing", () => {
  const legal: Record<Standing, MembershipChangeKind[]> = {
    active: ["suspension", "self_departed", "removed", "expelled", "withdrew", "death"],
    suspended: ["restoration"],
    self_departed: ["restoration"],
    removed: ["restoration"],
    expelled: ["restoration"],
    withdrew: [],
    deceased: [],
    probation_cancelled: [],
    transferred_out: [],
  };
  for (const standing of STANDINGS) {
    for (const kind of MEMBERSHIP_CHANGE_KINDS) {
      const allowed = legal[standing].includes(kind);
      it(`${STANDING_LABEL[standing]} → ${kind}: ${allowed ? "allowed" : "refused"}`, () => {
        expect(changesAllowedFrom(standing).includes(kind)).toBe(allowed);
        const errors = refuseChange(facts(standing), { kind, effectiveOn: "2026-06-01", ...search }, today);
        if (allowed) expect(errors).toEqual({});
        else expect(Object.keys(errors)).toEqual(["kind"]);
      });
    }
  }
  it("names why in Chinese: one who withdrew must re-apply, a restoration of an active member is refused", () => {
    expect(refuseChange(facts("withdrew"), { kind: "restoration", effectiveOn: today }, today).kind).toContain("重新申请入党");
    expect(refuseChange(facts("active"), { kind: "restoration", effectiveOn: today }, today).kind).toBe("该党员党籍正常，无需恢复");
    expect(refuseChange(facts("deceased"), { kind: "expelled", effectiveOn: today }, today).kind).toBe("该党员已去世，不能办理开除党籍");
  });
  it("each approved change leaves its standing, and standingOf reads it back from the member's columns", () => {
    expect(standingAfter("restoration")).toBe("active");
    expect(standingAfter("suspension")).toBe("suspended");
    expect(standingAfter("death")).toBe("deceased");
    for (const k of ["self_departed", "removed", "expelled", "withdrew"] as const) expect(standingAfter(k)).toBe(k);
    expect(standingOf({ leftOn: null, leftReason: null, relationStatus: "local" })).toBe("active");
    expect(standingOf({ leftOn: "2026-01-01", leftReason: "suspended", relationStatus: "local" })).toBe("suspended");
    expect(standingOf({ leftOn: "2026-01-01", leftReason: "transferred_out", relationStatus: "transferred_out" })).toBe("transferred_out");
  });
});

describe("suspension: six months out of contact and a search in vain", () => {
  const lostOn = "2025-12-31";
  const limit = addMonths(lostOn, 6); // 2026-06-30
  const f = facts("active", { lostContactOn: lostOn });
  it("refused the day before six months are complete, with a message naming the field", () => {
    const errors = refuseChange(
      f,
      { kind: "suspension", effectiveOn: addDays(limit, -1), searchedOn: "2026-06-01", searchNote: "未果" },
      today,
    );
    expect(errors).toEqual({ effectiveOn: `停止党籍日期：该党员自 ${lostOn} 起失联，到该日期不满六个月，不能停止党籍` });
  });
  it("allowed on the day six months are complete", () => {
    expect(refuseChange(f, { kind: "suspension", effectiveOn: limit, searchedOn: "2026-06-01", searchNote: "未果" }, today)).toEqual({});
  });
  it("refused for a member not out of contact at all", () => {
    const errors = refuseChange(facts("active", { lostContactOn: null }), { kind: "suspension", effectiveOn: today, ...search }, today);
    expect(errors.effectiveOn).toContain("没有失联记录");
  });
  it("refused without the search recorded, or with a search before the loss or after the suspension", () => {
    expect(refuseChange(f, { kind: "suspension", effectiveOn: limit }, today)).toEqual({
      searchedOn: "查找日期：须记录查找失联党员的日期",
      searchNote: "查找情况：须说明查找经过及未果的情况",
    });
    expect(
      refuseChange(f, { kind: "suspension", effectiveOn: limit, searchedOn: "2025-12-01", searchNote: "x" }, today).searchedOn,
    ).toContain("不能早于失联日期");
    expect(
      refuseChange(f, { kind: "suspension", effectiveOn: "2026-06-30", searchedOn: "2026-07-01", searchNote: "x" }, "2026-07-05")
        .searchedOn,
    ).toBe("查找日期不能晚于停止党籍日期");
  });
});

describe("dates", () => {
  it("no change in the future, none before joining, no restoration before the ending it undoes", () => {
    expect(refuseChange(facts("active"), { kind: "death", effectiveOn: addDays(today, 1) }, today)).toEqual({
      effectiveOn: "去世日期不能晚于今天",
    });
    expect(refuseChange(facts("active"), { kind: "withdrew", effectiveOn: "2009-01-01" }, today).effectiveOn).toContain("不能早于入党日期");
    expect(refuseChange(facts("suspended"), { kind: "restoration", effectiveOn: "2026-01-09" }, today).effectiveOn).toContain(
      "不能早于已停止党籍的日期 2026-01-10",
    );
    expect(refuseChange(facts("suspended"), { kind: "restoration", effectiveOn: "2026-01-10" }, today)).toEqual({});
  });
});

describe("the seven official out-of-contact reasons", () => {
  it("in the statistics' order, the four older codes kept", () => {
    expect(Object.values(LOST_CONTACT_REASON.label)).toEqual([
      "外出务工经商",
      "单位改制或破产",
      "毕业后去向不明",
      "工作单位改变",
      "出国（境）",
      "居住地改变",
      "其他",
    ]);
    for (const old of ["migrant_work", "employer_changed", "residence_changed", "other"]) expect(LOST_CONTACT_REASON.keys).toContain(old);
  });
});

import { describe, expect, it } from "vitest";
import { parseOrgFormation, parseOrgKind, parseYesNo, splitCodes } from "../../../server/domain/onboarding-codes.js";

describe("organization kinds by national code or label", () => {
  it.each([
    ["611", "中共某市道路运输行业委员会", "industry_committee", null],
    ["611", "中共某街道“两新”组织综合党委", "comprehensive_committee", null],
    ["党委", "中共某街道“两新”组织综合党委", "comprehensive_committee", null],
    ["621", "x", "general_branch", null],
    ["党总支部", "x", "general_branch", null],
    ["631", "x", "branch", "standalone"],
    ["632", "x", "branch", "joint"],
    ["联合党支部", "x", "branch", "joint"],
    ["党支部", "x", "branch", null],
    ["641", "x", "group", null],
    ["行业党委", "x", "industry_committee", null],
    ["comprehensive_committee", "x", "comprehensive_committee", null],
    ["６３２", "x", "branch", "joint"],
  ])("%s (%s) → %s", (raw, name, kind, formation) => {
    expect(parseOrgKind(raw, name)).toEqual({ ok: true, kind, formation, note: null });
  });

  it("temporary organizations (9xx, 临时…) are read as their kind with a note", () => {
    expect(parseOrgKind("931", "x")).toEqual({
      ok: true,
      kind: "branch",
      formation: "standalone",
      note: "临时党组织（931）按党支部（631）导入",
    });
    expect(parseOrgKind("临时党支部", "x")).toMatchObject({ ok: true, kind: "branch", note: "临时党组织按党支部导入" });
  });

  it("anything else is refused with the codes allowed", () => {
    const r = parseOrgKind("699", "x");
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.reason).toContain("632 联合党支部");
    expect(parseOrgKind("constructor", "x").ok).toBe(false);
    expect(parseOrgKind("", "x")).toEqual({ ok: false, reason: "组织类别为空" });
  });

  it("formations, yes/no and code lists", () => {
    expect(parseOrgFormation("单建")).toBe("standalone");
    expect(parseOrgFormation("联合组建")).toBe("joint");
    expect(parseOrgFormation("")).toBeNull();
    expect(parseOrgFormation("toString")).toBeUndefined();
    expect([parseYesNo("是"), parseYesNo("否"), parseYesNo(""), parseYesNo("也许")]).toEqual([true, false, false, undefined]);
    expect(splitCodes("A-1、A-2，A-3")).toEqual(["A-1", "A-2", "A-3"]);
  });
});

// ID numbers an export forced to text are read as the ID number with a note, wherever ID numbers
// are read (parseIdNumber: rosters, member lists, forms, the API).
import { describe, expect, it } from "vitest";
import { parseIdNumber, unwrapForcedText } from "../../../server/domain/id-number.js";

const ID = "371702199001011016";
const TODAY = "2025-06-30";

describe("ID numbers forced to text", () => {
  for (const [what, raw, note] of [
    ["a leading apostrophe", `'${ID}`, "开头的单引号"],
    ["a full-width apostrophe", `’${ID}`, "开头的单引号"],
    ["a leading tab", `\t${ID}`, "开头的制表符"],
    ['an ="…" wrapper', `="${ID}"`, "公式外壳"],
    ['a tab and an ="…" wrapper', `\t="${ID}"`, '开头的制表符和="…" 公式外壳'],
  ] as const) {
    it(`${what} is taken off with a note`, () => {
      const r = parseIdNumber(raw, TODAY);
      expect(r.ok).toBe(true);
      if (!r.ok) return;
      expect(r.value).toBe(ID);
      expect(r.corrected.join("；")).toContain(note);
    });
  }

  it("a plain ID number has no note, and a wrapper around something else still fails on what is inside", () => {
    expect(parseIdNumber(ID, TODAY)).toMatchObject({ ok: true, corrected: [] });
    expect(parseIdNumber(`'${ID.slice(0, 17)}`, TODAY)).toMatchObject({ ok: false });
    expect(parseIdNumber(`="${ID.slice(0, 17)}9"`, TODAY)).toEqual({ ok: false, reason: "身份证号校验位不正确" });
  });

  it("unwrapForcedText leaves other text as it is", () => {
    expect(unwrapForcedText("abc")).toEqual({ value: "abc", note: null });
    expect(unwrapForcedText("=A1")).toEqual({ value: "=A1", note: null });
  });
});

import { describe, expect, it } from "vitest";
import { z } from "zod";
import { creditCodeCheckChar, makeCreditCode, parseCreditCode } from "../../../server/domain/credit-code.js";
import { addMonths, parseLooseDate, parseMonth } from "../../../server/domain/dates.js";
import { idNumberCheckChar, isRealDate, makeIdNumber, parseIdNumber } from "../../../server/domain/id-number.js";
import { maskIdNumber, maskPersonalCell, maskPersonalText, maskPhone } from "../../../server/domain/masking.js";
import { parseMobilePhone } from "../../../server/domain/phone.js";
import { fieldErrorsOf, idNumberField, nonNegativeIntField } from "../../../server/schemas/fields.js";

const TODAY = "2026-11-22";

describe("citizen ID number (GB 11643)", () => {
  it("accepts the standard's own examples", () => {
    expect(parseIdNumber("11010519491231002X", TODAY)).toMatchObject({
      ok: true,
      value: "11010519491231002X",
      birthDate: "1949-12-31",
      gender: "female",
    });
    expect(parseIdNumber("440524188001010014", TODAY)).toMatchObject({ ok: true, birthDate: "1880-01-01", gender: "male" });
  });

  it("computes the check character from the 17 digits", () => {
    expect(idNumberCheckChar("11010519491231002")).toBe("X");
    expect(idNumberCheckChar("44052418800101001")).toBe("4");
    const made = makeIdNumber("371702", "1990-02-28", 123);
    expect(parseIdNumber(made, TODAY).ok).toBe(true);
  });

  it("normalises a lowercase x, full-width digits and spaces, and says what it changed", () => {
    const r = parseIdNumber("11010519491231002x", TODAY);
    expect(r).toMatchObject({ ok: true, value: "11010519491231002X" });
    expect(r.ok && r.corrected).toEqual(["末位小写 x 已改为大写 X"]);
    const fw = parseIdNumber("１１０１０５１９４９１２３１００２Ｘ", TODAY);
    expect(fw).toMatchObject({ ok: true, value: "11010519491231002X" });
    expect(fw.ok && fw.corrected).toContain("全角字符已转为半角");
    expect(parseIdNumber(" 110105 19491231002X ", TODAY)).toMatchObject({ ok: true, value: "11010519491231002X" });
  });

  it.each([
    ["11010519491231002Y", "只能由数字"],
    ["110105194912310021", "校验位不正确"],
    ["110105194902300021", "出生日期不存在"], // 30 February
    ["110105209001010011", "晚于今天"], // born in 2090
    ["1101051949123100", "应为 18 位"],
    ["11010519491231002", "只有 17 位"], // Excel dropped the final X
    ["3.70102E+17", "科学计数法"],
    ["", "为空"],
  ])("rejects %s with a reason in Chinese", (raw, reason) => {
    const r = parseIdNumber(raw, TODAY);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });

  it("never rejects an unknown or abolished area code", () => {
    const first17 = "99999919800101001";
    expect(parseIdNumber(first17 + idNumberCheckChar(first17), TODAY).ok).toBe(true);
  });

  it("is the same rule inside the zod field forms use", () => {
    expect(idNumberField.parse("11010519491231002x")).toBe("11010519491231002X");
    const bad = idNumberField.safeParse("110105194912310021");
    expect(bad.success).toBe(false);
    if (!bad.success) expect(fieldErrorsOf(bad.error)._form).toContain("校验位");
  });
});

describe("unified social credit code (GB 32100)", () => {
  it("accepts valid codes and normalises case and spaces", () => {
    expect(parseCreditCode("91350100M000100Y43")).toEqual({ ok: true, value: "91350100M000100Y43" });
    expect(parseCreditCode(" 91350100m000100y43 ")).toEqual({ ok: true, value: "91350100M000100Y43" });
    const made = makeCreditCode("91", "371702", "MA3C4D5E6");
    expect(parseCreditCode(made).ok).toBe(true);
    expect(creditCodeCheckChar(made.slice(0, 17))).toBe(made[17]);
  });

  it.each([
    ["91350100M000100Y44", "校验位不正确"],
    ["91350100M000100Y4", "应为 18 位"],
    ["91350100M00010OY43", "不允许的字符"], // letter O
    ["9135ABCDM000100Y43", "行政区划码"],
    ["", "为空"],
  ])("rejects %s", (raw, reason) => {
    const r = parseCreditCode(raw);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.reason).toContain(reason);
  });
});

describe("mobile phone", () => {
  it("accepts mainland mobiles with or without +86 and separators", () => {
    expect(parseMobilePhone("13812345678")).toEqual({ ok: true, value: "13812345678" });
    expect(parseMobilePhone("+86 138-1234-5678")).toEqual({ ok: true, value: "13812345678" });
    expect(parseMobilePhone("１３８１２３４５６７８")).toEqual({ ok: true, value: "13812345678" });
  });
  it.each([
    ["1381234567", "11 位"],
    ["12812345678", "13–19"],
    ["138abc45678", "数字"],
    ["", "为空"],
  ])("rejects %s", (raw, reason) => {
    const r = parseMobilePhone(raw);
    expect(!r.ok && r.reason).toContain(reason);
  });
});

describe("dates", () => {
  it.each([
    ["2024-03-05", "2024-03-05"],
    ["2024/3/5", "2024-03-05"],
    ["2024.3.5", "2024-03-05"],
    ["2024年3月5日", "2024-03-05"],
    ["20240305", "2024-03-05"],
    ["45356", "2024-03-05"], // Excel serial
    ["２０２４－０３－０５", "2024-03-05"],
  ])("reads %s", (raw, iso) => expect(parseLooseDate(raw)).toBe(iso));
  it.each(["2024-02-30", "2023-13-01", "abc", "", "3.1"])("rejects %s", (raw) => expect(parseLooseDate(raw)).toBeNull());
  it("reads months and adds months at month ends", () => {
    expect(parseMonth("2025年6月")).toBe("2025-06");
    expect(parseMonth("2025-13")).toBeNull();
    expect(addMonths("2024-01-31", 1)).toBe("2024-02-29");
  });
});

describe("masking and integer fields", () => {
  it("masks ID numbers and phones", () => {
    expect(maskIdNumber("370102199001011234")).toBe("370102********1234");
    expect(maskPhone("13812345678")).toBe("138****5678");
  });
  it("masks a file's cell that looks like an ID number or a mobile number, and nothing else", () => {
    expect(maskPersonalCell("370102199001011234")).toBe("370102********1234");
    expect(maskPersonalCell(" 37010219900101123x ")).toBe("370102********123x");
    expect(maskPersonalCell("370102900101123")).toBe("370102*****1123");
    expect(maskPersonalCell("138 1234 5678")).toBe("138******5678");
    expect(maskPersonalCell("+8613812345678")).toBe("+86*******5678");
    for (const keep of ["张伟", "2024年3月5日", "45321", "3.70102E+17", "牡丹区东站", "", "1234567890"])
      expect(maskPersonalCell(keep)).toBe(keep);
  });
  it("masks every ID number and mobile number inside free text, and nothing else", () => {
    expect(maskPersonalText("手机号已规范为 13812345678")).toBe("手机号已规范为 138****5678");
    expect(maskPersonalText("与370102199001011234重复；另一号码37010219900101123x，电话+8613812345678。")).toBe(
      "与370102********1234重复；另一号码370102********123x，电话+86138****5678。",
    );
    expect(maskPersonalText("旧号码370102900101123")).toBe("旧号码370102*****1123");
    for (const keep of [
      "手机号码应为 11 位，实际为 10 位",
      "与第12行的身份证号重复，本行未导入",
      "编号 123456789012",
      "订单1381234567890",
      "",
      "12345678901",
    ]) {
      expect(maskPersonalText(keep)).toBe(keep);
    }
  });
  it("reads non-negative integers with Chinese messages", () => {
    const f = z.object({ n: nonNegativeIntField("从业人员数") });
    expect(f.parse({ n: "12" }).n).toBe(12);
    expect(f.parse({ n: "" }).n).toBe(0);
    for (const [raw, msg] of [
      ["2.5", "应为整数"],
      ["abc", "应为整数"],
      ["-3", "不能为负数"],
    ] as const) {
      const r = f.safeParse({ n: raw });
      expect(r.success).toBe(false);
      if (!r.success) expect(fieldErrorsOf(r.error).n).toContain(msg);
    }
  });
});

describe("the hot paths of the ID-number and phone checks", () => {
  it("isRealDate agrees with Date.UTC on every day of years 0–2400 and at Date's ends", () => {
    const byDate = (y: number, m: number, d: number) => {
      if (m < 1 || m > 12 || d < 1) return false;
      const dt = new Date(Date.UTC(y, m - 1, d));
      return dt.getUTCFullYear() === y && dt.getUTCMonth() === m - 1 && dt.getUTCDate() === d;
    };
    const years = [...Array.from({ length: 2401 }, (_, i) => i), -1, -400, 275759, 275760, 275761, -271821, -271822];
    const disagree: number[][] = [];
    for (const y of years)
      for (let m = 0; m <= 13; m++) for (let d = 0; d <= 32; d++) if (isRealDate(y, m, d) !== byDate(y, m, d)) disagree.push([y, m, d]);
    expect(disagree).toEqual([]);
    expect(isRealDate(2000.5, 1, 1)).toBe(false);
    expect(isRealDate(Number.NaN, 1, 1)).toBe(false);
  });

  it("a plain 18-digit number and a plain mobile number are judged as before", () => {
    expect(parseIdNumber("371702199002291008", "2026-01-01")).toEqual({ ok: false, reason: "身份证号中的出生日期不存在" });
    expect(parseIdNumber(makeIdNumber("371702", "2000-02-29", 1), "2026-01-01").ok).toBe(true);
    expect(parseIdNumber(makeIdNumber("371702", "2030-01-01", 1), "2026-01-01")).toEqual({
      ok: false,
      reason: "身份证号中的出生日期晚于今天",
    });
    expect(parseIdNumber("371702199001011009", "2026-01-01")).toEqual({ ok: false, reason: "身份证号校验位不正确" });
    expect(parseMobilePhone("13800138000")).toEqual({ ok: true, value: "13800138000" });
    expect(parseMobilePhone("12800138000")).toEqual({ ok: false, reason: "手机号码应以 13–19 开头" });
    expect(parseMobilePhone("1380013800a")).toEqual({ ok: false, reason: "手机号码只能包含数字" });
  });
});

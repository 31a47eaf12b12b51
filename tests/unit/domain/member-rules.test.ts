import { describe, expect, it } from "vitest";
import { makeIdNumber } from "../../../server/domain/id-number.js";
import { classifySearch } from "../../../server/services/members/list.js";
import {
  changeSummary,
  diffMember,
  type MemberValues,
  memberRuleErrors,
  memberWarnings,
  normaliseRelationOrg,
} from "../../../server/domain/member-rules.js";
import { memberUpdateSchema } from "../../../server/schemas/members.schema.js";

const TODAY = "2025-06-30";
const ID = makeIdNumber("371702", "1990-03-01", 871); // 17th digit 1: male

function values(over: Partial<MemberValues> = {}): MemberValues {
  return {
    name: "张三",
    gender: "male",
    ethnicity: "01",
    birthDate: "1990-03-01",
    idNumber: ID,
    phone: "13912345678",
    education: null,
    category: "full",
    joinedOn: "2015-07-01",
    fullOn: "2016-07-01",
    occupation: "courier",
    enterpriseId: null,
    orgId: 5,
    relationStatus: "local",
    relationOrgName: null,
    discoveryChannel: "self_report",
    discoveredOn: "2024-01-01",
    verifiedOn: "2024-01-05",
    managedOn: "2024-02-01",
    ...over,
  };
}
const fromId = { birthDate: "1990-03-01", gender: "male" as const };

describe("memberRuleErrors", () => {
  it("accepts a consistent record", () => {
    expect(memberRuleErrors(values(), fromId, TODAY)).toEqual({});
  });

  it.each([
    [
      "birth date differs from the ID number",
      { birthDate: "1990-03-02" },
      "birthDate",
      "出生日期与身份证号中的出生日期（1990-03-01）不一致",
    ],
    ["gender differs from the ID number", { gender: "female" as const }, "gender", "性别与身份证号不一致（身份证号第 17 位表示男性）"],
    ["joined before eighteen", { joinedOn: "2008-02-28", fullOn: null }, "joinedOn", "入党时应年满十八周岁，请核对入党日期和出生日期"],
    ["joined in the future", { joinedOn: "2025-07-01", fullOn: null }, "joinedOn", "入党日期不能晚于今天"],
    ["probationary with a full date", { category: "probationary" as const }, "fullOn", "预备党员还没有转正，不应填写转正日期"],
    ["made full before joining", { fullOn: "2015-07-01" }, "fullOn", "转正日期应晚于入党日期"],
    ["verified before found", { verifiedOn: "2023-12-31" }, "verifiedOn", "核实日期不能早于发现日期"],
    ["managed before verified", { managedOn: "2024-01-04" }, "managedOn", "纳管日期不能早于核实日期"],
    [
      "mobile-in without the home organization",
      { relationStatus: "mobile_in" as const },
      "relationOrgName",
      "流入党员须填写组织关系所在党组织（如户籍地村党支部、原单位党组织）",
    ],
  ])("%s", (_label, over, field, message) => {
    expect(memberRuleErrors(values(over), fromId, TODAY)).toEqual({ [field]: message });
  });

  it("joining on the eighteenth birthday is allowed", () => {
    expect(memberRuleErrors(values({ joinedOn: "2008-03-01", fullOn: "2009-03-01" }), fromId, TODAY)).toEqual({});
  });
});

describe("classifySearch", () => {
  it.each([
    ["", "none"],
    ["张", "name"],
    ["欧阳 秀英", "name"],
    ["1234", "last4"],
    ["002x", "last4"],
    ["１２３４", "last4"],
    [ID, "personal"],
    [ID.slice(0, 17), "personal"],
    ["13912345678", "personal"],
    ["+86 139 1234 5678", "personal"],
    ["123", "digits"],
    ["12345", "digits"],
  ])("%s → %s", (q, kind) => {
    expect(classifySearch(q).kind).toBe(kind);
  });

  it("upper-cases a trailing x of the last four", () => {
    expect(classifySearch("002x")).toEqual({ kind: "last4", digits: "002X" });
  });
});

describe("edit form: masked numbers", () => {
  const base = { name: "张三", category: "full", orgId: "5", relationStatus: "local" };
  it("reads the mask sent back as “keep”, anything else as a new number", () => {
    expect(memberUpdateSchema.parse({ ...base, idNumber: "371702********8718", phone: "139****5678" })).toMatchObject({
      idNumber: { keep: "371702********8718" },
      phone: { keep: "139****5678" },
    });
    expect(memberUpdateSchema.parse({ ...base, idNumber: ID.toLowerCase(), phone: "" })).toMatchObject({ idNumber: ID, phone: null });
  });
  it("still validates a new number with the shared validator's message", () => {
    const r = memberUpdateSchema.safeParse({ ...base, idNumber: "110105194912310021", phone: "123" });
    expect(r.success).toBe(false);
    const messages = r.success ? [] : r.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`);
    expect(messages).toEqual(["idNumber: 身份证号校验位不正确", "phone: 手机号码应为 11 位，实际为 3 位"]);
  });
});

describe("summaries and warnings", () => {
  it("summarises a change in Chinese with labels and masks", () => {
    const before = values();
    const after = values({ phone: "13698765432", occupation: "delivery_rider", orgId: 7, category: "probationary", fullOn: null });
    const summary = changeSummary(diffMember(before, after), {
      org: new Map([
        [5, "甲支部"],
        [7, "乙支部"],
      ]),
    });
    expect(summary).toBe(
      "修改了手机号（139****5678 → 136****5432）；党员类别（正式党员 → 预备党员）；转正日期（2016-07-01 → 空）；职业（快递员 → 网约配送员）；管理党组织（甲支部 → 乙支部）",
    );
  });

  it("drops the outside organization when the relationship is here", () => {
    expect(normaliseRelationOrg("local", "某村党支部")).toBeNull();
    expect(normaliseRelationOrg("mobile_out", "某村党支部")).toBeNull();
    expect(normaliseRelationOrg("mobile_in", "某村党支部")).toBe("某村党支部");
  });

  it("warns at six months out of contact that membership is suspended, before that to make contact", () => {
    const m = {
      category: "full",
      joinedOn: "2015-07-01",
      relationStatus: "local",
      lostContactReason: "migrant_work",
      leftOn: null,
      leftReason: null,
    };
    const six = memberWarnings({ ...m, lostContactOn: "2024-12-30" }, TODAY);
    expect(six).toHaveLength(1);
    expect(six[0]!.level).toBe("red");
    expect(six[0]!.text).toContain("已满六个月。按规定，失去联系满六个月的党员应停止党籍");
    // Six months from 31 December end on 30 June (the month has no 31st).
    expect(memberWarnings({ ...m, lostContactOn: "2024-12-31" }, TODAY)[0]!.level).toBe("red");
    const five = memberWarnings({ ...m, lostContactOn: "2025-01-01" }, TODAY);
    expect(five[0]!.level).toBe("yellow");
    expect(five[0]!.text).toContain("外出务工经商");
    expect(five[0]!.text).toContain("失去联系满六个月将按规定停止党籍（2025-07-01）");
    expect(memberWarnings({ ...m, lostContactOn: null }, TODAY)).toEqual([]);
  });

  it("reminds about a probation past one year and an unattached member", () => {
    const w = memberWarnings(
      {
        category: "probationary",
        joinedOn: "2024-06-30",
        relationStatus: "unattached",
        lostContactOn: null,
        lostContactReason: null,
        leftOn: null,
        leftReason: null,
      },
      TODAY,
    );
    expect(w.map((x) => x.text)).toEqual([
      "预备期自 2024-06-30 起已满一年，应及时讨论其转正问题（延长预备期的，延长 6 个月至 1 年）。",
      "该党员尚未纳管：请编入党支部，或按流动党员管理。",
    ]);
  });
});

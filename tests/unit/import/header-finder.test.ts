// The header row is found by its aliases under a title, a 填报单位 line or a note, for every kind of
// import (rosters, member lists and the three onboarding files), in the shared reading layer.
import { describe, expect, it } from "vitest";
import { autoMapping, FIELDS, type FieldSet, resolveMapping } from "../../../server/services/import/header-aliases.js";
import { findHeader } from "../../../server/services/import/read.js";
import type { SourceRow } from "../../../server/services/import/types.js";

async function* rowsOf(cells: string[][]): AsyncGenerator<SourceRow> {
  let n = 0;
  for (const c of cells) yield { rowNumber: ++n, cells: c };
}

const ABOVE = [
  ["某某市新就业群体党建信息表"],
  [],
  ["填报单位：中共某某市委社会工作部（盖章）", "", "", "填报日期：2025年6月30日"],
  ["说明：带*的为必填项"],
];

const CASES: [FieldSet, string[], string[]][] = [
  ["roster", ["序号", "骑手姓名", "公民身份号码", "手机号码", "所属站点"], ["1", "张三", "371702199001011008", "13800000001", "东城站"]],
  ["members", ["姓名", "身份证号码", "性别", "入党日期", "人员类别"], ["李四", "371702199001011016", "男", "2010-07-01", "正式党员"]],
  [
    "organizations",
    ["组织编码*", "党组织全称", "党组织类别", "上级党组织编码", "行政区划"],
    ["A-1", "中共某支部委员会", "631", "A", "371702"],
  ],
  [
    "enterprises",
    ["企业名称（必填）", "统一社会信用代码（必填）", "所属行业", "所在县区"],
    ["某公司", "91371702MA3C00001R", "快递", "牡丹区"],
  ],
  ["instructors", ["指导员姓名", "联系电话", "派出党委", "联系企业"], ["王五", "13900000001", "A", "某公司"]],
];

describe("findHeader", () => {
  for (const [set, header, data] of CASES) {
    it(`finds the ${set} header under a title and a 填报单位 line`, async () => {
      const found = await findHeader(rowsOf([...ABOVE, header, data]), FIELDS[set]);
      expect(found.header?.headerRow.rowNumber).toBe(ABOVE.length + 1);
      expect(found.header?.headers).toEqual(header);
      expect(found.buffered.map((r) => r.cells)).toEqual([data]);
    });
  }

  it("a title or a 填报单位 line alone is no header: the file is refused, not read from the wrong row", async () => {
    const found = await findHeader(rowsOf([...ABOVE, ["甲", "乙"]]), FIELDS.organizations);
    expect(found.header).toBeNull();
  });

  it("a header of another kind leaves this kind's required columns missing (an enterprise list uploaded as organizations)", async () => {
    const found = await findHeader(rowsOf([CASES[3]![1], CASES[3]![2]]), FIELDS.organizations);
    const missing = resolveMapping(
      FIELDS.organizations,
      found.header?.headers ?? [],
      autoMapping(FIELDS.organizations, found.header?.headers ?? []),
    ).missing;
    expect(missing.map((f) => f.key)).toEqual(expect.arrayContaining(["orgCode", "orgKind"]));
  });
});

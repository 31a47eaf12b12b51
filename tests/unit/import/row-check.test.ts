// The reading thread posts checked batches packed (row-check.ts: one string, lengths and typed
// arrays); unpacked on the import's thread they must be the batch that was packed, field for field.

import { describe, expect, it } from "vitest";
import { type CheckedBatch, packBatch, unpackBatch } from "../../../server/services/import/row-check.js";

describe("a checked batch packed for another thread", () => {
  it("comes back the same: nulls and empty text apart, characters outside the BMP, notes and rejections", () => {
    const batch: CheckedBatch = {
      rowNumbers: [2, 3, 5, 70000],
      outcomes: [0, 1, 2, 0],
      values: ["371702199001011008", "𠮷田", null, "", "站点 一", null, 'a,b\n"c"', "", "x".repeat(5000)],
      notes: [[{ column: "手机号", value: "138 0000 0001", reason: "手机号已规范为 138****0001" }]],
      rejects: [["身份证号", "123", "身份证号应为 18 位，实际为 3 位"]],
      bytesDone: 12345,
    };
    const copy = structuredClone(batch);
    const { packed, transfer } = packBatch(batch);
    expect(transfer).toHaveLength(3);
    expect(unpackBatch(structuredClone(packed, { transfer }))).toEqual(copy);
  });

  it("an empty batch", () => {
    const empty: CheckedBatch = { rowNumbers: [], outcomes: [], values: [], notes: [], rejects: [], bytesDone: 0 };
    expect(unpackBatch(packBatch(empty).packed)).toEqual(empty);
  });
});

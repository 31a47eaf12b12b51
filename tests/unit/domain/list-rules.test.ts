import { describe, expect, it } from "vitest";
import { jumpWindow, MAX_JUMP_OFFSET } from "../../../server/domain/list-rules.js";

describe("jumpWindow", () => {
  it("reads a page from the nearer end", () => {
    expect(jumpWindow(1, 50, 123)).toEqual({ offset: 0, limit: 50, fromEnd: false });
    expect(jumpWindow(2, 50, 123)).toEqual({ offset: 23, limit: 50, fromEnd: true });
    expect(jumpWindow(2, 50, 200)).toEqual({ offset: 50, limit: 50, fromEnd: false });
    expect(jumpWindow(3, 50, 123)).toEqual({ offset: 0, limit: 23, fromEnd: true });
  });
  it("refuses a page past the end", () => {
    expect(jumpWindow(4, 50, 123)).toBeNull();
    expect(jumpWindow(2, 50, 50)).toBeNull();
  });
  it("reaches every page of 100,000 rows skipping at most MAX_JUMP_OFFSET, and no page of a far larger list beyond it", () => {
    let most = 0;
    for (let p = 1; p <= 2000; p++) most = Math.max(most, jumpWindow(p, 50, 100_000)!.offset);
    expect(most).toBeLessThanOrEqual(MAX_JUMP_OFFSET);
    expect(jumpWindow(10_000, 50, 1_000_000)).toBeNull();
  });
});

// The member list's statements, prepared once per connection and text: the same rows as drizzle's
// own way, one prepare for many pages, and drizzle's own way inside a transaction (no connection handle).

import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import type { DbHandle } from "../../../db/client.js";
import { members } from "../../../db/schema.js";
import { keptValuesOf } from "../../../server/services/members/statements.js";
import { addMember, type SmallCity, smallCityDb } from "../../helpers/fixtures.js";

let h: DbHandle;
let city: SmallCity;
beforeAll(async () => {
  ({ handle: h, city } = await smallCityDb());
  for (let i = 0; i < 5; i++) addMember(h, city.dlBranch.id, { name: `成员${i}` });
});
afterAll(() => h.close());

const byName = () =>
  h.db.select({ id: members.id, name: members.name }).from(members).where(eq(members.orgId, city.dlBranch.id)).orderBy(asc(members.name));
const byIds = (ids: number[]) =>
  sql`SELECT ${members.id}, ${members.name} FROM ${members} WHERE ${members.id} IN (SELECT value FROM json_each(${JSON.stringify(ids)}))`;

describe("statements kept per connection", () => {
  it("give drizzle's rows", () => {
    expect(byName().values().length).toBeGreaterThanOrEqual(5);
    const ids = byName()
      .all()
      .map((r) => r.id)
      .slice(0, 3);
    expect(keptValuesOf(h.db, (v) => byIds(JSON.parse(v)), JSON.stringify(ids))).toEqual(h.db.values(byIds(ids)));
  });

  it("prepare a text once, whatever its parameters", () => {
    const prepare = vi.spyOn(h.sqlite, "prepare");
    try {
      const q = (name: string) => sql`SELECT ${members.id} FROM ${members} WHERE ${members.name} = ${name}`;
      expect(keptValuesOf(h.db, q, "成员1")).toHaveLength(1);
      expect(keptValuesOf(h.db, q, "成员2")).toHaveLength(1);
      expect(keptValuesOf(h.db, q, "无此人")).toEqual([]);
      expect(prepare).toHaveBeenCalledTimes(1);
    } finally {
      prepare.mockRestore();
    }
  });

  it("build a statement of one parameter once, and run it with each value", () => {
    const build = vi.fn(
      (ids: string) =>
        sql`SELECT ${members.id}, ${members.name} FROM ${members} WHERE ${members.id} IN (SELECT value FROM json_each(${ids}))`,
    );
    const ids = byName()
      .all()
      .map((r) => r.id);
    for (const some of [ids.slice(0, 2), ids.slice(2), []])
      expect(keptValuesOf(h.db, build, JSON.stringify(some))).toEqual(h.db.values(byIds(some)));
    expect(build).toHaveBeenCalledTimes(1);
    // A statement of two parameters is refused, not run with one.
    const two = (v: string) => sql`SELECT ${members.id} FROM ${members} WHERE ${members.name} = ${v} OR ${members.phone} = ${v}`;
    expect(() => keptValuesOf(h.db, two, "x")).toThrow(/one parameter, not 2/);
  });

  it("inside a transaction, run as drizzle runs them and see the transaction's own writes", () => {
    const [id] = byName().values()[0] as [number];
    let seen: unknown[] = [];
    // drizzle's rollback throws out of the transaction, undoing the rename.
    expect(() =>
      h.db.transaction((tx) => {
        tx.update(members).set({ name: "事务内" }).where(eq(members.id, id)).run();
        seen = keptValuesOf<[number, string]>(tx as never, (ids) => byIds(JSON.parse(ids)), JSON.stringify([id]));
        tx.rollback();
      }),
    ).toThrow("Rollback");
    expect(seen).toEqual([[id, "事务内"]]);
    expect(h.db.values<[number, string]>(byIds([id]))[0]![1]).not.toBe("事务内");
  });
});

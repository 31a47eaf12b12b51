// The industries code list: the four industries of new employment groups every database starts with
// (domain/reference-data.ts), and those an administrator adds. Organizations and enterprises name
// an industry by its code (a foreign key), so an added one is usable at once everywhere.

import { asc, eq, max, or } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { industries } from "../../../db/schema.js";
import { AppError } from "../../errors.js";
import type { Actor } from "../../policy/actor.js";
import type { IndustryInput } from "../../schemas/industries.schema.js";
import { recordAudit } from "./audit.js";

export function listIndustries(db: Db) {
  return db.select().from(industries).orderBy(asc(industries.sortOrder), asc(industries.code)).all();
}

/** Adds an industry at the end of the list; a code or name already used is a field error. */
export function addIndustry(db: Db, actor: Actor, input: IndustryInput, ip: string | null = null) {
  if (actor.role !== "admin") throw AppError.forbidden();
  return db.transaction((tx) => {
    const clash = tx
      .select()
      .from(industries)
      .where(or(eq(industries.code, input.code), eq(industries.name, input.name)))
      .get();
    if (clash) throw AppError.invalid(clash.code === input.code ? { code: "该行业代码已存在" } : { name: `行业“${input.name}”已存在` });
    const last =
      tx
        .select({ n: max(industries.sortOrder) })
        .from(industries)
        .get()?.n ?? 0;
    const row = tx
      .insert(industries)
      .values({ code: input.code, name: input.name, sortOrder: last + 1 })
      .returning()
      .get();
    recordAudit(tx, actor, { action: "industry.create", entity: "industry", entityId: row.code, after: row, ip });
    return row;
  });
}

// The membership rules (domain/membership-rules.ts) as SQL, for counts and lists that filter in the
// database. Each takes the members table (drizzle's query builder) or an alias of it in raw SQL.

import { type SQL, sql } from "drizzle-orm";
import type { members } from "../../../db/schema.js";
import { lostContactCutoff } from "../../domain/membership-rules.js";

type MemberRef = string | typeof members;

function col(m: MemberRef, name: "left_on" | "relation_status" | "discovered_on" | "lost_contact_on" | "category" | "full_on"): SQL {
  if (typeof m === "string") return sql.raw(`${m}.${name}`);
  const c = {
    left_on: m.leftOn,
    relation_status: m.relationStatus,
    discovered_on: m.discoveredOn,
    lost_contact_on: m.lostContactOn,
    category: m.category,
    full_on: m.fullOn,
  }[name];
  return sql`${c}`;
}

/** isStillMember: not left and not transferred out. */
export function memberStillHereSql(m: MemberRef): SQL {
  return sql`(${col(m, "left_on")} IS NULL AND ${col(m, "relation_status")} <> 'transferred_out')`;
}

/** isMemberPresentAt: still a member or left only after `asOf`, and already found by then. */
export function memberPresentSql(m: MemberRef, asOf: string): SQL {
  return sql`((${memberStillHereSql(m)} OR ${col(m, "left_on")} > ${asOf})
    AND (${col(m, "discovered_on")} IS NULL OR ${col(m, "discovered_on")} <= ${asOf}))`;
}

/** lostContactLimitReached at `asOf`: out of contact for the whole limit by then. */
export function lostContactLimitSql(m: MemberRef, asOf: string): SQL {
  return sql`(${col(m, "lost_contact_on")} IS NOT NULL AND ${col(m, "lost_contact_on")} <= ${lostContactCutoff(asOf)})`;
}

/** A full member at `asOf` (probationary members do not count). */
export function memberFullSql(m: MemberRef, asOf: string): SQL {
  return sql`(${col(m, "category")} = 'full' AND (${col(m, "full_on")} IS NULL OR ${col(m, "full_on")} <= ${asOf}))`;
}

// The person page (一人一档): one person (one ID number) across the platforms' rosters, the lead and
// the member record. Reached from any one of them by its id; that record must be in the actor's
// scope (else 404, as for the record itself), and the page then shows only the rows the actor's
// scope holds: which other organization holds the person on another platform stays hidden
// (docs/ARCHITECTURE.md, "Imports and rows held by others").

import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../../../db/client.js";
import { enterprises, leads, members, organizations, workers } from "../../../db/schema.js";
import { PERSON_ATTRIBUTION_RULE, attributedRow, leftEveryPlatformOn } from "../../domain/person-rules.js";
import { AppError } from "../../errors.js";
import { type Actor, orgIdInScope } from "../../policy/actor.js";

export const PERSON_SOURCES = ["worker", "lead", "member"] as const;
export type PersonSource = (typeof PERSON_SOURCES)[number];

/** The ID number behind a worker, lead or member id the actor may read; 404 otherwise, whatever exists. */
function idNumberOf(db: Db, actor: Actor, source: PersonSource, id: number): string {
  const row =
    source === "worker"
      ? db
          .select({ n: workers.idNumber })
          .from(workers)
          .where(and(eq(workers.id, id), orgIdInScope(actor, workers.orgId)))
          .get()
      : source === "lead"
        ? db
            .select({ n: leads.idNumber })
            .from(leads)
            .where(and(eq(leads.id, id), orgIdInScope(actor, leads.committeeId)))
            .get()
        : db
            .select({ n: members.idNumber })
            .from(members)
            .where(and(eq(members.id, id), orgIdInScope(actor, members.orgId)))
            .get();
  if (!row) throw AppError.notFound("人员");
  return row.n;
}

export function personPage(db: Db, actor: Actor, source: PersonSource, id: number, today: string) {
  const idNumber = idNumberOf(db, actor, source, id);
  const rows = db
    .select({
      id: workers.id,
      platform: workers.platform,
      name: workers.name,
      phone: workers.phone,
      station: workers.station,
      franchisee: workers.franchisee,
      occupation: workers.occupation,
      enterpriseName: enterprises.name,
      orgName: organizations.name,
      hiredOn: workers.hiredOn,
      firstSeenOn: workers.firstSeenOn,
      lastSeenOn: workers.lastSeenOn,
      leftOn: workers.leftOn,
    })
    .from(workers)
    .innerJoin(organizations, eq(organizations.id, workers.orgId))
    .leftJoin(enterprises, eq(enterprises.id, workers.enterpriseId))
    .where(and(eq(workers.idNumber, idNumber), orgIdInScope(actor, workers.orgId)))
    .orderBy(asc(workers.firstSeenOn), asc(workers.id))
    .all();
  const lead =
    db
      .select({ id: leads.id, name: leads.name, phone: leads.phone, status: leads.status, channel: leads.channel, foundOn: leads.foundOn })
      .from(leads)
      .where(and(eq(leads.idNumber, idNumber), orgIdInScope(actor, leads.committeeId)))
      .get() ?? null;
  const member =
    db
      .select({
        id: members.id,
        name: members.name,
        phone: members.phone,
        relationStatus: members.relationStatus,
        orgName: organizations.name,
        lostContactOn: members.lostContactOn,
        leftOn: members.leftOn,
      })
      .from(members)
      .innerJoin(organizations, eq(organizations.id, members.orgId))
      .where(and(eq(members.idNumber, idNumber), orgIdInScope(actor, members.orgId)))
      .get() ?? null;
  // The row counted in the statistics, shown only when the actor's scope holds it.
  const counted = attributedRow(rows, today);
  const latest = [...rows].sort((a, b) => (a.lastSeenOn < b.lastSeenOn ? 1 : -1))[0];
  return {
    idNumber,
    name: member?.name ?? lead?.name ?? latest?.name ?? "",
    phone: member?.phone ?? latest?.phone ?? lead?.phone ?? null,
    rows,
    countedRowId: counted?.id ?? null,
    firstSeenOn: rows.reduce<string | null>((min, r) => (min == null || r.firstSeenOn < min ? r.firstSeenOn : min), null),
    lastSeenOn: rows.reduce<string | null>((max, r) => (max == null || r.lastSeenOn > max ? r.lastSeenOn : max), null),
    departures: rows.filter((r) => r.leftOn != null),
    leftEveryPlatformOn: leftEveryPlatformOn(rows),
    lead,
    member,
    rule: PERSON_ATTRIBUTION_RULE,
  };
}

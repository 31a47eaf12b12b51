import type { Db } from "../../../../db/client.js";
import type { RiskSeverity, RiskSignalCode } from "../../../domain/risk-rules.js";
import type { Actor } from "../../../policy/actor.js";

/** Whom a hit is about: a member, or a lead not yet verified (no member record yet). */
export type RiskSubject = "member" | "lead";

/** One signal applying to one person: since when, how grave, what it says, and the action that answers it. */
export type RiskHit = {
  signal: RiskSignalCode;
  subject: RiskSubject;
  id: number;
  since: string;
  severity: RiskSeverity;
  detail: string;
  actionHref: string;
};

/**
 * A signal: the hits in the actor's scope on `today`. Each module applies the scope in SQL on the
 * subject's own organization (members.org_id, leads.committee_id), so the list, the counts and the
 * export read the same hits.
 */
export type RiskSignal = { code: RiskSignalCode; hits(db: Db, actor: Actor, today: string): RiskHit[] };

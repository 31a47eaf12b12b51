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
  /** The organization holding the person (members.org_id, leads.committee_id): the one the scope applies to. */
  orgId: number;
  since: string;
  severity: RiskSeverity;
  detail: string;
  actionHref: string;
};

/**
 * A signal: the hits in the actor's scope on `today`. Each module applies the scope in SQL on the
 * subject's own organization (members.org_id, leads.committee_id), so the list, the counts and the
 * export read the same hits. `only`, when given, narrows them further to the people those
 * organizations hold (the kept counts recount only the organizations a write touched: parts.ts).
 */
export type RiskSignal = {
  code: RiskSignalCode;
  /** Whom every hit of the signal is about. */
  subject: RiskSubject;
  hits(db: Db, actor: Actor, today: string, only?: readonly number[] | null): RiskHit[];
  /**
   * The number of hits per holding organization (`only`: those organizations, all when null), the
   * scope whole, without building them: the kept counts (parts.ts) use it for a signal alone about
   * its subject, whose people no other signal can name (a committee's 3,000 open leads built as hits
   * took 20 ms of every recount after a verification).
   */
  countByOrg?(db: Db, today: string, only: readonly number[] | null): Map<number, number>;
  /**
   * The people `hits` names for the whole database (`only`: those organizations' people, all when
   * null), as [id, holding organization], without building the hits: the kept counts (parts.ts) for
   * a signal with many (no_org_life named 400,000 members at a province: 5.6 s built, 1.6 s not).
   * The same FROM and WHERE as `hits`, spelled once in the signal's module.
   */
  heldIds?(db: Db, today: string, only: readonly number[] | null): [id: number, orgId: number][];
};

export { heldBy } from "../../org-parts.js";

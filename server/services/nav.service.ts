import type { Db } from "../../db/client.js";
import type { Actor } from "../policy/actor.js";

export type NavCounts = Record<string, number>;

type Provider = (db: Db, actor: Actor) => NavCounts;

// Areas register what their navigation badge counts (open leads, inbox items …) here.
const providers: Provider[] = [];

export function registerNavCounts(provider: Provider): void {
  providers.push(provider);
}

export function navCounts(db: Db, actor: Actor): NavCounts {
  const out: NavCounts = {};
  for (const p of providers) Object.assign(out, p(db, actor));
  return out;
}

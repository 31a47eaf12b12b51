import type { Db } from "../../db/client.js";
import { todayIso } from "../domain/dates.js";
import { type Actor, systemActor } from "../policy/actor.js";
import { type HourlyJobLog, startHourlyJob } from "./hourly-job.js";

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

/**
 * Counts every badge over the whole installation once, for what the badges keep per organization
 * (organizational life, dues: org-parts.ts): a user's first page after a start, or after the day
 * changed (every part is kept for one day), would otherwise count them on the server's thread
 * (8.3 s without an answer to anyone at a city of 100,000 members with a year of dues).
 */
export function warmNavCounts(db: Db): void {
  navCounts(db, systemActor("nav-warm-up"));
}

/**
 * Counts the badges now (before the server listens), then again whenever the day has changed, checked
 * every 10 minutes. Returns a function that stops the checks.
 */
export function startNavWarmTimer(db: Db, opts: { log?: HourlyJobLog; now?: () => Date } = {}): () => void {
  const now = opts.now ?? (() => new Date());
  let warmedFor = todayIso(now());
  const started = performance.now();
  warmNavCounts(db);
  opts.log?.info({ ms: Math.round(performance.now() - started) }, "navigation badges counted");
  return startHourlyJob(
    async (at) => {
      if (todayIso(at) === warmedFor) return;
      warmedFor = todayIso(at);
      warmNavCounts(db);
    },
    { intervalMs: 10 * 60_000, now, log: opts.log, failure: "navigation badges: failed to count for the new day" },
  );
}

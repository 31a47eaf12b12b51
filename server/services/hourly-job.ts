// A job the server runs at once at start and then every hour (the month's coverage snapshots, the
// official tables of a period just closed): never two runs at once, errors logged, and the timer
// does not keep the process alive. Returns a function that stops it.

import { todayIso } from "../domain/dates.js";

export type HourlyJobLog = { info(obj: object, msg: string): void; error(obj: object, msg: string): void };

export function startHourlyJob(
  run: (now: Date) => Promise<void>,
  opts: { intervalMs?: number; now?: () => Date; log?: HourlyJobLog; failure: string },
): () => void {
  const now = opts.now ?? (() => new Date());
  let running = false;
  let stopped = false;
  const tick = async () => {
    if (running || stopped) return;
    running = true;
    try {
      await run(now());
    } catch (err) {
      opts.log?.error({ err }, opts.failure);
    } finally {
      running = false;
    }
  };
  const first = setTimeout(tick, 0);
  first.unref();
  const timer = setInterval(tick, opts.intervalMs ?? 3_600_000);
  timer.unref();
  return () => {
    stopped = true;
    clearTimeout(first);
    clearInterval(timer);
  };
}

/**
 * A job run once a day: at start, then at the first check (every `intervalMs`) after the day has
 * changed (China Standard Time, todayIso), for what is kept per day and would otherwise be counted
 * by the day's first request. A run that failed is not tried again the same day.
 */
export function startDailyJob(
  run: (day: string) => Promise<void>,
  opts: { intervalMs?: number; now?: () => Date; log?: HourlyJobLog; failure: string },
): () => void {
  let doneFor: string | null = null;
  return startHourlyJob(async (at) => {
    const day = todayIso(at);
    if (day === doneFor) return;
    doneFor = day;
    await run(day);
  }, opts);
}

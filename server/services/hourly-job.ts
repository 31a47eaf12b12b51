// A job the server runs at once at start and then every hour (the month's coverage snapshots, the
// official tables of a period just closed): never two runs at once, errors logged, and the timer
// does not keep the process alive. Returns a function that stops it.

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

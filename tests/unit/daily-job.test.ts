// startDailyJob (hourly-job.ts), which counts the dashboard ahead (dashboard.routes.ts): run at start,
// not again the same day, once at the first check after the day changed (China Standard Time), and
// not again that day when the run failed; nothing after it is stopped.

import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { startDailyJob } from "../../server/services/hourly-job.js";

const TEN_MINUTES = 10 * 60_000;
beforeEach(() => {
  // 2026-03-10 23:30 in China (15:30 UTC): the day changes in 30 minutes.
  vi.useFakeTimers({ now: new Date("2026-03-10T15:30:00Z") });
});
afterEach(() => vi.useRealTimers());

it("runs at start, then once for each new day, and not after it is stopped", async () => {
  const days: string[] = [];
  const stop = startDailyJob(async (day) => void days.push(day), { intervalMs: TEN_MINUTES, failure: "failed" });
  await vi.advanceTimersByTimeAsync(0);
  expect(days).toEqual(["2026-03-10"]);
  await vi.advanceTimersByTimeAsync(2 * TEN_MINUTES); // 23:50: the same day
  expect(days).toEqual(["2026-03-10"]);
  await vi.advanceTimersByTimeAsync(TEN_MINUTES); // 00:00 in China: a new day
  expect(days).toEqual(["2026-03-10", "2026-03-11"]);
  await vi.advanceTimersByTimeAsync(6 * TEN_MINUTES);
  expect(days).toEqual(["2026-03-10", "2026-03-11"]);
  stop();
  vi.setSystemTime(new Date("2026-03-12T16:30:00Z"));
  await vi.advanceTimersByTimeAsync(3 * TEN_MINUTES);
  expect(days).toEqual(["2026-03-10", "2026-03-11"]);
});

it("logs a failed run and does not try again the same day", async () => {
  const errors: string[] = [];
  let runs = 0;
  const log = { info: () => undefined, error: (_: object, msg: string) => void errors.push(msg) };
  const stop = startDailyJob(
    async () => {
      runs++;
      throw new Error("counting thread gone");
    },
    { intervalMs: TEN_MINUTES, log, failure: "the count ahead failed" },
  );
  await vi.advanceTimersByTimeAsync(2 * TEN_MINUTES);
  expect(runs).toBe(1);
  expect(errors).toEqual(["the count ahead failed"]);
  await vi.advanceTimersByTimeAsync(TEN_MINUTES);
  expect(runs).toBe(2); // the next day
  stop();
});

import os from "node:os";
import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/http/**/*.test.ts", "tests/cli/**/*.test.ts"],
    environment: "node",
    // A directory for the database images the helpers build once per run (tests/helpers/run-cache.ts).
    globalSetup: ["tests/global-setup.ts"],
    setupFiles: ["tests/setup.ts"],
    pool: "forks",
    // A worker runs file after file with the modules it has loaded: starting a process and loading
    // the app for every file was half the suite's CPU. The tests keep no state in modules of their
    // own: each file makes its databases and apps, and what a helper caches (the migrated and small
    // city images, the fixtures' counters) is the same for every file (docs/ARCHITECTURE.md, Testing).
    isolate: false,
    // vitest's default, cores − 1, is a single worker on CI's 2 cores; the tests wait on child
    // processes, worker threads and sockets much of the time, so two keep both cores busy.
    maxWorkers: Math.max(2, os.availableParallelism() - 1),
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

import { defineConfig } from "vitest/config";

// Browser journeys: playwright-core driving Debian's Chromium against a real server on loopback.
export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    environment: "node",
    // The run's directory of database images: the demo city is seeded once per size (tests/e2e/harness.ts).
    globalSetup: ["tests/global-setup.ts"],
    pool: "forks",
    fileParallelism: false,
    // One worker runs the files one after another with the app and playwright loaded once (as in
    // vitest.config.ts): each file starts and closes its own server and browser.
    isolate: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});

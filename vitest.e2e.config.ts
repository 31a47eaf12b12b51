import { defineConfig } from "vitest/config";

// Browser journeys: playwright-core driving Debian's Chromium against a real server on loopback.
export default defineConfig({
  test: {
    include: ["tests/e2e/**/*.e2e.ts"],
    environment: "node",
    pool: "forks",
    fileParallelism: false,
    testTimeout: 120_000,
    hookTimeout: 180_000,
  },
});

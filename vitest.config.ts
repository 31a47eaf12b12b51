import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["tests/unit/**/*.test.ts", "tests/http/**/*.test.ts", "tests/cli/**/*.test.ts"],
    environment: "node",
    // A directory for the database images the helpers build once per run (tests/helpers/run-cache.ts).
    globalSetup: ["tests/global-setup.ts"],
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

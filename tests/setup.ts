// Runs before each test file (vitest.config.ts setupFiles): a worker runs many files with the same
// modules loaded, so what a helper counts starts again as in a process of its own.
import { resetFixtureCounters } from "./helpers/fixtures.js";

resetFixtureCounters();

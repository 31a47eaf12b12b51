// One directory per `vitest run` for the database images the test helpers build once and share
// (tests/helpers/run-cache.ts); removed at the end, so an image never outlives the code that made it.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { TestProject } from "vitest/node";

export default function setup(project: TestProject) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "party-coverage-images-"));
  project.provide("testImagesDir", dir);
  return () => fs.rmSync(dir, { recursive: true, force: true });
}

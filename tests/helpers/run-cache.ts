// Database images shared by every test file of one `vitest run`: the first worker that needs one
// builds it and leaves it in the run's directory (made and removed by tests/global-setup.ts), the
// others read it (the e2e suite's demo city too). Without that directory each process builds its own.

import fs from "node:fs";
import path from "node:path";
import { inject } from "vitest";

declare module "vitest" {
  export interface ProvidedContext {
    /** The run's directory of database images (tests/global-setup.ts). */
    testImagesDir: string;
  }
}

function runDir(): string | undefined {
  try {
    return inject("testImagesDir") || undefined;
  } catch {
    return undefined; // outside vitest (a script importing the helpers): images kept per process
  }
}

/** Reads `name` from the run's directory, or builds it and leaves it there for the other workers. */
export function readOrBuild(name: string, build: () => Buffer): Buffer {
  const dir = runDir();
  const file = dir && path.join(dir, name);
  if (file && fs.existsSync(file)) return fs.readFileSync(file);
  const made = build();
  if (file) publish(file, made);
  return made;
}

/** The async form of readOrBuild, for images whose building awaits (password hashes). */
export async function readOrBuildAsync(name: string, build: () => Promise<Buffer>): Promise<Buffer> {
  const dir = runDir();
  const file = dir && path.join(dir, name);
  if (file && fs.existsSync(file)) return fs.readFileSync(file);
  const made = await build();
  if (file) publish(file, made);
  return made;
}

// Written aside and renamed, so another worker never reads half a file; two workers building the
// same image at once each rename a complete copy of the same thing.
function publish(file: string, data: Buffer) {
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  fs.writeFileSync(tmp, data);
  fs.renameSync(tmp, file);
}

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type DbHandle, openDb } from "../../db/client.js";
import { runMigrations } from "../../db/migrate.js";

/** A fresh in-memory database with the real migrations applied. */
export function memoryDb(): DbHandle {
  const h = openDb(":memory:");
  runMigrations(h);
  return h;
}

/** A fresh database file in a temp directory (WAL, like production), with migrations applied. */
export function tempFileDb(): DbHandle & { dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "party-coverage-test-"));
  const h = openDb(path.join(dir, "app.db"));
  runMigrations(h);
  const close = h.close;
  return {
    ...h,
    dir,
    close() {
      close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

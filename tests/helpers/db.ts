import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { type DbHandle, openDb } from "../../db/client.js";
import { runMigrations } from "../../db/migrate.js";
import { readOrBuild } from "./run-cache.js";
import { restoreMemoryDb } from "./snapshot.js";

let migrated: Buffer | undefined;

/**
 * The image of a database with the real migrations applied, made once per run (running the
 * migrations again for every test database was most of a small test's time).
 * tests/unit/test-helpers.test.ts proves a database from it equals a freshly migrated one.
 */
export function migratedImage(): Buffer {
  migrated ??= readOrBuild("migrated.db", () => {
    const h = openDb(":memory:");
    try {
      runMigrations(h);
      return h.sqlite.serialize();
    } finally {
      h.close();
    }
  });
  return migrated;
}

/** A fresh in-memory database with the real migrations applied. */
export function memoryDb(): DbHandle {
  return restoreMemoryDb(migratedImage());
}

/** A fresh database file in a temp directory (WAL, like production), with migrations applied. */
export function tempFileDb(): DbHandle & { dir: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "party-coverage-test-"));
  fs.writeFileSync(path.join(dir, "app.db"), migratedImage());
  const h = openDb(path.join(dir, "app.db"));
  // Nothing left to apply (the image is migrated); kept so that the file is checked as a server checks it.
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

/**
 * A temp-file database filled by `fill`, checkpointed and closed, for a child process to open (a CLI,
 * a server): the caller removes `dir` when done.
 */
export async function closedDbFile(fill: (h: DbHandle) => unknown): Promise<{ dir: string; path: string }> {
  const h = tempFileDb();
  try {
    await fill(h);
    h.sqlite.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    h.sqlite.close();
  }
  return { dir: h.dir, path: h.path };
}

/**
 * A database file built once (`fill` on a temp-file database), checkpointed and closed, kept in
 * `dir` as template.db; `copy(name)` gives each test its own file starting from exactly that.
 */
export async function dbTemplate(
  dir: string,
  fill: (h: DbHandle) => void | Promise<void>,
): Promise<{ file: string; copy(name: string): string }> {
  const h = tempFileDb();
  try {
    await fill(h);
    h.sqlite.pragma("wal_checkpoint(TRUNCATE)");
  } finally {
    h.sqlite.close();
  }
  const file = path.join(dir, "template.db");
  fs.copyFileSync(h.path, file);
  fs.rmSync(h.dir, { recursive: true, force: true });
  return {
    file,
    copy(name: string) {
      const to = path.join(dir, name);
      fs.copyFileSync(file, to);
      return to;
    },
  };
}

// Child processes for the crash and concurrency tests: the import CLI and the server, run as a
// user runs them, tracked so that afterEach can SIGKILL whatever is still alive.

import { type ChildProcess, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import Database from "better-sqlite3";

const live = new Set<ChildProcess>();

export type Exit = { code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string };
export type Child = { proc: ChildProcess; exited: Promise<Exit>; stdout(): string; stderr(): string };

/** Spawns `node --import tsx <script> …args` from the repository root. */
export function spawnTsx(script: string, args: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, ["--import", "tsx", script, ...args], {
    env: { ...process.env, NODE_ENV: "test", LOG_LEVEL: "silent", ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  live.add(proc);
  let out = "";
  let err = "";
  proc.stdout!.on("data", (d: Buffer) => {
    out += d.toString();
  });
  proc.stderr!.on("data", (d: Buffer) => {
    err += d.toString();
  });
  const exited = new Promise<Exit>((resolve) => {
    proc.on("exit", (code, signal) => {
      live.delete(proc);
      // Let the pipes drain before reporting.
      setImmediate(() => resolve({ code, signal, stdout: out, stderr: err }));
    });
  });
  return { proc, exited, stdout: () => out, stderr: () => err };
}

/** `npm run import -- roster FILE --platform P --org ORG --json` over the database at `dbPath`. */
export function spawnRosterImport(dbPath: string, file: string, platform: string, org: string): Child {
  return spawnTsx("scripts/import.ts", ["roster", file, "--platform", platform, "--org", org, "--json"], {
    DATABASE_PATH: dbPath,
    UPLOAD_LIMIT_MB: "1024",
  });
}

/** SIGKILLs every child still alive (afterEach). */
export async function killChildren(): Promise<void> {
  const waits = [...live].map((p) => new Promise((r) => (p.exitCode !== null || p.signalCode !== null ? r(null) : p.once("exit", r))));
  for (const p of live) p.kill("SIGKILL");
  await Promise.all(waits);
  live.clear();
}

/** SIGKILLs one child and waits until it is gone. */
export async function kill9(c: Child): Promise<Exit> {
  c.proc.kill("SIGKILL");
  return c.exited;
}

/** Polls `check` every `everyMs` until it returns a value other than undefined/false, or fails after `timeoutMs`. */
export async function waitFor<T>(check: () => T | undefined | false, what: string, timeoutMs = 30_000, everyMs = 20): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const v = check();
    if (v !== undefined && v !== false) return v;
    if (Date.now() > until) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** Runs `fn` on a short-lived connection to the database file. */
export function withDb<T>(dbPath: string, fn: (db: Database.Database) => T): T {
  const db = new Database(dbPath);
  db.pragma("busy_timeout = 10000");
  try {
    return fn(db);
  } finally {
    db.close();
  }
}

export function integrityCheck(dbPath: string): string {
  return withDb(dbPath, (db) => (db.pragma("integrity_check") as { integrity_check: string }[]).map((r) => r.integrity_check).join("; "));
}

/** The app's tables (not SQLite's own), by name. */
export function tableNames(db: Database.Database): string[] {
  return db
    .prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '__drizzle%' ORDER BY name",
    )
    .pluck()
    .all() as string[];
}

/** A SHA-256 of every row of every table but `except`, per table: equal fingerprints mean equal contents. */
export function fingerprint(dbPath: string, except: string[] = []): Record<string, string> {
  return withDb(dbPath, (db) => {
    const out: Record<string, string> = {};
    for (const t of tableNames(db)) {
      if (except.includes(t)) continue;
      const h = createHash("sha256");
      for (const row of db.prepare(`SELECT * FROM "${t}" ORDER BY 1`).raw().iterate()) h.update(JSON.stringify(row));
      out[t] = h.digest("hex");
    }
    return out;
  });
}

/** Row counts of every table but `except`. */
export function tableCounts(dbPath: string, except: string[] = []): Record<string, number> {
  return withDb(dbPath, (db) =>
    Object.fromEntries(
      tableNames(db)
        .filter((t) => !except.includes(t))
        .map((t) => [t, db.prepare(`SELECT count(*) FROM "${t}"`).pluck().get() as number]),
    ),
  );
}

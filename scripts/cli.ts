// Shared plumbing for the CLIs: open the configured database, prepare it, report errors in one line.

import { openDb, type DbHandle } from "../db/client.js";
import { prepareDatabase } from "../server/bootstrap.js";
import { type Config, loadConfig } from "../server/config.js";
import type { InstallResult, JurisdictionChoice } from "../server/services/jurisdiction/jurisdiction.service.js";

/** With `jurisdiction`, installs it (see prepareDatabase); the CLIs otherwise use the installed one. */
export function openConfiguredDb(opts: { jurisdiction?: JurisdictionChoice } = {}): {
  handle: DbHandle;
  config: Readonly<Config>;
  installed: InstallResult | null;
} {
  const config = loadConfig();
  const handle = openDb(config.databasePath);
  try {
    return { handle, config, installed: prepareDatabase(handle, opts) };
  } catch (err) {
    handle.close();
    throw err;
  }
}

/** Runs a CLI body; any error becomes one English line on stderr and exit code 1. */
export async function runCli(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (err) {
    const e = err as { message?: string; english?: string; fieldErrors?: Record<string, string> };
    const fields = e?.fieldErrors
      ? ` (${Object.entries(e.fieldErrors)
          .map(([k, v]) => `${k}: ${v}`)
          .join("; ")})`
      : "";
    console.error(`error: ${e?.english ?? e?.message ?? String(err)}${fields}`);
    process.exitCode = 1;
  }
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

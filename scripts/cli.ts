// Shared plumbing for the CLIs: open the configured database, prepare it, report errors in one line.

import { openDb, type DbHandle } from "../db/client.js";
import { prepareDatabase } from "../server/bootstrap.js";
import { type Config, loadConfig } from "../server/config.js";

export function openConfiguredDb(): { handle: DbHandle; config: Readonly<Config> } {
  const config = loadConfig();
  const handle = openDb(config.databasePath);
  prepareDatabase(handle);
  return { handle, config };
}

/** Runs a CLI body; any error becomes one English line on stderr and exit code 1. */
export async function runCli(main: () => Promise<void> | void): Promise<void> {
  try {
    await main();
  } catch (err) {
    const e = err as { message?: string; fieldErrors?: Record<string, string> };
    const fields = e?.fieldErrors
      ? ` (${Object.entries(e.fieldErrors)
          .map(([k, v]) => `${k}: ${v}`)
          .join("; ")})`
      : "";
    console.error(`error: ${e?.message ?? String(err)}${fields}`);
    process.exitCode = 1;
  }
}

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString("utf8");
}

// The first dashboard view after an ordinary write, on the bench:http data set (1,000,000 workers,
// 100,000 members): not a test. Starts the real server (NODE_ENV=production) on a copy of a kept
// bench database (`npm run bench:http -- --keep` prints its directory), signs in as the bench
// admin, then, several times: verifies one open lead through the real form (POST
// /leads/:id/verify) and times the next GET /, pinging /healthz every 20 ms meanwhile (the longest
// wait is how long the server answered nobody). Then once after rejecting a lead.
//
//   npm run bench:dashboard -- --db /tmp/party-http-bench-XXXX [--rounds 3] [--root DIR]
//
// --root runs another checkout's server (for before/after figures on the same data).

import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import Database from "better-sqlite3";
import { freePort, HttpSession, waitHealthy } from "./http-session.js";

const HERE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const { values } = parseArgs({ options: { db: { type: "string" }, rounds: { type: "string", default: "3" }, root: { type: "string" } } });
if (!values.db) {
  console.error(
    "usage: npm run bench:dashboard -- --db DIR [--rounds N] [--root DIR]  (DIR: a database kept by `npm run bench:http -- --keep`)",
  );
  process.exit(2);
}
const ROOT = values.root ?? HERE;
const ROUNDS = Number(values.rounds);

/** Times `GET path` while pinging /healthz; returns the view's time and the longest ping. */
async function timedView(s: HttpSession, url: string, p: string): Promise<{ ms: number; longestPing: number }> {
  let stop = false;
  let longest = 0;
  const pinger = (async () => {
    while (!stop) {
      const t0 = performance.now();
      await (await fetch(`${url}/healthz`)).arrayBuffer();
      longest = Math.max(longest, performance.now() - t0);
      await new Promise((r) => setTimeout(r, 20));
    }
  })();
  const t0 = performance.now();
  const res = await s.get(p);
  await res.arrayBuffer();
  const ms = performance.now() - t0;
  stop = true;
  await pinger;
  if (res.status !== 200) throw new Error(`GET ${p}: HTTP ${res.status}`);
  return { ms, longestPing: longest };
}

/** An open lead other than the ones verified (the last one). */
function pre2(dbPath: string): number {
  const d = new Database(dbPath, { readonly: true });
  try {
    return d.prepare("SELECT id FROM leads WHERE status = 'open' ORDER BY id DESC LIMIT 1").pluck().get() as number;
  } finally {
    d.close();
  }
}

async function main() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "party-dash-write-"));
  const dbPath = path.join(dir, "bench.db");
  fs.copyFileSync(path.join(values.db!, "bench.db"), dbPath);
  const pre = new Database(dbPath);
  pre.prepare("DELETE FROM sessions").run();
  const leadIds = pre.prepare("SELECT id FROM leads WHERE status = 'open' ORDER BY id LIMIT ?").pluck().all(ROUNDS) as number[];
  pre.close();
  const port = await freePort();
  const server = spawn(process.execPath, ["--import", "tsx", "server/index.ts"], {
    cwd: ROOT,
    env: { ...process.env, NODE_ENV: "production", DATABASE_PATH: dbPath, PORT: String(port), HOST: "127.0.0.1", LOG_LEVEL: "warn" },
    stdio: ["ignore", "ignore", "inherit"],
  });
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitHealthy(url, server, 120_000);
    const s = await HttpSession.signIn(url, "bench-admin", "bench-password-2024");
    process.stdout.write(
      `server ${ROOT}; load average ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}\n`,
    );
    const first = await timedView(s, url, "/");
    process.stdout.write(
      `first view after start        ${first.ms.toFixed(0).padStart(6)} ms   longest /healthz ${first.longestPing.toFixed(0)} ms\n`,
    );
    const cached = await timedView(s, url, "/");
    process.stdout.write(
      `view, nothing changed         ${cached.ms.toFixed(0).padStart(6)} ms   longest /healthz ${cached.longestPing.toFixed(0)} ms\n`,
    );
    for (const id of leadIds) {
      const token = await s.csrf(`/leads/${id}`);
      const res = await s.request("POST", `/leads/${id}/verify`, { _csrf: token });
      await res.arrayBuffer();
      if (res.status !== 303) throw new Error(`verify lead ${id}: HTTP ${res.status}`);
      const v = await timedView(s, url, "/");
      process.stdout.write(
        `view after verifying a lead   ${v.ms.toFixed(0).padStart(6)} ms   longest /healthz ${v.longestPing.toFixed(0)} ms\n`,
      );
    }
    const other = pre2(dbPath);
    if (other) {
      const token = await s.csrf(`/leads/${other}`);
      const res = await s.request("POST", `/leads/${other}/reject`, { _csrf: token, reason: "压测" });
      await res.arrayBuffer();
      const v = await timedView(s, url, "/");
      process.stdout.write(
        `view after rejecting a lead   ${v.ms.toFixed(0).padStart(6)} ms   longest /healthz ${v.longestPing.toFixed(0)} ms\n`,
      );
    }
    process.stdout.write(
      `load average after            ${os
        .loadavg()
        .map((l) => l.toFixed(2))
        .join(" ")}\n`,
    );
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((e) => {
  process.stderr.write(`bench failed: ${e instanceof Error ? e.stack : String(e)}\n`);
  process.exit(1);
});

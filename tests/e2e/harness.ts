import fs from "node:fs";
import type { AddressInfo } from "node:net";
import os from "node:os";
import path from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll } from "vitest";
import { openDb } from "../../db/client.js";
import { DEMO_PASSWORD, seedDemo } from "../../db/seed/index.js";
import { createApp } from "../../server/app.js";
import { prepareDatabase } from "../../server/bootstrap.js";
import { DEMO_JURISDICTION } from "../../server/domain/reference-data.js";
import { testConfig } from "../../server/config.js";
import { todayIso } from "../../server/domain/dates.js";
import { demoExtras } from "../../db/seed/demo-extras.js";
import { readOrBuildAsync } from "../helpers/run-cache.js";

export const ARTIFACTS = path.resolve("tests/e2e/artifacts");

/** The demo city served on a random loopback port, over a temp-file database. */
export async function startDemoServer(opts: { members?: number } = {}) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-e2e-"));
  const handle = openDb(await restoreDemo(dir, opts.members ?? 1500, todayIso()));
  const config = testConfig({ uploadDir: path.join(dir, "uploads") });
  const app = createApp({ db: handle, config });
  const server = await new Promise<import("node:http").Server>((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url,
    handle,
    dir,
    async close() {
      await new Promise((r) => server.close(r));
      server.closeAllConnections?.();
      handle.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/**
 * The demo city of `members` members seeded for `today`, restored into `dir` (demo.db and the
 * platform batches' files under uploads/). Seeded once per run for each size (tests/helpers/run-cache.ts)
 * and copied into each file's own directory, since seeding cost 7–11 s of CPU per file; seeding is
 * deterministic for a given size and day. The imports' stored paths are moved to `dir`, so the copy
 * holds what seeding into `dir` would have written.
 */
async function restoreDemo(dir: string, members: number, today: string): Promise<string> {
  const packed = await readOrBuildAsync(`demo-${members}-${today}.json`, async () => {
    const seedDir = fs.mkdtempSync(path.join(os.tmpdir(), "pc-e2e-seed-"));
    const handle = openDb(path.join(seedDir, "demo.db"));
    try {
      prepareDatabase(handle, { jurisdiction: DEMO_JURISDICTION });
      await seedDemo(handle, { today, members, extras: demoExtras });
      const uploads = path.join(seedDir, "uploads");
      const files = fs.existsSync(uploads)
        ? fs.readdirSync(uploads, { recursive: true, encoding: "utf8" }).filter((f) => fs.statSync(path.join(uploads, f)).isFile())
        : [];
      return Buffer.from(
        JSON.stringify({
          dir: seedDir,
          db: handle.sqlite.serialize().toString("base64"),
          uploads: Object.fromEntries(files.map((f) => [f, fs.readFileSync(path.join(uploads, f)).toString("base64")])),
        }),
      );
    } finally {
      handle.close();
      fs.rmSync(seedDir, { recursive: true, force: true });
    }
  });
  const image = JSON.parse(packed.toString()) as { dir: string; db: string; uploads: Record<string, string> };
  const file = path.join(dir, "demo.db");
  fs.writeFileSync(file, Buffer.from(image.db, "base64"));
  for (const [name, data] of Object.entries(image.uploads)) {
    fs.mkdirSync(path.dirname(path.join(dir, "uploads", name)), { recursive: true });
    fs.writeFileSync(path.join(dir, "uploads", name), Buffer.from(data, "base64"));
  }
  const db = openDb(file);
  try {
    db.sqlite
      .prepare("UPDATE imports SET stored_path = ? || substr(stored_path, ?) WHERE stored_path LIKE ? || '%'")
      .run(dir, image.dir.length + 1, image.dir);
  } finally {
    db.close();
  }
  return file;
}

/**
 * A file's demo server and browser: started before its tests, closed after them. The getters
 * read what beforeAll has set.
 */
export function demoSuite(opts: { members?: number } = {}) {
  let server: Awaited<ReturnType<typeof startDemoServer>> | undefined;
  let browser: Browser | undefined;
  beforeAll(async () => {
    server = await startDemoServer(opts);
    browser = await launchBrowser();
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error("demo server not started (used outside a test?)");
      return server;
    },
    get browser() {
      if (!browser) throw new Error("browser not launched (used outside a test?)");
      return browser;
    },
  };
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
    headless: true,
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      "--disable-dev-shm-usage",
    ],
  });
}

export async function signInPage(context: BrowserContext, baseUrl: string, username: string, password = DEMO_PASSWORD): Promise<Page> {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login`);
  await page.fill("#username", username);
  await page.fill("#password", password);
  await Promise.all([page.waitForURL((u) => !u.pathname.startsWith("/login")), page.click("button[type=submit]")]);
  return page;
}

/** Runs a step; on failure saves a screenshot named after it under tests/e2e/artifacts/ and rethrows. */
export async function step<T>(page: Page, name: string, fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, `${name.replace(/[^\w-]+/g, "_")}.png`), fullPage: true }).catch(() => {});
    throw err;
  }
}

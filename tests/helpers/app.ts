import type { Express } from "express";
import request from "supertest";
import type { DbHandle } from "../../db/client.js";
import { createApp } from "../../server/app.js";
import { type Config, testConfig } from "../../server/config.js";
import { buildSmallCity, PASSWORD, type SmallCity, smallCityDb } from "./fixtures.js";

export type TestApp = { app: Express; handle: DbHandle; city: SmallCity; close(): void };

/** A real app over a real in-memory database holding the small city (or over `handle`, the city built into it). */
export async function createTestApp(overrides: Partial<Config> = {}, given?: DbHandle): Promise<TestApp> {
  const { handle, city } = given ? { handle: given, city: await buildSmallCity(given) } : await smallCityDb();
  const app = createApp({ db: handle, config: testConfig(overrides) });
  return { app, handle, city, close: () => handle.close() };
}

/** Reads the CSRF token a page embeds. */
export function csrfFrom(html: string): string {
  const m = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!m) throw new Error("no CSRF token in page");
  return m[1]!;
}

export type Agent = ReturnType<typeof request.agent> & { csrf(path?: string): Promise<string> };

/** A supertest agent with a session cookie, signed in as `username`. */
export async function signIn(app: Express, username: string, password = PASSWORD): Promise<Agent> {
  const agent = request.agent(app) as Agent;
  const page = await agent.get("/login");
  const res = await agent
    .post("/login")
    .type("form")
    .send({ username, password, _csrf: csrfFrom(page.text) });
  if (res.status !== 303) throw new Error(`sign-in of ${username} failed: ${res.status}`);
  agent.csrf = async (path = "/") => csrfFrom((await agent.get(path)).text);
  return agent;
}

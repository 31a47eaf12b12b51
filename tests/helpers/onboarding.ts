// The onboarding flow as a browser drives it: the upload form → preview → start (run or dry run) →
// the import's progress; shared by the onboarding HTTP tests and the journey.
import path from "node:path";
import { expect } from "vitest";
import { type Agent, csrfFrom } from "./app.js";
import { FIXTURES_DIR } from "./paths.js";

export const ONBOARDING_DIR = path.join(FIXTURES_DIR, "onboarding");

/** The mapping the preview chose: every select map_<field> with its selected option. */
export function previewMapping(html: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of html.matchAll(/<select name="(map_[A-Za-z]+)"[^>]*>([\s\S]*?)<\/select>/g)) {
    const sel = /<option value="([^"]*)" selected>/.exec(m[2]!);
    if (sel) out[m[1]!] = sel[1]!.replaceAll("&#34;", '"').replaceAll("&amp;", "&");
  }
  return out;
}

export function hiddenValue(html: string, name: string): string {
  const m = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (!m) throw new Error(`no ${name} in page`);
  return m[1]!;
}

/** Uploads a file through the onboarding page's form; returns the response (the preview, or the form with errors). */
export async function uploadOnboarding(agent: Agent, file: string, kind: string, orgId: number | string) {
  const page = await agent.get("/onboarding");
  expect(page.status).toBe(200);
  return agent
    .post(`/imports/new?_csrf=${encodeURIComponent(csrfFrom(page.text))}`)
    .field("kind", kind)
    .field("orgId", String(orgId))
    .attach("file", path.isAbsolute(file) ? file : path.join(ONBOARDING_DIR, file));
}

export async function waitImport(agent: Agent, id: string) {
  for (let i = 0; i < 200; i++) {
    const p = await agent.get(`/imports/${id}/progress`).set("Accept", "application/json");
    expect(p.status).toBe(200);
    if (p.body.phase === "done") return p.body;
    await new Promise((r) => setTimeout(r, 25));
  }
  throw new Error("import did not finish");
}

/** Upload → preview → start; returns the import's id and its finished progress (status, summary, error). */
export async function onboard(agent: Agent, file: string, kind: string, orgId: number | string, mode: "run" | "dry" = "run") {
  const preview = await uploadOnboarding(agent, file, kind, orgId);
  expect(preview.status, preview.text.slice(0, 2000)).toBe(200);
  const start = await agent
    .post("/imports/start")
    .type("form")
    .send({
      _csrf: csrfFrom(preview.text),
      upload: hiddenValue(preview.text, "upload"),
      kind,
      orgId: String(orgId),
      mode,
      ...previewMapping(preview.text),
    });
  expect(start.status, start.text.slice(0, 2000)).toBe(303);
  const id = /\/imports\/(\d+)$/.exec(start.headers.location ?? "")![1]!;
  return { id, done: await waitImport(agent, id), preview };
}

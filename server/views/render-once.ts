// A part of a page that is a function of one kept value (the dashboard's counted cards, kept by a
// read cache until the data change), rendered once per value instead of on every request, and kept
// as UTF-8 bytes: a province's dashboard lists 218 committees and 156 counties, ~480 KB of HTML that
// took ~10 ms of the server's thread to render each time and ~3 ms more to encode (a string of
// Chinese text encodes at a few ns a character). The
// value's identity is the key, so a new count after a write renders anew, and a value the cache
// dropped takes its bytes with it.

import { randomBytes } from "node:crypto";
import type { Response } from "express";

const rendered = new WeakMap<object, Map<string, Buffer>>();

function render(res: Response, view: string, locals: Record<string, unknown>): Promise<string> {
  return new Promise((resolve, reject) =>
    res.app.render(view, { ...res.locals, ...locals }, (err, out) => (err ? reject(err) : resolve(out))),
  );
}

/** `view` rendered with the response's locals and `locals`, once per `key` object. */
export async function renderOnce(res: Response, view: string, key: object, locals: Record<string, unknown>): Promise<Buffer> {
  let byView = rendered.get(key);
  const hit = byView?.get(view);
  if (hit) return hit;
  const bytes = Buffer.from(await render(res, view, locals));
  if (!byView) {
    byView = new Map();
    rendered.set(key, byView);
  }
  byView.set(view, bytes);
  return bytes;
}

/** Stands for the kept part while the page around it renders; random, so no text can forge it. */
const PLACE = `\u0000part-${randomBytes(12).toString("hex")}\u0000`;

/**
 * Sends `view` (rendered per request: the navigation, the user, the flash) with `part` where it
 * prints `body` (`<%- body %>`), the part's bytes copied in rather than rendered or encoded again.
 */
export async function sendAround(res: Response, view: string, locals: Record<string, unknown>, part: Buffer): Promise<void> {
  const page = await render(res, view, { ...locals, body: PLACE });
  const at = page.indexOf(PLACE);
  if (at < 0 || page.indexOf(PLACE, at + 1) >= 0) throw new Error(`view ${view} must print body exactly once`);
  const head = Buffer.from(page.slice(0, at));
  const foot = Buffer.from(page.slice(at + PLACE.length));
  res.type("html");
  res.setHeader("Content-Length", head.length + part.length + foot.length);
  if (res.req.method === "HEAD") {
    res.end();
    return;
  }
  // Written as three chunks, the kept part without a copy: a copy of ~480 KB a request is memory
  // outside V8's heap that set off a full collection every few hundred requests under load.
  res.cork();
  res.write(head);
  res.write(part);
  res.end(foot);
}

// A signed-in browser session over real HTTP (fetch): the session cookie, the CSRF token of the
// sign-in form, and form posts. Used by bench:http and the crash/concurrency tests against a
// server process on loopback.

import type { ChildProcess } from "node:child_process";
import net from "node:net";

export class HttpSession {
  private cookie = "";

  constructor(readonly base: string) {}

  /** The session cookie as a Cookie header value (for autocannon). */
  cookieHeader(): string {
    return this.cookie;
  }

  async request(method: "GET" | "POST", path: string, form?: Record<string, string | number>): Promise<Response> {
    const headers: Record<string, string> = {};
    if (this.cookie) headers.cookie = this.cookie;
    let body: string | undefined;
    if (form) {
      headers["content-type"] = "application/x-www-form-urlencoded";
      body = new URLSearchParams(Object.entries(form).map(([k, v]): [string, string] => [k, String(v)])).toString();
    }
    const res = await fetch(this.base + path, { method, headers, body, redirect: "manual" });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(";")[0]!;
      if (pair.startsWith("pc.sid=")) this.cookie = pair;
    }
    return res;
  }

  get(path: string): Promise<Response> {
    return this.request("GET", path);
  }

  /** The CSRF token a page's forms carry. */
  async csrf(path = "/"): Promise<string> {
    const res = await this.get(path);
    const html = await res.text();
    const m = /name="_csrf" value="([^"]+)"/.exec(html);
    if (!m) throw new Error(`no CSRF token on ${path} (HTTP ${res.status})`);
    return m[1]!;
  }

  /** Signs in through the real form: GET /login for the token, POST /login, expect 303. */
  static async signIn(base: string, username: string, password: string): Promise<HttpSession> {
    const s = new HttpSession(base);
    const token = await s.csrf("/login");
    const res = await s.request("POST", "/login", { username, password, _csrf: token });
    await res.arrayBuffer();
    if (res.status !== 303) throw new Error(`sign-in of ${username} failed: HTTP ${res.status}`);
    return s;
  }
}

/** A free loopback port (bound, read and released). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.listen(0, "127.0.0.1", () => {
      const a = srv.address();
      srv.close(() => (typeof a === "object" && a ? resolve(a.port) : reject(new Error("no port"))));
    });
  });
}

/** Waits until the server child at `url` answers /healthz; throws if it exits or `timeoutMs` passes. */
export async function waitHealthy(url: string, child: ChildProcess, timeoutMs = 60_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (child.exitCode !== null) throw new Error(`server exited with ${child.exitCode}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`${url} did not come up`);
}

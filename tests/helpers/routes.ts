import type { Express } from "express";

export type RouteEntry = { method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"; path: string };

type Layer = {
  name?: string;
  /** The path the layer was mounted at (router 2: app.use("/api", router) → "/api"; app.use(router) → "/"). */
  rawPath?: unknown;
  route?: { path: unknown; methods: Record<string, boolean> };
  handle?: { stack?: Layer[] };
};

const METHODS = new Set(["GET", "POST", "PUT", "PATCH", "DELETE"]);

function join(prefix: string, path: string): string {
  const p = `${prefix.replace(/\/+$/, "")}/${path.replace(/^\/+/, "")}`;
  return p.length > 1 ? p.replace(/\/+$/, "") : p;
}

/**
 * The app's own route table, read from Express's router: every (method, path) the app answers.
 * Routers are walked recursively, with the prefix they were mounted at (app.use("/api", router)).
 * A route the walker cannot name exactly (a RegExp or array path, `.all()`, a method outside
 * GET/POST/PUT/PATCH/DELETE) throws: the access matrix must never silently miss a route.
 */
export function listRoutes(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (stack: Layer[], prefix: string) => {
    for (const layer of stack) {
      if (layer.route) {
        const path = layer.route.path;
        if (typeof path !== "string") throw new Error(`route with a non-string path under "${prefix}": ${String(path)}`);
        for (const [m, on] of Object.entries(layer.route.methods)) {
          if (!on) continue;
          const method = m.toUpperCase();
          if (m === "_all" || !METHODS.has(method))
            throw new Error(`route ${join(prefix, path)} answers ${m === "_all" ? ".all()" : method}: list its methods explicitly`);
          out.push({ method: method as RouteEntry["method"], path: join(prefix, path) });
        }
      } else if (layer.handle?.stack) {
        const mount = layer.rawPath ?? "/";
        if (typeof mount !== "string") throw new Error(`router mounted at a non-string path: ${String(mount)}`);
        walk(layer.handle.stack, join(prefix, mount));
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack, "/");
  return out;
}

export const routeKey = (r: RouteEntry) => `${r.method} ${r.path}`;

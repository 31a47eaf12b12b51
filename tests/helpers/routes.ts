import type { Express } from "express";

export type RouteEntry = { method: "GET" | "POST" | "PUT" | "PATCH" | "DELETE"; path: string };

type Layer = { name?: string; route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };

/**
 * The app's own route table, read from Express's router: every (method, path) the app answers.
 * Routers mounted with app.use(router) (no prefix) are walked recursively.
 */
export function listRoutes(app: Express): RouteEntry[] {
  const out: RouteEntry[] = [];
  const walk = (stack: Layer[]) => {
    for (const layer of stack) {
      if (layer.route) {
        for (const [m, on] of Object.entries(layer.route.methods)) {
          if (on && m !== "_all") out.push({ method: m.toUpperCase() as RouteEntry["method"], path: layer.route.path });
        }
      } else if (layer.name === "router" && layer.handle?.stack) {
        walk(layer.handle.stack);
      }
    }
  };
  walk((app as unknown as { router: { stack: Layer[] } }).router.stack);
  return out;
}

export const routeKey = (r: RouteEntry) => `${r.method} ${r.path}`;

import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** The project root (the folder with package.json), whether running from sources (tsx) or from dist/. */
function findRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (fs.existsSync(path.join(dir, "package.json")) && fs.existsSync(path.join(dir, "views"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error("project root not found (no package.json with views/ above server/)");
    dir = up;
  }
}

export const PROJECT_ROOT = findRoot();
export const VIEWS_DIR = path.join(PROJECT_ROOT, "views");
/** Where the names the templates read from their locals are kept between starts (server/views/template-names.ts). */
export const VIEW_NAMES_CACHE_DIR = path.join(PROJECT_ROOT, "node_modules", ".cache", "party-coverage");
export const MIGRATIONS_DIR = path.join(PROJECT_ROOT, "db", "migrations");

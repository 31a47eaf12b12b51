// Templates read their locals as plain variables (EJS destructuredLocals, no `with`): the names are
// found by parsing the templates, one list serves them all, and a name one template declares at
// its top level while another reads it from its locals is refused, naming both.

import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import ejs from "ejs";
import { afterEach, describe, expect, it } from "vitest";
import { VIEWS_DIR } from "../../../server/paths.js";
import { templateNames, viewNames } from "../../../server/views/template-names.js";

const dirs: string[] = [];
function views(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "views-"));
  dirs.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}
afterEach(() => {
  for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});

describe("the names a template reads from its locals", () => {
  it("are the names no scope of it declares, globals and EJS's own left out", () => {
    const dir = views({
      "page.ejs": [
        "<%- include('part', { label: title, n: rows.length }) %>",
        "<% const cols = ['a', 'b']; %>",
        "<% for (const r of rows) { const cell = (k) => r[k] ?? fallback; %><%= cols.map(cell).join() %><% } %>",
        "<%= JSON.stringify(Math.max(1, total)) %><%= typeof maybe !== 'undefined' ? maybe : '' %>",
      ].join("\n"),
    });
    const names = templateNames(path.join(dir, "page.ejs"));
    expect(names.reads).toEqual(["fallback", "maybe", "rows", "title", "total"]);
    // Top level only: r, cell and k are declared inside the loop's block and the arrow.
    expect(names.declares).toEqual(["cols"]);
  });

  it("refuse a name one template declares while another reads it from its locals, naming both", () => {
    const dir = views({ "a.ejs": "<%= cols %>", "sub/b.ejs": "<% const cols = 1 %><%= cols %>" });
    expect(() => viewNames(dir)).toThrow(/sub\/b\.ejs declares "cols", which another template reads from its locals/);
  });

  it("are kept on disk under a hash of the templates (another set of templates, another file)", () => {
    const dir = views({ "a.ejs": "<%= one %>" });
    const cache = path.join(dir, ".cache");
    expect(viewNames(dir, cache)).toEqual(["one"]);
    const kept = fs.readdirSync(cache);
    expect(kept).toHaveLength(1);
    expect(JSON.parse(fs.readFileSync(path.join(cache, kept[0]!), "utf8"))).toEqual(["one"]);
    // Another directory with other templates is another key (the list in memory is per directory).
    const other = views({ "a.ejs": "<%= two %>" });
    expect(viewNames(other, cache)).toEqual(["two"]);
    expect(fs.readdirSync(cache)).toHaveLength(2);
  });

  it("let every template of the app compile without `with`", () => {
    const names = viewNames(VIEWS_DIR);
    expect(names).toEqual(expect.arrayContaining(["user", "csrfToken", "navCounts", "h", "title"]));
    const files = fs.readdirSync(VIEWS_DIR, { recursive: true, withFileTypes: true }).filter((e) => e.name.endsWith(".ejs"));
    expect(files.length).toBeGreaterThan(50);
    for (const e of files) {
      const file = path.join(e.parentPath, e.name);
      expect(
        () => ejs.compile(fs.readFileSync(file, "utf8"), { filename: file, _with: false, destructuredLocals: names }),
        file,
      ).not.toThrow();
    }
  });
});

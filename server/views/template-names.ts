// EJS runs a template inside `with (locals) { … }` unless it is told which names to take out of
// `locals`; V8 looks every name up dynamically inside `with`, which made the template itself half
// of a page's rendering (members/index: 0.66 ms a page with `with`, 0.29 ms without). The names
// every template reads from its locals are found here, once a process, by parsing the JavaScript
// EJS makes of each template (acorn) and asking which names no scope of it declares (eslint-scope);
// they are handed to EJS as `destructuredLocals`, with `_with: false`.
//
// One list serves every template, because an included partial is compiled with its includer's
// options. A name a template declares at its top level (`<% const cols = … %>`) cannot also be a
// name another template reads from its locals (the declaration would clash with the destructured
// `var`): `viewNames` refuses such a pair, naming both, so that it is renamed.

import crypto from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { parse } from "acorn";
import ejs from "ejs";
import { analyze } from "eslint-scope";

type Scope = {
  type: string;
  variables: { name: string }[];
  through: { identifier: { name: string } }[];
  childScopes: Scope[];
};

/** The names of EJS's own compiled function (parameters and helpers), never taken from locals. */
const EJS_OWN = new Set([
  "locals",
  "escapeFn",
  "include",
  "rethrow",
  "__output",
  "__append",
  "__line",
  "__lines",
  "__filename",
  "arguments",
]);

/** What one template reads from outside itself, and what it declares at its top level. */
export function templateNames(file: string): { reads: string[]; declares: string[] } {
  const text = fs.readFileSync(file, "utf8");
  const template = new (ejs as unknown as { Template: new (t: string, o: object) => { source: string; compile(): unknown } }).Template(
    text,
    { _with: false, compileDebug: false, filename: file },
  );
  template.compile();
  const program = parse(`function __template(locals, escapeFn, include, rethrow) {\n${template.source}\n}`, {
    ecmaVersion: "latest",
    sourceType: "script",
    ranges: true,
  });
  const manager = analyze(program, { ecmaVersion: 2022, sourceType: "script" });
  const global = manager.globalScope as Scope;
  const fn = global.childScopes[0]!;
  const reads = new Set<string>();
  for (const ref of global.through) {
    const name = ref.identifier.name;
    if (!EJS_OWN.has(name) && !(name in globalThis)) reads.add(name);
  }
  const declares = fn.variables.map((v) => v.name).filter((n) => !EJS_OWN.has(n));
  return { reads: [...reads].sort(), declares };
}

function templatesUnder(dir: string): string[] {
  return fs
    .readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".ejs"))
    .map((e) => path.join(e.parentPath, e.name))
    .sort();
}

const known = new Map<string, string[]>();

/**
 * Every name some template under `viewsDir` reads from its locals. Parsing every template takes
 * ~0.4 s, paid by every process that builds the app (each test file): the list is kept for the
 * process, and on disk under a hash of the templates (`cacheDir`; unwritable is no matter).
 */
export function viewNames(viewsDir: string, cacheDir?: string): string[] {
  const hit = known.get(viewsDir);
  if (hit) return hit;
  const files = templatesUnder(viewsDir);
  const hash = crypto.createHash("sha256");
  for (const f of files) hash.update(path.relative(viewsDir, f)).update("\0").update(fs.readFileSync(f)).update("\0");
  const digest = hash.digest("hex");
  const cacheFile = cacheDir ? path.join(cacheDir, `view-names-${digest.slice(0, 16)}.json`) : null;
  if (cacheFile && fs.existsSync(cacheFile)) {
    try {
      const names = JSON.parse(fs.readFileSync(cacheFile, "utf8")) as string[];
      known.set(viewsDir, names);
      return names;
    } catch {
      // A torn or foreign file: counted again below.
    }
  }
  const names = namesOf(viewsDir, files);
  known.set(viewsDir, names);
  if (cacheFile) {
    try {
      fs.mkdirSync(path.dirname(cacheFile), { recursive: true });
      const tmp = `${cacheFile}.${process.pid}.tmp`;
      fs.writeFileSync(tmp, JSON.stringify(names));
      fs.renameSync(tmp, cacheFile);
    } catch {
      // Read-only installation: parsed again at the next start.
    }
  }
  return names;
}

function namesOf(viewsDir: string, files: string[]): string[] {
  const all = files.map((file) => ({ file, ...templateNames(file) }));
  const reads = new Set(all.flatMap((t) => t.reads));
  const clashes = all.flatMap((t) =>
    t.declares
      .filter((n) => reads.has(n))
      .map((n) => `${path.relative(viewsDir, t.file)} declares "${n}", which another template reads from its locals`),
  );
  if (clashes.length) throw new Error(`templates: rename these (one list of names serves every template):\n${clashes.join("\n")}`);
  return [...reads].sort();
}

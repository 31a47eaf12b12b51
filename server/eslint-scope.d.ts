// eslint-scope ships no types; the one call server/views/template-names.ts makes.
declare module "eslint-scope" {
  export function analyze(ast: unknown, options: { ecmaVersion: number; sourceType: "script" | "module" }): { globalScope: unknown };
}

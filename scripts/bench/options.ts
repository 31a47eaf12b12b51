// The benches' command lines: an unknown option or a value that is not a positive number stops a
// bench at once, with one line naming it and exit code 2, before anything is seeded (minutes at
// scale). A bare Number() had let "--rows abc" run with NaN rows and print NaN figures.

import { type ParseArgsConfig, parseArgs } from "node:util";

type Options = NonNullable<ParseArgsConfig["options"]>;

/** Stops the bench `bench` with one line on standard error (exit code 2). */
export function refuse(bench: string, message: string): never {
  process.stderr.write(`${bench}: ${message}\n`);
  process.exit(2);
}

/** parseArgs' values for `options` (no positionals), or the bench stops naming what it could not read. */
export function benchArgs<T extends Options>(bench: string, options: T) {
  try {
    return parseArgs({ options, strict: true }).values;
  } catch (e) {
    refuse(bench, (e as Error).message.split("\n")[0]!);
  }
}

/** A number that must be positive (and whole where counted), or the bench stops saying which. */
export function positive(bench: string, name: string, raw: string | undefined, whole: boolean): number {
  const n = Number(raw);
  if (raw === undefined || raw.trim() === "" || !Number.isFinite(n) || n <= 0 || (whole && !Number.isInteger(n))) {
    refuse(bench, `${name} must be a positive ${whole ? "whole number" : "number"}, got "${raw ?? ""}"`);
  }
  return n;
}

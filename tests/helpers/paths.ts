// Where the test fixtures live, whatever folder a test file sits in.
import path from "node:path";
import { fileURLToPath } from "node:url";

export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../fixtures");
export const ROSTERS_DIR = path.join(FIXTURES_DIR, "rosters");

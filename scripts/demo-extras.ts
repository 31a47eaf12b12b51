// Demo data that belongs to later areas (transfers, imports, self-report links), built through
// those areas' own services so that the demo shows what the app really records.
import type { Faker } from "@faker-js/faker";
import type { DbHandle } from "../db/client.js";

export async function demoExtras(_handle: DbHandle, _f: Faker): Promise<void> {}

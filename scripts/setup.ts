// npm run setup -- --region CODE [--root-name NAME]
// Installs the jurisdiction of DATABASE_PATH: a province, city or county by its GB/T 2260 code, its
// regions down to streets and townships, and the root organization named after it (or NAME).
// The same code again changes nothing; another is refused once the database holds data.
import { parseArgs } from "node:util";
import { DIVISION_SOURCE } from "../server/domain/divisions.js";
import { loadConfig } from "../server/config.js";
import type { InstallResult } from "../server/services/jurisdiction/jurisdiction.service.js";
import { openConfiguredDb, runCli } from "./cli.js";

const USAGE = "usage: npm run setup -- --region CODE [--root-name NAME]   (CODE: 6-digit GB/T 2260, e.g. 210300 Anshan, 370000 Shandong)";

const LEVEL_WORDS = { province: "province", city: "city", county: "county" } as const;

function describe(r: InstallResult): string {
  const j = r.jurisdiction;
  const counts = [
    ["city", "cities"],
    ["county", "counties and districts"],
    ["town", "streets and townships"],
  ]
    .filter(([level]) => r.added[level as "city"])
    .map(([level, words]) => `${r.added[level as "city"]} ${words}`);
  const regions = counts.length ? `; regions added: ${counts.join(", ")} (${DIVISION_SOURCE})` : "";
  return r.status === "installed"
    ? `installed ${j.regionCode} ${j.name} (${LEVEL_WORDS[j.level]}): root organization ${j.rootOrg.name} (code ${j.rootOrg.code})${regions}`
    : `unchanged: this database already serves ${j.regionCode} ${j.name} (root organization ${j.rootOrg.name})${regions}`;
}

await runCli(() => {
  let values: { region?: string; "root-name"?: string };
  try {
    ({ values } = parseArgs({ options: { region: { type: "string" }, "root-name": { type: "string" } } }));
  } catch (err) {
    console.error(`error: ${(err as Error).message}\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const fromEnv = loadConfig().jurisdiction;
  const regionCode = values.region ?? fromEnv?.regionCode;
  if (!regionCode) {
    console.error(`error: --region is required\n${USAGE}`);
    process.exitCode = 2;
    return;
  }
  const rootName = values["root-name"] ?? (values.region ? null : fromEnv?.rootName);
  const { handle, config, installed } = openConfiguredDb({ jurisdiction: { regionCode, rootName } });
  handle.close();
  if (installed) console.log(`${config.databasePath}: ${describe(installed)}`);
});

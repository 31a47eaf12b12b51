import { fakerZH_CN, type Faker } from "@faker-js/faker";
import { sql } from "drizzle-orm";
import { createUser } from "../../server/services/admin/users.js";
import { DEMO_JURISDICTION } from "../../server/domain/reference-data.js";
import { readJurisdiction } from "../../server/services/jurisdiction/jurisdiction.service.js";
import { getSetting, setSetting } from "../../server/services/settings.service.js";
import { organizations } from "../schema.js";
import type { DbHandle } from "../client.js";
import { seedOrgsAndEnterprises } from "./demo-orgs.js";
import { seedPeople } from "./demo-people.js";
import { seedRecruitment } from "./demo-recruitment.js";
import { seedDemoIdentity } from "./demo-identity.js";
import { seedDemoDues } from "./demo-dues.js";

/** The demo accounts' shared password: demo data only, printed by `npm run demo`. */
export const DEMO_PASSWORD = "Demo-2026-hz";

export const DEMO_ACCOUNTS = [
  { username: "admin", displayName: "演示管理员", role: "admin", org: "HZ", note: "系统管理员：账号、组织树" },
  { username: "supervisor", displayName: "演示督导员", role: "supervisor", org: "HZ", note: "市委社会工作部：全市只读、导出报表" },
  { username: "clerk", displayName: "演示工作人员", role: "clerk", org: "HZ-DL", note: "市道路运输行业党委工作人员：导入花名册、核实线索" },
  {
    username: "clerk-ps",
    displayName: "演示配送工作人员",
    role: "clerk",
    org: "HZ-PS",
    note: "市网约配送行业党委工作人员（含 10 个县区党委）",
  },
  { username: "secretary", displayName: "演示支部书记", role: "secretary", org: "HZ-DL-001", note: "道路运输行业第一个党支部书记" },
  {
    username: "secretary2",
    displayName: "演示支部书记二",
    role: "secretary",
    org: "HZ-DL-002",
    note: "道路运输行业第二个党支部书记（接收转接）",
  },
] as const;

/**
 * The environment `npm run demo` runs with: every setting as configured, but the database is the
 * sample city's own file (DEMO_DATABASE_PATH, default data/demo.db), never DATABASE_PATH's.
 */
export function demoEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return { ...env, DATABASE_PATH: env.DEMO_DATABASE_PATH ?? "data/demo.db" };
}

export type SeedResult = { seeded: boolean; counts?: Record<string, number> };

/**
 * Builds the demo city into a prepared database. Deterministic for a given `today` (fixed faker
 * seed); idempotent: a database already seeded is left as it is, and a database holding real data
 * is refused.
 */
export async function seedDemo(
  handle: DbHandle,
  opts: { today: string; members?: number; seed?: number; extras?: (handle: DbHandle, f: Faker, today: string) => Promise<void> | void },
): Promise<SeedResult> {
  const { db } = handle;
  if (getSetting(db, "demo") === "1") return { seeded: false };
  const orgCount = db.select({ n: sql<number>`count(*)` }).from(organizations).get()!.n;
  const userCount = handle.sqlite.prepare("SELECT count(*) AS n FROM users").get() as { n: number };
  if (orgCount > 1 || userCount.n > 0)
    throw new Error("refusing to seed demo data into a database that already holds data (use an empty DATABASE_PATH)");
  const f = fakerZH_CN;
  f.seed(opts.seed ?? 20250701);
  const root = db.select().from(organizations).where(sql`parent_id IS NULL`).get();
  if (!root) throw new Error("no root organization: prepare the database first");
  if (readJurisdiction(db)?.regionCode !== DEMO_JURISDICTION.regionCode)
    throw new Error(`the demo is Heze's (${DEMO_JURISDICTION.regionCode}): seed it into a database installed for Heze, not this one`);
  const orgs = db.transaction((tx) => seedOrgsAndEnterprises(tx, f, root, opts.today));
  const people = seedPeople(handle, f, orgs, opts.today, opts.members ?? 5200);
  for (const a of DEMO_ACCOUNTS) {
    const org = db.select().from(organizations).where(sql`code = ${a.org}`).get();
    if (!org) throw new Error(`demo org ${a.org} missing`);
    await createUser(db, null, { username: a.username, displayName: a.displayName, role: a.role, orgId: org.id, password: DEMO_PASSWORD });
  }
  seedRecruitment(handle, opts.today);
  await opts.extras?.(handle, f, opts.today);
  const identity = seedDemoIdentity(handle, opts.today);
  const dues = seedDemoDues(handle, opts.today);
  setSetting(db, "demo", "1");
  setSetting(db, "demo_seeded_on", opts.today);
  return {
    seeded: true,
    counts: { enterprises: orgs.enterpriseIds.length, branches: orgs.branches.length, ...people, ...identity, ...dues },
  };
}
